// The S3 stand-in's multipart uploads through the real SDK: the happy path, S3's errors, authorization and faults.
import { PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIN_PART_SIZE } from '../../src/standins/s3-multipart.js';
import { sdkError, startAws, type AwsFixture } from '../standins/aws-fixture.js';

let f: AwsFixture;
beforeEach(async () => {
  f = await startAws();
  f.aws.control.createBucket('media', 'us-east-1');
});
afterEach(async () => {
  expect(f.recorder.unknown).toEqual([]);
  await f.close();
});

const Bucket = 'media';
const Key = '1234/abc/archive.mp4';
const big = Buffer.alloc(MIN_PART_SIZE, 7);

async function start(s3 = f.s3()): Promise<string> {
  const created = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'video/mp4' }));
  expect(created).toMatchObject({ Bucket, Key, UploadId: expect.any(String) });
  return created.UploadId!;
}

describe('S3 stand-in: multipart uploads', () => {
  it('creates, uploads parts, lists them and the upload, completes into one object with a multipart ETag', async () => {
    const s3 = f.s3();
    const UploadId = await start(s3);
    const one = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: big }));
    const two = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: Buffer.from('tail') }));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: '1234/' }));
    expect(uploads.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([[Key, UploadId]]);
    const parts = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
      [1, MIN_PART_SIZE, one.ETag],
      [2, 4, two.ETag],
    ]);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: one.ETag }, { PartNumber: 2, ETag: two.ETag }] } }),
    );
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(got.ContentType).toBe('video/mp4');
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([big, Buffer.from('tail')]))).toBe(true);
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads ?? []).toEqual([]);
  });

  it('answers EntityTooSmall for a part under 5 MiB that is not the last, InvalidPart for a wrong ETag', async () => {
    const s3 = f.s3();
    const UploadId = await start(s3);
    const small = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Buffer.from('small') }));
    const last = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: Buffer.from('last') }));
    const complete = (Parts: { PartNumber: number; ETag?: string }[]) => sdkError(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } })));
    const tooSmall = await complete([{ PartNumber: 1, ETag: small.ETag }, { PartNumber: 2, ETag: last.ETag }]);
    expect([tooSmall.name, tooSmall.$metadata.httpStatusCode]).toEqual(['EntityTooSmall', 400]);
    const invalid = await complete([{ PartNumber: 1, ETag: '"0123456789abcdef0123456789abcdef"' }]);
    expect(invalid.name).toBe('InvalidPart');
    const order = await complete([{ PartNumber: 2, ETag: last.ETag }, { PartNumber: 1, ETag: small.ETag }]);
    expect(order.name).toBe('InvalidPartOrder');
    expect(f.aws.control.bucket(Bucket)!.objects.has(Key)).toBe(false);
  });

  it('answers NoSuchUpload once an upload is aborted', async () => {
    const s3 = f.s3();
    const UploadId = await start(s3);
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    const part = await sdkError(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'x' })));
    expect([part.name, part.$metadata.httpStatusCode]).toEqual(['NoSuchUpload', 404]);
    expect((await sdkError(s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })))).name).toBe('NoSuchUpload');
    expect((await sdkError(s3.send(new ListPartsCommand({ Bucket, Key, UploadId })))).name).toBe('NoSuchUpload');
  });

  it('authorizes the parts like PutObject, and aborting and listing with their own actions', async () => {
    f.aws.control.createUser('uploader');
    const key = f.aws.control.createAccessKey('uploader');
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::media/1234/*' }] };
    await f.iam().send(new PutUserPolicyCommand({ UserName: 'uploader', PolicyName: 'put', PolicyDocument: JSON.stringify(policy) }));
    const s3 = f.s3('us-east-1', key);
    const UploadId = await start(s3);
    await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'x' }));
    const abort = await sdkError(s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })));
    expect(abort.message).toContain('is not authorized to perform: s3:AbortMultipartUpload');
    expect((await sdkError(s3.send(new ListMultipartUploadsCommand({ Bucket })))).message).toContain('s3:ListBucketMultipartUploads');
    const outside = await sdkError(s3.send(new CreateMultipartUploadCommand({ Bucket, Key: '9999/x/archive.mp4' })));
    expect(outside.name).toBe('AccessDenied');
  });

  it('takes injected faults on any multipart request', async () => {
    f.recorder.addFault({ match: (r) => r.operation === 'UploadPart', kind: '5xx', times: 10 });
    const s3 = f.s3('us-east-1', undefined, { maxAttempts: 1 });
    const UploadId = await start(s3);
    const failed = await sdkError(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'x' })));
    expect([failed.name, failed.$metadata.httpStatusCode]).toEqual(['InternalError', 500]);
    expect(f.recorder.requests.map((r) => r.operation)).toEqual(['CreateMultipartUpload', 'UploadPart']);
  });
});
