// The corpus: a correct set-up passes with no warning; each seeded misconfiguration is reported by the right check with a fix.
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  DeleteBucketCorsCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  GetBucketPolicyCommand,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import generateJwt from 'opentok/lib/generateJwt.js';
import { describe, expect, it } from 'vitest';
import { type DoctorReport, type Expectation, type SetUp, correctSetUp, doctor, expectReport } from './helpers.js';

const FULL_BLOCK = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const SETUP_FIX = /^Run `ib-archive setup --api-key \d+ --app ib-demo .*--yes`/;

interface Scenario {
  name: string;
  seed(s: SetUp): Promise<unknown>;
  expected: (s: SetUp) => Record<string, Expectation>;
  /** The fix expected on each listed check. */
  fixes: (s: SetUp) => Record<string, RegExp>;
  withSecret?: boolean;
  extraArgs?: (s: SetUp) => string[];
}

const scenarios: Scenario[] = [
  {
    name: 'no CORS configuration',
    seed: (s) => s.s3.send(new DeleteBucketCorsCommand({ Bucket: s.bucket })),
    expected: () => ({ 's3.cors': ['fail', /no CORS configuration/] }),
    fixes: () => ({ 's3.cors': SETUP_FIX }),
  },
  {
    name: 'a CORS rule without PUT',
    seed: (s) =>
      s.s3.send(new PutBucketCorsCommand({ Bucket: s.bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET', 'POST'], AllowedHeaders: ['*'] }] } })),
    expected: () => ({ 's3.cors': ['fail', /allows GET\/POST but not PUT/] }),
    fixes: () => ({ 's3.cors': SETUP_FIX }),
  },
  {
    name: 'the key folder missing',
    seed: (s) => s.s3.send(new DeleteObjectCommand({ Bucket: s.bucket, Key: `${s.apiKey}/` })),
    expected: (s) => ({ 's3.folder': ['fail', new RegExp(`folder ${s.apiKey}/ is missing`)] }),
    fixes: (s) => ({ 's3.folder': new RegExp(`aws s3api put-object --bucket ${s.bucket} --key ${s.apiKey}/`) }),
  },
  {
    name: 'the public-read statement missing',
    seed: (s) => s.s3.send(new DeleteBucketPolicyCommand({ Bucket: s.bucket })),
    expected: () => ({ 's3.public-read': ['fail', /answered 403 AccessDenied: the bucket policy has no public-read statement/] }),
    fixes: () => ({ 's3.public-read': SETUP_FIX }),
  },
  {
    name: 'Block Public Access switched back on',
    seed: (s) => s.s3.send(new PutPublicAccessBlockCommand({ Bucket: s.bucket, PublicAccessBlockConfiguration: FULL_BLOCK })),
    expected: () => ({ 's3.public-read': ['fail', /Block Public Access is on for the bucket/] }),
    fixes: (s) => ({ 's3.public-read': new RegExp(`^aws s3api put-public-access-block --bucket ${s.bucket} .*RestrictPublicBuckets=false`) }),
  },
  {
    name: 'Block Public Access on for the whole account',
    seed: async (s) => s.services.control.setAccountPublicAccessBlock(FULL_BLOCK),
    expected: () => ({ 's3.public-read': ['fail', /Block Public Access is most likely on for the whole account/] }),
    fixes: (s) => ({ 's3.public-read': new RegExp(`aws s3control put-public-access-block --account-id ${s.services.accountId}`) }),
  },
  {
    name: 'S3_COMPOSEDVIDEO_URL without the trailing slash',
    seed: (s) => s.setVars({ S3_COMPOSEDVIDEO_URL: s.url.replace(/\/$/, '') }),
    expected: () => ({ 'heroku.vars': ['fail', /does not end with "\/"/], 's3.public-read': ['fail', /archive links break: .* answered 404 NoSuchBucket/] }),
    fixes: (s) => ({ 'heroku.vars': setUrl(s), 's3.public-read': setUrl(s) }),
  },
  {
    name: 'S3_COMPOSEDVIDEO_URL addressing another bucket',
    seed: (s) => s.setVars({ S3_COMPOSEDVIDEO_URL: `${s.services.urls.s3}/someone-elses-archives/` }),
    expected: (s) => ({ 'heroku.vars': ['fail', new RegExp(`does not point at bucket ${s.bucket}`)], 's3.public-read': ['fail', /archive links break/] }),
    fixes: (s) => ({ 'heroku.vars': setUrl(s), 's3.public-read': setUrl(s) }),
  },
  {
    name: 'S3_COMPOSEDVIDEO_URL missing',
    seed: (s) => s.setVars({ S3_COMPOSEDVIDEO_URL: null }),
    expected: () => ({ 'heroku.vars': ['fail', /S3_COMPOSEDVIDEO_URL is not set/], 's3.public-read': ['fail', /S3_COMPOSEDVIDEO_URL is not set/] }),
    fixes: (s) => ({ 'heroku.vars': setUrl(s), 's3.public-read': setUrl(s) }),
  },
  {
    name: 'S3_BUCKET_NAME pointing elsewhere',
    seed: (s) => s.setVars({ S3_BUCKET_NAME: 'ib-archive-elsewhere' }),
    expected: () => ({
      'heroku.vars': ['fail', /S3_BUCKET_NAME names ib-archive-elsewhere, which does not exist/],
      's3.bucket': ['fail', /ib-archive-elsewhere does not exist/],
      's3.cors': 'skip',
      's3.folder': 'skip',
      's3.upload': 'skip',
      's3.public-read': 'skip',
      's3.not-listable': 'skip',
      's3.lifecycle': 'skip',
    }),
    fixes: (s) => ({ 'heroku.vars': new RegExp(`^heroku config:set S3_BUCKET_NAME=${s.bucket} -a ib-demo$`), 's3.bucket': new RegExp(`S3_BUCKET_NAME=${s.bucket}`) }),
  },
  {
    name: 'the access key deleted',
    seed: (s) => s.iam.send(new DeleteAccessKeyCommand({ UserName: s.user, AccessKeyId: s.keyId })),
    expected: () => ({ 'iam.key': ['fail', /it was deleted/], 's3.upload': ['fail', /InvalidAccessKeyId/] }),
    fixes: () => ({ 'iam.key': SETUP_FIX, 's3.upload': SETUP_FIX }),
  },
  {
    name: 'the access key inactive',
    seed: (s) => s.iam.send(new UpdateAccessKeyCommand({ UserName: s.user, AccessKeyId: s.keyId, Status: 'Inactive' })),
    expected: (s) => ({ 'iam.key': ['fail', new RegExp(`${s.keyId} of IAM user ${s.user} is inactive`)], 's3.upload': ['fail', /InvalidAccessKeyId/] }),
    fixes: (s) => ({ 'iam.key': new RegExp(`^aws iam update-access-key --user-name ${s.user} --access-key-id ${s.keyId} --status Active`), 's3.upload': SETUP_FIX }),
  },
  {
    name: 'a wrong secret in Heroku',
    seed: (s) => s.setVars({ AWS_SECRET_ACCESS_KEY: 'W'.repeat(40) }),
    expected: () => ({ 'iam.key': ['fail', /SignatureDoesNotMatch/], 's3.upload': ['fail', /SignatureDoesNotMatch/] }),
    fixes: () => ({ 'iam.key': SETUP_FIX, 's3.upload': SETUP_FIX }),
  },
  {
    name: "the IAM user's policy removed",
    seed: (s) => s.iam.send(new DeleteUserPolicyCommand({ UserName: s.user, PolicyName: 'ib-archive-s3' })),
    expected: () => ({ 's3.upload': ['fail', /may not write to .* \(AccessDenied\)/], 'iam.key': ['warn', /lacks what Vonage documents for archive uploads: s3:ListAllMyBuckets/] }),
    fixes: () => ({ 's3.upload': SETUP_FIX, 'iam.key': SETUP_FIX }),
  },
  {
    name: 'an administrator key in Heroku (warning only)',
    seed: async (s) => {
      await s.iam.send(new CreateUserCommand({ UserName: 'ops-admin' }));
      await s.iam.send(new AttachUserPolicyCommand({ UserName: 'ops-admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
      const key = s.services.control.createAccessKey('ops-admin');
      await s.setVars({ AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey });
    },
    withSecret: false,
    expected: () => ({ 'iam.key': ['warn', /IAM user ops-admin has the managed policy AdministratorAccess/], 'opentok.credentials': 'skip', 'opentok.storage': 'skip' }),
    fixes: () => ({ 'iam.key': /^Run `ib-archive setup --api-key \d+ --app ib-demo --api-secret "\$OPENTOK_API_SECRET" --configure-opentok --yes`: it creates a dedicated IAM user/ }),
  },
  {
    name: 'the root key in Heroku (warning only)',
    seed: (s) => s.setVars({ AWS_ACCESS_KEY_ID: s.services.rootKey.accessKeyId, AWS_SECRET_ACCESS_KEY: s.services.rootKey.secretAccessKey }),
    withSecret: false,
    expected: () => ({ 'iam.key': ['warn', /is a root key of account/], 'opentok.credentials': 'skip', 'opentok.storage': 'skip' }),
    fixes: () => ({ 'iam.key': SETUP_FIX }),
  },
  {
    name: 'the bucket listable by anyone (warning only)',
    seed: async (s) => {
      const policy = JSON.parse((await s.s3.send(new GetBucketPolicyCommand({ Bucket: s.bucket }))).Policy!);
      policy.Statement.push({ Sid: 'PublicList', Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${s.bucket}` });
      await s.s3.send(new PutBucketPolicyCommand({ Bucket: s.bucket, Policy: JSON.stringify(policy) }));
    },
    expected: () => ({ 's3.not-listable': ['warn', /anyone can list the bucket/] }),
    fixes: (s) => ({ 's3.not-listable': new RegExp(`put-bucket-policy --bucket ${s.bucket}`) }),
  },
  {
    name: 'the OpenTok project archiving to another bucket',
    seed: (s) =>
      fetch(`${s.services.urls.opentok}/v2/project/${s.apiKey}/archive/storage`, {
        method: 'PUT',
        headers: { 'X-OPENTOK-AUTH': generateJwt({ apiKey: s.apiKey, apiSecret: s.apiSecret, auth: { expire: 300 } }), 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 's3', config: { bucket: 'old-archives', accessKey: s.keyId, secretKey: s.secret, endpoint: s.services.urls.s3 }, fallback: 'opentok' }),
      }),
    expected: (s) => ({ 'opentok.storage': ['fail', new RegExp(`archives go to bucket old-archives, not ${s.bucket}`)] }),
    fixes: () => ({ 'opentok.storage': /--api-secret "\$OPENTOK_API_SECRET" --configure-opentok --yes/ }),
  },
  {
    name: 'a wrong OpenTok secret',
    seed: async () => undefined,
    withSecret: false,
    extraArgs: () => ['--api-secret', 'f'.repeat(40)],
    expected: () => ({ 'opentok.credentials': ['fail', /Invalid API key or secret/], 'opentok.storage': 'skip', 'opentok.archives': ['skip', /OpenTok refused the key and secret/] }),
    fixes: () => ({ 'opentok.credentials': /--api-key and --api-secret/ }),
  },
  {
    name: 'a Heroku app that does not exist',
    seed: async () => undefined,
    extraArgs: () => ['--app', 'ib-nowhere'],
    expected: () => ({
      'heroku.app': ['fail', /not found/],
      'heroku.vars': 'skip',
      's3.bucket': 'skip',
      's3.cors': 'skip',
      's3.folder': 'skip',
      's3.upload': 'skip',
      's3.public-read': 'skip',
      's3.not-listable': 'skip',
      's3.lifecycle': 'skip',
      'iam.key': 'skip',
    }),
    fixes: () => ({ 'heroku.app': /heroku apps/ }),
  },
];

function setUrl(s: SetUp): RegExp {
  return new RegExp(`^heroku config:set S3_COMPOSEDVIDEO_URL=${s.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} -a ib-demo$`);
}

describe('doctor on a correct set-up', () => {
  it('passes every check with no warning, exit 0, and leaves no probe', async () => {
    const s = await correctSetUp();
    try {
      const report = await doctor(s);
      expectReport(s, report, {});
      expect(report.byId['iam.key']!.detail).toContain('limited by ib-archive-s3');
      const probes = s.services.recorder.requests.filter((r) => /ib-archive-doctor-[0-9a-f]+\.txt$/.test(r.path));
      expect(probes.map((r) => `${r.operation} ${r.status}`)).toEqual(['PutObject 200', 'AnonymousGetObject 200', 'DeleteObject 204']);
      expect(probes[0]!.accessKeyId).toBe(s.keyId);
      expect(probes[2]!.accessKeyId).toBe(s.services.rootKey.accessKeyId);
    } finally {
      await s.close();
    }
  });
});

describe.concurrent('doctor on a seeded misconfiguration', () => {
  it.each(scenarios)('$name', async (sc) => {
    const s = await correctSetUp();
    try {
      await sc.seed(s);
      const report: DoctorReport = await doctor(s, sc.extraArgs?.(s) ?? [], { withSecret: sc.withSecret });
      expectReport(s, report, sc.expected(s));
      for (const [id, fix] of Object.entries(sc.fixes(s))) expect(report.byId[id]!.fix, id).toMatch(fix);
    } finally {
      await s.close();
    }
  });
});
