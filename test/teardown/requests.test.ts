// What a teardown of a fresh set-up costs: every request it makes, and exactly the writes it needs.
import { describe, expect, it } from 'vitest';
import { freshSetUps, teardown } from './helpers.js';

describe('the requests of a teardown', () => {
  const fresh = freshSetUps();

  it('a fresh set-up: 11 reads and the 9 writes that remove it; --dry-run and a second run only read', async () => {
    const s = await fresh();
    const dry = await teardown(s, ['--dry-run']);
    expect(dry.result.code, dry.result.stderr).toBe(0);
    expect(dry.writes).toEqual([]);
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
    expect(run.requests).toBeLessThanOrEqual(20);
    // The app's user holds its key (no STS), and a user about to be deleted needs no GetUserPolicy.
    const ops = s.services.recorder.requests.map((r) => r.operation);
    expect(ops).not.toContain('GetCallerIdentity');
    expect(ops).not.toContain('GetUserPolicy');
    expect(run.status).toMatchObject({ 'iam.access-key': 'deleted', 'iam.policy': 'deleted', 'iam.user': 'deleted' });
    const again = await teardown(s);
    expect(again.writes).toEqual([]);
    expect(again.requests).toBeLessThanOrEqual(15);
  });
});
