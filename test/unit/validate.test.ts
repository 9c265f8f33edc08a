import { describe, expect, it } from 'vitest';
import {
  apiKeyProblem,
  bucketNameProblem,
  corsOriginProblem,
  defaultIamUser,
  herokuAppProblem,
  iamUserProblem,
  regionProblem,
} from '../../src/validate.js';

describe('bucketNameProblem', () => {
  it.each(['ib-archive-46000000', 'abc', 'my.archive.bucket', 'a'.repeat(63), '1bucket2'])('accepts %s', (name) => {
    expect(bucketNameProblem(name)).toBeUndefined();
  });
  it.each([
    ['ab', /3 to 63/],
    ['a'.repeat(64), /3 to 63/],
    ['My-Bucket', /lowercase/],
    ['my_bucket', /only lowercase letters/],
    ['-bucket', /begin and end/],
    ['bucket-', /begin and end/],
    ['.bucket', /begin and end/],
    ['my..bucket', /adjacent dots/],
    ['192.168.5.4', /IP address/],
    ['xn--bucket', /start with "xn--"/],
    ['sthree-bucket', /start with "sthree-"/],
    ['amzn-s3-demo-bucket', /start with "amzn-s3-demo-"/],
    ['bucket-s3alias', /end with "-s3alias"/],
    ['bucket--ol-s3', /end with "--ol-s3"/],
    ['bucket.mrap', /end with ".mrap"/],
    ['bucket--x-s3', /end with "--x-s3"/],
    ['bucket name', /only lowercase letters/],
  ])('rejects %s', (name, why) => {
    expect(bucketNameProblem(name)).toMatch(why);
  });
});

describe('regionProblem', () => {
  it.each(['us-east-1', 'eu-central-2', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-5', 'il-central-1', 'eusc-de-east-1', 'mx-central-1'])(
    'accepts %s',
    (r) => expect(regionProblem(r)).toBeUndefined(),
  );
  it.each(['us-east', 'useast1', 'US-EAST-1', 'moon-base-1', 'us-east-1a', '', 'eu-middle-1'])('rejects %s', (r) =>
    expect(regionProblem(r)).toMatch(/not an AWS region/),
  );
});

describe('other inputs', () => {
  it('API keys are digits only', () => {
    expect(apiKeyProblem('46000000')).toBeUndefined();
    expect(apiKeyProblem('46a00000')).toMatch(/digits only/);
    expect(apiKeyProblem('')).toMatch(/digits only/);
    expect(apiKeyProblem(' 4600')).toMatch(/digits only/);
  });
  it('CORS origins follow S3 rules', () => {
    for (const ok of ['*', 'https://example.com', 'http://localhost:3000', 'https://*.example.com']) expect(corsOriginProblem(ok)).toBeUndefined();
    expect(corsOriginProblem('example.com')).toMatch(/must be "\*" or an origin/);
    expect(corsOriginProblem('https://*.*.example.com')).toMatch(/at most one/);
    expect(corsOriginProblem('https://example.com/')).toMatch(/must not end with/);
    expect(corsOriginProblem('https://example.com/path')).toMatch(/must be "\*" or an origin/);
    expect(corsOriginProblem('http://localhost:99999')).toMatch(/invalid port/);
  });
  it('IAM user names and Heroku app names', () => {
    expect(iamUserProblem('ib-archive-x')).toBeUndefined();
    expect(iamUserProblem('a b')).toMatch(/may contain only/);
    expect(iamUserProblem('a'.repeat(65))).toMatch(/1 to 64/);
    expect(herokuAppProblem('my-ib-app')).toBeUndefined();
    expect(herokuAppProblem('01234567-89ab-cdef-0123-456789abcdef')).toBeUndefined();
    expect(herokuAppProblem('My_App')).toMatch(/not a Heroku app name/);
  });
  it('the default IAM user is cut to 64 characters', () => {
    expect(defaultIamUser('b')).toBe('ib-archive-b');
    expect(defaultIamUser('x'.repeat(63))).toHaveLength(64);
  });
});
