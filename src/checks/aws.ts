// AWS check: whose credentials the doctor uses to inspect the account.
import type { DoctorFacts } from './facts.js';
import { type Check, pass } from './runner.js';

/** aws.identity — STS GetCallerIdentity with the operator's credentials. */
export function identityCheck(f: DoctorFacts): Check {
  return {
    id: 'aws.identity',
    run: async () => {
      const id = await f.identity();
      return pass(`account ${id.account} as ${id.arn}`);
    },
  };
}
