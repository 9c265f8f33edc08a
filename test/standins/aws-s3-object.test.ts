import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectAclCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sdkError, startAws, type AwsFixture } from './aws-fixture.js';

let f: AwsFixture;
beforeEach(async () => {
  f = await startAws();
  f.aws.control.createBucket('objs', 'us-east-1');
});
afterEach(async () => {
  expect(f.recorder.unknown).toEqual([]);
  await f.close();
});

const stored = (key: string) => f.aws.control.bucket('objs')?.objects.get(key);

describe('objects', () => {
  it('puts, heads, gets (validating the CRC32 the stand-in returns) and deletes an object', async () => {
    const s3 = f.s3();
    const put = await s3.send(new PutObjectCommand({ Bucket: 'objs', Key: '1234/readme.txt', Body: 'hello archive', ContentType: 'text/plain' }));
    expect(put.ETag).toBe('"' + (await import('node:crypto')).createHash('md5').update('hello archive').digest('hex') + '"');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'objs', Key: '1234/readme.txt' }));
    expect(head.ContentLength).toBe(13);
    expect(head.ContentType).toBe('text/plain');
    expect(head.ETag).toBe(put.ETag);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objs', Key: '1234/readme.txt', ChecksumMode: 'ENABLED' }));
    expect(await got.Body?.transformToString()).toBe('hello archive');
    expect(got.ChecksumCRC32).toBeDefined();
    await s3.send(new DeleteObjectCommand({ Bucket: 'objs', Key: '1234/readme.txt' }));
    expect(stored('1234/readme.txt')).toBeUndefined();
    expect(f.recorder.writes().map((r) => r.operation)).toEqual(['PutObject', 'DeleteObject']);
  });

  it('decodes an aws-chunked streaming upload with its CRC32 trailer', async () => {
    const data = Buffer.from('x'.repeat(70_000) + 'end');
    await f.s3().send(new PutObjectCommand({ Bucket: 'objs', Key: 'stream.bin', Body: Readable.from([data.subarray(0, 1000), data.subarray(1000)]), ContentLength: data.length }));
    const req = f.recorder.requests.at(-1);
    expect(req?.headers['content-encoding']).toBe('aws-chunked');
    expect(req?.headers['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    expect(stored('stream.bin')?.body.equals(data)).toBe(true);
  });

  it('stores folder markers and keys with special characters', async () => {
    const s3 = f.s3();
    await s3.send(new PutObjectCommand({ Bucket: 'objs', Key: '1234/', Body: new Uint8Array(0) }));
    expect(stored('1234/')?.body.length).toBe(0);
    const key = "a b/ü+%&=~!'()*.txt";
    await s3.send(new PutObjectCommand({ Bucket: 'objs', Key: key, Body: 'odd' }));
    expect(stored(key)?.body.toString()).toBe('odd');
    expect(await (await s3.send(new GetObjectCommand({ Bucket: 'objs', Key: key }))).Body?.transformToString()).toBe('odd');
  });

  it('answers 204 for deleting a missing key and NoSuchKey for getting one', async () => {
    await f.s3().send(new DeleteObjectCommand({ Bucket: 'objs', Key: 'never-there' }));
    expect(f.recorder.requests.at(-1)?.status).toBe(204);
    const err = await sdkError(f.s3().send(new GetObjectCommand({ Bucket: 'objs', Key: 'never-there' })));
    expect(err.name).toBe('NoSuchKey');
    const head = await sdkError(f.s3().send(new HeadObjectCommand({ Bucket: 'objs', Key: 'never-there' })));
    expect(head.name).toBe('NotFound');
  });

  it('rejects object ACLs on a BucketOwnerEnforced bucket', async () => {
    const s3 = f.s3();
    const put = await sdkError(s3.send(new PutObjectCommand({ Bucket: 'objs', Key: 'k', Body: 'x', ACL: 'public-read' })));
    expect(put.name).toBe('AccessControlListNotSupported');
    expect(put.$metadata.httpStatusCode).toBe(400);
    expect(stored('k')).toBeUndefined();
    await s3.send(new PutObjectCommand({ Bucket: 'objs', Key: 'k', Body: 'x' }));
    const acl = await sdkError(s3.send(new PutObjectAclCommand({ Bucket: 'objs', Key: 'k', ACL: 'public-read' })));
    expect(acl.name).toBe('AccessControlListNotSupported');
  });

  it('verifies other SDK checksum algorithms and honours conditional writes', async () => {
    const s3 = f.s3();
    await s3.send(new PutObjectCommand({ Bucket: 'objs', Key: 'sha', Body: 'sha body', ChecksumAlgorithm: 'SHA256' }));
    expect(f.recorder.requests.at(-1)?.headers['x-amz-checksum-sha256']).toBeDefined();
    expect(stored('sha')?.body.toString()).toBe('sha body');
    const again = await sdkError(s3.send(new PutObjectCommand({ Bucket: 'objs', Key: 'sha', Body: 'other', IfNoneMatch: '*' })));
    expect(again.name).toBe('PreconditionFailed');
    expect(again.$metadata.httpStatusCode).toBe(412);
    expect(stored('sha')?.body.toString()).toBe('sha body');
  });

  it('answers ranges with 206', async () => {
    await f.s3().send(new PutObjectCommand({ Bucket: 'objs', Key: 'r', Body: '0123456789' }));
    const got = await f.s3().send(new GetObjectCommand({ Bucket: 'objs', Key: 'r', Range: 'bytes=2-4' }));
    expect(got.ContentRange).toBe('bytes 2-4/10');
    expect(await got.Body?.transformToString()).toBe('234');
  });

  it('rejects a body whose CRC32 or SHA-256 does not match', async () => {
    const crc = await f.signed('s3', { method: 'PUT', path: '/objs/bad', body: 'payload', headers: { 'x-amz-checksum-crc32': 'AAAAAA==' } });
    expect(crc.status).toBe(400);
    expect(crc.body).toContain('<Code>BadDigest</Code>');
    const sha = await f.signed('s3', {
      method: 'PUT',
      path: '/objs/bad',
      body: 'payload',
      headers: { 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
    });
    expect(sha.body).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    expect(stored('bad')).toBeUndefined();
  });
});

describe('listing', () => {
  beforeEach(() => {
    const objects = f.aws.control.bucket('objs')?.objects;
    for (const key of ['1234/', '1234/a/archive.mp4', '1234/b/archive.mp4', '1234/readme', '5678/x', 'top']) objects?.set(key, { body: Buffer.from(key) });
  });

  it('ListObjectsV2 with prefix and delimiter gives keys and common prefixes', async () => {
    const out = await f.s3().send(new ListObjectsV2Command({ Bucket: 'objs', Prefix: '1234/', Delimiter: '/' }));
    expect(out.Contents?.map((c) => c.Key)).toEqual(['1234/', '1234/readme']);
    expect(out.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['1234/a/', '1234/b/']);
    expect(out.KeyCount).toBe(4);
    expect(out.Contents?.[1]?.Size).toBe('1234/readme'.length);
  });

  it('ListObjectsV2 pages with MaxKeys and continuation tokens', async () => {
    const s3 = f.s3();
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: 'objs', MaxKeys: 4, ContinuationToken: token }));
      keys.push(...(out.Contents ?? []).map((c) => c.Key ?? ''));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
      pages += 1;
    } while (token);
    expect(pages).toBe(2);
    expect(keys).toEqual(['1234/', '1234/a/archive.mp4', '1234/b/archive.mp4', '1234/readme', '5678/x', 'top']);
  });

  it('ListObjects (v1) lists with delimiter at the root', async () => {
    const out = await f.s3().send(new ListObjectsCommand({ Bucket: 'objs', Delimiter: '/' }));
    expect(out.Contents?.map((c) => c.Key)).toEqual(['top']);
    expect(out.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['1234/', '5678/']);
  });
});

describe('IAM users on S3', () => {
  const scoped = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::objs/1234/*' },
      { Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::objs/1234/secret*' },
    ],
  });

  it('allows what the inline policy allows, denies the rest, and explicit Deny wins', async () => {
    f.aws.control.createUser('uploader');
    const key = f.aws.control.createAccessKey('uploader');
    await f.iam().send(new PutUserPolicyCommand({ UserName: 'uploader', PolicyName: 'scoped', PolicyDocument: scoped }));
    const s3 = f.s3('us-east-1', key);
    await s3.send(new PutObjectCommand({ Bucket: 'objs', Key: '1234/ok.mp4', Body: 'ok' }));
    const outside = await sdkError(s3.send(new PutObjectCommand({ Bucket: 'objs', Key: '9999/no.mp4', Body: 'no' })));
    expect(outside.name).toBe('AccessDenied');
    expect(outside.message).toContain('is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::objs/9999/no.mp4"');
    const denied = await sdkError(s3.send(new PutObjectCommand({ Bucket: 'objs', Key: '1234/secret.txt', Body: 'no' })));
    expect(denied.name).toBe('AccessDenied');
    const del = await sdkError(s3.send(new DeleteObjectCommand({ Bucket: 'objs', Key: '1234/ok.mp4' })));
    expect(del.name).toBe('AccessDenied');
    expect(f.recorder.requests.filter((r) => r.service === 's3').map((r) => r.accessKeyId)).toEqual(Array(4).fill(key.accessKeyId));
  });

  it('hides missing keys (403) from a user who may not list the bucket', async () => {
    f.aws.control.createUser('reader');
    const key = f.aws.control.createAccessKey('reader');
    await f.iam().send(new PutUserPolicyCommand({ UserName: 'reader', PolicyName: 'scoped', PolicyDocument: scoped }));
    const err = await sdkError(f.s3('us-east-1', key).send(new GetObjectCommand({ Bucket: 'objs', Key: '1234/missing' })));
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata.httpStatusCode).toBe(403);
  });

  it('denies everything on a bucket owned by another account, even to the root key', async () => {
    f.aws.control.createBucket('foreign', 'us-east-1', 'other');
    const err = await sdkError(f.s3().send(new PutObjectCommand({ Bucket: 'foreign', Key: 'x', Body: 'x' })));
    expect(err.name).toBe('AccessDenied');
    expect(f.aws.control.bucket('foreign')?.objects.size).toBe(0);
  });
});
