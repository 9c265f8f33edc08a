// STS stand-in (awsQuery, version 2011-06-15): GetCallerIdentity.
import type { AwsAccount } from './aws-account.js';
import { createQueryStandIn } from './aws-query.js';
import type { StandIn } from './serve.js';
import { el } from './xml.js';

/** Creates the STS stand-in over the shared account. */
export function createStsStandIn(account: AwsAccount): StandIn {
  return createQueryStandIn({
    service: 'sts',
    version: '2011-06-15',
    xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
    account,
    failureCode: 'InternalFailure',
    allowed: () => true,
    actions: {
      GetCallerIdentity: {
        write: false,
        run: ({ caller }) => [
          el('Arn', caller.kind === 'root' ? account.rootArn() : caller.user.arn),
          el('UserId', caller.kind === 'root' ? account.accountId : caller.user.userId),
          el('Account', account.accountId),
        ],
      },
    },
  });
}
