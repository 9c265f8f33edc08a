// IAM check: the app's key is an active key of the dedicated user, its secret works, and it may do what archiving needs, no more.
import type { IAMClient } from '@aws-sdk/client-iam';
import { IAM_POLICY_NAME, type PolicyDocument, parsePolicy } from '../policy.js';
import { awsErrorCode, awsFailure, isAwsError } from '../services/aws.js';
import { type DoctorFacts, type Identity, userOfArn } from './facts.js';
import { type FixContext, newKeyFix, runSetup } from './fixes.js';
import { type KeyFinding, type UserPolicies, broadGrant, dedicatedNames, isBroadManaged, missingVonageGrants, notDedicated } from './key-scope.js';
import { type Check, type Outcome, SkipCheck, fail, pass, settle, warn } from './runner.js';

export { broadGrant, type UserPolicies } from './key-scope.js';

const DEDICATED = 'creates a dedicated IAM user whose key may only write archives to the bucket and stores that key in the app';

/** Verdict when STS refused the app's key; `record` is what ListAccessKeys says of it for its expected owner. */
export function judgeKeyRefused(
  err: unknown,
  record: { owner?: string; key?: { status: string } } | undefined,
  keyId: string,
  fix: FixContext,
): Outcome {
  if (err instanceof SkipCheck) throw err;
  if (isAwsError(err, 'SignatureDoesNotMatch')) {
    return fail(`the app's AWS_SECRET_ACCESS_KEY is not the secret of ${keyId} (SignatureDoesNotMatch)`, newKeyFix(fix));
  }
  if (!isAwsError(err, 'InvalidClientTokenId')) throw awsFailure("Checking the app's key (sts get-caller-identity)", err);
  const owner = record?.owner;
  if (record?.key?.status === 'Inactive') return fail(`${keyId} of IAM user ${owner} is inactive`, reactivateFix(owner ?? '', keyId, fix));
  if (record?.key) return fail(`${keyId} of IAM user ${owner} is active but AWS does not accept it yet`, 'A new key takes a few seconds to work everywhere: wait a minute, then re-run ib-archive doctor.');
  const where = record && owner ? ` and is not a key of IAM user ${owner}` : '';
  return fail(`AWS does not know the app's key ${keyId} (InvalidClientTokenId)${where}: it was deleted`, newKeyFix(fix));
}

/** `aws iam update-access-key … --status Active`, or a new key through setup. */
export function reactivateFix(user: string, keyId: string, fix: FixContext): string {
  return `aws iam update-access-key --user-name ${user} --access-key-id ${keyId} --status Active${fix.profile ? ` --profile ${fix.profile}` : ''}\nOr: ${newKeyFix(fix)}`;
}

/** What the key's user may do, as read: its policies (or why they could not be read) and its tags (undefined: unreadable). */
export interface UserReading {
  policies?: UserPolicies;
  unreadable?: string;
  tags?: Record<string, string>;
}

/** IAM ListAttachedUserPolicies, ListUserPolicies (+ GetUserPolicy of each) and ListUserTags of the key's user, operator. */
export async function readUser(f: DoctorFacts, user: string): Promise<UserReading> {
  const iamMod = await import('@aws-sdk/client-iam');
  const iam = await f.services.aws.iam();
  const opts = { abortSignal: f.signal };
  const policies = (async (): Promise<UserPolicies> => {
    const [attached, names] = await Promise.all([
      iam.send(new iamMod.ListAttachedUserPoliciesCommand({ UserName: user }), opts),
      iam.send(new iamMod.ListUserPoliciesCommand({ UserName: user }), opts),
    ]);
    const docs = await Promise.all(
      (names.PolicyNames ?? []).slice(0, 10).map(async (PolicyName) => {
        const r = await iam.send(new iamMod.GetUserPolicyCommand({ UserName: user, PolicyName }), opts);
        return [PolicyName, parsePolicy(r.PolicyDocument ?? '{"Statement":[]}')] as const;
      }),
    );
    const managed = await Promise.all(
      (attached.AttachedPolicies ?? []).slice(0, 10).map(async ({ PolicyName = '', PolicyArn = '' }) => {
        if (isBroadManaged(PolicyName)) return [PolicyName, undefined] as const;
        return [PolicyName, await settle(readManagedPolicy(iam, iamMod, PolicyArn, opts))] as const;
      }),
    );
    return {
      attached: managed.map(([name]) => name),
      inline: Object.fromEntries(docs),
      managed: Object.fromEntries(managed.flatMap(([name, doc]) => (doc?.ok ? [[name, doc.value]] : []))),
      unread: managed.flatMap(([name, doc]) => (doc && !doc.ok ? [name] : [])),
    };
  })();
  const tags = iam.send(new iamMod.ListUserTagsCommand({ UserName: user }), opts);
  const [p, t] = await Promise.all([settle(policies), settle(tags)]);
  const reading: UserReading = {};
  if (p.ok) reading.policies = p.value;
  else if (p.error instanceof SkipCheck) throw p.error;
  else reading.unreadable = isAwsError(p.error, 'AccessDenied', 'AccessDeniedException') ? 'your credentials may not read them: AccessDenied' : awsErrorCode(p.error);
  if (t.ok) reading.tags = Object.fromEntries((t.value.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  return reading;
}

/** IAM GetPolicy + GetPolicyVersion: the default version of an attached managed policy (operator). */
async function readManagedPolicy(
  iam: IAMClient,
  iamMod: typeof import('@aws-sdk/client-iam'),
  PolicyArn: string,
  opts: { abortSignal: AbortSignal },
): Promise<PolicyDocument> {
  const policy = await iam.send(new iamMod.GetPolicyCommand({ PolicyArn }), opts);
  const version = await iam.send(new iamMod.GetPolicyVersionCommand({ PolicyArn, VersionId: policy.Policy?.DefaultVersionId }), opts);
  return parsePolicy(version.PolicyVersion?.Document ?? '{"Statement":[]}');
}

/** Everything iam.key weighs about a working key, besides its own identity. */
export interface KeyContext {
  keyId: string;
  caller: Identity;
  /** The operator's identity (aws.identity), when known. */
  operator?: Identity;
  app?: string;
  bucket: string;
  /** The bucket's region; undefined when it could not be found (s3.bucket says why): its grants are not judged then. */
  region?: string;
  apiKey: string;
  iamUser?: string;
  reading?: UserReading;
  fix: FixContext;
}

/** What is wrong with a working key of `caller`, most serious first (root, the operator's own, not dedicated, broad, unreadable, lacking). */
export function judgeKeyScope(c: KeyContext): KeyFinding[] {
  const { keyId: id, caller, fix } = c;
  const dedicatedFix = newKeyFix({ ...fix, iamUser: c.iamUser }, DEDICATED);
  if (/:root$/.test(caller.arn)) {
    return [{ detail: `${id} is a root key of account ${caller.account}: it can do anything in the account`, fix: `${dedicatedFix} Then deactivate the root key (IAM console → Security credentials).` }];
  }
  const findings: KeyFinding[] = [];
  if (c.operator && c.operator.arn === caller.arn) {
    findings.push({ detail: `${id} is your own identity's key (${caller.arn}, as aws.identity): the app can do whatever you can`, fix: dedicatedFix });
  }
  const user = userOfArn(caller.arn);
  if (!user) return [...findings, { detail: `${id} is not an IAM user's key (${caller.arn})`, fix: dedicatedFix }];
  const other = notDedicated(user, { iamUser: c.iamUser, names: dedicatedNames(c.app, c.bucket) }, c.reading?.tags);
  if (other && !findings.length) findings.push({ detail: `${id} belongs to ${other}`, fix: dedicatedFix });
  const policies = c.reading?.policies;
  const broad = policies && broadGrant(policies);
  if (broad) findings.push({ detail: `IAM user ${user} has ${broad}: a leaked key could do far more than write archives`, fix: dedicatedFix });
  if (!policies) {
    findings.push({
      detail: `the policies of IAM user ${user} could not be read (${c.reading?.unreadable ?? 'not read'}): doctor cannot tell what the key may do`,
      fix: `Run ib-archive doctor with credentials that may read IAM policies (--profile <admin>), or look yourself: aws iam list-user-policies --user-name ${user}; aws iam list-attached-user-policies --user-name ${user}`,
    });
  } else if (!broad && policies.unread?.length) {
    findings.push({
      detail: `the attached policies ${policies.unread.join(', ')} of IAM user ${user} could not be read: doctor cannot tell what the key may do`,
      fix: `Run ib-archive doctor with credentials that may read IAM policies (iam:GetPolicy, iam:GetPolicyVersion; --profile <admin>), or look yourself: aws iam list-attached-user-policies --user-name ${user}`,
    });
  } else if (!broad && c.region) {
    const missing = missingVonageGrants(policies, c.bucket, c.region, c.apiKey);
    if (missing.length) {
      findings.push({
        detail: `IAM user ${user} lacks what Vonage documents for archive uploads: ${missing.join(', ')}; OpenTok's "Connect to cloud storage" fails without it`,
        fix: other ? dedicatedFix : runSetup({ ...fix, iamUser: c.iamUser ?? user }, `writes the ${IAM_POLICY_NAME} policy with what Vonage documents`),
      });
    }
  }
  return findings;
}

/** The verdict of iam.key for a working key: one warning gathering every finding, else a pass. */
export function keyScopeOutcome(c: KeyContext, listed: boolean): Outcome {
  const findings = judgeKeyScope(c);
  if (findings.length) return warn(findings.map((x) => x.detail).join('; '), [...new Set(findings.map((x) => x.fix))].join('\n'));
  const user = userOfArn(c.caller.arn);
  const scoped = c.reading?.policies && IAM_POLICY_NAME in c.reading.policies.inline ? `, limited by ${IAM_POLICY_NAME}` : '';
  return pass(`${c.keyId} is an active key of IAM user ${user}${scoped}${listed ? '' : ' (its key list could not be read)'}`);
}

/** iam.key — STS GetCallerIdentity with the app's key; IAM ListAccessKeys, the user's policies and tags with the operator's. */
export function iamKeyCheck(f: DoctorFacts): Check {
  return {
    id: 'iam.key',
    run: async () => {
      const key = await f.appKey();
      const id = key.accessKeyId;
      const caller = await settle(f.appCaller());
      if (!caller.ok) {
        const record = await settle(f.keyRecord());
        return judgeKeyRefused(caller.error, record.ok ? record.value : undefined, id, f.fix);
      }
      const user = userOfArn(caller.value.arn);
      const [record, reading, operator, bucket, region] = await Promise.all([
        settle(f.keyRecord()),
        user ? readUser(f, user) : Promise.resolve(undefined),
        settle(f.identity()),
        f.bucketName(),
        settle(f.liveBucket()).then((b) => (b.ok ? b.value.region : undefined)),
      ]);
      const listed = record.ok && record.value.owner === user && record.value.key !== undefined;
      return keyScopeOutcome(
        { keyId: id, caller: caller.value, operator: operator.ok ? operator.value : undefined, app: f.inputs.app, bucket, region, apiKey: f.inputs.apiKey, iamUser: f.inputs.iamUser, reading, fix: f.fix },
        listed,
      );
    },
  };
}
