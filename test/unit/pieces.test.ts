// The pure pieces between the process tests: vars files, var diffs, profile regions, netrc, error translation,
// the key's life, orphan recognition, lifecycle merging and the plan's consents.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, InterruptedError } from '../../src/errors.js';
import { NEW_KEY_TAG, PENDING_TAG, orphanKeys } from '../../src/iam-key.js';
import { profileRegion } from '../../src/inputs/env.js';
import { AppKey } from '../../src/key.js';
import { expiryDays, mergeExpiry } from '../../src/lifecycle.js';
import { confirmPlan } from '../../src/plan.js';
import { awsFailure } from '../../src/services/aws.js';
import { herokuFailure, netrcPassword } from '../../src/services/heroku.js';
import { describeChanges, diffVars, storedKey } from '../../src/vars.js';
import { parseVarsFile, readVarsFile, writeVarsFile } from '../../src/vars-file.js';
import { testDeps } from '../helpers/deps.js';

const dir = () => mkdtempSync(join(tmpdir(), 'ib-archive-unit-'));

describe('vars files', () => {
  it('parses export, quotes and comments', () => {
    expect(parseVarsFile('# c\nexport A=1\nB="two words"\nC=\'x\'\n  D = spaced  \nnot a var\n')).toEqual({ A: '1', B: 'two words', C: 'x', D: 'spaced' });
  });

  it('writes with mode 0600, replaces our vars in place and keeps every other line', async () => {
    const file = join(dir(), 'app.env');
    writeFileSync(file, '# mine\nNODE_ENV=production\nS3_BUCKET_NAME=old\n', { mode: 0o644 });
    await writeVarsFile(file, { S3_BUCKET_NAME: 'new', AWS_ACCESS_KEY_ID: 'AKIA1' });
    expect(readFileSync(file, 'utf8')).toBe('# mine\nNODE_ENV=production\nS3_BUCKET_NAME=new\nAWS_ACCESS_KEY_ID=AKIA1\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await readVarsFile(file)).toEqual({ NODE_ENV: 'production', S3_BUCKET_NAME: 'new', AWS_ACCESS_KEY_ID: 'AKIA1' });
  });

  it('reads a missing file as undefined and refuses a directory', async () => {
    const d = dir();
    expect(await readVarsFile(join(d, 'none.env'))).toBeUndefined();
    await expect(readVarsFile(d)).rejects.toBeInstanceOf(InputError);
  });
});

describe('config vars', () => {
  it('lists what changes and what is replaced, the secret masked', () => {
    const { changes, replaced } = diffVars({ A: '1', B: 'old', AWS_SECRET_ACCESS_KEY: 'old-secret' }, { A: '1', B: 'new', C: 'c', AWS_SECRET_ACCESS_KEY: 'new-secret' });
    expect(changes.map((c) => c.name)).toEqual(['B', 'C', 'AWS_SECRET_ACCESS_KEY']);
    expect(replaced.map((c) => c.name)).toEqual(['B', 'AWS_SECRET_ACCESS_KEY']);
    const lines = describeChanges(replaced).join('\n');
    expect(lines).toContain('old → new');
    expect(lines).not.toMatch(/old-secret|new-secret/);
  });

  it('finds a stored key only when both halves are there', () => {
    expect(storedKey({ AWS_ACCESS_KEY_ID: 'AKIA1' })).toBeUndefined();
    expect(storedKey({ AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's' })).toEqual({ accessKeyId: 'AKIA1', secretAccessKey: 's' });
  });
});

describe('profile region and netrc', () => {
  it("reads the profile's region from the AWS config file", async () => {
    const file = join(dir(), 'config');
    writeFileSync(file, '[default]\nregion = eu-west-1\n[profile ops]\n# note\nregion=ap-south-1 ; inline\n');
    const env = { AWS_CONFIG_FILE: file };
    expect(await profileRegion(env, undefined)).toBe('eu-west-1');
    expect(await profileRegion(env, 'ops')).toBe('ap-south-1');
    expect(await profileRegion(env, 'nobody')).toBeUndefined();
  });

  it("finds the password of the Heroku API's machine", () => {
    const text = 'machine git.heroku.com login a password x\nmachine api.heroku.com\n  login me@example.com\n  password tok-123\n';
    expect(netrcPassword(text, 'api.heroku.com')).toBe('tok-123');
    expect(netrcPassword(text, 'other.example.com')).toBeUndefined();
  });
});

describe('error translation', () => {
  it('names missing and rejected AWS credentials with their fix', () => {
    const none = awsFailure('Listing', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    expect(none.code).toBe('aws_no_credentials');
    expect(none.fix).toMatch(/aws configure|--profile/);
    const bad = awsFailure('Listing', Object.assign(new Error('bad'), { name: 'InvalidClientTokenId', $metadata: { httpStatusCode: 403 } }));
    expect(bad.code).toBe('aws_bad_credentials');
  });

  it('maps Heroku answers to what the user can do', () => {
    expect(herokuFailure('Reading', { statusCode: 401 }).code).toBe('heroku_unauthorized');
    expect(herokuFailure('Reading', { statusCode: 404 }, 'my-ib').message).toMatch(/"my-ib" not found/);
    expect(herokuFailure('Reading', { statusCode: 429 }).fix).toMatch(/Wait a few minutes/);
  });
});

describe("the app's key", () => {
  it('goes created → unsaved → stored, and only an unsaved key can be abandoned', async () => {
    const key = new AppKey();
    const made = key.creating(Promise.resolve({ accessKeyId: 'AKIA1', secretAccessKey: 's' }));
    expect(key.state).toBe('creating');
    await made;
    expect(key.unsaved).toBe(true);
    key.stored();
    expect(key.abandon()).toBeUndefined();
    const other = new AppKey();
    await other.creating(Promise.resolve({ accessKeyId: 'AKIA2', secretAccessKey: 's' }));
    expect(other.abandon()?.accessKeyId).toBe('AKIA2');
    expect(() => other.assertUsable()).toThrow(InterruptedError);
  });

  it('becomes stored when the call that stores it lands', async () => {
    const key = new AppKey();
    await key.creating(Promise.resolve({ accessKeyId: 'AKIA1', secretAccessKey: 's' }));
    await key.storing(Promise.resolve('ok'));
    await key.settled(async () => undefined);
    expect(key.state).toBe('stored');
  });
});

describe('orphan keys', () => {
  const since = '2026-01-01T10:00:00.000Z';
  const keys = [
    { id: 'OLD', status: 'Active', created: new Date('2025-06-01T00:00:00Z') },
    { id: 'NEW', status: 'Active', created: new Date('2026-01-01T10:00:05Z') },
  ];
  it('are the recorded key, or keys made since the mark, that no consumer holds', () => {
    expect(orphanKeys({}, keys, [])).toEqual([]);
    expect(orphanKeys({ [PENDING_TAG]: since }, keys, []).map((k) => k.id)).toEqual(['NEW']);
    expect(orphanKeys({ [PENDING_TAG]: since }, keys, ['NEW'])).toEqual([]);
    expect(orphanKeys({ [PENDING_TAG]: since, [NEW_KEY_TAG]: 'OLD' }, keys, []).map((k) => k.id)).toEqual(['OLD']);
  });
});

describe('archive expiry', () => {
  const theirs = { ID: 'logs', Filter: { Prefix: 'logs/' }, Status: 'Enabled' as const, Expiration: { Days: 7 } };
  it("merges our rule by ID next to the bucket's own, and 0 removes only ours", () => {
    const added = mergeExpiry([theirs], '46', 30)!;
    expect(added).toEqual([theirs, { ID: 'ib-archive-46', Filter: { Prefix: '46/' }, Status: 'Enabled', Expiration: { Days: 30 } }]);
    expect(expiryDays(added, '46')).toBe(30);
    expect(mergeExpiry(added, '46', 30)).toBeUndefined();
    expect(mergeExpiry(added, '46', 0)).toEqual([theirs]);
    expect(mergeExpiry([theirs], '46', 0)).toBeUndefined();
  });
});

describe('consents', () => {
  const step = { id: 's3.policy' as const, status: 'created' as const, detail: '', apply: async () => undefined, consent: { need: 'making it public', question: 'Make it public?', declined: 'Declined.' } };
  it('a script without --yes is refused naming --yes; --yes and --dry-run ask nothing', async () => {
    const { deps } = testDeps({ env: {} });
    await expect(confirmPlan(deps, [step], { yes: false, dryRun: false })).rejects.toMatchObject({ code: 'confirmation_required', missing: ['--yes'] });
    await expect(confirmPlan(deps, [step], { yes: true, dryRun: false })).resolves.toBeUndefined();
    await expect(confirmPlan(deps, [step], { yes: false, dryRun: true })).resolves.toBeUndefined();
    await expect(confirmPlan(deps, [{ ...step, status: 'unchanged' }], { yes: false, dryRun: false })).resolves.toBeUndefined();
  });
});
