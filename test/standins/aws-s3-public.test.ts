import {
  PutBucketCorsCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publicReadPolicy, rawRequest, sdkError, startAws, type AwsFixture } from './aws-fixture.js';

let f: AwsFixture;
beforeEach(async () => {
  f = await startAws();
  const b = f.aws.control.createBucket('pub', 'eu-west-1');
  b.objects.set('1234/arc/archive.mp4', { body: Buffer.from('video'), contentType: 'video/mp4' });
  b.objects.set('private/notes.txt', { body: Buffer.from('secret') });
});
afterEach(async () => {
  expect(f.recorder.unknown).toEqual([]);
  await f.close();
});

const url = (path: string) => `${f.urls.s3}${path}`;

async function makePublic(prefix = '1234/', restrict = false): Promise<void> {
  const s3 = f.s3('eu-west-1');
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: 'pub',
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false },
    }),
  );
  await s3.send(new PutBucketPolicyCommand({ Bucket: 'pub', Policy: publicReadPolicy('pub', prefix) }));
  if (restrict) f.aws.control.bucket('pub')!.publicAccessBlock!.RestrictPublicBuckets = true;
}

describe('anonymous access', () => {
  it('denies GET without a public policy', async () => {
    const res = await fetch(url('/pub/1234/arc/archive.mp4'));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>AccessDenied</Code>');
    expect(f.recorder.requests.at(-1)).toMatchObject({ operation: 'AnonymousGetObject', write: false, accessKeyId: undefined, status: 403 });
  });

  it('serves GET and HEAD under the public prefix, and nothing outside it', async () => {
    await makePublic();
    const res = await fetch(url('/pub/1234/arc/archive.mp4'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(await res.text()).toBe('video');
    const head = await rawRequest(f.urls.s3, { method: 'HEAD', path: '/pub/1234/arc/archive.mp4' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('5');
    expect(head.body).toBe('');
    expect((await fetch(url('/pub/private/notes.txt'))).status).toBe(403);
  });

  it('answers HEAD denials with a status and no body', async () => {
    const head = await rawRequest(f.urls.s3, { method: 'HEAD', path: '/pub/private/notes.txt' });
    expect(head.status).toBe(403);
    expect(head.body).toBe('');
  });

  it('hides a missing key under the public prefix behind 403 (no s3:ListBucket)', async () => {
    await makePublic();
    expect((await fetch(url('/pub/1234/missing.mp4'))).status).toBe(403);
  });

  it('is blocked by RestrictPublicBuckets on the bucket or on the account', async () => {
    await makePublic('1234/', true);
    expect((await fetch(url('/pub/1234/arc/archive.mp4'))).status).toBe(403);
    f.aws.control.bucket('pub')!.publicAccessBlock!.RestrictPublicBuckets = false;
    expect((await fetch(url('/pub/1234/arc/archive.mp4'))).status).toBe(200);
    f.aws.control.setAccountPublicAccessBlock({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true });
    expect((await fetch(url('/pub/1234/arc/archive.mp4'))).status).toBe(403);
  });

  it('cannot list the bucket unless a public statement allows s3:ListBucket', async () => {
    await makePublic();
    const denied = await fetch(url('/pub?list-type=2'));
    expect(denied.status).toBe(403);
    expect(f.recorder.requests.at(-1)?.operation).toBe('AnonymousListObjectsV2');
    const policy = JSON.parse(publicReadPolicy('pub', '1234/')) as { Statement: object[] };
    policy.Statement.push({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:ListBucket', Resource: 'arn:aws:s3:::pub' });
    await f.s3('eu-west-1').send(new PutBucketPolicyCommand({ Bucket: 'pub', Policy: JSON.stringify(policy) }));
    const listed = await fetch(url('/pub?list-type=2&prefix=1234/'));
    expect(listed.status).toBe(200);
    expect(await listed.text()).toContain('<Key>1234/arc/archive.mp4</Key>');
  });

  it('refuses anonymous writes', async () => {
    const res = await fetch(url('/pub/1234/new.mp4'), { method: 'PUT', body: 'x' });
    expect(res.status).toBe(403);
    expect(f.recorder.requests.at(-1)).toMatchObject({ operation: 'AnonymousPutObject', write: true });
    expect(f.aws.control.bucket('pub')?.objects.has('1234/new.mp4')).toBe(false);
  });

  it('honours public-read object ACLs only once ACLs are enabled and not blocked', async () => {
    const s3 = f.s3('eu-west-1');
    await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: 'pub', OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
    const blocked = await sdkError(s3.send(new PutObjectCommand({ Bucket: 'pub', Key: 'acl/a.txt', Body: 'a', ACL: 'public-read' })));
    expect(blocked.name).toBe('AccessDenied');
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'pub',
        PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'pub', Key: 'acl/a.txt', Body: 'a', ACL: 'public-read' }));
    expect((await fetch(url('/pub/acl/a.txt'))).status).toBe(403);
    f.aws.control.bucket('pub')!.publicAccessBlock!.IgnorePublicAcls = false;
    expect((await fetch(url('/pub/acl/a.txt'))).status).toBe(200);
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    const res = await fetch(url('/nope/key'));
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('<Code>NoSuchBucket</Code>');
  });
});

describe('CORS preflight', () => {
  const preflight = (path: string, headers: Record<string, string>) => fetch(url(path), { method: 'OPTIONS', headers });

  async function setCors(): Promise<void> {
    await f.s3('eu-west-1').send(
      new PutBucketCorsCommand({
        Bucket: 'pub',
        CORSConfiguration: {
          CORSRules: [
            { AllowedOrigins: ['https://*.example.com'], AllowedMethods: ['PUT'], AllowedHeaders: ['content-type', 'x-amz-*'] },
            { AllowedOrigins: ['*'], AllowedMethods: ['GET', 'HEAD'], AllowedHeaders: ['*'], MaxAgeSeconds: 3000 },
          ],
        },
      }),
    );
  }

  it('answers 400 without Origin', async () => {
    const res = await preflight('/pub/1234/a.mp4', { 'Access-Control-Request-Method': 'GET' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Insufficient information. Origin request header needed.');
  });

  it('answers 403 AccessForbidden when the bucket has no CORS configuration', async () => {
    const res = await preflight('/pub/1234/a.mp4', { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'GET' });
    expect(res.status).toBe(403);
    const body = await res.text();
    expect(body).toContain('<Code>AccessForbidden</Code>');
    expect(body).toContain('CORSResponse: CORS is not enabled for this bucket.');
  });

  it('allows a matching `*` rule with Allow-Origin `*`, the methods, the requested headers, Max-Age and Vary', async () => {
    await setCors();
    const res = await preflight('/pub/1234/a.mp4', {
      Origin: 'https://viewer.test',
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': 'Range, X-Custom',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, HEAD');
    expect(res.headers.get('access-control-allow-headers')).toBe('range, x-custom');
    expect(res.headers.get('access-control-max-age')).toBe('3000');
    expect(res.headers.get('vary')).toBe('Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
    expect(f.recorder.requests.at(-1)).toMatchObject({ operation: 'PreflightOptions', write: false });
  });

  it('echoes the origin for a one-wildcard rule and checks every requested header', async () => {
    await setCors();
    const ok = await preflight('/pub/1234/a.mp4', {
      Origin: 'https://app.example.com',
      'Access-Control-Request-Method': 'PUT',
      'Access-Control-Request-Headers': 'content-type,x-amz-date',
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const badHeader = await preflight('/pub/1234/a.mp4', {
      Origin: 'https://app.example.com',
      'Access-Control-Request-Method': 'PUT',
      'Access-Control-Request-Headers': 'authorization',
    });
    expect(badHeader.status).toBe(403);
    expect(await badHeader.text()).toContain('CORSResponse: This CORS request is not allowed.');
    const badOrigin = await preflight('/pub/1234/a.mp4', { Origin: 'https://evil.test', 'Access-Control-Request-Method': 'PUT' });
    expect(badOrigin.status).toBe(403);
  });

  it('adds CORS headers to a GET carrying Origin', async () => {
    await setCors();
    await makePublic();
    const res = await fetch(url('/pub/1234/arc/archive.mp4'), { headers: { Origin: 'https://viewer.test' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});
