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
}

export class StepFailure extends Error {
  constructor(
    readonly stepId: StepId,
    readonly original: unknown,
  ) {
    super(`step ${stepId} failed`);
  }
}

/** Applies the steps in order, logging each; the first failure is logged `failed` and rethrown as StepFailure. */
export async function applySteps(steps: PlannedStep[], log: StepLog, dryRun: boolean): Promise<void> {
  for (const step of steps) {
    if (!step.apply || step.status === 'unchanged' || step.status === 'skipped') {
      log.add(step.id, step.status, step.detail);
      continue;
    }
    if (dryRun) {
      log.add(step.id, 'planned', step.detail);
      continue;
    }
    try {
      const detail = await step.apply();
      log.add(step.id, step.status, detail || step.detail);
    } catch (err) {
      log.add(step.id, 'failed', step.detail);
      throw new StepFailure(step.id, err);
    }
  }
}
