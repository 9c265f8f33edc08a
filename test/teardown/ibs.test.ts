// An IBS backend app (BUCKET_URL, no AWS keys): the key is the one the project's storage holds; BUCKET_URL alone goes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SetUp, correctSetUp } from '../doctor/helpers.js';
import { teardown } from './helpers.js';

describe('teardown of an ibs app', () => {
  let s: SetUp;
  beforeAll(async () => {
    s = await correctSetUp();
    const bucketUrl = s.url.replace(/\/$/, '');
    await s.setVars({ AWS_ACCESS_KEY_ID: null, AWS_SECRET_ACCESS_KEY: null, S3_BUCKET_NAME: null, S3_COMPOSEDVIDEO_URL: null, BUCKET_URL: bucketUrl, JWT_SECRET: 'jwt-secret-of-the-backend' });
  }, 60_000);
  afterAll(() => s?.close());

  it("removes BUCKET_URL, the storage's key, the policy and the user; JWT_SECRET stays", async () => {
    const run = await teardown(s);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.result.stderr + run.result.stdout).not.toContain('jwt-secret-of-the-backend');
    expect(run.status).toMatchObject({ 'heroku.config-vars': 'deleted', 'opentok.storage': 'deleted', 'iam.access-key': 'deleted', 'iam.user': 'deleted' });
    expect(run.doc.steps.find((st) => st.id === 'iam.access-key')!.detail).toContain(s.keyId);
    const vars = s.services.control.app(s.app)!.configVars;
    expect(vars).not.toHaveProperty('BUCKET_URL');
    expect(vars.JWT_SECRET).toBe('jwt-secret-of-the-backend');
    expect(s.services.control.user(s.user)).toBeUndefined();
  });
});
