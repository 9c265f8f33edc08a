// Every command as an ordered list of planned steps: read everything first, confirm, then apply (or, with --dry-run,
// only report). Stages produce the steps; this file runs them.
import { InputError } from './errors.js';
import type { Output } from './io/output.js';
import type { Prompter } from './io/prompter.js';
import type { StepId, StepLog } from './steps.js';

/** A change that needs the user's word before anything is applied. */
export interface Consent {
  /** For the non-interactive refusal: "making s3://b/123/* publicly readable". */
  need: string;
  /** Lines shown before the question. */
  explain?: string[];
  question: string;
  /** The message when the user says no (nothing was changed). */
  declined: string;
}

export interface PlannedStep {
  id: StepId;
  /** What applying does (`created`/`updated`/`deleted`), or `unchanged`/`skipped` when there is nothing to do. */
  status: 'created' | 'updated' | 'deleted' | 'unchanged' | 'skipped';
  /** Shown in the report; for a change, what will be / was done. */
  detail: string;
  /** Performs the change; may return a more precise detail, or the outcome when it differs from the plan (a step that found it must keep something). */
  apply?: () => Promise<string | void | StepOutcome>;
  /** Steps of the same list that must succeed first; by default the step just before (`[]`: none). */
  after?: StepId[];
  /** Asked (or, in scripts, demanded as --yes) before any step of the plan is applied. */
  consent?: Consent;
  /** A check that writes and removes a probe: applied although it reports `unchanged` (planned in a dry run). */
  check?: boolean;
}

/** What an applied step really did, when that is not what was planned. */
export interface StepOutcome {
  status: 'created' | 'updated' | 'deleted' | 'unchanged';
  detail: string;
}

export class StepFailure extends Error {
  constructor(
    readonly stepId: StepId,
    readonly original: unknown,
  ) {
    super(`step ${stepId} failed`);
  }
}

/** Settles every promise, then rethrows the first failure in the given order (so no rejection is left unhandled). */
export async function allInOrder<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(promises);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** A read made while planning, named after the step whose state it reads (so a failure is reported on that step). */
export function reading<T>(stepId: StepId, promise: Promise<T>): Promise<T> {
  return promise.catch((err: unknown) => {
    throw err instanceof StepFailure || err instanceof InputError ? err : new StepFailure(stepId, err);
  });
}

/** True when applying the plan changes anything. */
export function changes(steps: PlannedStep[]): PlannedStep[] {
  return steps.filter((s) => s.apply && !s.check && s.status !== 'unchanged' && s.status !== 'skipped');
}

/** Asks every consent the plan needs; a script must have passed --yes. Nothing is applied before this returns. */
export async function confirmPlan(io: { out: Output; prompter: Prompter }, steps: PlannedStep[], opts: { yes: boolean; dryRun: boolean }): Promise<void> {
  await confirmAll(io, changes(steps).flatMap((s) => (s.consent ? [s.consent] : [])), opts);
}

/** Asks each consent in turn; a script without --yes is refused (exit 2) naming all of them at once. */
export async function confirmAll(io: { out: Output; prompter: Prompter }, consents: Consent[], opts: { yes: boolean; dryRun: boolean }): Promise<void> {
  if (opts.dryRun || opts.yes || consents.length === 0) return;
  if (!io.prompter.interactive) {
    throw new InputError(
      `This run needs your consent for ${consents.map((c) => c.need).join(' and ')}. Nothing was changed.`,
      'confirmation_required',
      ['--yes'],
      'Re-run with --yes to accept (or run it in a terminal to be asked).',
    );
  }
  for (const c of consents) {
    for (const line of c.explain ?? []) io.out.info(line);
    if (!(await io.prompter.confirm({ message: c.question, default: true }))) throw new InputError(c.declined, 'declined');
  }
}

/** Not a failure of its own: a step this one waits for failed. */
class NotReached extends Error {}

/**
 * Applies the steps, each once the steps it waits for have succeeded (independent ones at the same time), logging
 * each in step order. Once all have settled, the first failure in list order is rethrown as a StepFailure.
 */
export async function applySteps(steps: PlannedStep[], log: StepLog, dryRun: boolean): Promise<void> {
  log.expect(steps.map((s) => s.id));
  const done = new Map<StepId, Promise<void>>();
  steps.forEach((step, i) => {
    const waitsFor = step.after ?? (i > 0 ? [steps[i - 1]!.id] : []);
    const ready = Promise.all(waitsFor.map((id) => done.get(id))).catch(() => {
      throw new NotReached();
    });
    done.set(step.id, ready.then(() => applyOne(step, log, dryRun)));
  });
  const settled = await Promise.allSettled(done.values());
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !(r.reason instanceof NotReached));
  if (failure) throw failure.reason;
}

async function applyOne(step: PlannedStep, log: StepLog, dryRun: boolean): Promise<void> {
  if (!step.apply || ((step.status === 'unchanged' || step.status === 'skipped') && !step.check)) {
    log.add(step.id, step.status, step.detail);
    return;
  }
  if (dryRun) {
    log.add(step.id, 'planned', step.detail);
    return;
  }
  try {
    const result = await step.apply();
    if (result && typeof result === 'object') log.add(step.id, result.status, result.detail);
    else log.add(step.id, step.status, result || step.detail);
  } catch (err) {
    log.add(step.id, 'failed', step.detail);
    throw new StepFailure(step.id, err);
  }
}
