// Judges of what the app's key may do: whose key it is, whether its user is the dedicated one, and its policies.
import { type PolicyDocument, list, policiesAllow, vonageUploadGrants } from '../policy.js';
import { MANAGED_TAG } from '../stages/iam.js';
import { dedicatedUserName, defaultIamUser } from '../validate.js';

/** The IAM policies of the key's user, as read with the operator's credentials. */
export interface UserPolicies {
  /** Names of the attached managed policies. */
  attached: string[];
  inline: Record<string, PolicyDocument>;
  /** Documents of the attached policies that were read (the well-known broad ones are judged by name). */
  managed?: Record<string, PolicyDocument>;
  /** Attached policies whose document could not be read. */
  unread?: string[];
}

/** A problem with the key: what is wrong and how to put it right. */
export interface KeyFinding {
  detail: string;
  fix: string;
}

const BROAD_MANAGED = ['AdministratorAccess', 'PowerUserAccess', 'AmazonS3FullAccess', 'IAMFullAccess'];
const BROAD_ACTIONS = new Set(['*', 's3:*', 'iam:*']);

/** True for the AWS managed policies that are broad by name (AdministratorAccess…): their documents need no reading. */
export function isBroadManaged(name: string): boolean {
  return BROAD_MANAGED.includes(name);
}

/** Why a user's policies make its key broad ("the managed policy AdministratorAccess", "the inline policy X (allows s3:*…)"), or undefined. */
export function broadGrant(p: UserPolicies): string | undefined {
  const named = p.attached.find(isBroadManaged);
  if (named) return `the managed policy ${named}`;
  const docs = [...Object.entries(p.inline).map(([n, d]) => [`the inline policy ${n}`, d] as const), ...Object.entries(p.managed ?? {}).map(([n, d]) => [`the managed policy ${n}`, d] as const)];
  for (const [what, doc] of docs) {
    for (const s of doc.Statement) {
      if (s.Effect !== 'Allow') continue;
      if (s.NotAction !== undefined) return `${what} (allows every action except ${list(s.NotAction as string | string[]).join(', ')})`;
      const actions = list(s.Action);
      if (actions.some((a) => BROAD_ACTIONS.has(a.toLowerCase()))) return `${what} (allows ${actions.join(', ')} on ${list(s.Resource).join(', ')})`;
    }
  }
  return undefined;
}

/** The user names that count as dedicated without --iam-user: the default name, and the `ib-archive-<bucket>` setup has made so far. */
export function dedicatedNames(app: string | undefined, bucket: string): string[] {
  return [...new Set([dedicatedUserName({ app, bucket }), dedicatedUserName({ bucket }), defaultIamUser(bucket)])];
}

/**
 * Why the key's user is not the app's dedicated one, or undefined when it is: with --iam-user it must be that user;
 * otherwise a default name or the ib-archive:managed tag. `tags` undefined: they could not be read.
 */
export function notDedicated(
  user: string,
  expected: { iamUser?: string; names: string[] },
  tags: Record<string, string> | undefined,
): string | undefined {
  if (expected.iamUser) return user === expected.iamUser ? undefined : `IAM user ${user} is not ${expected.iamUser} (--iam-user)`;
  if (expected.names.includes(user) || tags?.[MANAGED_TAG]) return undefined;
  const tagNote = tags ? `and is not tagged ${MANAGED_TAG}` : `(its tags could not be read)`;
  return `IAM user ${user} is not the app's dedicated user: it is not named ${expected.names.join(' or ')} ${tagNote}`;
}

/** What Vonage documents for archive uploads that the user's policies do not grant ("s3:ListAllMyBuckets on arn:aws:s3:::*"…). */
export function missingVonageGrants(p: UserPolicies, bucket: string, region: string, apiKey: string): string[] {
  const docs = [...Object.values(p.inline), ...Object.values(p.managed ?? {})];
  return vonageUploadGrants(bucket, region, apiKey)
    .filter((g) => !policiesAllow(docs, g.action, g.sample))
    .map((g) => `${g.action} on ${g.resource}`);
}
