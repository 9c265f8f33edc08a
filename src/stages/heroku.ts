// Stage 3, Heroku: the four config vars in one PATCH (or an env file / printout with --no-heroku).
import { access, open, readFile, rename, chmod } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { AwsKey } from '../services/aws.js';
import type { Prompter } from '../io/prompter.js';

export const VAR_NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'S3_BUCKET_NAME', 'S3_COMPOSEDVIDEO_URL'] as const;
export type ConfigVars = Record<(typeof VAR_NAMES)[number], string>;

export function desiredVars(key: AwsKey, bucket: string, url: string): ConfigVars {
  return { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey, S3_BUCKET_NAME: bucket, S3_COMPOSEDVIDEO_URL: url };
}

/** The stored key pair in a set of vars, if both halves are there. */
export function storedKey(vars: Record<string, string | undefined> | undefined): AwsKey | undefined {
  const id = vars?.AWS_ACCESS_KEY_ID;
  const secret = vars?.AWS_SECRET_ACCESS_KEY;
  return id && secret ? { accessKeyId: id, secretAccessKey: secret } : undefined;
}

export interface VarChange {
  name: string;
  from?: string;
  to: string;
}

/** The vars whose value will change; `replaced` are those that had a different value before. */
export function diffVars(current: Record<string, string | undefined>, desired: Record<string, string>): { changes: VarChange[]; replaced: VarChange[] } {
  const changes = Object.entries(desired)
    .filter(([name, value]) => current[name] !== value)
    .map(([name, to]) => ({ name, from: current[name], to }));
  return { changes, replaced: changes.filter((c) => c.from !== undefined && c.from !== '') };
}

export function maskSecret(value: string | undefined): string {
  if (!value) return '(none)';
  return '*'.repeat(8);
}

/** One display line per change, the secret masked. */
export function describeChanges(changes: VarChange[]): string[] {
  const show = (name: string, v: string | undefined) => (v === undefined ? '(unset)' : name === 'AWS_SECRET_ACCESS_KEY' ? maskSecret(v) : v);
  return changes.map((c) => `  ${c.name.padEnd(22)} ${show(c.name, c.from)} → ${show(c.name, c.to)}`);
}

/** Parses KEY=VALUE lines of an env file (quotes removed). */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = line.match(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/);
    if (!m) continue;
    let value = m[2]!;
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    vars[m[1]!] = value;
  }
  return vars;
}

export async function readEnvFile(path: string): Promise<Record<string, string> | undefined> {
  try {
    return parseEnvFile(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    const fix = 'Pass the path of a file with --env-file <path> (a missing file is created, with mode 0600). Nothing was changed.';
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') throw new InputError(`--env-file ${path} is a directory; name a file.`, 'invalid_env_file', [], fix);
    throw new InputError(`Cannot read --env-file ${path}: ${(err as Error).message}`, 'invalid_env_file', [], fix);
  }
}

/** Fails with an input error, before anything changes, when the env file could not be written later. */
export async function assertEnvFileWritable(path: string): Promise<void> {
  const dir = dirname(resolve(path));
  try {
    await access(dir, constants.W_OK);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'is not writable';
    throw new InputError(`--env-file ${path}: the folder ${dir} ${why}.`, 'invalid_env_file', [], 'Pass a path in an existing folder you can write to. Nothing was changed.');
  }
}

/** Writes the vars into an env file (mode 0600), keeping its other lines; atomic via a temporary file. */
export async function writeEnvFile(path: string, vars: Record<string, string>): Promise<void> {
  let lines: string[] = [];
  try {
    lines = (await readFile(path, 'utf8')).split(/\r?\n/);
    if (lines[lines.length - 1] === '') lines.pop();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const pending = new Map(Object.entries(vars));
  const out = lines.map((line) => {
    const name = line.match(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/)?.[1];
    if (name && pending.has(name)) {
      const value = pending.get(name)!;
      pending.delete(name);
      return `${name}=${value}`;
    }
    return line;
  });
  for (const [name, value] of pending) out.push(`${name}=${value}`);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(out.join('\n') + '\n');
  } finally {
    await handle.close();
  }
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/** Interactive choice when Heroku finally refuses the vars while a new secret exists only in memory. */
export async function askAfterHerokuFailure(prompter: Prompter, reason: string): Promise<'retry' | 'file' | 'give-up'> {
  return prompter.select({
    message: `Heroku did not take the config vars (${reason}). The new secret exists only in this process. What now?`,
    choices: [
      { name: 'Retry', value: 'retry' as const },
      { name: 'Write the four values to a file (mode 0600)', value: 'file' as const },
      { name: 'Give up (the new access key is deleted; re-run later)', value: 'give-up' as const },
    ],
  });
}
