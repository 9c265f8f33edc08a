// `ib-archive teardown`: read what setup made for this app and project, show the plan, one confirmation, then remove it.
import { detectAppType } from '../app-type.js';
import { createClients, registerSecrets } from '../clients.js';
import type { Deps } from '../context.js';
import { InputError } from '../errors.js';
import type { CommandFlags } from '../inputs/flags.js';
import { type TeardownInputs, resolveTeardownInputs } from '../inputs/teardown.js';
import { type PlannedStep, StepFailure, applySteps, changes, confirmAll, reading } from '../plan.js';
import { CommandFailure } from '../report.js';
import { bucketOfUrl, regionOfUrl } from '../s3url.js';
import { type StepId, StepLog } from '../steps.js';
import { herokuRemovalStage, opentokRemovalStage } from '../stages/app-removal.js';
import { iamRemovalStage } from '../stages/iam-removal.js';
import { s3RemovalStage } from '../stages/s3-removal.js';
import { type Stage, planStages } from '../stages/stage.js';
import { type TeardownContext, teardownContext } from '../stages/teardown-context.js';
import { defaultBucket } from '../validate.js';
import type { VarMap } from '../vars.js';

/** CONTRACT's teardown step ids, in report order. */
const TEARDOWN_ORDER: StepId[] = ['heroku.config-vars', 'opentok.storage', 'iam.access-key', 'iam.policy', 'iam.user', 's3.policy', 's3.public-access-block', 's3.cors', 's3.lifecycle', 's3.folder', 's3.archives', 's3.bucket'];
/** In apply order: a step waits only for steps listed before it, and the app's vars go last (a stopped run finds them). */
const TEARDOWN_STAGES: Stage<TeardownContext>[] = [opentokRemovalStage, iamRemovalStage, s3RemovalStage, herokuRemovalStage];

/** Removes the project's pieces (and the app's, when no other project uses the bucket); returns 0 or throws for the reporter. */
export async function teardown(flags: CommandFlags, deps: Deps): Promise<number> {
  const { out } = deps;
  registerSecrets(deps, flags.apiSecret);
  const inputs = await resolveTeardownInputs(flags, deps);
  registerSecrets(deps, inputs.apiSecret, inputs.heroku?.token);
  if (!deps.prompter.interactive && !inputs.yes && !inputs.dryRun) {
    throw new InputError('A teardown deletes cloud resources: a script must confirm it with --yes. Nothing was sent.', 'confirmation_required', ['--yes'], 'Re-run with --yes to accept, --dry-run to see the plan first, or run it in a terminal to be asked.');
  }
  const clients = createClients(deps, inputs);
  const log = new StepLog(out, TEARDOWN_ORDER);
  try {
    const ctx = await locate(deps, inputs, clients);
    const source = inputs.heroku ? `Heroku app ${inputs.heroku.app}` : `the values in ${inputs.varsFile ?? 'the environment'} (--no-heroku)`;
    out.result(out.c.bold(`ib-archive teardown${inputs.dryRun ? ' (dry run: nothing is changed)' : ''}: OpenTok project ${inputs.apiKey}, s3://${ctx.bucket}, ${source} (${ctx.appType})`));
    const steps = await planStages(ctx, TEARDOWN_STAGES);
    await confirmTeardown(ctx, steps);
    await applySteps(steps, log, inputs.dryRun);
    if (out.json) out.jsonDocument({ command: 'teardown', ok: true, dryRun: inputs.dryRun, steps: log.results });
    else printSummary(deps, inputs, log);
    return 0;
  } catch (err) {
    const cause = err instanceof StepFailure ? err.original : err;
    if (err instanceof StepFailure && !log.has(err.stepId) && !(cause instanceof InputError)) log.add(err.stepId, 'failed', 'could not be read (see below)');
    log.flush();
    throw new CommandFailure(cause, { dryRun: inputs.dryRun, steps: log.results }, log.changedAnything);
  }
}

/** The closing lines: what changed, what the tool could not do itself (the OpenTok storage), and that the archives stay. */
function printSummary({ out }: Deps, inputs: TeardownInputs, log: StepLog): void {
  const storage = log.results.find((r) => r.id === 'opentok.storage' && r.status === 'skipped');
  if (storage) out.warn(`Left to do: ${storage.detail}.`);
  const done = log.results.filter((r) => r.status === 'deleted' || r.status === 'updated' || r.status === 'planned').length;
  const what = inputs.dryRun ? `Dry run: ${done} change(s) planned, nothing changed.` : done ? `Done: ${done} change(s).` : 'Nothing to remove.';
  out.result(`\n${what}${inputs.deleteArchives ? '' : ` Archives under ${inputs.apiKey}/ stay (--delete-archives deletes them).`}`);
}

/** The app's vars (Heroku, --vars-file or the environment) name the bucket and its region; else ib-archive-<apiKey>. */
async function locate(deps: Deps, inputs: TeardownInputs, clients: ReturnType<typeof createClients>): Promise<TeardownContext> {
  const { heroku } = clients;
  const vars: VarMap = heroku && inputs.heroku ? await reading('heroku.config-vars', heroku.configVars(inputs.heroku.app)) : { ...inputs.localVars };
  registerSecrets(deps, vars.AWS_SECRET_ACCESS_KEY, vars.JWT_SECRET, vars.SECRET_KEY);
  const appType = detectAppType(inputs.heroku ? vars : undefined, inputs.appTypeFlag).type;
  const url = vars.S3_COMPOSEDVIDEO_URL ?? vars.BUCKET_URL;
  const bucket = inputs.bucketFlag ?? (vars.S3_BUCKET_NAME?.trim() || (url ? bucketOfUrl(url, inputs.endpoints.s3) : undefined) || defaultBucket(inputs.apiKey));
  return teardownContext(deps, inputs, clients, { bucket, region: regionOfUrl(url) ?? inputs.region, appType, vars });
}

/**
 * One confirmation after the plan: a question, or with archives to delete the bucket's name typed; a script needs --yes
 * (confirmPlan refuses, exit 2, before any write).
 */
async function confirmTeardown({ deps, inputs, bucket }: TeardownContext, steps: PlannedStep[]): Promise<void> {
  const todo = changes(steps);
  if (todo.length === 0) return;
  const explain = ['This teardown will remove:', ...todo.map((s) => `  ${s.id.padEnd(22)} ${s.detail}`)];
  const archives = todo.find((s) => s.id === 's3.archives');
  if (archives && deps.prompter.interactive && !inputs.yes && !inputs.dryRun) {
    for (const line of explain) deps.out.info(line);
    await deps.prompter.input({
      message: `Archives are deleted for good (${archives.detail}). Type the bucket name, ${bucket}, to confirm`,
      validate: (v) => (v.trim() === bucket ? true : `Type ${bucket} exactly to go on (Ctrl-C stops: nothing is changed)`),
    });
    return;
  }
  await confirmAll(deps, [{ need: `removing what setup made for project ${inputs.apiKey} on ${bucket}`, explain, question: 'Remove them?', declined: 'Declined: nothing was changed.' }], inputs);
}
