// Step results of a setup run: the ids and statuses of CONTRACT's JSON, and their human rendering.
import type { Output } from './io/output.js';

export type StepId =
  | 'aws.identity'
  | 's3.bucket'
  | 's3.cors'
  | 's3.folder'
  | 's3.public-access-block'
  | 's3.policy'
  | 'iam.user'
  | 'iam.policy'
  | 'iam.access-key'
  | 'heroku.config-vars'
  | 'opentok.storage';

export type StepStatus = 'created' | 'updated' | 'unchanged' | 'skipped' | 'planned' | 'failed';

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
  'iam.user': 'IAM user',
  'iam.policy': 'IAM policy',
  'iam.access-key': 'Access key',
  'heroku.config-vars': 'Heroku vars',
  'opentok.storage': 'OpenTok storage',
};

/** Collects step results in order and prints each one as it is settled. */
export class StepLog {
  readonly results: StepResult[] = [];

  constructor(private readonly out: Output) {}

  add(id: StepId, status: StepStatus, detail: string): void {
    const existing = this.results.findIndex((r) => r.id === id);
    const result = { id, status, detail };
    if (existing >= 0) this.results[existing] = result;
    else this.results.push(result);
    this.print(result);
  }

  has(id: StepId): boolean {
    return this.results.some((r) => r.id === id);
  }

  private print(r: StepResult): void {
    const c = this.out.c;
    const mark: Record<StepStatus, string> = {
      created: c.green('✓'),
      updated: c.green('✓'),
      unchanged: c.dim('✓'),
      skipped: c.dim('-'),
      planned: c.cyan('~'),
      failed: c.red('✗'),
    };
    const status = r.status === 'unchanged' ? c.dim(r.status.padEnd(9)) : r.status.padEnd(9);
    this.out.result(`${mark[r.status]} ${LABELS[r.id].padEnd(19)} ${status} ${r.detail}`);
  }
}
