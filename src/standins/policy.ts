// IAM policy language for the stand-ins: validation of bucket and identity policies, and a small evaluator.
import type { PolicyDocument, PolicyStatement } from './api.js';

/** Who makes a request, as resource policies see it. */
export type Principal = { kind: 'anonymous' } | { kind: 'root'; accountId: string } | { kind: 'user'; accountId: string; arn: string };

/** The outcome of evaluating statements for one request. */
export type Decision = 'allow' | 'deny' | 'none';

/** AWS managed policies that AttachUserPolicy knows, by name. */
export const MANAGED_POLICIES: Record<string, PolicyDocument> = {
  AdministratorAccess: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  AmazonS3FullAccess: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 's3-object-lambda:*'], Resource: '*' }] },
  AmazonS3ReadOnlyAccess: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*', 's3:Describe*'], Resource: '*' }] },
  IAMFullAccess: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] },
  IAMReadOnlyAccess: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' }] },
};

/** Thrown by the validators; `message` is the text AWS answers with. */
export class PolicyError extends Error {}

/** Condition keys that pin a statement to known callers, so it is not "public" (AWS Block Public Access rules). */
const FIXED_CONDITION_KEYS = new Set(
  [
    'aws:SourceIp', 'aws:SourceVpc', 'aws:SourceVpce', 'aws:SourceArn', 'aws:SourceAccount', 'aws:SourceOwner',
    'aws:PrincipalOrgID', 'aws:PrincipalAccount', 'aws:PrincipalArn', 'aws:userid', 'aws:username',
  ].map((k) => k.toLowerCase()),
);

const VERSIONS = new Set(['2008-10-17', '2012-10-17']);

/** Parses and validates an S3 bucket policy for bucket `bucket`; throws PolicyError with S3's MalformedPolicy message. */
export function validateBucketPolicy(
  text: string,
  bucket: string,
  principalExists: (arn: string) => boolean,
): PolicyDocument {
  const doc = parseJsonObject(text, 'This policy contains invalid Json');
  if (doc.Version !== undefined && !VERSIONS.has(String(doc.Version))) {
    throw new PolicyError('The policy must contain a valid version string');
  }
  const statements = statementList(doc, 'Missing required field Statement');
  for (const s of statements) {
    for (const field of ['Effect', 'Principal', 'Action', 'Resource'] as const) {
      const alt = field === 'Principal' ? 'NotPrincipal' : field === 'Effect' ? undefined : `Not${field}`;
      if (s[field] === undefined && (alt === undefined || s[alt] === undefined)) {
        throw new PolicyError(`Missing required field ${field}`);
      }
    }
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new PolicyError(`Invalid effect: ${String(s.Effect)}`);
    for (const arn of principalArns(s.Principal ?? s.NotPrincipal)) {
      if (arn !== '*' && !/^\d{12}$/.test(arn) && !principalExists(arn)) throw new PolicyError('Invalid principal in policy');
    }
    const actions = stringList(s.Action ?? s.NotAction);
    if (actions.length === 0 || actions.some((a) => !/^s3:[\w*?]+$/i.test(a) && a !== '*')) {
      throw new PolicyError('Policy has invalid action');
    }
    const resources = stringList(s.Resource ?? s.NotResource);
    if (resources.length === 0 || resources.some((r) => !resourceInBucket(r, bucket))) {
      throw new PolicyError('Policy has invalid resource');
    }
    if (s.Action !== undefined && s.Resource !== undefined) {
      for (const action of actions) {
        if (!actionAppliesToSome(action, resources)) {
          throw new PolicyError('Action does not apply to any resource(s) in statement');
        }
      }
    }
  }
  return doc as unknown as PolicyDocument;
}

/** Parses and validates an identity (user inline) policy; throws PolicyError with IAM's MalformedPolicyDocument message. */
export function validateIdentityPolicy(text: string): PolicyDocument {
  const doc = parseJsonObject(text, 'Syntax errors in policy.');
  if (doc.Version !== undefined && !VERSIONS.has(String(doc.Version))) {
    throw new PolicyError('The policy failed legacy parsing');
  }
  for (const s of statementList(doc, 'Syntax errors in policy.')) {
    if (s.Principal !== undefined || s.NotPrincipal !== undefined) {
      throw new PolicyError('Policy document should not specify a principal.');
    }
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new PolicyError('Syntax errors in policy.');
    const actions = stringList(s.Action ?? s.NotAction);
    if (actions.length === 0) throw new PolicyError('Policy statement must contain actions.');
    if (actions.some((a) => a !== '*' && !/^[a-z0-9-]+:[\w*?]+$/i.test(a))) {
      throw new PolicyError('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    }
    const resources = stringList(s.Resource ?? s.NotResource);
    if (resources.length === 0) throw new PolicyError('Policy statement must contain resources.');
    const bad = resources.find((r) => r !== '*' && !/^arn:[^:]+:[^:]*:[^:]*:[^:]*:.+/.test(r));
    if (bad !== undefined) throw new PolicyError(`Resource ${bad} must be in ARN format or "*".`);
  }
  return doc as unknown as PolicyDocument;
}

/** Size of a policy as IAM counts it against quotas (whitespace excluded). */
export function policySize(text: string): number {
  return text.replace(/\s+/g, '').length;
}

/** Evaluates identity-policy statements (no Principal) for an action on a resource. */
export function evaluateIdentity(docs: PolicyDocument[], action: string, resource: string): Decision {
  return combine(docs.flatMap((d) => statementsOf(d)).map((s) => statementDecision(s, action, resource)));
}

/** Evaluates a resource (bucket) policy for a principal, action and resource. */
export function evaluateResource(doc: PolicyDocument | undefined, who: Principal, action: string, resource: string): Decision {
  if (!doc) return 'none';
  return combine(
    statementsOf(doc)
      .filter((s) => principalMatches(s, who))
      .map((s) => statementDecision(s, action, resource)),
  );
}

/** True when a statement grants access to everyone (Principal `*` without a pinning condition). */
export function isPublicStatement(s: PolicyStatement): boolean {
  if (s.Effect !== 'Allow' || !principalArns(s.Principal).includes('*')) return false;
  const condition = s.Condition;
  if (condition === undefined || condition === null || typeof condition !== 'object') return true;
  const keys = Object.values(condition as Record<string, unknown>).flatMap((block) =>
    block && typeof block === 'object' ? Object.keys(block) : [],
  );
  return !keys.some((k) => FIXED_CONDITION_KEYS.has(k.toLowerCase()));
}

/** True when any statement of the policy is public. */
export function isPublicPolicy(doc: PolicyDocument | undefined): boolean {
  return !!doc && statementsOf(doc).some(isPublicStatement);
}

/** Evaluates only the public statements of a bucket policy (what anonymous callers and other accounts get). */
export function evaluatePublic(doc: PolicyDocument | undefined, action: string, resource: string): Decision {
  return evaluateResource(doc, { kind: 'anonymous' }, action, resource);
}

/** Glob match with `*` (any run) and `?` (one character). */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi += 1;
      vi += 1;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi;
      mark = vi;
      pi += 1;
    } else if (star >= 0) {
      pi = star + 1;
      mark += 1;
      vi = mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi += 1;
  return pi === p.length;
}

function combine(decisions: Decision[]): Decision {
  if (decisions.includes('deny')) return 'deny';
  return decisions.includes('allow') ? 'allow' : 'none';
}

function statementDecision(s: PolicyStatement, action: string, resource: string): Decision {
  // Conditions are not evaluated: a conditional statement neither grants nor denies.
  if (s.Condition !== undefined) return 'none';
  const raw = s as PolicyStatement & { NotAction?: string | string[]; NotResource?: string | string[] };
  const actionHit =
    raw.NotAction !== undefined
      ? !stringList(raw.NotAction).some((p) => wildcardMatch(p, action, true))
      : stringList(raw.Action).some((p) => wildcardMatch(p, action, true));
  const resourceHit =
    raw.NotResource !== undefined
      ? !stringList(raw.NotResource).some((p) => wildcardMatch(p, resource))
      : stringList(raw.Resource).some((p) => wildcardMatch(p, resource));
  if (!actionHit || !resourceHit) return 'none';
  return s.Effect === 'Deny' ? 'deny' : 'allow';
}

function principalMatches(s: PolicyStatement, who: Principal): boolean {
  const arns = principalArns(s.Principal);
  if (arns.includes('*')) return true;
  if (who.kind === 'anonymous') return false;
  if (who.kind === 'user') return arns.includes(who.arn);
  return arns.includes(who.accountId) || arns.includes(`arn:aws:iam::${who.accountId}:root`);
}

/** The `*` and AWS ARNs named by a Principal element. */
function principalArns(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (principal && typeof principal === 'object') return stringList((principal as Record<string, unknown>).AWS);
  return [];
}

function statementsOf(doc: PolicyDocument): PolicyStatement[] {
  const s = doc.Statement as PolicyStatement[] | PolicyStatement | undefined;
  return Array.isArray(s) ? s : s ? [s] : [];
}

function stringList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

type RawStatement = Record<string, unknown> & {
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
};

function parseJsonObject(text: string, message: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PolicyError(message);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new PolicyError(message);
  return parsed as Record<string, unknown>;
}

function statementList(doc: Record<string, unknown>, missing: string): RawStatement[] {
  const raw = doc.Statement;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : [];
  if (list.length === 0 || list.some((s) => !s || typeof s !== 'object' || Array.isArray(s))) throw new PolicyError(missing);
  return list as RawStatement[];
}

function resourceInBucket(resource: string, bucket: string): boolean {
  const prefix = 'arn:aws:s3:::';
  if (!resource.startsWith(prefix)) return false;
  const rest = resource.slice(prefix.length);
  const bucketPart = rest.split('/')[0] ?? '';
  return wildcardMatch(bucketPart, bucket);
}

const OBJECT_ACTION = /^s3:(GetObject|PutObject|DeleteObject|AbortMultipartUpload|ListMultipartUploadParts|RestoreObject|ReplicateObject|ReplicateDelete|ReplicateTags|BypassGovernanceRetention)/i;

function actionAppliesToSome(action: string, resources: string[]): boolean {
  if (action.includes('*') || action.includes('?')) return true;
  const objectLevel = OBJECT_ACTION.test(action);
  return resources.some((r) => {
    const path = r.slice('arn:aws:s3:::'.length);
    if (path.includes('/')) return objectLevel;
    return objectLevel ? path.includes('*') || path.includes('?') : true;
  });
}
