// The app's config vars: what each app type needs, what a set of vars holds, and what would change.
import type { AwsKey } from './services/aws.js';

export const VAR_NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'S3_BUCKET_NAME', 'S3_COMPOSEDVIDEO_URL'] as const;
export type ConfigVars = Record<(typeof VAR_NAMES)[number], string>;
export type VarMap = Record<string, string | undefined>;

export const SECRET_VAR = 'AWS_SECRET_ACCESS_KEY';

export function desiredVars(key: AwsKey, bucket: string, url: string): ConfigVars {
  return { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey, S3_BUCKET_NAME: bucket, S3_COMPOSEDVIDEO_URL: url };
}

/** The stored key pair in a set of vars, if both halves are there. */
export function storedKey(vars: VarMap | undefined): AwsKey | undefined {
  const id = vars?.AWS_ACCESS_KEY_ID;
  const secret = vars?.AWS_SECRET_ACCESS_KEY;
  return id && secret ? { accessKeyId: id, secretAccessKey: secret } : undefined;
}

export interface VarChange {
  name: string;
  from?: string;
  to: string;
}

/** The vars whose value will change (`null`: removed); `replaced` are those that had a different value before. */
export function diffVars(current: VarMap, desired: Record<string, string | null>): { changes: VarChange[]; replaced: VarChange[] } {
  const changes = Object.entries(desired)
    .filter(([name, value]) => (value === null ? current[name] !== undefined : current[name] !== value))
    .map(([name, to]) => ({ name, from: current[name], to: to ?? '(removed)' }));
  return { changes, replaced: changes.filter((c) => c.from !== undefined && c.from !== '') };
}

export function maskSecret(value: string | undefined): string {
  return value ? '*'.repeat(8) : '(none)';
}

/** One display line per change, the secret masked. */
export function describeChanges(changes: VarChange[]): string[] {
  const show = (name: string, v: string | undefined) => (v === undefined ? '(unset)' : name === SECRET_VAR ? maskSecret(v) : v);
  return changes.map((c) => `  ${c.name.padEnd(22)} ${show(c.name, c.from)} → ${show(c.name, c.to)}`);
}
