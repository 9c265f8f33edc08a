// A bucket shared by two projects (setup run twice with two --api-key values): teardown of one leaves the other working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type SetUp, correctSetUp, doctor, expectReport } from '../doctor/helpers.js';
import { freshSetUps, teardown } from './helpers.js';

const PROJECTS = { '46000001': 'first-project-secret-0123456789abcdef', '46000002': 'second-project-secret-0123456789abcd' };
const BUCKET = 'ib-archive-staging-and-prod';

describe('a bucket shared by two projects', () => {
  let first: SetUp;
  let second: SetUp;

  beforeAll(async () => {
    first = await correctSetUp({ opentokProjects: PROJECTS }, ['--bucket', BUCKET]);
    second = { ...first, apiKey: '46000002', apiSecret: PROJECTS['46000002'] };
    const r = await runCli(['setup', '--api-key', second.apiKey, '--api-secret', second.apiSecret, '--configure-opentok', '--app', first.app, '--bucket', BUCKET, '--yes', '--non-interactive'], first.services);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);
  afterAll(() => first?.close());

  it("removes only the first project's pieces, and the second still passes doctor", async () => {
    const c = first.services.control;
    const vars = { ...c.app(first.app)!.configVars };
    const run = await teardown(first);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.status).toMatchObject({
      'heroku.config-vars': 'unchanged',
      'opentok.storage': 'deleted',
      'iam.access-key': 'unchanged',
      'iam.policy': 'unchanged',
      'iam.user': 'unchanged',
      's3.policy': 'updated',
      's3.public-access-block': 'unchanged',
      's3.cors': 'unchanged',
      's3.folder': 'deleted',
    });
    expect(run.doc.steps.find((st) => st.id === 'iam.user')!.detail).toMatch(/kept: project 46000002 still uses the bucket/);
    const bucket = c.bucket(BUCKET)!;
    expect(bucket.policy!.Statement.map((st) => st.Sid)).toEqual(['IbArchivePublicRead46000002']);
    expect([...bucket.objects.keys()]).toEqual(['46000002/']);
    expect(c.opentokStorage('46000001')).toBeUndefined();
    expect(c.opentokStorage('46000002')).toBeDefined();
    expect(c.app(first.app)!.configVars).toEqual(vars);
    expect(c.user(first.user)!.keys.map((k) => k.accessKeyId)).toEqual([first.keyId]);
    expectReport(second, await doctor(second), {});
  });

  it('then the second project takes the rest with it: vars, key, policy, user, CORS rule and the relaxed block', async () => {
    const run = await teardown(second);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.status).toMatchObject({ 'heroku.config-vars': 'deleted', 'iam.access-key': 'deleted', 'iam.user': 'deleted', 's3.policy': 'deleted', 's3.public-access-block': 'updated', 's3.cors': 'deleted' });
    const c = first.services.control;
    expect(c.bucket(BUCKET)!.policy).toBeUndefined();
    expect(c.bucket(BUCKET)!.cors).toBeUndefined();
    expect(c.user(first.user)).toBeUndefined();
    expect(c.app(first.app)!.configVars).not.toHaveProperty('S3_BUCKET_NAME');
  });
});

describe("a bucket with another project's folder but no statement of its own", () => {
  const fresh = freshSetUps();

  it('counts as shared: only the project pieces go', async () => {
    const s = await fresh();
    s.services.control.bucket(s.bucket)!.objects.set('46000009/', { body: Buffer.alloc(0) });
    const run = await teardown(s);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.status).toMatchObject({ 'heroku.config-vars': 'unchanged', 'iam.user': 'unchanged', 's3.cors': 'unchanged', 's3.public-access-block': 'unchanged', 's3.policy': 'deleted', 's3.folder': 'deleted' });
    expect(run.doc.steps.find((st) => st.id === 's3.cors')!.detail).toBe('kept: project 46000009 still uses the bucket');
    expect(s.services.control.user(s.user)).toBeDefined();
  });
});
