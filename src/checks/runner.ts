// Doctor checks: their results, the concurrent runner (each check with its own timeout) and the report.
import { CloudError } from '../errors.js';
import { type Output, visibleWidth } from '../io/output.js';

export { once } from '../once.js';

export const CHECK_IDS = [
  'aws.identity',
  's3.bucket',
  's3.cors',
  's3.folder',
  's3.upload',
  's3.public-read',
  's3.not-listable',
  's3.lifecycle',
  'iam.key',
  'heroku.app',
  'heroku.vars',
  'opentok.credentials',
  'opentok.storage',
  'opentok.archives',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface Outcome {
  status: CheckStatus;
  detail: string;
  /** What to do about it: required on `fail` and `warn`. */
  fix?: string;
}

export interface CheckResult extends Outcome {
  id: CheckId;
}

export interface Check {
  id: CheckId;
  run(): Promise<Outcome>;
}

/** Thrown inside a check when something it depends on is missing: the check is skipped with this reason. */
export class SkipCheck extends Error {
  override name = 'SkipCheck';
}

export const pass = (detail: string): Outcome => ({ status: 'pass', detail });
export const warn = (detail: string, fix: string): Outcome => ({ status: 'warn', detail, fix });
export const fail = (detail: string, fix: string): Outcome => ({ status: 'fail', detail, fix });
export const skip = (detail: string): Outcome => ({ status: 'skip', detail });

const BUG_FIX = 'This looks like a bug in ib-archive: re-run with --debug and report the output.';

/** Settles a promise into a value-or-error pair. */
export async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

/** A thrown error as a check outcome: skip for SkipCheck, otherwise a failure with the error's fix. */
export function outcomeOfError(err: unknown): Outcome {
  if (err instanceof SkipCheck) return skip(err.message);
  if (err instanceof CloudError) return fail(firstLine(err.message), err.fix ?? 'Re-run ib-archive doctor; --debug shows every request.');
  return fail(`unexpected error: ${firstLine(String((err as Error)?.message ?? err))}`, BUG_FIX);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

/** Starts every check at once; each promise settles with a result (never rejects), at the latest after `timeoutMs`. */
export function runChecks(checks: Check[], timeoutMs: number): Promise<CheckResult>[] {
  return checks.map(async (check) => {
    let timer: NodeJS.Timeout | undefined;
    const noAnswer = fail(`no answer within ${timeoutMs / 1000} s`, `Re-run with a longer --timeout (now ${timeoutMs / 1000}); --debug shows which request hangs.`);
    const timedOut = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve(noAnswer), timeoutMs);
    });
    // A request aborted by the checks' shared time limit is the same timeout, whichever fires first.
    const aborted = (err: unknown) => ['AbortError', 'TimeoutError'].includes((err as Error)?.name) || /^Request aborted/.test(String((err as Error)?.message));
    try {
      const outcome = await Promise.race([check.run().catch((err: unknown) => (aborted(err) ? noAnswer : outcomeOfError(err))), timedOut]);
      return { id: check.id, ...normalized(outcome) };
    } finally {
      clearTimeout(timer);
    }
  });
}

function normalized(o: Outcome): Outcome {
  if ((o.status === 'fail' || o.status === 'warn') && !o.fix?.trim()) return { ...o, fix: BUG_FIX };
  if (o.status === 'pass' || o.status === 'skip') return { status: o.status, detail: o.detail };
  return o;
}

const LABELS: Record<CheckId, string> = {
  'aws.identity': 'AWS credentials',
  's3.bucket': 'S3 bucket',
  's3.cors': 'CORS',
  's3.folder': 'Key folder',
  's3.upload': 'Upload as the app',
  's3.public-read': 'Public read',
  's3.not-listable': 'Bucket listing',
  's3.lifecycle': 'Archive expiry',
  'iam.key': "App's access key",
  'heroku.app': 'Heroku app',
  'heroku.vars': 'Config vars',
  'opentok.credentials': 'OpenTok key',
  'opentok.storage': 'OpenTok storage',
  'opentok.archives': 'OpenTok archives',
};

/** One line per check (✓ ! ✗ -), the fix indented under a failure or warning. */
export function renderResult(out: Output, r: CheckResult): void {
  const c = out.c;
  const mark = { pass: c.green('✓'), warn: c.yellow('!'), fail: c.red('✗'), skip: c.dim('-') }[r.status];
  const detail = r.status === 'skip' ? c.dim(r.detail) : r.detail;
  const head = `${mark} ${LABELS[r.id].padEnd(18)} `;
  out.result(head + detail, visibleWidth(head));
  if (r.fix && (r.status === 'fail' || r.status === 'warn')) {
    const [first, ...rest] = r.fix.split('\n');
    out.result(`    ${c.cyan('→')} ${first}`);
    for (const line of rest) out.result(`      ${line}`);
  }
}

/** The closing line: no issues, or how many checks failed and warned. */
export function renderSummary(out: Output, results: CheckResult[], elapsedMs: number): void {
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  const [failed, warned, skipped] = [count('fail'), count('warn'), count('skip')];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const time = out.c.dim(`(${results.length} checks, ${(elapsedMs / 1000).toFixed(1)} s)`);
  const skippedNote = skipped > 0 ? `, ${skipped} skipped` : '';
  out.result('');
  if (failed === 0 && warned === 0) out.result(`${out.c.green('✓')} No issues found${skippedNote} ${time}`);
  else if (failed === 0) out.result(`${out.c.yellow('!')} ${plural(warned, 'warning')}, nothing failing${skippedNote} ${time}`);
  else out.result(`${out.c.red('✗')} ${plural(failed, 'check')} failed${warned ? `, ${plural(warned, 'warning')}` : ''}${skippedNote} ${time}`);
}
