// doctor's iam.key on keys that can do more (or less) than archiving needs: each a warning with its fix, exit 0.
import { AttachUserPolicyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { IAM_POLICY_NAME } from '../../src/policy.js';
import { runCli } from '../helpers/cli.js';
import { type SetUp, correctSetUp, doctor, expectReport } from './helpers.js';

const DEDICATED_FIX = /^Run `ib-archive setup --api-key \d+ --app ib-demo .*--yes`: it creates a dedicated IAM user/;

/** An IAM user with policies, and its key (made through the stand-in's control, as an admin would in the console). */
async function userWithKey(s: SetUp, name: string, policies: { attach?: string; inline?: object }) {
  await s.iam.send(new CreateUserCommand({ UserName: name }));
  if (policies.attach) await s.iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: `arn:aws:iam::aws:policy/${policies.attach}` }));
  if (policies.inline) await s.iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'custom', PolicyDocument: JSON.stringify(policies.inline) }));
  return s.services.control.createAccessKey(name);
}

const operatorEnv = (key: { accessKeyId: string; secretAccessKey: string }) => ({ AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey });
const SKIP_OPENTOK = { 'opentok.credentials': 'skip', 'opentok.storage': 'skip' } as const;

describe.concurrent('doctor iam.key', () => {
  it("warns when the app holds the operator's own key", async () => {
    const s = await correctSetUp();
    try {
      const ops = await userWithKey(s, 'ops', { attach: 'AdministratorAccess' });
      await s.setVars(operatorEnv(ops));
      const report = await doctor(s, [], { withSecret: false, env: operatorEnv(ops) });
      expectReport(s, report, { 'iam.key': ['warn', new RegExp(`${ops.accessKeyId} is your own identity's key \\(arn:aws:iam::\\d{12}:user/ops, as aws.identity\\)`)], ...SKIP_OPENTOK });
      expect(report.byId['iam.key']!.detail).toMatch(/IAM user ops has the managed policy AdministratorAccess/);
      expect(report.byId['iam.key']!.fix).toMatch(DEDICATED_FIX);
    } finally {
      await s.close();
    }
  });

  it('warns on a key whose inline policy allows s3:* (not the dedicated user either)', async () => {
    const s = await correctSetUp();
    try {
      const key = await userWithKey(s, 'uploader', { inline: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } });
      await s.setVars(operatorEnv(key));
      const report = await doctor(s, [], { withSecret: false });
      expectReport(s, report, { 'iam.key': ['warn', /IAM user uploader is not the app's dedicated user: it is not named ib-archive-ib-demo or .*; IAM user uploader has the inline policy custom \(allows s3:\* on \*\)/], ...SKIP_OPENTOK });
      expect(report.byId['iam.key']!.fix).toMatch(DEDICATED_FIX);
    } finally {
      await s.close();
    }
  });

  it('warns on the dedicated user once AdministratorAccess is attached to it', async () => {
    const s = await correctSetUp();
    try {
      await s.iam.send(new AttachUserPolicyCommand({ UserName: s.user, PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
      const report = await doctor(s);
      expectReport(s, report, { 'iam.key': ['warn', new RegExp(`^IAM user ${s.user} has the managed policy AdministratorAccess`)] });
    } finally {
      await s.close();
    }
  });

  it('warns (no longer passes with a note) when the operator may not read the policies', async () => {
    const s = await correctSetUp();
    try {
      // An operator who may list keys and use S3 but not read IAM policies.
      const reader = await userWithKey(s, 'auditor', {
        inline: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'iam:ListAccessKeys', 'iam:ListUserTags', 'sts:GetCallerIdentity'], Resource: '*' }] },
      });
      const report = await doctor(s, [], { env: operatorEnv(reader) });
      expectReport(s, report, { 'iam.key': ['warn', new RegExp(`policies of IAM user ${s.user} could not be read \\(your credentials may not read them: AccessDenied\\)`)] });
      expect(report.byId['iam.key']!.fix).toMatch(/--profile <admin>.*aws iam list-user-policies --user-name/);
    } finally {
      await s.close();
    }
  });

  it('warns when the policy lacks s3:ListAllMyBuckets, and setup puts it back', async () => {
    const s = await correctSetUp();
    try {
      const bucketArn = `arn:aws:s3:::${s.bucket}`;
      const older = {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: `${bucketArn}/*` },
          { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: bucketArn },
        ],
      };
      await s.iam.send(new PutUserPolicyCommand({ UserName: s.user, PolicyName: IAM_POLICY_NAME, PolicyDocument: JSON.stringify(older) }));
      const report = await doctor(s);
      expectReport(s, report, { 'iam.key': ['warn', /lacks what Vonage documents for archive uploads: s3:ListAllMyBuckets on arn:aws:s3:::\*;/] });
      const fix = report.byId['iam.key']!.fix!;
      expect(fix).toMatch(/: it writes the ib-archive-s3 policy with what Vonage documents/);
      const command = fix.match(/`ib-archive (setup [^`]+)`/)![1]!.split(' ');
      const repaired = await runCli([...command, '--non-interactive', '--json'], s.services);
      expect(repaired.code, repaired.stderr).toBe(0);
      const steps = repaired.json<{ steps: { id: string; status: string }[] }>().steps;
      expect(steps.find((st) => st.id === 'iam.policy')?.status).toBe('updated');
      expect(steps.find((st) => st.id === 'iam.access-key')?.status).toBe('unchanged');
      expectReport(s, await doctor(s), {});
    } finally {
      await s.close();
    }
  });
});
