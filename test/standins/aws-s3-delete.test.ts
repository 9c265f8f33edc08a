import { createHash } from 'node:crypto';
import {
  DeleteBucketCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketTaggingCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { iamUserPolicy } from '../../src/policy.js';
import { sdkError, useAws } from './aws-fixture.js';

const f = useAws((aws) => aws.aws.control.createBucket('bin', 'us-east-1'));

/** Seeds objects straight into the bucket (no request per key). */
function seed(keys: string[]): void {
  const objects = f.aws.control.bucket('bin')?.objects;
  for (const key of keys) objects?.set(key, { body: Buffer.from(key) });
}

const keysOf = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

describe('DeleteObjects', () => {
  it('deletes the keys and answers each one (a missing key counts as deleted)', async () => {
    seed(['1234/a/archive.mp4', '1234/b/archive.zip', 'keep.txt']);
    const out = await f.s3().send(new DeleteObjectsCommand({ Bucket: 'bin', Delete: { Objects: [{ Key: '1234/a/archive.mp4' }, { Key: '1234/b/archive.zip' }, { Key: 'never-there' }] } }));
    expect(out.Deleted?.map((d) => d.Key)).toEqual(['1234/a/archive.mp4', '1234/b/archive.zip', 'never-there']);
    expect(out.Errors).toBeUndefined();
    expect([...(f.aws.control.bucket('bin')?.objects.keys() ?? [])]).toEqual(['keep.txt']);
    expect(f.recorder.requests.at(-1)).toMatchObject({ operation: 'DeleteObjects', method: 'POST', write: true });
  });

  it('Quiet mode answers only the errors', async () => {
    seed(['a', 'b']);
    const out = await f.s3().send(new DeleteObjectsCommand({ Bucket: 'bin', Delete: { Quiet: true, Objects: [{ Key: 'a' }, { Key: 'b', VersionId: 'v-that-does-not-exist' }] } }));
    expect(out.Deleted).toBeUndefined();
    expect(out.Errors).toEqual([{ Key: 'b', VersionId: 'v-that-does-not-exist', Code: 'NoSuchVersion', Message: 'The specified version does not exist.' }]);
    expect(f.aws.control.bucket('bin')?.objects.has('b')).toBe(true);
  });

  it('takes 1,000 keys and refuses 1,001 (MalformedXML), deleting none of them', async () => {
    const keys = keysOf(1001, 'k/');
    seed(keys);
    const err = await sdkError(f.s3().send(new DeleteObjectsCommand({ Bucket: 'bin', Delete: { Objects: keys.map((Key) => ({ Key })) } })));
    expect(err.name).toBe('MalformedXML');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(f.aws.control.bucket('bin')?.objects.size).toBe(1001);
    const out = await f.s3().send(new DeleteObjectsCommand({ Bucket: 'bin', Delete: { Objects: keys.slice(0, 1000).map((Key) => ({ Key })) } }));
    expect(out.Deleted).toHaveLength(1000);
    expect([...(f.aws.control.bucket('bin')?.objects.keys() ?? [])]).toEqual(['k/1000']);
  });

  it('requires Content-MD5 or an x-amz-checksum-* header, and an Object in the body', async () => {
    seed(['a']);
    const body = '<Delete><Object><Key>a</Key></Object></Delete>';
    const send = (headers: Record<string, string>, text = body) =>
      f.signed('s3', { method: 'POST', path: '/bin', query: { delete: '' }, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers }, body: text });
    const bare = await send({});
    expect(bare.status).toBe(400);
    expect(bare.body).toContain('<Code>InvalidRequest</Code>');
    expect(f.aws.control.bucket('bin')?.objects.has('a')).toBe(true);
    const md5 = (text: string) => createHash('md5').update(text).digest('base64');
    const empty = await send({ 'content-md5': md5('<Delete></Delete>') }, '<Delete></Delete>');
    expect(empty.body).toContain('<Code>MalformedXML</Code>');
    const ok = await send({ 'content-md5': md5(body) });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<Deleted><Key>a</Key></Deleted>');
  });

  it('DeleteBucket answers 409 BucketNotEmpty until the last object is gone', async () => {
    seed(['x', 'y']);
    const err = await sdkError(f.s3().send(new DeleteBucketCommand({ Bucket: 'bin' })));
    expect(err.name).toBe('BucketNotEmpty');
    expect(err.$metadata.httpStatusCode).toBe(409);
    await f.s3().send(new DeleteObjectsCommand({ Bucket: 'bin', Delete: { Objects: [{ Key: 'x' }] } }));
    expect((await sdkError(f.s3().send(new DeleteBucketCommand({ Bucket: 'bin' })))).name).toBe('BucketNotEmpty');
    await f.s3().send(new DeleteObjectsCommand({ Bucket: 'bin', Delete: { Objects: [{ Key: 'y' }] } }));
    await f.s3().send(new DeleteBucketCommand({ Bucket: 'bin' }));
    expect(f.aws.control.bucket('bin')).toBeUndefined();
  });
});

describe('ListObjectsV2 over more than 1,000 keys', () => {
  it('pages 1,000 at a time under a prefix, and the continuation token reaches every key once', async () => {
    const wanted = keysOf(2345, '1234/');
    seed([...wanted, ...keysOf(10, '9999/'), 'a-top-level-key']);
    const seen: string[] = [];
    let token: string | undefined;
    const pages: number[] = [];
    do {
      const out = await f.s3().send(new ListObjectsV2Command({ Bucket: 'bin', Prefix: '1234/', ContinuationToken: token }));
      pages.push(out.KeyCount ?? -1);
      seen.push(...(out.Contents ?? []).map((c) => c.Key ?? ''));
      expect(out.IsTruncated).toBe(out.NextContinuationToken !== undefined);
      token = out.NextContinuationToken;
    } while (token);
    expect(pages).toEqual([1000, 1000, 345]);
    expect(seen).toEqual(wanted);
  });
});

describe('the key a set-up gives the app', () => {
  it('is refused the day-two bucket calls and DeleteObjects on every key', async () => {
    await f.iam().send(new CreateUserCommand({ UserName: 'app' }));
    await f.iam().send(new PutUserPolicyCommand({ UserName: 'app', PolicyName: 'ib-archive-s3', PolicyDocument: JSON.stringify(iamUserPolicy('bin', 'us-east-1')) }));
    const appKey = f.aws.control.createAccessKey('app');
    const app = f.s3('us-east-1', appKey);
    await app.send(new PutObjectCommand({ Bucket: 'bin', Key: '1234/probe.txt', Body: 'probe' }));
    const calls: [string, () => Promise<unknown>][] = [
      ['s3:PutLifecycleConfiguration', () => app.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'bin', LifecycleConfiguration: { Rules: [{ ID: 'x', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } }] } }))],
      ['s3:GetLifecycleConfiguration', () => app.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'bin' }))],
      ['s3:PutLifecycleConfiguration', () => app.send(new DeleteBucketLifecycleCommand({ Bucket: 'bin' }))],
      ['s3:PutBucketTagging', () => app.send(new PutBucketTaggingCommand({ Bucket: 'bin', Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }))],
      ['s3:GetBucketTagging', () => app.send(new GetBucketTaggingCommand({ Bucket: 'bin' }))],
      ['s3:PutBucketTagging', () => app.send(new DeleteBucketTaggingCommand({ Bucket: 'bin' }))],
    ];
    for (const [action, call] of calls) {
      const err = await sdkError(call());
      expect(err.name).toBe('AccessDenied');
      expect(err.$metadata.httpStatusCode).toBe(403);
      expect(err.message).toContain(`not authorized to perform: ${action}`);
    }
    const out = await app.send(new DeleteObjectsCommand({ Bucket: 'bin', Delete: { Objects: [{ Key: '1234/probe.txt' }] } }));
    expect(out.Errors).toEqual([{ Key: '1234/probe.txt', Code: 'AccessDenied', Message: 'Access Denied' }]);
    expect(f.aws.control.bucket('bin')?.objects.has('1234/probe.txt')).toBe(true);
    expect(f.aws.control.bucket('bin')?.lifecycle).toBeUndefined();
    expect(f.aws.control.bucket('bin')?.tags).toBeUndefined();
  });
});
