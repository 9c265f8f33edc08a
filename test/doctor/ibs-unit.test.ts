// The pure verdicts doctor adds for ibs apps and archive expiry: BUCKET_URL, the simulated grants, the lifecycle rules.
import { describe, expect, it } from 'vitest';
import type { FixContext } from '../../src/checks/fixes.js';
import { judgeBucketUrl } from '../../src/checks/ibs.js';
import { judgeLifecycle } from '../../src/checks/s3.js';
import { judgeSimulation } from '../../src/checks/storage-key.js';
import { folderExpiry } from '../../src/lifecycle.js';
import { bucketUrlProblem } from '../../src/s3url.js';

const fix: FixContext = { apiKey: '46000000', app: 'my-ib' };
const live = (name: string, region: string) => ({ name, region, exists: true, denied: false });

describe('bucketUrlProblem', () => {
  it('accepts every form that reaches the bucket in its region, without the trailing slash', () => {
    expect(bucketUrlProblem('https://ib-media.s3.eu-west-1.amazonaws.com', 'ib-media', 'eu-west-1')).toBeUndefined();
    expect(bucketUrlProblem('https://s3.eu-west-1.amazonaws.com/ib-media', 'ib-media', 'eu-west-1')).toBeUndefined();
    expect(bucketUrlProblem('https://s3.eu-west-1.amazonaws.com/ib.media', 'ib.media', 'eu-west-1')).toBeUndefined();
    expect(bucketUrlProblem('https://s3.amazonaws.com/ib-media', 'ib-media', 'us-east-1')).toBeUndefined();
    expect(bucketUrlProblem('http://127.0.0.1:9000/ib-media', 'ib-media', 'us-east-1', 'http://127.0.0.1:9000')).toBeUndefined();
  });

  it('names a trailing slash, another bucket, another region, and the virtual host of a dotted name', () => {
    expect(bucketUrlProblem('https://ib-media.s3.eu-west-1.amazonaws.com/', 'ib-media', 'eu-west-1')).toMatch(/^ends with "\/": .* "\/\/" as another key/);
    expect(bucketUrlProblem('https://ib-media.s3.eu-west-1.amazonaws.com//', 'ib-media', 'eu-west-1')).toMatch(/^ends with "\/"/);
    expect(bucketUrlProblem('https://other.s3.eu-west-1.amazonaws.com', 'ib-media', 'eu-west-1')).toBe('addresses bucket other, not ib-media');
    expect(bucketUrlProblem('https://ib-media.s3.us-west-2.amazonaws.com', 'ib-media', 'eu-west-1')).toBe(
      'does not address bucket ib-media in its region eu-west-1 (expected https://ib-media.s3.eu-west-1.amazonaws.com)',
    );
    expect(bucketUrlProblem('https://ib.media.s3.eu-west-1.amazonaws.com', 'ib.media', 'eu-west-1')).toMatch(/expected https:\/\/s3\.eu-west-1\.amazonaws\.com\/ib\.media\)$/);
    expect(bucketUrlProblem('http://127.0.0.1:9000/ib-media/', 'ib-media', 'us-east-1', 'http://127.0.0.1:9000')).toMatch(/^ends with "\/": /);
  });
});

describe('judgeBucketUrl', () => {
  const url = 'https://ib-media.s3.eu-west-1.amazonaws.com';

  it('passes a right BUCKET_URL and names the bucket and region', () => {
    expect(judgeBucketUrl({ vars: { BUCKET_URL: url }, bucket: live('ib-media', 'eu-west-1'), fix })).toEqual({ status: 'pass', detail: `BUCKET_URL ${url} addresses ib-media in eu-west-1` });
  });

  it('fails a BUCKET_URL in the wrong region with the one that is right', () => {
    const o = judgeBucketUrl({ vars: { BUCKET_URL: 'https://ib-media.s3.us-east-2.amazonaws.com' }, bucket: live('ib-media', 'eu-west-1'), fix });
    expect(o).toMatchObject({ status: 'fail', fix: `heroku config:set BUCKET_URL=${url} -a my-ib` });
  });

  it('strips the slash itself when the bucket could not be inspected', () => {
    const o = judgeBucketUrl({ vars: { BUCKET_URL: `${url}/` }, fix });
    expect(o).toMatchObject({ status: 'fail', detail: expect.stringMatching(/ends with "\/"/), fix: `heroku config:set BUCKET_URL=${url} -a my-ib` });
  });

  it('warns about unused keys alone, and adds them to a failure', () => {
    const keys = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' };
    const w = judgeBucketUrl({ vars: { BUCKET_URL: url, ...keys }, bucket: live('ib-media', 'eu-west-1'), fix });
    expect(w).toMatchObject({ status: 'warn', fix: 'heroku config:unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY -a my-ib' });
    const f = judgeBucketUrl({ vars: keys, fix: { apiKey: '46000000', varsFile: 'ibs.env' } });
    expect(f.status).toBe('fail');
    expect(f.detail).toBe('BUCKET_URL is not set: the IBS backend needs it to link archives; the app still carries AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, which the IBS backend never reads (only OpenTok writes to the bucket, with its own copy of the key)');
    expect(f.fix).toMatch(/^Run `ib-archive setup --api-key 46000000 --no-heroku --vars-file ibs.env --yes`: it sets BUCKET_URL/);
    expect(f.fix).toMatch(/\nremove AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from ibs.env$/);
  });

  it('names --app-type ibs in the setup fix when the type came from the flag', () => {
    const o = judgeBucketUrl({ vars: {}, fix: { ...fix, appType: 'ibs' } });
    expect(o.fix).toMatch(/^Run `ib-archive setup --api-key 46000000 --app my-ib --app-type ibs --yes`/);
  });
});

describe('judgeSimulation', () => {
  const grant = (action: string, decision: string) => ({ action, resource: 'arn:aws:s3:::b/*', decision });

  it('fails without s3:PutObject, warns without the listing grants or when not simulated', () => {
    const r = judgeSimulation('u', [grant('s3:PutObject', 'implicitDeny'), grant('s3:ListBucket', 'explicitDeny'), grant('s3:ListAllMyBuckets', 'not simulated: AccessDenied')], 'fix');
    expect(r.fails.map((x) => x.detail)).toEqual(['IAM policy simulation: IAM user u may not s3:PutObject on arn:aws:s3:::b/* (implicitDeny), so OpenTok cannot upload the archives']);
    expect(r.warns.map((x) => x.detail)).toEqual([
      expect.stringMatching(/lacks what Vonage documents for archive uploads: s3:ListBucket on arn:aws:s3:::b\/\* \(explicitDeny\)/),
      expect.stringMatching(/could not be run for s3:ListAllMyBuckets \(AccessDenied\)/),
    ]);
    expect(judgeSimulation('u', [grant('s3:PutObject', 'allowed'), grant('s3:ListBucket', 'allowed')], 'fix')).toEqual({ fails: [], warns: [] });
  });
});

describe('archive expiry', () => {
  const ours = { ID: 'ib-archive-46000000', Filter: { Prefix: '46000000/' }, Status: 'Enabled' as const, Expiration: { Days: 90 } };

  it('takes the soonest enabled rule that covers the folder', () => {
    expect(folderExpiry(undefined, '46000000')).toBeUndefined();
    expect(folderExpiry([ours], '46000000')).toEqual({ days: 90, ruleId: 'ib-archive-46000000' });
    expect(folderExpiry([ours, { ID: 'all', Filter: { Prefix: '' }, Status: 'Enabled', Expiration: { Days: 30 } }], '46000000')).toEqual({ days: 30, ruleId: 'all' });
    expect(folderExpiry([{ ...ours, Status: 'Disabled' }, { ID: 'other', Filter: { Prefix: '47000000/' }, Status: 'Enabled', Expiration: { Days: 1 } }], '46000000')).toBeUndefined();
  });

  it('passes both ways', () => {
    expect(judgeLifecycle([ours], '46000000')).toEqual({ status: 'pass', detail: "archives expire after 90 days (ib-archive's rule ib-archive-46000000)" });
    expect(judgeLifecycle([{ ...ours, Expiration: { Days: 1 } }], '46000000').detail).toMatch(/^archives expire after 1 day \(/);
    expect(judgeLifecycle([], '46000000')).toEqual({ status: 'pass', detail: 'archives are kept until deleted (no lifecycle rule expires 46000000/)' });
  });
});
