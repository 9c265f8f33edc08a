// One shape for every stage: inspect (reads only) → plan (the steps, with their consents) — the command applies them.
import { type PlannedStep, allInOrder, reading } from '../plan.js';
import type { StepId } from '../steps.js';

export interface Stage<C, S = unknown> {
  /** The step a failed read of this stage is reported on. */
  readStep: StepId;
  /** Reads the current state; never writes. */
  inspect(ctx: C): Promise<S>;
  /** Decides every change from the state read; the steps' closures apply them. */
  plan(ctx: C, state: S): PlannedStep[];
}

/** Inspects every stage at once, then plans them in order: the command's whole plan, before anything changes. */
export async function planStages<C>(ctx: C, stages: Stage<C, any>[]): Promise<PlannedStep[]> {
  const states = await allInOrder(stages.map((s) => reading(s.readStep, s.inspect(ctx))));
  return stages.flatMap((s, i) => s.plan(ctx, states[i]));
}
