import { describe, expect, it } from 'vitest';
import {
  apiKeyProblem,
  bucketNameProblem,
  corsOriginProblem,
  dedicatedUserName,
  defaultIamUser,
  herokuAppProblem,
  iamUserProblem,
  knownRegions,
  regionProblem,
  regionWarning,
} from '../../src/validate.js';
import { partitionsInfo } from '../../src/sdk-partitions.js';

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
  it.each(['us-east-1', 'eu-central-2', 'us-gov-west-1', 'cn-northwest-1', 'ap-southeast-5', 'il-central-1', 'eusc-de-east-1', 'mx-central-1'])(
    'accepts %s',
    (r) => expect(regionProblem(r)).toBeUndefined(),
  );
  it('accepts every region of the SDK partition table except the global-endpoint names and China (Beijing)', () => {
    const names = partitionsInfo.partitions.flatMap((p) => Object.keys(p.regions));
    expect(names.length).toBeGreaterThan(30);
    const refused = names.filter((r) => regionProblem(r) !== undefined);
    expect(refused.sort()).toEqual([...names.filter((r) => /-global$/.test(r)), 'cn-north-1'].sort());
  });
  it.each(['us-east-99', 'eu-south-7', 'ap-northwest-4', 'us-gov-north-3', 'cn-south-2', 'us-isob-north-9'])(
    'accepts %s, a future region that matches its partition pattern',
    (r) => expect(regionProblem(r)).toBeUndefined(),
  );
  it.each(['us-east', 'useast1', 'US-EAST-1', 'moon-base-1', 'moon-central-9', 'us-east-1a', '', 'xx-east-1', 'eusc-fr-east-1'])('rejects %s', (r) =>
    expect(regionProblem(r)).toMatch(/not an AWS region/),
  );
  it('refuses China (Beijing) because Vonage cannot upload there, and warns on the other China regions', () => {
    expect(regionProblem('cn-north-1')).toMatch(/China \(Beijing\): Vonage cannot upload/);
    expect(regionWarning('cn-north-1')).toBeUndefined();
    expect(regionProblem('cn-northwest-1')).toBeUndefined();
    expect(regionWarning('cn-northwest-1')).toMatch(/Vonage documents no support for buckets in China/);
    expect(regionWarning('eu-west-1')).toBeUndefined();
    expect(regionWarning('moon-central-9')).toBeUndefined();
  });
  it('notes a name of the right shape that the SDK does not know yet, and the known region it is close to', () => {
    expect(regionWarning('eu-wst-1')).toMatch(/eu-wst-1 is not among the regions this AWS SDK knows.*typo of eu-west-1/);
    expect(regionWarning('ap-northwest-4')).toMatch(/not among the regions .*\(a region newer than it, or a typo\)$/);
  });
  it('refuses the names of global endpoints, which are no bucket region', () => {
    expect(regionProblem('aws-global')).toMatch(/global endpoint/);
    expect(regionProblem('aws-us-gov-global')).toMatch(/global endpoint/);
  });
});

describe('knownRegions', () => {
  it('lists the SDK table with descriptions, without the global-endpoint names', () => {
    const regions = knownRegions();
    expect(regions).toContainEqual({ name: 'eu-central-1', description: 'Europe (Frankfurt)', partition: 'aws' });
    expect(regions).toContainEqual({ name: 'us-gov-west-1', description: 'AWS GovCloud (US-West)', partition: 'aws-us-gov' });
    expect(regions.map((r) => r.name)).not.toContain('aws-global');
    expect(new Set(regions.map((r) => r.name)).size).toBe(regions.length);
  });
});

describe('dedicatedUserName', () => {
  it('is ib-archive-<app> with a Heroku app, ib-archive-<bucket> without', () => {
    expect(dedicatedUserName({ app: 'my-ib', bucket: 'archives' })).toBe('ib-archive-my-ib');
    expect(dedicatedUserName({ bucket: 'archives' })).toBe('ib-archive-archives');
  });
  it('never doubles the prefix', () => {
    expect(dedicatedUserName({ bucket: 'ib-archive-46000000' })).toBe('ib-archive-46000000');
    expect(dedicatedUserName({ app: 'ib-archive-prod', bucket: 'b' })).toBe('ib-archive-prod');
  });
  it('is cut to 64 characters', () => {
    expect(dedicatedUserName({ bucket: 'x'.repeat(63) })).toBe(`ib-archive-${'x'.repeat(53)}`);
    expect(dedicatedUserName({ bucket: `ib-archive-${'y'.repeat(52)}` })).toHaveLength(63);
    expect(iamUserProblem(dedicatedUserName({ bucket: 'a.b.c'.repeat(12) }))).toBeUndefined();
  });
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
    expect(defaultIamUser('ib-archive-46000000')).toBe('ib-archive-ib-archive-46000000');
  });
});
