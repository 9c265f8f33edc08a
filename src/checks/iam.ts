// IAM check: the app's key is an active key of the dedicated user, its secret works, and it is not a broad key.
import { IAM_POLICY_NAME, type PolicyDocument, list, parsePolicy } from '../policy.js';
import { awsFailure, isAwsError } from '../services/aws.js';
import { type DoctorFacts, userOfArn } from './facts.js';
import { type FixContext, newKeyFix } from './fixes.js';
import { type Check, type Outcome, SkipCheck, fail, pass, settle, warn } from './runner.js';

const BROAD_MANAGED = ['AdministratorAccess', 'PowerUserAccess', 'AmazonS3FullAccess', 'IAMFullAccess'];
const DEDICATED = 'creates a dedicated IAM user whose key may only write archives to the bucket and stores that key in the app';

export interface UserPolicies {
  attached: string[];
  inline: Record<string, PolicyDocument>;
}


/** Why a user's policies make its key broad ("AdministratorAccess", "inline policy X allows *"), or undefined. */
export function broadGrant(p: UserPolicies): string | undefined {
  const managed = p.attached.find((name) => BROAD_MANAGED.includes(name));
  if (managed) return `the managed policy ${managed}`;
  for (const [name, doc] of Object.entries(p.inline)) {
    for (const s of doc.Statement) {
      if (s.Effect !== 'Allow') continue;
      const actions = list(s.Action);
      const anyResource = list(s.Resource).includes('*');
      if (actions.includes('*') || (anyResource && actions.some((a) => a === 's3:*' || a === 'iam:*'))) {
        return `the inline policy ${name} (allows ${actions.join(', ')} on ${list(s.Resource).join(', ')})`;
      }
    }
  }
  return undefined;
}

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
  if (record?.key?.status === 'Inactive') {
    return fail(
      `${keyId} of IAM user ${owner} is inactive`,
      `aws iam update-access-key --user-name ${owner} --access-key-id ${keyId} --status Active${fix.profile ? ` --profile ${fix.profile}` : ''}\nOr: ${newKeyFix(fix)}`,
    );
  }
  if (record?.key) return fail(`${keyId} of IAM user ${owner} is active but AWS does not accept it yet`, 'A new key takes a few seconds to work everywhere: wait a minute, then re-run ib-archive doctor.');
  const where = record && owner ? ` and is not a key of IAM user ${owner}` : '';
  return fail(`AWS does not know the app's key ${keyId} (InvalidClientTokenId)${where}: it was deleted`, newKeyFix(fix));
}

/** IAM ListAttachedUserPolicies + ListUserPolicies (+ GetUserPolicy of each inline policy), operator. */
async function userPolicies(f: DoctorFacts, user: string): Promise<UserPolicies> {
  const iamMod = await import('@aws-sdk/client-iam');
  const iam = await f.services.aws.iam();
  const opts = { abortSignal: f.signal };
  try {
    const [attached, names] = await Promise.all([
      iam.send(new iamMod.ListAttachedUserPoliciesCommand({ UserName: user }), opts),
      iam.send(new iamMod.ListUserPoliciesCommand({ UserName: user }), opts),
    ]);
    const inlineNames = (names.PolicyNames ?? []).slice(0, 10);
    const docs = await Promise.all(
      inlineNames.map(async (PolicyName) => {
        const r = await iam.send(new iamMod.GetUserPolicyCommand({ UserName: user, PolicyName }), opts);
        return [PolicyName, parsePolicy(r.PolicyDocument ?? '{"Statement":[]}')] as const;
      }),
    );
    return { attached: (attached.AttachedPolicies ?? []).map((p) => p.PolicyName ?? ''), inline: Object.fromEntries(docs) };
  } catch (err) {
    return f.operatorFailure(err, `read the policies of IAM user ${user}`);
  }
}

/** iam.key — STS GetCallerIdentity with the app's key; IAM ListAccessKeys and the user's policies with the operator's. */
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
      const arn = caller.value.arn;
      if (/:root$/.test(arn)) {
        return warn(`${id} is a root key of account ${caller.value.account}: it can do anything in the account`, `${newKeyFix(f.fix, DEDICATED)} Then deactivate the root key (IAM console → Security credentials).`);
      }
      const user = userOfArn(arn);
      if (!user) return warn(`${id} is not an IAM user's key (${arn})`, newKeyFix(f.fix, DEDICATED));
      const [record, policies] = await Promise.all([settle(f.keyRecord()), settle(userPolicies(f, user))]);
      if (f.inputs.iamUser && user !== f.inputs.iamUser) {
        return warn(`${id} belongs to IAM user ${user}, not ${f.inputs.iamUser} (--iam-user)`, newKeyFix(f.fix));
      }
      const broad = policies.ok ? broadGrant(policies.value) : undefined;
      if (broad) return warn(`${id} belongs to IAM user ${user}, which has ${broad}: a leaked key could do far more than write archives`, newKeyFix({ ...f.fix, iamUser: undefined }, DEDICATED));
      const notes: string[] = [];
      const listed = record.ok && record.value.owner === user ? record.value.key : undefined;
      if (!record.ok || !listed) notes.push('its key list could not be read');
      if (!policies.ok) notes.push('its policies could not be read');
      const scoped = policies.ok && IAM_POLICY_NAME in policies.value.inline ? `, limited by ${IAM_POLICY_NAME}` : '';
      return pass(`${id} is an active key of IAM user ${user}${scoped}${notes.length ? ` (${notes.join(', ')})` : ''}`);
    },
  };
}
