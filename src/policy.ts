// The policies ib-archive writes: the bucket's public-read statement, the IAM user's scoped policy, the CORS rule.
import { partitionOf } from './s3url.js';
import { bucketNameProblem } from './validate.js';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | Record<string, string | string[]>;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
  [extra: string]: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[];
}

export interface CorsRule {
  ID?: string;
  AllowedOrigins?: string[];
  AllowedMethods?: string[];
  AllowedHeaders?: string[];
  ExposeHeaders?: string[];
  MaxAgeSeconds?: number;
}

export const CORS_RULE_ID = 'ib-archive';
export const CORS_METHODS = ['GET', 'POST', 'PUT'];
export const IAM_POLICY_NAME = 'ib-archive-s3';

/** A policy field that may be one value or a list, as a list. */
export const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Glob match of IAM/S3 patterns (`*` any run, `?` one character), case-insensitive like IAM actions. */
export function globMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.split('?').map(escapeRe).join('.')).join('.*')}$`, caseInsensitive ? 'i' : '');
  return re.test(value);
}

function escapeRe(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

export function bucketArn(bucket: string, region: string): string {
  return `arn:${partitionOf(region)}:s3:::${bucket}`;
}

/** The CORS rule of the IB docs (GET/POST/PUT, any header) for the given origins. */
export function ibCorsRule(origins: string[]): CorsRule {
  return { ID: CORS_RULE_ID, AllowedOrigins: [...origins], AllowedMethods: [...CORS_METHODS], AllowedHeaders: ['*'] };
}

/** True when an existing rule already lets every origin use GET, POST and PUT with any header. */
export function corsRuleCovers(rule: CorsRule, origins: string[]): boolean {
  const methods = (rule.AllowedMethods ?? []).map((m) => m.toUpperCase());
  if (!CORS_METHODS.every((m) => methods.includes(m))) return false;
  if (!(rule.AllowedHeaders ?? []).includes('*')) return false;
  return origins.every((o) => (rule.AllowedOrigins ?? []).some((allowed) => allowed === '*' || allowed === o || (o !== '*' && globMatch(allowed, o))));
}

/** Existing rules plus the IB rule (replacing an older rule of ours), or undefined when nothing must change. */
export function mergeCorsRules(existing: CorsRule[], origins: string[]): CorsRule[] | undefined {
  if (existing.some((r) => corsRuleCovers(r, origins))) return undefined;
  return [...existing.filter((r) => r.ID !== CORS_RULE_ID), ibCorsRule(origins)];
}

export function isPublicPrincipal(p: PolicyStatement['Principal']): boolean {
  if (p === '*') return true;
  if (p && typeof p === 'object') return list(p.AWS).includes('*');
  return false;
}

export function publicReadSid(apiKey: string): string {
  return `IbArchivePublicRead${apiKey}`;
}

/** The statement that makes `<apiKey>/*` (and nothing else) readable by anyone. */
export function publicReadStatement(bucket: string, region: string, apiKey: string): PolicyStatement {
  return {
    Sid: publicReadSid(apiKey),
    Effect: 'Allow',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: `${bucketArn(bucket, region)}/${apiKey}/*`,
  };
}

/**
 * Whether a policy lets anonymous users GET an object key: an unconditional public Allow and no unconditional Deny.
 * A conditional Deny (e.g. the usual `aws:SecureTransport: false`) does not stop an ordinary HTTPS read.
 */
export function policyAllowsPublic(policy: PolicyDocument | undefined, action: string, resourceArn: string): boolean {
  if (!policy) return false;
  const applies = (s: PolicyStatement) =>
    isPublicPrincipal(s.Principal) &&
    list(s.Action).some((a) => globMatch(a, action, true)) &&
    list(s.Resource).some((r) => globMatch(r, resourceArn));
  const denied = policy.Statement.some((s) => s.Effect === 'Deny' && s.Condition === undefined && applies(s));
  return !denied && policy.Statement.some((s) => s.Effect === 'Allow' && s.Condition === undefined && applies(s));
}

/** The policy with the public-read statement merged in, or undefined when anonymous reads are already allowed. */
export function mergePublicRead(existing: PolicyDocument | undefined, bucket: string, region: string, apiKey: string): PolicyDocument | undefined {
  const probeArn = `${bucketArn(bucket, region)}/${apiKey}/archive-id/archive.mp4`;
  if (policyAllowsPublic(existing, 's3:GetObject', probeArn)) return undefined;
  const statement = publicReadStatement(bucket, region, apiKey);
  // Ours is there already: a Deny elsewhere is the owner's choice, and writing the same statement again changes nothing.
  if (existing?.Statement.some((s) => s.Sid === statement.Sid && samePolicy({ Statement: [s] }, { Statement: [statement] }))) return undefined;
  const others = (existing?.Statement ?? []).filter((s) => s.Sid !== statement.Sid);
  return { Version: existing?.Version ?? '2012-10-17', ...(existing?.Id ? { Id: existing.Id } : {}), Statement: [...others, statement] };
}

/** Parses a policy as AWS returns it (GetUserPolicy URL-encodes the document). */
export function parsePolicy(text: string): PolicyDocument {
  let raw = text.trim();
  if (!raw.startsWith('{')) raw = decodeURIComponent(raw);
  const doc = JSON.parse(raw) as PolicyDocument & { Statement: PolicyStatement | PolicyStatement[] };
  return { ...doc, Statement: Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement] };
}

/** What Vonage documents for an archive upload user ("Archiving using AWS S3"): each action, its resource, and a resource it must reach. */
export function vonageUploadGrants(bucket: string, region: string, apiKey: string): { action: string; resource: string; sample: string }[] {
  const arn = bucketArn(bucket, region);
  const all = `arn:${partitionOf(region)}:s3:::*`;
  return [
    { action: 's3:ListAllMyBuckets', resource: all, sample: all },
    { action: 's3:ListBucket', resource: arn, sample: arn },
    { action: 's3:PutObject', resource: `${arn}/*`, sample: `${arn}/${apiKey}/archive-id/archive.mp4` },
  ];
}

/** A classic app's images bucket (S3_BUCKET_NAME_IMAGES), when its config vars name a valid one. */
export function imagesBucketOf(vars: Record<string, string | undefined> | undefined): string | undefined {
  const name = vars?.S3_BUCKET_NAME_IMAGES?.trim();
  return name && bucketNameProblem(name) === undefined ? name : undefined;
}

export interface IamUserPolicyOptions {
  /** A classic app's S3_BUCKET_NAME_IMAGES: event images are uploaded there (under img/) with the same key. */
  imagesBucket?: string;
}

/**
 * Policy of the dedicated IAM user: what Vonage documents (list all buckets, list the bucket, put its objects), what setup
 * and doctor need (get objects, locate the bucket, multipart uploads), and the images folder of a classic app.
 */
export function iamUserPolicy(bucket: string, region: string, options: IamUserPolicyOptions = {}): PolicyDocument {
  const arn = bucketArn(bucket, region);
  const statements: PolicyStatement[] = [
    { Sid: 'IbArchiveListBuckets', Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: `arn:${partitionOf(region)}:s3:::*` },
    {
      Sid: 'IbArchiveBucket',
      Effect: 'Allow',
      Action: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
      Resource: arn,
    },
    {
      Sid: 'IbArchiveObjects',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      Resource: `${arn}/*`,
    },
  ];
  if (options.imagesBucket) {
    statements.push({
      Sid: 'IbArchiveEventImages',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:PutObjectAcl', 's3:GetObject'],
      Resource: `${bucketArn(options.imagesBucket, region)}/img/*`,
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** True when a statement names the action and the resource (Action/NotAction, Resource/NotResource, globs). */
export function statementCovers(s: PolicyStatement, action: string, resource: string): boolean {
  const notAction = s.NotAction as string | string[] | undefined;
  const notResource = s.NotResource as string | string[] | undefined;
  const actionHit = notAction !== undefined ? !list(notAction).some((a) => globMatch(a, action, true)) : list(s.Action).some((a) => globMatch(a, action, true));
  const resourceHit = notResource !== undefined ? !list(notResource).some((r) => globMatch(r, resource)) : list(s.Resource).some((r) => globMatch(r, resource));
  return actionHit && resourceHit;
}

/** Whether identity policies allow an action on a resource: some Allow covers it and no unconditional Deny does. */
export function policiesAllow(docs: PolicyDocument[], action: string, resource: string): boolean {
  const statements = docs.flatMap((d) => d.Statement);
  if (statements.some((s) => s.Effect === 'Deny' && s.Condition === undefined && statementCovers(s, action, resource))) return false;
  return statements.some((s) => s.Effect === 'Allow' && statementCovers(s, action, resource));
}

/** Structural equality of two policies, ignoring key order and the order of list values. */
export function samePolicy(a: PolicyDocument, b: PolicyDocument): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).sort().join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => {
        const value = (v as Record<string, unknown>)[k];
        return `${JSON.stringify(k)}:${canonical(Array.isArray(value) && value.length === 1 ? value[0] : value)}`;
      })
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
