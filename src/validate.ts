// Offline validation of every input, before any request is sent.

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

const REGION = /^[a-z]{2,4}(?:-[a-z]{2,4})?-(?:central|north|south|east|west|northeast|northwest|southeast|southwest)-\d{1,2}$/;

export function regionProblem(region: string): string | undefined {
  return REGION.test(region) ? undefined : 'is not an AWS region name (like us-east-1, eu-central-2 or us-gov-west-1)';
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

/** Default IAM user for a bucket: `ib-archive-<bucket>`, cut to IAM's 64 characters. */
export function defaultIamUser(bucket: string): string {
  return `ib-archive-${bucket}`.slice(0, 64);
}

export function defaultBucket(apiKey: string): string {
  return `ib-archive-${apiKey}`;
}
