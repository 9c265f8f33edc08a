// iam.key for an ibs app: the app holds no key, so the key under test is the one OpenTok's archive storage names.
import type { IAMClient } from '@aws-sdk/client-iam';
import { IAM_POLICY_NAME, vonageUploadGrants } from '../policy.js';
import { awsErrorCode, isAwsError } from '../services/aws.js';
import type { DoctorFacts } from './facts.js';
import { newKeyFix, runSetup } from './fixes.js';
import { iamKeyCheck, judgeKeyScope, reactivateFix, readUser } from './iam.js';
import { storageTarget } from './ibs.js';
import type { KeyFinding } from './key-scope.js';
import { type Check, type Outcome, fail, pass, settle, warn } from './runner.js';

/** One upload grant as IAM's policy simulation judged it for the key's user. */
export interface SimulatedGrant {
  action: string;
  resource: string;
  /** allowed | explicitDeny | implicitDeny, or why the simulation could not be run. */
  decision: string;
}

/** IAM SimulatePrincipalPolicy (operator) of what Vonage documents for uploads: s3:PutObject on `<bucket>/<apiKey>/…`, ListBucket, ListAllMyBuckets. */
async function simulateUpload(f: DoctorFacts, iam: IAMClient, userArn: string, bucket: string, region: string): Promise<SimulatedGrant[]> {
  const { SimulatePrincipalPolicyCommand } = await import('@aws-sdk/client-iam');
  return Promise.all(
    vonageUploadGrants(bucket, region, f.inputs.apiKey).map(async (g) => {
      try {
        const r = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn, ActionNames: [g.action], ResourceArns: [g.sample] }), { abortSignal: f.signal });
        return { action: g.action, resource: g.sample, decision: r.EvaluationResults?.[0]?.EvalDecision ?? 'no answer' };
      } catch (err) {
        if (f.signal.aborted) throw err;
        return { action: g.action, resource: g.sample, decision: `not simulated: ${awsErrorCode(err)}` };
      }
    }),
  );
}

/** Verdict on the simulated grants: no s3:PutObject fails (OpenTok cannot upload), another gap or an unsimulated grant warns. */
export function judgeSimulation(user: string, grants: SimulatedGrant[], fixPolicy: string): { fails: KeyFinding[]; warns: KeyFinding[] } {
  const denied = grants.filter((g) => g.decision !== 'allowed' && !g.decision.startsWith('not simulated'));
  const unknown = grants.filter((g) => g.decision.startsWith('not simulated'));
  const put = denied.filter((g) => g.action === 's3:PutObject');
  const others = denied.filter((g) => g.action !== 's3:PutObject');
  const text = (gs: SimulatedGrant[]) => gs.map((g) => `${g.action} on ${g.resource} (${g.decision})`).join(', ');
  const warns: KeyFinding[] = [];
  if (others.length) warns.push({ detail: `IAM policy simulation: IAM user ${user} lacks what Vonage documents for archive uploads: ${text(others)}; OpenTok's "Connect to cloud storage" fails without it`, fix: fixPolicy });
  if (unknown.length) {
    warns.push({
      detail: `IAM policy simulation could not be run for ${unknown.map((g) => g.action).join(', ')} (${unknown[0]!.decision.replace('not simulated: ', '')}): doctor cannot tell whether OpenTok may upload`,
      fix: `Run ib-archive doctor with credentials that may simulate IAM policies (iam:SimulatePrincipalPolicy; --profile <admin>).`,
    });
  }
  const fails = put.length ? [{ detail: `IAM policy simulation: IAM user ${user} may not ${text(put)}, so OpenTok cannot upload the archives`, fix: fixPolicy }] : [];
  return { fails, warns };
}

/** IAM GetAccessKeyLastUsed (the key's user), ListAccessKeys, GetUser, the user's policies and tags, SimulatePrincipalPolicy (operator). */
export async function storageKeyOutcome(f: DoctorFacts): Promise<Outcome> {
  const target = await storageTarget(f);
  const id = target.accessKey;
  const iamMod = await import('@aws-sdk/client-iam');
  const iam = await f.services.aws.iam();
  const opts = { abortSignal: f.signal };
  const owner = await iam.send(new iamMod.GetAccessKeyLastUsedCommand({ AccessKeyId: id }), opts).then(
    (r) => r.UserName ?? '',
    (err: unknown) => (isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException') ? undefined : f.operatorFailure(err, `find whose key ${id} is (iam:GetAccessKeyLastUsed)`)),
  );
  if (owner === undefined) return fail(`OpenTok's storage names the key ${id}, which AWS does not know: it was deleted, so archive uploads fail`, newKeyFix(f.fix));
  const [keys, got, reading, operator, bucket, live] = await Promise.all([
    f.accessKeys(owner),
    iam.send(new iamMod.GetUserCommand({ UserName: owner }), opts).catch((err: unknown) => f.operatorFailure(err, `read IAM user ${owner} (iam:GetUser)`)),
    readUser(f, owner),
    settle(f.identity()),
    f.bucketName(),
    settle(f.liveBucket()),
  ]);
  const key = keys.find((k) => k.id === id);
  if (key?.status === 'Inactive') return fail(`${id}, the key OpenTok's storage names, of IAM user ${owner} is inactive, so archive uploads fail`, reactivateFix(owner, id, f.fix));
  const arn = got.User?.Arn ?? '';
  const region = live.ok ? live.value.region : await f.regionGuess();
  const caller = { account: arn.split(':')[4] ?? '', arn };
  const scope = judgeKeyScope({ keyId: id, caller, operator: operator.ok ? operator.value : undefined, app: f.inputs.app, bucket, apiKey: f.inputs.apiKey, iamUser: f.inputs.iamUser, reading, fix: f.fix });
  const fixPolicy = runSetup({ ...f.fix, iamUser: f.inputs.iamUser ?? owner }, `writes the ${IAM_POLICY_NAME} policy with what Vonage documents`);
  const sim = judgeSimulation(owner, await simulateUpload(f, iam, arn, bucket, region), fixPolicy);
  const all = [...sim.fails, ...scope, ...sim.warns];
  const fixes = [...new Set(all.map((x) => x.fix))].join('\n');
  if (sim.fails.length) return fail(all.map((x) => x.detail).join('; '), fixes);
  if (all.length) return warn(all.map((x) => x.detail).join('; '), fixes);
  const listed = key ? '' : ' (its key list could not be read)';
  return pass(`${id}, the key OpenTok's storage names, is an active key of IAM user ${owner}${listed}; IAM policy simulation allows s3:PutObject on ${bucket}/${f.inputs.apiKey}/…, s3:ListBucket and s3:ListAllMyBuckets`);
}

/** iam.key — the app's key: classic's from its vars (iam.ts), an ibs app's the one OpenTok's storage names. */
export function appKeyCheck(f: DoctorFacts): Check {
  const classic = iamKeyCheck(f);
  return { id: 'iam.key', run: async () => ((await f.appType()).type === 'ibs' ? storageKeyOutcome(f) : classic.run()) };
}
