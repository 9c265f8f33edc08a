import { describe, expect, it } from 'vitest';
import { Output } from '../../src/io/output.js';
import { type PlannedStep, StepFailure, applySteps } from '../../src/plan.js';
import { StepLog } from '../../src/steps.js';

function logAndText(): { log: StepLog; text: () => string } {
  let text = '';
  const out = new Output({ stdout: { write: (s: string) => (text += s) }, stderr: { write: () => true }, color: false, spinners: false, json: false, debug: false, showSecrets: false });
  return { log: new StepLog(out), text: () => text };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('applySteps', () => {
  it('runs independent steps side by side and still reports in step order', async () => {
    const started: string[] = [];
    const step = (id: PlannedStep['id'], ms: number, after?: PlannedStep['id'][]): PlannedStep => ({
      id,
      after,
      status: 'created',
      detail: id,
      apply: async () => {
        started.push(id);
        await wait(ms);
      },
    });
    const { log, text } = logAndText();
    const t0 = Date.now();
    await applySteps([step('s3.bucket', 10, []), step('s3.cors', 60, ['s3.bucket']), step('s3.folder', 10, ['s3.bucket']), step('iam.user', 10, []), step('iam.policy', 10)], log, false);
    expect(Date.now() - t0).toBeLessThan(150);
    expect(started.slice(0, 2).sort()).toEqual(['iam.user', 's3.bucket']);
    expect(log.results.map((r) => r.id)).toEqual(['s3.bucket', 's3.cors', 's3.folder', 'iam.user', 'iam.policy']);
    const lines = text().trim().split('\n');
    expect(lines.map((l) => l.split(/\s{2,}/)[0])).toEqual(['✓ S3 bucket', '✓ CORS rule', '✓ Key folder', '✓ IAM user', '✓ IAM policy']);
  });

  it('skips what depends on a failed step, lets the rest finish, and rethrows the first failure', async () => {
    const ran: string[] = [];
    const { log } = logAndText();
    const steps: PlannedStep[] = [
      { id: 's3.bucket', after: [], status: 'created', detail: '', apply: async () => { throw new Error('taken'); } },
      { id: 's3.cors', after: ['s3.bucket'], status: 'created', detail: '', apply: async () => void ran.push('cors') },
      { id: 'iam.user', after: [], status: 'created', detail: '', apply: async () => void ran.push('user') },
    ];
    const err = await applySteps(steps, log, false).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailure);
    expect((err as StepFailure).stepId).toBe('s3.bucket');
    expect(ran).toEqual(['user']);
    log.flush();
    expect(log.results.map((r) => `${r.id}:${r.status}`)).toEqual(['s3.bucket:failed', 'iam.user:created']);
  });

  it('applies nothing on a dry run', async () => {
    const { log } = logAndText();
    let applied = false;
    await applySteps([{ id: 's3.bucket', status: 'created', detail: 'b', apply: async () => void (applied = true) }], log, true);
    expect(applied).toBe(false);
    expect(log.results).toEqual([{ id: 's3.bucket', status: 'planned', detail: 'b' }]);
  });
});
