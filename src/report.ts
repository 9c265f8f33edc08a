// The one place where an error becomes an exit code and a report, in text or JSON (CONTRACT: Exit codes, Errors).
import { CloudError, InputError, isKnownError } from './errors.js';
import type { CommandName } from './inputs/flags.js';
import type { Output } from './io/output.js';

/** A command failed after it had something to report: the JSON fields reached so far go with the error. */
export class CommandFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly partial: Record<string, unknown>,
    /** Some change landed, so a re-run has state to resume from. */
    readonly changed = false,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

export function exitCodeOf(err: unknown): number {
  return isKnownError(err) ? err.exitCode : 1;
}

/** `{"ok":false,"error":{…}}` as CONTRACT gives it, with the command that failed. */
export function errorDocument(command: string, code: string, message: string, missing: string[] = [], fix?: string): Record<string, unknown> {
  return { command, ok: false, error: { code, message, ...(fix ? { fix } : {}), missing } };
}

const BUG = 'This is a bug in ib-archive; re-run with --debug for details.';
const RESUME = 'Re-run the same command to resume: every step checks what is already done.';

/** Reports a failed command on stdout (JSON) or stderr (text), once; returns its exit code. */
export function reportFailure(out: Output, command: CommandName, failure: unknown): number {
  const { error, partial, changed } = failure instanceof CommandFailure ? failure : { error: failure, partial: {}, changed: false };
  const known = isKnownError(error);
  const exitCode = exitCodeOf(error);
  const code = known ? error.code : 'internal_error';
  const message = error instanceof Error ? error.message : String(error);
  const fix = error instanceof CloudError || error instanceof InputError ? error.fix : undefined;
  const missing = error instanceof InputError ? error.missing : [];
  // Conversation, so on stderr also with --json: what a person at the terminal needs to hear after Ctrl-C.
  if (exitCode === 130) out.info(`\n${message} Re-run the same command to finish: it resumes where it stopped.`);
  if (out.json) {
    const doc = errorDocument(command, code, message, missing, fix);
    out.jsonDocument({ command, ok: false, ...partial, error: doc.error });
  } else if (exitCode !== 130) {
    for (const line of message.split('\n')) out.error(line);
    if (fix) out.info(fix);
    if (!known) out.info(out.c.dim(BUG));
    // Said only where a re-run can finish the job: something landed, and the fix does not already say so.
    if (exitCode === 1 && changed && !/re-?run/i.test(fix ?? '')) out.info(out.c.dim(RESUME));
  }
  if (!known) out.debug((error as Error)?.stack ?? String(error));
  return exitCode;
}
