// What a teardown of a fresh set-up costs: every request it makes, and exactly the writes it needs.
import { describe, expect, it } from 'vitest';
import { freshSetUps, teardown } from './helpers.js';

describe('the requests of a teardown', () => {
  const fresh = freshSetUps();

  it('a fresh set-up: 13 reads and the 9 writes that remove it; a second run only reads', async () => {
    const s = await fresh();
    const run = await teardown(s);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect([...run.writes].sort()).toEqual([
      'heroku PATCH /apps/{app}/config-vars',
      'iam DeleteAccessKey',
      'iam DeleteUser',
      'iam DeleteUserPolicy',
      'opentok DELETE /v2/project/{apiKey}/archive/storage',
      's3 DeleteBucketCors',
      's3 DeleteBucketPolicy',
      's3 DeleteObject',
      's3 PutPublicAccessBlock',
    ]);
    expect(run.requests).toBeLessThanOrEqual(22);
    const again = await teardown(s);
    expect(again.writes).toEqual([]);
    expect(again.requests).toBeLessThanOrEqual(15);
  });
});
