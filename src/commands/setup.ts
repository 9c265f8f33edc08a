// `ib-archive setup`: read every cloud's state, confirm what needs consent, then converge S3 → IAM → Heroku → OpenTok.
import { PENDING_TAG, clearPending, deleteKey } from '../iam-key.js';
import { InputError } from '../errors.js';
import type { Deps } from '../context.js';
import { createClients, registerSecrets } from '../clients.js';
import type { CommandFlags } from '../inputs/flags.js';
import { type SetupInputs, resolveSetupInputs } from '../inputs/setup.js';
import { StepFailure, applySteps, confirmPlan } from '../plan.js';
import { once } from '../once.js';
import { CommandFailure } from '../report.js';
import { StepLog } from '../steps.js';
import { type SetupContext, setupContext } from '../stages/context.js';
import { finalVars, herokuStage } from '../stages/heroku.js';
import { iamStage } from '../stages/iam.js';
import { identityStage } from '../stages/identity.js';
import { opentokStage, storageTarget } from '../stages/opentok.js';
import { s3Stage } from '../stages/s3.js';
import { planStages } from '../stages/stage.js';
import { opentokReport, printSetupSummary, setupDocument } from '../summary.js';
import { defaultIamUser, regionProblem, regionWarning } from '../validate.js';

/** The stages of setup, in CONTRACT's order. */
const SETUP_STAGES = [identityStage, s3Stage, iamStage, herokuStage, opentokStage];

/** Runs the wizard; returns 0, or throws a CommandFailure for the reporter. */
export async function setup(flags: CommandFlags, deps: Deps): Promise<number> {
  const { out } = deps;
  registerSecrets(deps, flags.apiSecret);
  const inputs = await resolveSetupInputs(flags, deps);
  registerSecrets(deps, inputs.heroku?.token, inputs.apiSecret);
  const clients = createClients(deps, inputs);
  const ctx = setupContext(deps, inputs, clients, inputs.iamUserFlag ?? defaultIamUser(inputs.bucket));
  const log = new StepLog(out);
  const cleanup = once(() => abandonUnsavedKey(ctx));
  deps.onInterrupt.add(cleanup);
  try {
    out.result(out.c.bold(`ib-archive setup${inputs.dryRun ? ' (dry run: nothing is changed)' : ''}: OpenTok project ${inputs.apiKey} → s3://${inputs.bucket}${inputs.heroku ? ` → Heroku app ${inputs.heroku.app}` : ''}`));
    if (!inputs.configureOpentok && clients.opentok && deps.prompter.interactive && !inputs.dryRun) {
      inputs.configureOpentok = await deps.prompter.confirm({ message: "Point the OpenTok project's archive storage at this bucket now, through the OpenTok API (instead of the dashboard)?", default: true });
    }
    const steps = await planStages(ctx, SETUP_STAGES);
    const bucket = await ctx.reads.bucket();
    const refused = regionProblem(bucket.region);
    if (refused) throw new InputError(`Bucket ${inputs.bucket} is in ${bucket.region}, which ${refused}. Nothing was changed.`, 'unsupported_region', [], 'Use a bucket in another region: pass --bucket <new-name> --region <region>.');
    const caution = regionWarning(bucket.region);
    if (caution) out.warn(caution);
    if (bucket.exists && bucket.region !== inputs.region) out.info(out.c.yellow(`Bucket ${inputs.bucket} already exists in ${bucket.region}; it is used there and the URL follows that region.`));
    assertSecretHasADestination(inputs, ctx);
    await confirmPlan(deps, steps, inputs);
    await applySteps(steps, log, inputs.dryRun);
    // With --show-secrets and no other consumer, the printed report below is what holds the secret.
    if (!inputs.dryRun && inputs.showSecrets) ctx.key.stored();
    await settleNewKey(ctx);
    const configVars = finalVars(ctx, bucket.region);
    const summary = { inputs, steps: log.results, configVars, opentok: opentokReport(inputs, configVars, inputs.configureOpentok && !inputs.dryRun, storageTarget(ctx)) };
    if (out.json) out.jsonDocument(setupDocument(summary));
    else printSetupSummary(out, summary);
    return 0;
  } catch (err) {
    const cause = err instanceof StepFailure ? err.original : err;
    if (err instanceof StepFailure && !log.has(err.stepId) && !(cause instanceof InputError)) log.add(err.stepId, 'failed', 'could not be read (see below)');
    if (!(cause instanceof InputError)) await cleanup();
    log.flush();
    const vars = ctx.key.pair ? { configVars: { ...finalVars(ctx, (await ctx.reads.bucket().catch(() => ({ region: inputs.region }))).region), AWS_SECRET_ACCESS_KEY: '<redacted>' } } : {};
    throw new CommandFailure(cause, { dryRun: inputs.dryRun, steps: log.results, ...vars }, log.changedAnything);
  } finally {
    deps.onInterrupt.delete(cleanup);
  }
}

/** With --no-heroku a new secret must go somewhere: refused (exit 2) before anything changes. */
function assertSecretHasADestination(inputs: SetupInputs, ctx: SetupContext): void {
  if (inputs.heroku || inputs.varsFile || inputs.showSecrets) return;
  if (ctx.key.state === 'reused') return;
  throw new InputError(
    'A new access key would be created, and AWS shows its secret only once: with --no-heroku it must go somewhere. Nothing was changed.',
    'secret_destination_missing',
    ['--vars-file', '--show-secrets'],
    'Add --vars-file <path> to save the four vars in a file (mode 0600), or --show-secrets to print them.',
  );
}

/** Once a consumer holds the app's key, the user's pending mark goes (this run's, or one an interrupted run left). */
async function settleNewKey(ctx: SetupContext): Promise<void> {
  if (ctx.inputs.dryRun) return;
  const marked = ctx.key.state === 'stored' || (ctx.key.state === 'reused' && PENDING_TAG in (await ctx.reads.iam()).tags);
  if (marked) await clearPending(ctx.aws, ctx.iamUser);
}

/** A new key whose secret no consumer took is deleted, so that nothing is left orphaned. */
async function abandonUnsavedKey(ctx: SetupContext): Promise<void> {
  const { deps, aws, iamUser, key } = ctx;
  // A key being created, or the PATCH that stores it, may be in flight: its answer decides what is left to delete.
  await key.settled(deps.sleep);
  const pair = key.abandon();
  if (!pair) return;
  try {
    await deleteKey(aws, iamUser, pair.accessKeyId);
    key.deleted();
    await clearPending(aws, iamUser).catch(() => undefined);
    deps.out.warn(`The new access key ${pair.accessKeyId} was deleted: its secret could not be stored, so nothing is left orphaned. Re-run ib-archive setup to finish.`);
  } catch {
    deps.out.warn(`The new access key ${pair.accessKeyId} could not be deleted; its secret was not stored. The next ib-archive setup deletes it, or: aws iam delete-access-key --user-name ${iamUser} --access-key-id ${pair.accessKeyId}`);
  }
}
