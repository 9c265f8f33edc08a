// S3 authorization: identity policies, the bucket policy, Block Public Access and bucket ownership combined.
import type { AwsAccount, BucketState, Caller } from './aws-account.js';
import { identityPolicies } from './iam-entities.js';
import { evaluateIdentity, evaluateResource, isPublicPolicy, type Decision, type Principal } from './policy.js';
import { accessDenied, type S3Error } from './s3-errors.js';

/** A stored object may carry a canned ACL (only when ACLs are enabled on the bucket). */
export interface AclHolder {
  acl?: string;
}

/** ARN of a bucket or of an object in it. */
export function s3Arn(bucket: string, key?: string): string {
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

/** Decides whether `caller` (undefined: anonymous) may perform `action` on `resource`; returns the error to answer when not. */
export function s3Denial(
  account: AwsAccount,
  caller: Caller | undefined,
  bucket: BucketState | undefined,
  action: string,
  resource: string,
  object?: AclHolder,
): S3Error | undefined {
  const identity = identityDecision(caller, action, resource);
  if (!bucket) return identity === 'allow' ? undefined : denial(account, caller, action, resource, identity);
  const ownAccount = bucket.owner === 'self';
  if (caller?.kind === 'root' && ownAccount) return undefined;
  const principal: Principal = !caller
    ? { kind: 'anonymous' }
    : caller.kind === 'root'
      ? { kind: 'root', accountId: account.accountId }
      : { kind: 'user', accountId: account.accountId, arn: caller.user.arn };
  const restricted = !!(bucket.publicAccessBlock?.RestrictPublicBuckets || account.accountPublicAccessBlock?.RestrictPublicBuckets);
  const publicOnly = !caller || !ownAccount;
  let resourceDecision: Decision = evaluateResource(bucket.policy, principal, action, resource);
  if (publicOnly && restricted && isPublicPolicy(bucket.policy) && resourceDecision === 'allow') resourceDecision = 'none';
  if (publicOnly && resourceDecision !== 'deny' && publicAcl(account, bucket, object, action)) resourceDecision = 'allow';

  if (identity === 'deny' || resourceDecision === 'deny') return denial(account, caller, action, resource, 'deny');
  const allowed = ownAccount
    ? identity === 'allow' || resourceDecision === 'allow'
    : resourceDecision === 'allow' && (!caller || identity === 'allow');
  return allowed ? undefined : denial(account, caller, action, resource, 'none');
}

function identityDecision(caller: Caller | undefined, action: string, resource: string): Decision {
  if (!caller) return 'none';
  if (caller.kind === 'root') return 'allow';
  return evaluateIdentity(identityPolicies(caller.user), action, resource);
}

function publicAcl(account: AwsAccount, bucket: BucketState, object: AclHolder | undefined, action: string): boolean {
  if (bucket.objectOwnership === 'BucketOwnerEnforced' || action !== 's3:GetObject') return false;
  if (bucket.publicAccessBlock?.IgnorePublicAcls || account.accountPublicAccessBlock?.IgnorePublicAcls) return false;
  return object?.acl === 'public-read' || object?.acl === 'public-read-write';
}

function denial(account: AwsAccount, caller: Caller | undefined, action: string, resource: string, why: Decision): S3Error {
  if (!caller) return accessDenied();
  const reason =
    why === 'deny' ? `with an explicit deny in a resource-based or identity-based policy` : `because no identity-based policy allows the ${action} action`;
  return accessDenied(`User: ${account.callerArn(caller)} is not authorized to perform: ${action} on resource: "${resource}" ${reason}`);
}
