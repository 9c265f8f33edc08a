// `ib-archive setup`: read every cloud's state, confirm what needs consent, then converge S3 → IAM → Heroku → OpenTok.
import { PENDING_TAG, abandonKey, clearPending } from '../iam-key.js';
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
import type { AppType } from '../inputs/resolve.js';
import { regionProblem, regionWarning } from '../validate.js';

/** The stages of setup, in CONTRACT's order. */
const SETUP_STAGES = [identityStage, s3Stage, iamStage, herokuStage, opentokStage];

/** Runs the wizard; returns 0, or throws a CommandFailure for the reporter. */
export async function setup(flags: CommandFlags, deps: Deps): Promise<number> {
  const { out } = deps;
  registerSecrets(deps, flags.apiSecret);
  const inputs = await resolveSetupInputs(flags, deps);
  registerSecrets(deps, inputs.heroku?.token, inputs.apiSecret);
  const clients = createClients(deps, inputs);
  const ctx = setupContext(deps, inputs, clients);
  const log = new StepLog(out);
  const cleanup = once(() => abandonUnsavedKey(ctx));
  deps.onInterrupt.add(cleanup);
  try {
    out.result(out.c.bold(`ib-archive setup${inputs.dryRun ? ' (dry run: nothing is changed)' : ''}: OpenTok project ${inputs.apiKey} → s3://${inputs.bucket}${inputs.heroku ? ` → Heroku app ${inputs.heroku.app}` : ''}`));
    if (!inputs.configureOpentok && clients.opentok && deps.prompter.interactive && !inputs.dryRun) {
      inputs.configureOpentok = await deps.prompter.confirm({ message: "Point the OpenTok project's archive storage at this bucket now, through the OpenTok API (instead of the dashboard)?", default: true });
    }
    if (inputs.wizard && !inputs.appTypeFlag && inputs.heroku) await confirmAppType(ctx);
    const steps = await planStages(ctx, SETUP_STAGES);
    const [bucket, type] = await Promise.all([ctx.reads.bucket(), ctx.reads.appType()]);
    out.result(`App type: ${type.type === 'ibs' ? 'ibs (the IBS backend: BUCKET_URL alone, no AWS keys on the app)' : 'classic (the four config vars)'}, because ${type.why}.`);
    const refused = regionProblem(bucket.region);
    if (refused) throw new InputError(`Bucket ${inputs.bucket} is in ${bucket.region}, which ${refused}. Nothing was changed.`, 'unsupported_region', [], 'Use a bucket in another region: pass --bucket <new-name> --region <region>.');
    const caution = regionWarning(bucket.region);
    if (caution) out.warn(caution);
    if (bucket.exists && bucket.region !== inputs.region) out.info(out.c.yellow(`Bucket ${inputs.bucket} already exists in ${bucket.region}; it is used there and the URL follows that region.`));
    assertSecretHasADestination(inputs, ctx, type.type);
    await confirmPlan(deps, steps, inputs);
    await applySteps(steps, log, inputs.dryRun);
    // With --show-secrets and no other consumer, the printed report below is what holds the secret.
    if (!inputs.dryRun && inputs.showSecrets) ctx.key.stored();
    await settleNewKey(ctx);
    const configVars = finalVars(ctx, bucket.region, type.type);
    const summary = { inputs, type: type.type, steps: log.results, configVars, opentok: opentokReport(inputs, type.type, inputs.configureOpentok && !inputs.dryRun, storageTarget(ctx)) };
    if (out.json) out.jsonDocument(setupDocument(summary));
    else printSetupSummary(out, summary);
    return 0;
  } catch (err) {
    const cause = err instanceof StepFailure ? err.original : err;
    if (err instanceof StepFailure && !log.has(err.stepId) && !(cause instanceof InputError)) log.add(err.stepId, 'failed', 'could not be read (see below)');
    if (!(cause instanceof InputError)) await cleanup();
    log.flush();
    const left = log.results.filter((r) => (r.status === 'created' || r.status === 'updated') && r.id !== 'iam.access-key');
    if (left.length > 0 && ctx.key.state !== 'stored') out.info(`Left in place, and reused by the next run: ${left.map((r) => `${r.id} (${r.detail})`).join('; ')}.`);
    throw new CommandFailure(cause, { dryRun: inputs.dryRun, steps: log.results }, log.changedAnything);
  } finally {
    deps.onInterrupt.delete(cleanup);
  }
}

/**
 * A new key's secret must go somewhere: the Heroku app (classic), OpenTok (--configure-opentok), a vars file or the
 * screen. An ibs app never holds it, like --no-heroku: otherwise refused (exit 2) before anything changes.
 */
function assertSecretHasADestination(inputs: SetupInputs, ctx: SetupContext, type: AppType): void {
  if (ctx.key.state === 'reused' || inputs.varsFile || inputs.showSecrets) return;
  if (type === 'classic' && inputs.heroku) return;
  if (type === 'ibs' && inputs.configureOpentok && inputs.apiSecret) return;
  const why = type === 'ibs' ? 'the IBS backend never holds it, so it must go to OpenTok or be saved' : 'with --no-heroku it must go somewhere';
  throw new InputError(
    `A new access key would be created, and AWS shows its secret only once: ${why}. Nothing was changed.`,
    'secret_destination_missing',
    [...(type === 'ibs' ? ['--configure-opentok'] : []), '--vars-file', '--show-secrets'],
    `${type === 'ibs' ? 'Add --configure-opentok --api-secret <secret> to hand the key to OpenTok through its API, or ' : 'Add '}--vars-file <path> to save the vars in a file (mode 0600), or --show-secrets to print them.`,
  );
}

/** The wizard names the app type it found and lets the person correct it. */
async function confirmAppType(ctx: SetupContext): Promise<void> {
  const found = await ctx.reads.appType();
  const choice = await ctx.deps.prompter.select<AppType>({
    message: `What runs on ${ctx.inputs.heroku!.app}? (found: ${found.type}, because ${found.why})`,
    choices: [
      { name: 'interactive-broadcast-js (classic: the four config vars)', value: 'classic' },
      { name: 'interactive-broadcast-api, the IBS backend (BUCKET_URL alone)', value: 'ibs' },
    ],
    default: found.type,
  });
  if (choice !== found.type) ctx.inputs.appTypeFlag = choice;
}

/** Once a consumer holds the app's key, the user's pending mark goes (this run's, or one an interrupted run left). */
async function settleNewKey(ctx: SetupContext): Promise<void> {
  if (ctx.inputs.dryRun) return;
  const marked = ctx.key.state === 'stored' || (ctx.key.state === 'reused' && PENDING_TAG in (await ctx.reads.iam()).tags);
  if (marked) await clearPending(ctx.aws, (await ctx.reads.iam()).userName);
}

/** A new key whose secret no consumer took is deleted, so that nothing is left orphaned. */
async function abandonUnsavedKey(ctx: SetupContext): Promise<void> {
  const iamUser = await ctx.reads.iam().then((r) => r.userName, () => undefined);
  if (iamUser) await abandonKey(ctx.deps, ctx.aws, iamUser, ctx.key, 'setup');
}
