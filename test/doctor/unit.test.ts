// The doctor's pure logic: verdicts, fixes, URL parsing and the runner (timeouts, thrown errors, skips).
import { describe, expect, it } from 'vitest';
import { CloudError } from '../../src/errors.js';
import { userOfArn } from '../../src/checks/facts.js';
import { regionOfUrl } from '../../src/s3url.js';
import { type FixContext, newKeyFix, setVarsCommand, setupCommand } from '../../src/checks/fixes.js';
import { bucketOfUrl, judgeVars } from '../../src/checks/heroku.js';
import { broadGrant, judgeKeyRefused } from '../../src/checks/iam.js';
import { judgeStorage } from '../../src/checks/opentok.js';
import type { ProbeUpload } from '../../src/checks/probe.js';
import { type Check, SkipCheck, pass, runChecks } from '../../src/checks/runner.js';
import { corsGap, judgeCors, preflightOrigins } from '../../src/checks/s3.js';
import { judgePublicRead, judgeUpload, withDeletion } from '../../src/checks/s3-probe.js';

const fix: FixContext = { apiKey: '46000000', app: 'my-ib' };
const bucket = { name: 'ib-archive-46000000', exists: true, denied: false, region: 'eu-west-1' };
const goodVars = {
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE12',
  AWS_SECRET_ACCESS_KEY: 's'.repeat(40),
  S3_BUCKET_NAME: 'ib-archive-46000000',
  S3_COMPOSEDVIDEO_URL: 'https://ib-archive-46000000.s3.eu-west-1.amazonaws.com/',
};
const awsError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('S3 URLs', () => {
  it('reads the region an AWS URL names', () => {
    expect(regionOfUrl('https://b.s3.eu-west-1.amazonaws.com/')).toBe('eu-west-1');
    expect(regionOfUrl('https://s3.ap-southeast-2.amazonaws.com/b.with.dots/')).toBe('ap-southeast-2');
    expect(regionOfUrl('https://b.s3-us-west-2.amazonaws.com/')).toBe('us-west-2');
    expect(regionOfUrl('https://s3.amazonaws.com/b/')).toBe('us-east-1');
    expect(regionOfUrl('https://b.s3.cn-north-1.amazonaws.com.cn/')).toBe('cn-north-1');
    expect(regionOfUrl('http://127.0.0.1:9000/b/')).toBeUndefined();
    expect(regionOfUrl(undefined)).toBeUndefined();
  });

  it('reads the bucket a URL addresses', () => {
    expect(bucketOfUrl('https://b1.s3.eu-west-1.amazonaws.com/')).toBe('b1');
    expect(bucketOfUrl('https://b.dots.s3.amazonaws.com/')).toBe('b.dots');
    expect(bucketOfUrl('https://s3.eu-west-1.amazonaws.com/b.dots/')).toBe('b.dots');
    expect(bucketOfUrl('http://127.0.0.1:9000/b2/', 'http://127.0.0.1:9000')).toBe('b2');
    expect(bucketOfUrl('https://cdn.example.com/x/')).toBeUndefined();
    expect(bucketOfUrl('not a url')).toBeUndefined();
  });

  it('reads the user of an IAM ARN', () => {
    expect(userOfArn('arn:aws:iam::123456789012:user/ib-archive-b')).toBe('ib-archive-b');
    expect(userOfArn('arn:aws:iam::123456789012:user/team/ops/alice')).toBe('alice');
    expect(userOfArn('arn:aws:iam::123456789012:root')).toBeUndefined();
    expect(userOfArn('arn:aws:sts::123456789012:assumed-role/r/s')).toBeUndefined();
  });
});

describe('heroku.vars', () => {
  it('passes four vars that address the bucket in its region', () => {
    expect(judgeVars({ vars: goodVars, bucket, fix })).toEqual({ status: 'pass', detail: 'all four set; S3_COMPOSEDVIDEO_URL addresses ib-archive-46000000 in eu-west-1' });
  });

  it('fails a URL for the wrong region, with the exact config:set', () => {
    const o = judgeVars({ vars: { ...goodVars, S3_COMPOSEDVIDEO_URL: 'https://ib-archive-46000000.s3.us-west-2.amazonaws.com/' }, bucket, fix });
    expect(o.status).toBe('fail');
    expect(o.detail).toMatch(/does not address bucket ib-archive-46000000 in its region eu-west-1/);
    expect(o.fix).toBe('heroku config:set S3_COMPOSEDVIDEO_URL=https://ib-archive-46000000.s3.eu-west-1.amazonaws.com/ -a my-ib');
  });

  it('fails a URL without the trailing slash, also when the bucket is unknown', () => {
    const url = 'https://ib-archive-46000000.s3.eu-west-1.amazonaws.com';
    expect(judgeVars({ vars: { ...goodVars, S3_COMPOSEDVIDEO_URL: url }, bucket, fix }).fix).toBe(`heroku config:set S3_COMPOSEDVIDEO_URL=${url}/ -a my-ib`);
    const o = judgeVars({ vars: { ...goodVars, S3_COMPOSEDVIDEO_URL: url }, fix });
    expect(o.detail).toMatch(/does not end with "\/"/);
    expect(o.fix).toBe(`heroku config:set S3_COMPOSEDVIDEO_URL=${url}/ -a my-ib`);
  });

  it('names every missing var; a missing key needs setup, a missing URL one config:set', () => {
    const noKey = judgeVars({ vars: { ...goodVars, AWS_ACCESS_KEY_ID: '', S3_COMPOSEDVIDEO_URL: undefined }, bucket, fix });
    expect(noKey.detail).toBe('AWS_ACCESS_KEY_ID, S3_COMPOSEDVIDEO_URL are not set');
    expect(noKey.fix).toMatch(/^Run `ib-archive setup --api-key 46000000 --app my-ib --yes`/);
    const noUrl = judgeVars({ vars: { ...goodVars, S3_COMPOSEDVIDEO_URL: undefined }, bucket, fix });
    expect(noUrl.fix).toBe('heroku config:set S3_COMPOSEDVIDEO_URL=https://ib-archive-46000000.s3.eu-west-1.amazonaws.com/ -a my-ib');
  });

  it('fails S3_BUCKET_NAME that differs from --bucket, or names a missing bucket while the URL addresses another', () => {
    const o = judgeVars({ vars: goodVars, bucketFlag: 'other-bucket', bucket: { ...bucket, name: 'other-bucket' }, fix });
    expect(o.detail).toMatch(/S3_BUCKET_NAME is ib-archive-46000000, not other-bucket \(--bucket\)/);
    const gone = judgeVars({ vars: { ...goodVars, S3_BUCKET_NAME: 'typo-bucket' }, bucket: { ...bucket, name: 'typo-bucket', exists: false }, fix });
    expect(gone.detail).toMatch(/names typo-bucket, which does not exist, while S3_COMPOSEDVIDEO_URL addresses ib-archive-46000000/);
    expect(gone.fix).toBe('heroku config:set S3_BUCKET_NAME=ib-archive-46000000 -a my-ib');
  });

  it('with --no-heroku, says where to set the value', () => {
    const o = judgeVars({ vars: { ...goodVars, S3_COMPOSEDVIDEO_URL: undefined }, bucket, fix: { apiKey: '46000000', varsFile: '.env' } });
    expect(o.fix).toBe('set S3_COMPOSEDVIDEO_URL=https://ib-archive-46000000.s3.eu-west-1.amazonaws.com/ in .env');
  });
});

describe('s3.cors', () => {
  const rule = { AllowedOrigins: ['*'], AllowedMethods: ['GET', 'POST', 'PUT'], AllowedHeaders: ['*'] };
  const ok = [{ origin: 'https://example.com', status: 200, allowOrigin: '*' }];

  it('passes a covering rule answered by a real preflight', () => {
    expect(judgeCors([rule], ['*'], ok, fix).status).toBe('pass');
    expect(judgeCors('unreadable', ['*'], ok, fix).detail).toMatch(/preflight checked/);
  });

  it('fails no configuration, a missing method, a missing origin, a refused preflight', () => {
    expect(judgeCors(undefined, ['*'], ok, fix).detail).toMatch(/no CORS configuration/);
    expect(corsGap([{ ...rule, AllowedMethods: ['GET'] }], ['*'])).toBe('the rule for * allows GET but not POST/PUT');
    expect(corsGap([{ ...rule, AllowedOrigins: ['https://a.com'] }], ['https://b.com'])).toBe('no rule allows the origin https://b.com');
    expect(corsGap([{ ...rule, AllowedHeaders: [] }], ['*'])).toMatch(/AllowedHeader \*/);
    const refused = judgeCors([rule], ['*'], [{ origin: 'https://example.com', status: 403 }], fix);
    expect(refused).toMatchObject({ status: 'fail', detail: 'a preflight OPTIONS (PUT from https://example.com) answered 403' });
    expect(judgeCors([{ ...rule, AllowedOrigins: ['https://a.com'] }], ['https://a.com'], [{ origin: 'https://a.com', status: 403 }], fix).fix).toContain('--cors-origin https://a.com');
  });

  it('sends the preflight from a concrete origin', () => {
    expect(preflightOrigins(['*', 'https://*.example.com', 'http://localhost:3000'])).toEqual(['https://example.com', 'https://app.example.com', 'http://localhost:3000']);
  });
});

describe('s3.upload and s3.public-read', () => {
  const up: ProbeUpload = { bucket: 'b', key: '46000000/ib-archive-doctor-1.txt', name: 'ib-archive-doctor-1.txt', body: 'probe', by: 'app', mayExist: true };
  const good = { url: 'https://b.s3.eu-west-1.amazonaws.com/46000000/ib-archive-doctor-1.txt', status: 200, body: 'probe' };
  const denied = { url: good.url, status: 403, body: '<Error><Code>AccessDenied</Code></Error>', code: 'AccessDenied' };

  it('names why the app could not upload', () => {
    expect(judgeUpload(up, true, 'AKIA1', fix).status).toBe('pass');
    const failed = (err: unknown) => judgeUpload({ ...up, by: undefined, appError: err }, true, 'AKIA1', fix);
    expect(failed(awsError('InvalidAccessKeyId', 403)).detail).toMatch(/deleted or deactivated/);
    expect(failed(awsError('SignatureDoesNotMatch', 403)).fix).toContain('--configure-opentok');
    expect(failed(awsError('AccessDenied', 403)).detail).toMatch(/may not write to s3:\/\/b\/46000000\//);
    expect(failed(new SkipCheck('no key (heroku.vars)'))).toEqual({ status: 'skip', detail: 'no key (heroku.vars)' });
    expect(judgeUpload({ ...up, by: undefined, appError: awsError('NoSuchBucket', 404) }, false, 'AKIA1', fix).status).toBe('skip');
  });

  it('passes a probe read through the app URL; tells a bad URL from a private bucket', () => {
    expect(judgePublicRead({ up, app: good }, fix).status).toBe('pass');
    const badUrl = judgePublicRead({ up, app: { url: 'https://x/46000000/p', status: 404, code: 'NoSuchBucket' }, canonical: good, canonicalBase: 'https://b.s3.eu-west-1.amazonaws.com/' }, fix);
    expect(badUrl).toMatchObject({ status: 'fail', fix: 'heroku config:set S3_COMPOSEDVIDEO_URL=https://b.s3.eu-west-1.amazonaws.com/ -a my-ib' });
    expect(judgePublicRead({ up, app: denied, canonical: denied, policyAllows: false }, fix).detail).toMatch(/no public-read statement/);
    expect(judgePublicRead({ up, app: denied, canonical: denied, policyAllows: true, blockRestricts: true }, fix).fix).toMatch(/^aws s3api put-public-access-block --bucket b /);
    expect(judgePublicRead({ up, app: denied, canonical: denied, policyAllows: true, blockRestricts: false, accountId: '123456789012' }, fix).fix).toMatch(/s3control put-public-access-block --account-id 123456789012/);
  });

  it('turns a probe left in the bucket into a warning with the command that removes it', () => {
    const o = withDeletion(pass('fine'), { needed: true, deleted: false, error: 'AccessDenied' }, up);
    expect(o).toEqual({ status: 'warn', detail: 'fine; the probe could not be deleted (AccessDenied)', fix: 'Delete it: aws s3 rm s3://b/46000000/ib-archive-doctor-1.txt' });
    expect(withDeletion(pass('fine'), { needed: true, deleted: true }, up).status).toBe('pass');
  });
});

describe('iam.key', () => {
  it('finds broad grants in managed and inline policies', () => {
    expect(broadGrant({ attached: ['AdministratorAccess'], inline: {} })).toBe('the managed policy AdministratorAccess');
    expect(broadGrant({ attached: [], inline: { all: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } } })).toMatch(/inline policy all/);
    expect(broadGrant({ attached: [], inline: { s3: { Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: '*' }] } } })).toMatch(/inline policy s3/);
    expect(broadGrant({ attached: [], inline: { scoped: { Statement: [{ Effect: 'Allow', Action: ['s3:PutObject'], Resource: 'arn:aws:s3:::b/*' }] } } })).toBeUndefined();
  });

  it('tells a wrong secret, an inactive key, a deleted key and a new key apart', () => {
    expect(judgeKeyRefused(awsError('SignatureDoesNotMatch', 403), undefined, 'AKIA1', fix).detail).toMatch(/not the secret of AKIA1/);
    const token = awsError('InvalidClientTokenId', 403);
    expect(judgeKeyRefused(token, { owner: 'u', key: { status: 'Inactive' } }, 'AKIA1', fix).fix).toMatch(/^aws iam update-access-key --user-name u --access-key-id AKIA1 --status Active/);
    expect(judgeKeyRefused(token, { owner: 'u', key: { status: 'Active' } }, 'AKIA1', fix).fix).toMatch(/wait a minute/);
    expect(judgeKeyRefused(token, { owner: 'u' }, 'AKIA1', fix).detail).toMatch(/is not a key of IAM user u: it was deleted/);
    expect(() => judgeKeyRefused(new SkipCheck('no key'), undefined, 'AKIA1', fix)).toThrow(SkipCheck);
  });
});

describe('opentok.storage', () => {
  const want = { bucket: 'b', accessKeyId: 'AKIA1' };
  const target = (config: Record<string, string>, type = 's3') => ({ status: 200, body: JSON.stringify({ type, config, fallback: 'opentok' }) });

  it('compares the target with the bucket and the app key', () => {
    expect(judgeStorage(target({ bucket: 'b', accessKey: 'AKIA1' }), want, fix).status).toBe('pass');
    expect(judgeStorage(target({ bucket: 'c', accessKey: 'AKIA2' }), want, fix).detail).toBe("archives go to bucket c, not b; the project uses key AKIA2, not the app's AKIA1");
    expect(judgeStorage(target({}, 'azure'), want, fix).detail).toMatch(/azure storage/);
    expect(judgeStorage(target({ bucket: 'b', accessKey: 'AKIA1' }), { ...want, endpoint: 'http://127.0.0.1:1' }, fix).detail).toMatch(/endpoint is AWS, not/);
  });

  it('skips where the API cannot read the storage back, fails a readable "none configured"', () => {
    expect(judgeStorage({ status: 405, body: '{"message":"Method Not Allowed"}', allow: 'PUT, DELETE' }, want, fix)).toMatchObject({ status: 'skip', detail: expect.stringMatching(/answered 405, Allow: PUT, DELETE/) });
    expect(judgeStorage({ status: 404, body: '' }, want, fix).status).toBe('skip');
    expect(judgeStorage({ status: 404, body: '{"message":"No archive storage is configured"}' }, want, fix).status).toBe('fail');
    expect(judgeStorage({ status: 403, body: '{}' }, want, fix).status).toBe('skip');
  });
});

describe('fixes', () => {
  it('names non-default inputs in the setup command', () => {
    expect(setupCommand(fix)).toBe('ib-archive setup --api-key 46000000 --app my-ib --yes');
    expect(setupCommand({ apiKey: '46000000', varsFile: 'my app.env', bucket: 'archives', iamUser: 'u', profile: 'ops' })).toBe(
      "ib-archive setup --api-key 46000000 --no-heroku --vars-file 'my app.env' --bucket archives --iam-user u --profile ops --yes",
    );
    expect(setupCommand({ ...fix, bucket: 'ib-archive-46000000' })).toBe('ib-archive setup --api-key 46000000 --app my-ib --yes');
    expect(newKeyFix(fix)).toContain('--api-secret "$OPENTOK_API_SECRET" --configure-opentok --yes');
  });

  it('sets several vars in one release', () => {
    expect(setVarsCommand(fix, { S3_BUCKET_NAME: 'b', S3_COMPOSEDVIDEO_URL: 'https://b.s3.amazonaws.com/' })).toBe('heroku config:set S3_BUCKET_NAME=b S3_COMPOSEDVIDEO_URL=https://b.s3.amazonaws.com/ -a my-ib');
  });
});

describe('runChecks', () => {
  const check = (id: Check['id'], run: Check['run']): Check => ({ id, run });

  it('turns a timeout, a thrown error and a skip into results, never a crash', async () => {
    const results = await Promise.all(
      runChecks(
        [
          check('aws.identity', async () => pass('ok')),
          check('s3.bucket', () => new Promise(() => undefined)),
          check('s3.cors', async () => {
            throw new CloudError('Listing failed: AccessDenied', 'aws_access_denied', 'Use an admin profile.');
          }),
          check('s3.folder', async () => {
            throw new TypeError('boom');
          }),
          check('s3.upload', async () => {
            throw new SkipCheck('no bucket (s3.bucket)');
          }),
          check('s3.public-read', async () => ({ status: 'warn', detail: 'hmm' })),
        ],
        50,
      ),
    );
    expect(results).toEqual([
      { id: 'aws.identity', status: 'pass', detail: 'ok' },
      { id: 's3.bucket', status: 'fail', detail: 'no answer within 0.05 s', fix: expect.stringMatching(/--timeout/) },
      { id: 's3.cors', status: 'fail', detail: 'Listing failed: AccessDenied', fix: 'Use an admin profile.' },
      { id: 's3.folder', status: 'fail', detail: 'unexpected error: boom', fix: expect.stringMatching(/bug/) },
      { id: 's3.upload', status: 'skip', detail: 'no bucket (s3.bucket)' },
      { id: 's3.public-read', status: 'warn', detail: 'hmm', fix: expect.stringMatching(/\S/) },
    ]);
  });
});
