// Step results of a command: the ids and statuses of CONTRACT's JSON, and their human rendering.
import { type Output, visibleWidth } from './io/output.js';

export type StepId =
  | 'aws.identity'
  | 's3.bucket'
  | 's3.cors'
  | 's3.folder'
  | 's3.public-access-block'
  | 's3.policy'
  | 's3.lifecycle'
  | 's3.archives'
  | 's3.upload'
  | 'iam.user'
  | 'iam.policy'
  | 'iam.access-key'
  | 'iam.old-key'
  | 'heroku.config-vars'
  | 'opentok.storage'
  | 's3.rescue';

export type StepStatus = 'created' | 'updated' | 'deleted' | 'unchanged' | 'skipped' | 'planned' | 'failed';

export interface StepResult {
  id: StepId;
  status: StepStatus;
  detail: string;
}

const LABELS: Record<StepId, string> = {
  'aws.identity': 'AWS account',
  's3.bucket': 'S3 bucket',
  's3.cors': 'CORS rule',
  's3.folder': 'Key folder',
  's3.public-access-block': 'Block Public Access',
  's3.policy': 'Public read',
  's3.lifecycle': 'Archive expiry',
  's3.archives': 'Archives',
  's3.upload': 'Upload check',
  'iam.user': 'IAM user',
  'iam.policy': 'IAM policy',
  'iam.access-key': 'Access key',
  'iam.old-key': 'Old access key',
  'heroku.config-vars': 'Heroku vars',
  'opentok.storage': 'OpenTok storage',
  's3.rescue': 'Rescue',
};

/** setup's step ids in the order of CONTRACT (and of the report), whatever order concurrent steps finish in. */
export const STEP_ORDER: StepId[] = Object.keys(LABELS) as StepId[];

/** Collects step results and prints each one in step order as soon as every earlier step is settled. */
export class StepLog {
  private readonly byId = new Map<StepId, StepResult>();
  private readonly printed = new Set<StepId>();
  /** Steps that will be reported; a line waits for the ones before it. */
  private readonly awaited = new Set<StepId>();

  /** `order`: the command's step ids in report order (setup's by default). */
  constructor(
    private readonly out: Output,
    private readonly order: StepId[] = STEP_ORDER,
  ) {}

  private rank(id: StepId): number {
    const i = this.order.indexOf(id);
    return i < 0 ? this.order.length : i;
  }

  /** The results so far, in step order. */
  get results(): StepResult[] {
    return [...this.byId.values()].sort((a, b) => this.rank(a.id) - this.rank(b.id));
  }

  /** True when a step changed something (a re-run then has state to resume from). */
  get changedAnything(): boolean {
    return this.results.some((r) => r.status === 'created' || r.status === 'updated' || r.status === 'deleted');
  }

  /** Announces steps whose lines must come out in order even when they finish out of order. */
  expect(ids: StepId[]): void {
    for (const id of ids) this.awaited.add(id);
  }

  add(id: StepId, status: StepStatus, detail: string): void {
    this.byId.set(id, { id, status, detail });
    this.printed.delete(id);
    this.drain(false);
  }

  has(id: StepId): boolean {
    return this.byId.has(id);
  }

  /** Prints what is still held back (after a failure, later steps may never come). */
  flush(): void {
    this.drain(true);
  }

  private drain(all: boolean): void {
    for (const id of this.order) {
      const result = this.byId.get(id);
      if (!result) {
        if (this.awaited.has(id) && !all) return;
        continue;
      }
      if (!this.printed.has(id)) {
        this.printed.add(id);
        this.print(result);
      }
    }
  }

  private print(r: StepResult): void {
    const c = this.out.c;
    const mark: Record<StepStatus, string> = {
      created: c.green('✓'),
      updated: c.green('✓'),
      deleted: c.green('✓'),
      unchanged: c.dim('✓'),
      skipped: c.dim('-'),
      planned: c.cyan('~'),
      failed: c.red('✗'),
    };
    const status = r.status === 'unchanged' ? c.dim(r.status.padEnd(9)) : r.status.padEnd(9);
    const head = `${mark[r.status]} ${LABELS[r.id].padEnd(19)} ${status} `;
    this.out.result(head + r.detail, visibleWidth(head));
  }
}
