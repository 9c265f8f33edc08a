// The suite-wide leak scan: every CLI run appends what it printed, and the secrets it could have printed, to a log
// that test/helpers/global-setup.ts scans when the whole run is over (vitest runs files in separate workers).
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalServices } from '../../src/standins/api.js';
import { issuedSecrets } from './hooks.js';

/** Where runs are logged for one `vitest run`; set by the global setup. */
export const LEAK_LOG_ENV = 'IB_ARCHIVE_TEST_OUTPUT_DIR';

/** `aws-key`: a generated IAM secret, the one value --show-secrets may print on stdout. */
export type SecretKind = 'aws-key' | 'aws-root' | 'heroku-token' | 'opentok' | 'other';

export interface Secret {
  value: string;
  kind: SecretKind;
}

export interface RunRecord {
  /** Test file and args, to find the run again. */
  label: string;
  args: string[];
  stdout: string;
  stderr: string;
  secrets: Secret[];
}

export interface Leak {
  label: string;
  stream: 'stdout' | 'stderr';
  kind: SecretKind;
  form: string;
  /** Where it appeared, the secret itself masked. */
  excerpt: string;
}

const MIN_SECRET_LENGTH = 8;

/** The secrets one run could print: those the stand-ins hold or handed out, and those in its env and args. */
export function secretsOf(services: LocalServices | undefined, env: Record<string, string | undefined>, args: string[], extra: string[] = []): Secret[] {
  const found: Secret[] = [];
  const add = (value: string | undefined, kind: SecretKind) => {
    if (value && value.length >= MIN_SECRET_LENGTH) found.push({ value, kind });
  };
  if (services) {
    add(services.rootKey.secretAccessKey, 'aws-root');
    add(services.herokuToken, 'heroku-token');
    add(services.opentok.apiSecret, 'opentok');
    for (const s of issuedSecrets(services)) add(s, 'aws-key');
  }
  add(env.AWS_SECRET_ACCESS_KEY, 'aws-root');
  add(env.AWS_SESSION_TOKEN, 'aws-root');
  add(env.HEROKU_API_KEY, 'heroku-token');
  add(env.OPENTOK_API_SECRET, 'opentok');
  args.forEach((a, i) => {
    if (a === '--api-secret') add(args[i + 1], 'opentok');
    if (a.startsWith('--api-secret=')) add(a.slice('--api-secret='.length), 'opentok');
  });
  for (const e of extra) add(e, 'other');
  return found;
}

/** Appends one run to this worker's log file (no-op when the suite runs without the global setup). */
export function logRun(record: RunRecord): void {
  const dir = process.env[LEAK_LOG_ENV];
  if (!dir) return;
  appendFileSync(join(dir, `runs-${process.pid}.jsonl`), JSON.stringify(record) + '\n');
}

export function readRunLog(dir: string): RunRecord[] {
  const records: RunRecord[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) if (line.trim()) records.push(JSON.parse(line) as RunRecord);
  }
  return records;
}

/** The forms a secret could take on a terminal or in a log: raw, URL-encoded, base64 (and base64 of Basic auth `:secret`). */
export function secretForms(value: string): { form: string; text: string }[] {
  const forms = [
    { form: 'raw', text: value },
    { form: 'url-encoded', text: encodeURIComponent(value) },
    { form: 'json-escaped', text: JSON.stringify(value).slice(1, -1) },
    { form: 'base64', text: Buffer.from(value).toString('base64').replace(/=+$/, '') },
    { form: 'basic-auth', text: Buffer.from(`:${value}`).toString('base64').replace(/=+$/, '') },
  ];
  return forms.filter((f, i) => forms.findIndex((g) => g.text === f.text) === i);
}

/**
 * Every secret of ANY run found in the output of any run. With --show-secrets a run may print generated AWS
 * secrets on stdout (that is what the flag is for), never on stderr and never another kind of secret.
 */
export function scanRuns(records: RunRecord[]): Leak[] {
  const secrets = new Map<string, SecretKind>();
  for (const r of records) for (const s of r.secrets) if (!secrets.has(s.value) || s.kind !== 'other') secrets.set(s.value, s.kind);
  const patterns = [...secrets].flatMap(([value, kind]) => secretForms(value).map((f) => ({ ...f, kind, value })));
  const leaks: Leak[] = [];
  for (const r of records) {
    const showSecrets = r.args.includes('--show-secrets');
    for (const stream of ['stdout', 'stderr'] as const) {
      const text = r[stream];
      for (const p of patterns) {
        if (stream === 'stdout' && showSecrets && p.kind === 'aws-key') continue;
        const at = text.indexOf(p.text);
        if (at < 0) continue;
        const excerpt = (text.slice(Math.max(0, at - 60), at) + '<SECRET>' + text.slice(at + p.text.length, at + p.text.length + 40)).replace(/\s+/g, ' ');
        leaks.push({ label: r.label, stream, kind: p.kind, form: p.form, excerpt });
      }
    }
  }
  return leaks;
}

export function describeLeaks(leaks: Leak[]): string {
  return leaks
    .slice(0, 20)
    .map((l) => `  ${l.kind} (${l.form}) on ${l.stream} of ${l.label}\n      …${l.excerpt}…`)
    .join('\n');
}
