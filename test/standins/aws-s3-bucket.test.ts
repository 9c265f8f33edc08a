import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeletePublicAccessBlockCommand,
  GetBucketCorsCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isValidBucketName } from '../../src/standins/s3-bucket.js';
import { sdkError, startAws, type AwsFixture } from './aws-fixture.js';

let f: AwsFixture;
beforeEach(async () => {
  f = await startAws();
});
afterEach(async () => {
  expect(f.recorder.unknown).toEqual([]);
  await f.close();
});

describe('CreateBucket', () => {
  it('creates a us-east-1 bucket without LocationConstraint, with Block Public Access on and ACLs disabled', async () => {
    const out = await f.s3('us-east-1').send(new CreateBucketCommand({ Bucket: 'ib-archive-1234' }));
    expect(out.Location).toBe('/ib-archive-1234');
    const b = f.aws.control.bucket('ib-archive-1234');
    expect(b?.region).toBe('us-east-1');
    expect(b?.objectOwnership).toBe('BucketOwnerEnforced');
    expect(b?.publicAccessBlock).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    const entry = f.recorder.requests.at(-1);
    expect(entry).toMatchObject({ service: 's3', operation: 'CreateBucket', write: true, accessKeyId: f.aws.rootKey.accessKeyId, status: 200 });
  });

  it('takes the region from the LocationConstraint the SDK fills in outside us-east-1', async () => {
    await f.s3('eu-west-1').send(new CreateBucketCommand({ Bucket: 'ib.eu.bucket' }));
    expect(f.aws.control.bucket('ib.eu.bucket')?.region).toBe('eu-west-1');
    const loc = await f.s3('eu-west-1').send(new GetBucketLocationCommand({ Bucket: 'ib.eu.bucket' }));
    expect(loc.LocationConstraint).toBe('eu-west-1');
  });

  it('answers an empty LocationConstraint for us-east-1 buckets', async () => {
    f.aws.control.createBucket('east', 'us-east-1');
    const loc = await f.s3('us-east-1').send(new GetBucketLocationCommand({ Bucket: 'east' }));
    expect(loc.LocationConstraint ?? '').toBe('');
  });

  it('rejects an explicit us-east-1 constraint with InvalidLocationConstraint', async () => {
    const err = await sdkError(
      f.s3('us-east-1').send(new CreateBucketCommand({ Bucket: 'explicit-east', CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as BucketLocationConstraint } })),
    );
    expect(err.name).toBe('InvalidLocationConstraint');
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it('rejects a missing constraint outside us-east-1 and one that differs from the signing region', async () => {
    const client = f.s3('eu-west-1');
    // Undo the SDK's location-constraint middleware, as an older SDK or a raw client would send it.
    client.middlewareStack.add(
      (next) => async (args) => {
        delete (args.input as { CreateBucketConfiguration?: unknown }).CreateBucketConfiguration;
        return next(args);
      },
      { step: 'serialize', priority: 'high' },
    );
    const missing = await sdkError(client.send(new CreateBucketCommand({ Bucket: 'no-constraint' })));
    expect(missing.name).toBe('IllegalLocationConstraintException');
    expect(missing.message).toContain('unspecified location constraint');
    const differs = await sdkError(
      f.s3('us-east-1').send(new CreateBucketCommand({ Bucket: 'differs', CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' } })),
    );
    expect(differs.name).toBe('IllegalLocationConstraintException');
    expect(f.aws.control.buckets()).toEqual([]);
  });

  it('re-creating your own bucket: 200 in us-east-1, BucketAlreadyOwnedByYou elsewhere; another account: BucketAlreadyExists', async () => {
    f.aws.control.createBucket('mine-east', 'us-east-1');
    f.aws.control.createBucket('mine-west', 'us-west-2');
    f.aws.control.createBucket('taken', 'us-east-1', 'other');
    await f.s3('us-east-1').send(new CreateBucketCommand({ Bucket: 'mine-east' }));
    const owned = await sdkError(f.s3('us-west-2').send(new CreateBucketCommand({ Bucket: 'mine-west' })));
    expect(owned.name).toBe('BucketAlreadyOwnedByYou');
    expect(owned.$metadata.httpStatusCode).toBe(409);
    const taken = await sdkError(f.s3('us-east-1').send(new CreateBucketCommand({ Bucket: 'taken' })));
    expect(taken.name).toBe('BucketAlreadyExists');
    expect(taken.$metadata.httpStatusCode).toBe(409);
  });

  it.each(['ab', 'Upper-case', 'a..b', 'under_score', '192.168.1.1', 'xn--bucket', 'sthree-bucket', 'amzn-s3-demo-x', '-leading', 'trailing-', 'x'.repeat(64)])(
    'rejects the bad name %s with InvalidBucketName',
    async (name) => {
      const err = await sdkError(f.s3('us-east-1').send(new CreateBucketCommand({ Bucket: name })));
      expect(err.name).toBe('InvalidBucketName');
      expect(err.$metadata.httpStatusCode).toBe(400);
    },
  );

  it('applies the reserved suffix rules and accepts dotted names', () => {
    for (const bad of ['b-s3alias', 'b--ol-s3', 'b.mrap', 'b--x-s3']) expect(isValidBucketName(bad)).toBe(false);
    for (const good of ['my.bucket.name', 'abc', 'a-b-c1', 'x'.repeat(63)]) expect(isValidBucketName(good)).toBe(true);
  });
});

describe('HeadBucket and regions', () => {
  it('answers 200 with the bucket region, 404 when missing, 403 for another account', async () => {
    f.aws.control.createBucket('here', 'eu-west-1');
    f.aws.control.createBucket('theirs', 'us-east-1', 'other');
    const ok = await f.s3('eu-west-1').send(new HeadBucketCommand({ Bucket: 'here' }));
    expect(ok.BucketRegion).toBe('eu-west-1');
    const missing = await sdkError(f.s3('eu-west-1').send(new HeadBucketCommand({ Bucket: 'nowhere' })));
    expect(missing.name).toBe('NotFound');
    expect(missing.$metadata.httpStatusCode).toBe(404);
    const forbidden = await sdkError(f.s3('us-east-1').send(new HeadBucketCommand({ Bucket: 'theirs' })));
    expect(forbidden.$metadata.httpStatusCode).toBe(403);
    expect(forbidden.$response?.headers['x-amz-bucket-region']).toBe('us-east-1');
  });

  it('answers 301 with x-amz-bucket-region when signed for the wrong region, which the SDK can follow', async () => {
    f.aws.control.createBucket('far-away', 'ap-southeast-2');
    const err = await sdkError(f.s3('us-east-1').send(new HeadBucketCommand({ Bucket: 'far-away' })));
    expect(err.$metadata.httpStatusCode).toBe(301);
    expect(err.$response?.headers['x-amz-bucket-region']).toBe('ap-southeast-2');
    const followed = await f.s3('us-east-1', undefined, { followRegionRedirects: true }).send(new HeadBucketCommand({ Bucket: 'far-away' }));
    expect(followed.BucketRegion).toBe('ap-southeast-2');
  });

  it('other operations: PermanentRedirect when signed for us-east-1, AuthorizationHeaderMalformed for another region', async () => {
    f.aws.control.createBucket('west-bucket', 'eu-west-1');
    const redirect = await sdkError(f.s3('us-east-1').send(new GetBucketCorsCommand({ Bucket: 'west-bucket' })));
    expect(redirect.name).toBe('PermanentRedirect');
    expect(redirect.$metadata.httpStatusCode).toBe(301);
    expect(redirect.$response?.headers['x-amz-bucket-region']).toBe('eu-west-1');
    const malformed = await sdkError(f.s3('eu-central-1').send(new GetBucketCorsCommand({ Bucket: 'west-bucket' })));
    expect(malformed.name).toBe('AuthorizationHeaderMalformed');
    expect(malformed.message).toBe("The authorization header is malformed; the region 'eu-central-1' is wrong; expecting 'eu-west-1'");
    expect(malformed.Region).toBe('eu-west-1');
    const followed = await sdkError(
      f.s3('us-east-1', undefined, { followRegionRedirects: true }).send(new GetBucketCorsCommand({ Bucket: 'west-bucket' })),
    );
    expect(followed.name).toBe('NoSuchCORSConfiguration');
  });

  it('puts x-amz-bucket-region on successful bucket-level answers', async () => {
    f.aws.control.createBucket('regional', 'eu-north-1');
    const res = await f.signed('s3', { method: 'GET', path: '/regional', query: { publicAccessBlock: '' }, region: 'eu-north-1' });
    expect(res.status).toBe(200);
    expect(res.headers['x-amz-bucket-region']).toBe('eu-north-1');
    expect(res.body).toContain('<BlockPublicPolicy>true</BlockPublicPolicy>');
  });
});

describe('ListBuckets, DeleteBucket, Block Public Access, ownership', () => {
  it('lists only the account\'s own buckets', async () => {
    f.aws.control.createBucket('b-one', 'us-east-1');
    f.aws.control.createBucket('a-two', 'eu-west-1');
    f.aws.control.createBucket('not-mine', 'us-east-1', 'other');
    const out = await f.s3().send(new ListBucketsCommand({}));
    expect(out.Buckets?.map((b) => [b.Name, b.BucketRegion])).toEqual([
      ['a-two', 'eu-west-1'],
      ['b-one', 'us-east-1'],
    ]);
    expect(out.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses to delete a non-empty bucket, then deletes it once empty', async () => {
    f.aws.control.createBucket('full', 'us-east-1');
    await f.s3().send(new PutObjectCommand({ Bucket: 'full', Key: 'x', Body: 'x' }));
    const err = await sdkError(f.s3().send(new DeleteBucketCommand({ Bucket: 'full' })));
    expect(err.name).toBe('BucketNotEmpty');
    f.aws.control.bucket('full')?.objects.clear();
    await f.s3().send(new DeleteBucketCommand({ Bucket: 'full' }));
    expect(f.aws.control.bucket('full')).toBeUndefined();
  });

  it('gets, puts and deletes the bucket Public Access Block', async () => {
    f.aws.control.createBucket('pab', 'us-east-1');
    const s3 = f.s3();
    const initial = await s3.send(new GetPublicAccessBlockCommand({ Bucket: 'pab' }));
    expect(initial.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'pab',
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false },
      }),
    );
    expect(f.aws.control.bucket('pab')?.publicAccessBlock).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: 'pab' }));
    const err = await sdkError(s3.send(new GetPublicAccessBlockCommand({ Bucket: 'pab' })));
    expect(err.name).toBe('NoSuchPublicAccessBlockConfiguration');
    expect(err.$metadata.httpStatusCode).toBe(404);
    expect(f.recorder.writes().map((r) => r.operation)).toEqual(['PutPublicAccessBlock', 'DeletePublicAccessBlock']);
  });

  it('reports BucketOwnerEnforced ownership controls', async () => {
    f.aws.control.createBucket('owned', 'us-east-1');
    const out = await f.s3().send(new GetBucketOwnershipControlsCommand({ Bucket: 'owned' }));
    expect(out.OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
  });

  it('answers NoSuchBucket for operations on a missing bucket', async () => {
    const err = await sdkError(f.s3().send(new GetBucketCorsCommand({ Bucket: 'missing-bucket' })));
    expect(err.name).toBe('NoSuchBucket');
    expect(err.$metadata.httpStatusCode).toBe(404);
  });
});
