// Offline validation of every input, before any request is sent.
import { findPartition, isGlobalEndpointName, isKnownRegion, knownRegions } from './partitions.js';

export { knownRegions };

/** Returns an error message, or undefined when the name follows S3's general-purpose bucket naming rules. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `must be 3 to 63 characters long (it has ${name.length})`;
  if (/[A-Z]/.test(name)) return 'must be lowercase';
  const bad = name.match(/[^a-z0-9.-]/);
  if (bad) return `may contain only lowercase letters, digits, dots and hyphens (found "${bad[0]}")`;
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'must begin and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'must not be formatted as an IP address';
  for (const prefix of ['xn--', 'sthree-', 'amzn-s3-demo-']) {
    if (name.startsWith(prefix)) return `must not start with "${prefix}"`;
  }
  for (const suffix of ['-s3alias', '--ol-s3', '.mrap', '--x-s3']) {
    if (name.endsWith(suffix)) return `must not end with "${suffix}"`;
  }
  return undefined;
}

export function apiKeyProblem(key: string): string | undefined {
  if (!/^\d+$/.test(key)) return 'must be the numeric OpenTok project API key (digits only)';
  if (key.length > 20) return 'is too long for an OpenTok API key';
  return undefined;
}

/** Why a region name cannot be used, judged offline by the SDK's partition table; undefined when it can. */
export function regionProblem(region: string): string | undefined {
  if (region === 'cn-north-1') return 'is China (Beijing): Vonage cannot upload archives to buckets there (use cn-northwest-1 or a region outside China)';
  if (isGlobalEndpointName(region)) return 'names a global endpoint, not a region where a bucket can be (like us-east-1)';
  if (findPartition(region)) return undefined;
  return 'is not an AWS region name: no AWS partition has it or names of its shape (like us-east-1, eu-central-2 or us-gov-west-1)';
}

/** A caution about a usable region (China: Vonage documents no support; a name the SDK does not know yet), or undefined. */
export function regionWarning(region: string): string | undefined {
  if (regionProblem(region) !== undefined) return undefined;
  if (findPartition(region)?.name === 'aws-cn') return `Vonage documents no support for buckets in China: archive uploads to ${region} may fail`;
  if (isKnownRegion(region)) return undefined;
  const near = knownRegions().find((r) => editDistance(r.name, region) <= 2);
  return `${region} is not among the regions this AWS SDK knows (a region newer than it, or a typo${near ? ` of ${near.name}` : ''})`;
}

/** Levenshtein distance of two short strings. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** CORS AllowedOrigin: `*`, or scheme://host[:port] with at most one `*` (S3's rule). */
export function corsOriginProblem(origin: string): string | undefined {
  if (origin === '*') return undefined;
  if ((origin.match(/\*/g) ?? []).length > 1) return 'may contain at most one "*"';
  const m = origin.match(/^(https?):\/\/([^/?#\s:]+)(?::(\d{1,5}))?(\/?)$/);
  if (!m) return 'must be "*" or an origin like https://example.com or http://localhost:3000';
  if (m[4]) return `must not end with "/" (use ${origin.slice(0, -1)})`;
  if (m[3] && Number(m[3]) > 65535) return 'has an invalid port';
  return undefined;
}

export function iamUserProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 64) return 'must be 1 to 64 characters long';
  if (!/^[\w+=,.@-]+$/.test(name)) return 'may contain only letters, digits and + = , . @ _ -';
  return undefined;
}

export function herokuAppProblem(app: string): string | undefined {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(app)) return undefined;
  if (!/^[a-z][a-z0-9-]{1,28}[a-z0-9]$/.test(app)) {
    return 'is not a Heroku app name (3 to 30 lowercase letters, digits and dashes, starting with a letter)';
  }
  return undefined;
}

const USER_PREFIX = 'ib-archive-';

/**
 * Default name of the app's dedicated IAM user: `ib-archive-<app>` with a Heroku app, else `ib-archive-<bucket>`;
 * a name that already starts with `ib-archive-` is used as is; cut to IAM's 64 characters.
 */
export function dedicatedUserName({ app, bucket }: { app?: string; bucket: string }): string {
  const base = app || bucket;
  return (base.startsWith(USER_PREFIX) ? base : `${USER_PREFIX}${base}`).slice(0, 64);
}

/** The IAM user setup has made so far for a bucket: `ib-archive-<bucket>` as is (prefix doubled when the bucket has it), cut to 64. */
export function defaultIamUser(bucket: string): string {
  return `${USER_PREFIX}${bucket}`.slice(0, 64);
}

export function defaultBucket(apiKey: string): string {
  return `ib-archive-${apiKey}`;
}
