// What teardown keeps: a user holding anything ib-archive did not make, a user it did not create, and vars of another bucket.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { freshSetUps, teardown } from './helpers.js';

describe('teardown keeps what is not its own', () => {
  const fresh = freshSetUps();

  it('a managed user with an MFA device and a group stays, with the reason; its key and ib-archive-s3 go', async () => {
    const s = await fresh();
    const user = s.services.control.user(s.user)!;
    user.attachments = { mfaDevices: [`arn:aws:iam::${s.services.accountId}:mfa/ops`], groups: [] };
    const run = await teardown(s);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.status).toMatchObject({ 'iam.access-key': 'deleted', 'iam.policy': 'deleted', 'iam.user': 'unchanged' });
    expect(run.doc.steps.find((st) => st.id === 'iam.user')!.detail).toMatch(new RegExp(`${s.user} kept: it has 1 MFA device\\(s\\) that ib-archive did not make`));
    expect(s.services.control.user(s.user)!.keys).toEqual([]);
    expect(s.services.control.user(s.user)!.policies.size).toBe(0);
    // Once the owner removes it, a re-run finishes.
    user.attachments = {};
    const again = await teardown(s);
    expect(again.status['iam.user']).toBe('deleted');
    expect(s.services.control.user(s.user)).toBeUndefined();
  });

  it('a user not tagged ib-archive:managed stays, and so does its key unless --iam-user names it', async () => {
    const s = await fresh();
    delete s.services.control.user(s.user)!.tags['ib-archive:managed'];
    const run = await teardown(s);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.status['iam.user']).toBe('unchanged');
    expect(run.doc.steps.find((st) => st.id === 'iam.user')!.detail).toMatch(/not tagged ib-archive:managed/);
    expect(s.services.control.user(s.user)!.keys.map((k) => k.accessKeyId)).toEqual([s.keyId]);
    expect(run.doc.steps.find((st) => st.id === 'iam.access-key')!.detail).toContain(`pass --iam-user ${s.user}`);
  });

  it('named with --iam-user, the app\'s key on a user ib-archive did not create goes; the user stays', async () => {
    const s = await fresh();
    delete s.services.control.user(s.user)!.tags['ib-archive:managed'];
    const run = await teardown(s, ['--iam-user', s.user]);
    expect(run.status).toMatchObject({ 'iam.access-key': 'deleted', 'iam.policy': 'deleted', 'iam.user': 'unchanged' });
    expect(s.services.control.user(s.user)!.keys).toEqual([]);
  });

  it('vars that point at another bucket stay', async () => {
    const s = await fresh();
    await s.setVars({ S3_BUCKET_NAME: 'someone-elses-bucket', S3_COMPOSEDVIDEO_URL: 'https://someone-elses-bucket.s3.us-east-1.amazonaws.com/' });
    const run = await teardown(s, ['--bucket', s.bucket]);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.status['heroku.config-vars']).toBe('unchanged');
    expect(s.services.control.app(s.app)!.configVars.S3_BUCKET_NAME).toBe('someone-elses-bucket');
    expect(run.writes.filter((w) => w.startsWith('heroku'))).toEqual([]);
  });

  it('--no-heroku --vars-file: the four lines go from the file, its other lines stay', async () => {
    const s = await fresh();
    const dir = mkdtempSync(join(tmpdir(), 'ib-archive-teardown-'));
    const file = join(dir, 'ib.env');
    const vars = s.services.control.app(s.app)!.configVars;
    writeFileSync(file, ['# kept', 'OTHER=1', ...['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'S3_BUCKET_NAME', 'S3_COMPOSEDVIDEO_URL'].map((n) => `${n}=${vars[n]}`)].join('\n') + '\n', { mode: 0o600 });
    const run = await teardown(s, [], { app: ['--no-heroku', '--vars-file', file] });
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.status).toMatchObject({ 'heroku.config-vars': 'deleted', 'iam.user': 'deleted' });
    expect(readFileSync(file, 'utf8')).toBe('# kept\nOTHER=1\n');
    expect(run.writes.filter((w) => w.startsWith('heroku'))).toEqual([]);
  });

  it('bad input: exit 2 and nothing sent', async () => {
    const s = await fresh();
    s.services.recorder.reset();
    const r = await runCli(['teardown', '--api-key', 'not-digits', '--bucket', 'Bad_Bucket', '--app', s.app, '--yes', '--json'], s.services);
    expect(r.code).toBe(2);
    expect(r.json<{ error: { message: string } }>().error.message).toMatch(/API key "not-digits"[\s\S]*Bucket name "Bad_Bucket"/);
    expect(s.services.recorder.requests).toEqual([]);
  });
});
