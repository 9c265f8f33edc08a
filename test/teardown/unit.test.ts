// The pure decisions of teardown (the project's prefix out of the policy, the vars that point at the bucket) and a step's own outcome.
import { describe, expect, it } from 'vitest';
import { Output } from '../../src/io/output.js';
import { applySteps } from '../../src/plan.js';
import { StepLog } from '../../src/steps.js';
import { varsToRemove } from '../../src/stages/app-removal.js';
import { withoutProject } from '../../src/stages/s3-removal.js';

const arn = 'arn:aws:s3:::shared';
const statement = (key: string, resources: string | string[]) => ({ Sid: `IbArchivePublicRead${key}`, Effect: 'Allow' as const, Principal: '*' as const, Action: 's3:GetObject', Resource: resources });

describe('withoutProject', () => {
  it('drops our statement when our prefix was all it held, and keeps every other statement', () => {
    const other = { Sid: 'Owner', Effect: 'Deny' as const, Principal: '*' as const, Action: 's3:*', Resource: `${arn}/*` };
    expect(withoutProject({ Version: '2012-10-17', Statement: [other, statement('1', `${arn}/1/*`), statement('2', `${arn}/2/*`)] }, '1')).toEqual({ Version: '2012-10-17', Statement: [other, statement('2', `${arn}/2/*`)] });
  });
  it('takes only our prefix out of a statement that holds more', () => {
    expect(withoutProject({ Statement: [statement('1', [`${arn}/1/*`, `${arn}/shared-media/*`])] }, '1')).toEqual({ Statement: [statement('1', `${arn}/shared-media/*`)] });
  });
  it('is undefined when the policy has nothing of ours (a project 11 is not project 1)', () => {
    expect(withoutProject({ Statement: [statement('11', `${arn}/11/*`)] }, '1')).toBeUndefined();
    expect(withoutProject(undefined, '1')).toBeUndefined();
  });
});

describe('varsToRemove', () => {
  const four = { AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's', S3_BUCKET_NAME: 'b', S3_COMPOSEDVIDEO_URL: 'https://b.s3.us-east-1.amazonaws.com/', OTHER: 'x' };
  it("classic: the four when they name the bucket, and nothing else", () => {
    expect(varsToRemove(four, 'b', 'classic')).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'S3_BUCKET_NAME', 'S3_COMPOSEDVIDEO_URL']);
  });
  it('classic: none when a bucket var names another bucket', () => {
    expect(varsToRemove({ ...four, S3_COMPOSEDVIDEO_URL: 'https://elsewhere.s3.us-east-1.amazonaws.com/' }, 'b', 'classic')).toEqual([]);
    expect(varsToRemove(four, 'c', 'classic')).toEqual([]);
  });
  it('ibs: BUCKET_URL alone, when it addresses the bucket (virtual-hosted, path-style or a custom endpoint)', () => {
    expect(varsToRemove({ BUCKET_URL: 'https://b.s3.eu-west-1.amazonaws.com', JWT_SECRET: 'j' }, 'b', 'ibs')).toEqual(['BUCKET_URL']);
    expect(varsToRemove({ BUCKET_URL: 'https://s3.eu-west-1.amazonaws.com/my.b' }, 'my.b', 'ibs')).toEqual(['BUCKET_URL']);
    expect(varsToRemove({ BUCKET_URL: 'http://127.0.0.1:9000/b' }, 'b', 'ibs', 'http://127.0.0.1:9000')).toEqual(['BUCKET_URL']);
    expect(varsToRemove({ BUCKET_URL: 'https://other.s3.eu-west-1.amazonaws.com' }, 'b', 'ibs')).toEqual([]);
  });
});

describe('a step that finds it must keep something', () => {
  it('is reported with the outcome its apply returns, not the planned status', async () => {
    const out = new Output({ stdout: { write: () => true }, stderr: { write: () => true }, color: false, spinners: false, json: true, debug: false, showSecrets: false });
    const log = new StepLog(out, ['iam.user', 's3.bucket']);
    await applySteps([
      { id: 'iam.user', after: [], status: 'deleted', detail: 'u', apply: async () => ({ status: 'unchanged', detail: 'u kept: it has 1 MFA device(s)' }) },
      { id: 's3.bucket', after: [], status: 'deleted', detail: 'b', apply: async () => 'b (tagged)' },
    ], log, false);
    expect(log.results).toEqual([
      { id: 'iam.user', status: 'unchanged', detail: 'u kept: it has 1 MFA device(s)' },
      { id: 's3.bucket', status: 'deleted', detail: 'b (tagged)' },
    ]);
  });
});
