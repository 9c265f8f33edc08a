// Whose AWS credentials a command runs with (STS GetCallerIdentity needs no permission).
import { type AwsClients, type AwsKey, awsFailure } from './services/aws.js';

export interface Identity {
  account: string;
  arn: string;
}

/** STS GetCallerIdentity with the operator's credentials (or `key`). */
export async function callerIdentity(aws: AwsClients, opts: { key?: AwsKey; signal?: AbortSignal } = {}): Promise<Identity> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  try {
    const id = await (await aws.sts(opts.key)).send(new GetCallerIdentityCommand({}), { abortSignal: opts.signal });
    return { account: id.Account ?? '', arn: id.Arn ?? '' };
  } catch (err) {
    throw awsFailure('Checking your AWS credentials (sts get-caller-identity)', err);
  }
}

/** User name of an IAM user ARN (`arn:aws:iam::123:user/path/name` → name), undefined for root, roles and others. */
export function userOfArn(arn: string): string | undefined {
  const m = arn.match(/^arn:[\w-]+:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/);
  return m?.[1];
}
