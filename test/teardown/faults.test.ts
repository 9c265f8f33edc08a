// Each write of a teardown failing for good (5xx, reset, hang) or losing its answer: reported, and a re-run finishes.
import { describe, expect, it } from 'vitest';
import type { FaultKind, RecordedRequest } from '../../src/standins/recorder.js';
import { type SetUp, correctSetUp } from '../doctor/helpers.js';
import { teardown } from './helpers.js';

const ENV = { IB_ARCHIVE_REQUEST_TIMEOUT_MS: '700' };

const WRITES: [string, string, (r: RecordedRequest) => boolean][] = [
  ['the Heroku PATCH', 'heroku.config-vars', (r) => r.service === 'heroku' && r.method === 'PATCH'],
  ['the OpenTok storage DELETE', 'opentok.storage', (r) => r.service === 'opentok' && r.method === 'DELETE'],
  ['IAM DeleteAccessKey', 'iam.access-key', (r) => r.operation === 'DeleteAccessKey'],
  ['IAM DeleteUserPolicy', 'iam.policy', (r) => r.operation === 'DeleteUserPolicy'],
  ['IAM DeleteUser', 'iam.user', (r) => r.operation === 'DeleteUser'],
  ['S3 DeleteBucketPolicy', 's3.policy', (r) => r.operation === 'DeleteBucketPolicy'],
  ['S3 PutPublicAccessBlock', 's3.public-access-block', (r) => r.operation === 'PutPublicAccessBlock'],
  ['S3 DeleteBucketCors', 's3.cors', (r) => r.operation === 'DeleteBucketCors'],
  ['S3 DeleteObject of the folder', 's3.folder', (r) => r.operation === 'DeleteObject'],
];

/** Everything setup made is gone (the bucket and its archives stay). */
function expectTornDown(s: SetUp): void {
  const c = s.services.control;
  const bucket = c.bucket(s.bucket)!;
  expect(c.user(s.user)).toBeUndefined();
  expect(c.opentokStorage(s.apiKey)).toBeUndefined();
  expect(c.app(s.app)!.configVars).not.toHaveProperty('AWS_ACCESS_KEY_ID');
  expect(c.app(s.app)!.configVars).not.toHaveProperty('S3_BUCKET_NAME');
  expect(bucket.policy).toBeUndefined();
  expect(bucket.cors).toBeUndefined();
  expect(bucket.publicAccessBlock).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
  expect(bucket.objects.has(`${s.apiKey}/`)).toBe(false);
}

const cases: [FaultKind, number][] = [['5xx', 100], ['reset', 100], ['hang', 100], ['lost', 1]];

describe.concurrent.each(cases)('a teardown write meeting %s (%i times)', (kind, times) => {
  for (const [name, stepId, match] of WRITES) {
    it(`${name}: reported on ${stepId}, and a re-run finishes`, async () => {
      const s = await correctSetUp();
      try {
        s.services.recorder.addFault({ match, kind, times });
        const first = await teardown(s, [], { env: ENV });
        expect(s.services.recorder.requests.some((r) => match(r) && r.faulted === kind)).toBe(true);
        if (kind !== 'lost') {
          expect(first.result.code, first.result.stderr).toBe(1);
          expect(first.doc.ok).toBe(false);
          expect(first.status[stepId]).toBe('failed');
          expect(first.doc.error?.message).toMatch(/\S/);
          // The app's vars go last: a stopped run leaves them, so that the re-run still finds the bucket and the key.
          if (stepId !== 'heroku.config-vars') expect(s.services.control.app(s.app)!.configVars.S3_BUCKET_NAME).toBe(s.bucket);
        }
        s.services.recorder.clearFaults();
        const again = first.result.code === 0 ? first : await teardown(s, [], { env: ENV });
        expect(again.result.code, again.result.stderr).toBe(0);
        expectTornDown(s);
        expect((await teardown(s)).writes).toEqual([]);
      } finally {
        await s.close();
      }
    }, 60_000);
  }
});

const ARCHIVE_WRITES: [string, string, (r: RecordedRequest) => boolean][] = [
  ['S3 DeleteObjects', 's3.archives', (r) => r.operation === 'DeleteObjects'],
  ['S3 DeleteBucket', 's3.bucket', (r) => r.operation === 'DeleteBucket'],
];

describe.concurrent.each(cases)('a --delete-archives write meeting %s (%i times)', (kind, times) => {
  for (const [name, stepId, match] of ARCHIVE_WRITES) {
    it(`${name}: reported on ${stepId}, and a re-run deletes the archives and the bucket`, async () => {
      const s = await correctSetUp();
      try {
        const objects = s.services.control.bucket(s.bucket)!.objects;
        for (let i = 0; i < 3; i++) objects.set(`${s.apiKey}/a${i}/archive.mp4`, { body: Buffer.alloc(5) });
        s.services.recorder.addFault({ match, kind, times });
        const first = await teardown(s, ['--delete-archives'], { env: ENV });
        expect(s.services.recorder.requests.some((r) => match(r) && r.faulted === kind)).toBe(true);
        if (kind !== 'lost') {
          expect(first.result.code, first.result.stderr).toBe(1);
          expect(first.status[stepId]).toBe('failed');
          expect(s.services.control.app(s.app)!.configVars.S3_BUCKET_NAME).toBe(s.bucket);
        }
        s.services.recorder.clearFaults();
        const again = first.result.code === 0 ? first : await teardown(s, ['--delete-archives'], { env: ENV });
        expect(again.result.code, again.result.stderr).toBe(0);
        expect(s.services.control.bucket(s.bucket)).toBeUndefined();
        expect((await teardown(s, ['--delete-archives'])).writes).toEqual([]);
      } finally {
        await s.close();
      }
    }, 60_000);
  }
});
