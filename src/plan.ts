// A setup run as an ordered list of planned steps: read everything first, then apply (or, with --dry-run, only report).
import type { StepId, StepLog } from './steps.js';

export interface PlannedStep {
  id: StepId;
  /** What applying does (`created`/`updated`), or `unchanged`/`skipped` when there is nothing to do. */
  status: 'created' | 'updated' | 'unchanged' | 'skipped';
  /** Shown in the report; for a change, what will be / was done. */
  detail: string;
  /** Performs the change; may return a more precise detail for the report. */
  apply?: () => Promise<string | void>;
  /** Steps of the same list that must succeed first; by default the step just before (`[]`: none). */
  after?: StepId[];
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
  if (!step.apply || step.status === 'unchanged' || step.status === 'skipped') {
    log.add(step.id, step.status, step.detail);
    return;
  }
  if (dryRun) {
    log.add(step.id, 'planned', step.detail);
    return;
  }
  try {
    const detail = await step.apply();
    log.add(step.id, step.status, detail || step.detail);
  } catch (err) {
    log.add(step.id, 'failed', step.detail);
    throw new StepFailure(step.id, err);
  }
}
