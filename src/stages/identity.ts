// Stage 0, AWS identity: whose credentials the run uses (STS GetCallerIdentity; reported, never changed).
import type { Identity } from '../identity.js';
import type { SetupContext } from './context.js';
import type { Stage } from './stage.js';

export const identityStage: Stage<Pick<SetupContext, 'reads'>, Identity> = {
  readStep: 'aws.identity',
  inspect: (ctx) => ctx.reads.identity(),
  plan: (_ctx, id) => [{ id: 'aws.identity', after: [], status: 'unchanged', detail: `account ${id.account} as ${id.arn}` }],
};
