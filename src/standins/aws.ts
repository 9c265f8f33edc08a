// The AWS stand-ins (S3, IAM, STS) over one shared in-memory account, with their control surface.
import type { AwsKey } from './api.js';
import { AwsAccount, type AwsControl } from './aws-account.js';
import { createStsStandIn } from './aws-sts.js';
import { createIamStandIn } from './iam.js';
import { createS3StandIn } from './s3.js';
import type { StandIn } from './serve.js';

export interface AwsStandIns {
  s3: StandIn;
  iam: StandIn;
  sts: StandIn;
  control: AwsControl;
  rootKey: AwsKey;
  accountId: string;
}

/** Creates the S3, IAM and STS stand-ins sharing one account (random id, root key, users, buckets). */
export function createAwsStandIns(opts: { keyPropagationMs?: number; clock?: () => number } = {}): AwsStandIns {
  const account = new AwsAccount(opts.clock ?? Date.now, opts.keyPropagationMs ?? 0);
  return {
    s3: createS3StandIn(account),
    iam: createIamStandIn(account),
    sts: createStsStandIn(account),
    control: account.control(),
    rootKey: account.rootKey,
    accountId: account.accountId,
  };
}
