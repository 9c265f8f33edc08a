// `ib-archive setup`: read every cloud's state, confirm what needs consent, then converge S3 → IAM → Heroku → OpenTok.
import { CloudError, InputError, InterruptedError, isKnownError } from '../errors.js';
import type { Deps } from '../context.js';
import { type CommandFlags, type SetupInputs, resolveSetupInputs } from '../inputs.js';
import { type PlannedStep, StepFailure, allInOrder, applySteps } from '../plan.js';
import { composedVideoUrl } from '../s3url.js';
import { imagesBucketOf } from '../policy.js';
import { regionWarning } from '../validate.js';
import { type StepId, type StepResult, StepLog } from '../steps.js';
import { type AwsClients, type AwsKey, awsFailure, createAwsClients } from '../services/aws.js';
import { type HerokuApi, createHerokuApi } from '../services/heroku.js';
import { type OpenTokApi, type StorageTarget, createOpenTokApi } from '../services/opentok.js';
import { inspectBucket, inspectS3, planS3 } from '../stages/s3.js';
import { type KeyHolder, chooseKey, deleteKey, inspectIam, planIam } from '../stages/iam.js';
import {
  type ConfigVars,
  VAR_NAMES,
  askAfterHerokuFailure,
  describeChanges,
  desiredVars,
  diffVars,
  assertEnvFileWritable,
  readEnvFile,
  storedKey,
  writeEnvFile,
} from '../stages/heroku.js';
import { tokboxReport, printTokbox, type TokboxReport } from '../stages/tokbox.js';

export interface SetupOutcome {
  exitCode: number;
}

interface Identity {
  account: string;
  arn: string;
}

async function callerIdentity(aws: AwsClients): Promise<Identity> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  try {
    const id = await (await aws.sts()).send(new GetCallerIdentityCommand({}));
    return { account: id.Account ?? '', arn: id.Arn ?? '' };
  } catch (err) {
    throw awsFailure('Checking your AWS credentials (sts get-caller-identity)', err);
  }
}

type StorageRead = Awaited<ReturnType<OpenTokApi['readStorage']>>;

/**
 * Checks the OpenTok key and secret. With --configure-opentok the storage target is read first: an answer with the
 * target proves the credentials too (no session is created); where the API cannot read it back, createSession does.
 */
async function checkOpenTok(opentok: OpenTokApi | undefined, configure: boolean): Promise<StorageRead | undefined> {
  if (!opentok) return undefined;
  if (!configure) {
    await opentok.verifyCredentials();
    return undefined;
  }
  const storage = await opentok.readStorage();
  if (!storage.target) await opentok.verifyCredentials();
  return storage;
}

/** A read of the first phase, named after the step whose state it reads (so a failure is reported on that step). */
function reading<T>(stepId: StepId, promise: Promise<T>): Promise<T> {
  return promise.catch((err: unknown) => {
    throw new StepFailure(stepId, err);
  });
}

async function pickApp(deps: Deps, heroku: HerokuApi): Promise<string> {
  const apps = await heroku.listApps();
  if (apps.length === 0) throw new CloudError('This Heroku account has no apps.', 'heroku_no_apps', 'Deploy Interactive Broadcast first (its README has a Deploy to Heroku button), then re-run with --app <name>.');
  return deps.prompter.select({
    message: 'Heroku app running Interactive Broadcast',
    choices: apps.map((a) => ({ name: a.name, value: a.name, description: a.web_url })).sort((a, b) => a.name.localeCompare(b.name)),
  });
}

/** Runs the wizard; returns the exit code (errors are reported here, in text or JSON). */
export async function runSetup(flags: CommandFlags, deps: Deps): Promise<SetupOutcome> {
  const { out } = deps;
  const log = new StepLog(out);
  const holder: KeyHolder = { unsaved: false };
  let inputs: SetupInputs | undefined;
  let aws: AwsClients | undefined;
  let configVars: ConfigVars | undefined;
  let tokbox: TokboxReport | undefined;

  let cleaning: Promise<void> | undefined;
  // Runs once, on an interrupt or a failure, whichever comes first.
  const cleanup = () => (cleaning ??= deleteUnsavedKey());
  const deleteUnsavedKey = async () => {
    // A key being created, or the PATCH that stores it, may be in flight: its answer decides what is left to delete.
    if (holder.pending) await Promise.race([holder.pending, deps.sleep(3000)]);
    if (!holder.unsaved || !holder.key || !aws || !inputs) return;
    holder.abandoned = true;
    const id = holder.key.accessKeyId;
    try {
      await deleteKey(aws, inputs.iamUser, id);
      holder.unsaved = false;
      out.warn(`The new access key ${id} was deleted: its secret could not be stored, so nothing is left orphaned. Re-run ib-archive setup to finish.`);
    } catch {
      out.warn(`The new access key ${id} could not be deleted; its secret was not stored. Delete it with: aws iam delete-access-key --user-name ${inputs.iamUser} --access-key-id ${id}`);
    }
  };
  deps.onInterrupt.add(cleanup);

  try {
    for (const name of ['AWS_SECRET_ACCESS_KEY', 'HEROKU_API_KEY', 'OPENTOK_API_SECRET', 'AWS_SESSION_TOKEN']) out.addSecret(deps.env[name]);
    out.addSecret(flags.apiSecret);
    inputs = await resolveSetupInputs(flags, deps);
    out.addSecret(inputs.heroku?.token);
    out.addSecret(inputs.apiSecret);
    const debugLine = (line: string) => out.debug(line);
    const timeouts = { requestTimeoutMs: deps.requestTimeoutMs };
    aws = createAwsClients({ region: inputs.region, profile: inputs.profile, credentials: inputs.credentials, endpoints: inputs.endpoints, onRequest: debugLine, ...timeouts });
    const heroku = inputs.heroku ? createHerokuApi(inputs.heroku.token, inputs.endpoints.heroku, { sleep: deps.sleep, onRequest: debugLine, ...timeouts }) : undefined;
    const opentok = inputs.apiSecret ? createOpenTokApi(inputs.apiKey, inputs.apiSecret, inputs.endpoints.opentok, { sleep: deps.sleep, onRequest: debugLine, ...timeouts }) : undefined;

    if (heroku && inputs.heroku && !inputs.heroku.app) inputs.heroku.app = await pickApp(deps, heroku);
    const app = inputs.heroku?.app;
    out.result(out.c.bold(`ib-archive setup${inputs.dryRun ? ' (dry run: nothing is changed)' : ''}: OpenTok project ${inputs.apiKey} → s3://${inputs.bucket}${app ? ` → Heroku app ${app}` : ''}`));

    // Phase 1: read everything, concurrently. Nothing is changed before every read and every consent is in.
    const [identity, currentVars, envFileVars, bucketState, iamState, earlyStorage] = await allInOrder<
      [Identity, Record<string, string> | undefined, Record<string, string> | undefined, Awaited<ReturnType<typeof inspectBucket>>, Awaited<ReturnType<typeof inspectIam>>, StorageRead | undefined]
    >([
      reading('aws.identity', callerIdentity(aws)),
      reading('heroku.config-vars', heroku && app ? heroku.configVars(app) : Promise.resolve(undefined)),
      inputs.envFile ? assertEnvFileWritable(inputs.envFile).then(() => readEnvFile(inputs!.envFile!)) : Promise.resolve(undefined),
      reading('s3.bucket', inspectBucket(aws, inputs.bucket, inputs.region)),
      reading('iam.user', inspectIam(aws, inputs.iamUser)),
      reading('opentok.storage', checkOpenTok(opentok, inputs.configureOpentok)),
    ]);
    log.add('aws.identity', 'unchanged', `account ${identity.account} as ${identity.arn}`);
    const regionCaution = regionWarning(bucketState.exists ? bucketState.region : inputs.region);
    if (regionCaution) out.warn(regionCaution);
    if (bucketState.exists && bucketState.region !== inputs.region) {
      out.info(out.c.yellow(`Bucket ${inputs.bucket} already exists in ${bucketState.region}; it is used there and the URL follows that region.`));
    }

    const stored = storedKey(currentVars) ?? storedKey(envFileVars);
    out.addSecret(stored?.secretAccessKey);
    const [s3State, keyChoice] = await allInOrder<[Awaited<ReturnType<typeof inspectS3>>, Awaited<ReturnType<typeof chooseKey>>]>([
      inspectS3(aws, inputs, bucketState),
      reading('iam.access-key', chooseKey(deps, aws, inputs, iamState, stored)),
    ]);

    if (!inputs.heroku && !keyChoice.reuse && !inputs.envFile && !inputs.showSecrets) {
      throw new InputError(
        'A new access key would be created, and AWS shows its secret only once: with --no-heroku it must go somewhere. Nothing was changed.',
        'secret_destination_missing',
        ['--env-file', '--show-secrets'],
        'Add --env-file <path> to save the four vars in a file (mode 0600), or --show-secrets to print them.',
      );
    }

    const region = bucketState.region;
    const url = composedVideoUrl(inputs.bucket, region, inputs.endpoints.s3);
    const s3Plan = planS3(deps, aws, inputs, s3State, identity.account);
    const iamSteps = planIam(deps, aws, inputs, iamState, region, keyChoice, holder, { imagesBucket: imagesBucketOf(currentVars) });

    // What the Heroku vars will become ("(new key)" until the key exists).
    const pendingKey: AwsKey = keyChoice.reuse ?? { accessKeyId: '(new key)', secretAccessKey: '(new secret)' };
    const planned = desiredVars(pendingKey, inputs.bucket, url);
    const { changes, replaced } = diffVars(currentVars ?? {}, planned);

    let configureOpentok = inputs.configureOpentok;
    if (!configureOpentok && opentok && deps.prompter.interactive && !inputs.dryRun) {
      configureOpentok = await deps.prompter.confirm({ message: "Point the OpenTok project's archive storage at this bucket now, through the OpenTok API (instead of the dashboard)?", default: true });
    }
    const storage = configureOpentok && opentok ? (earlyStorage ?? (await reading('opentok.storage', opentok.readStorage()))) : undefined;

    await confirmChanges(deps, inputs, s3Plan, app, replaced);

    // Phase 2: apply S3 and IAM, then Heroku, then OpenTok.
    // S3 and IAM do not depend on each other: their steps run side by side (each list keeps its own order).
    await applySteps([...s3Plan.steps, ...iamSteps], log, inputs.dryRun);
    const notAbandoned = () => {
      if (holder.abandoned) throw new InterruptedError();
    };
    notAbandoned();

    const finalVars = () => desiredVars(holder.key ?? pendingKey, inputs!.bucket, url);
    if (inputs.envFile && !inputs.dryRun) {
      await writeEnvFile(inputs.envFile, finalVars());
      // The file has the secret now: if Heroku then fails, the key is kept for a re-run with the same --env-file.
      holder.unsaved = false;
      out.result(`  wrote the four vars to ${inputs.envFile} (mode 0600)`);
    }
    // With --no-heroku --show-secrets the secret is saved only once the final report has printed it.

    const herokuStep: PlannedStep = !heroku || !app
      ? { id: 'heroku.config-vars', status: 'skipped', detail: inputs.envFile ? `--no-heroku: written to ${inputs.envFile}` : '--no-heroku: printed below' }
      : changes.length === 0
        ? { id: 'heroku.config-vars', status: 'unchanged', detail: `${app} has all four vars` }
        : {
            id: 'heroku.config-vars',
            status: VAR_NAMES.some((n) => currentVars?.[n]) ? 'updated' : 'created',
            detail: `${app}: ${changes.map((c) => c.name).join(', ')} (one release)`,
            apply: async () => {
              await patchVars(deps, heroku, app, finalVars, inputs!, holder, notAbandoned);
              holder.unsaved = false;
            },
          };
    await applySteps([herokuStep], log, inputs.dryRun);
    configVars = finalVars();

    const target: StorageTarget = {
      type: 's3',
      config: {
        bucket: inputs.bucket,
        accessKey: (holder.key ?? pendingKey).accessKeyId,
        secretKey: (holder.key ?? pendingKey).secretAccessKey,
        ...(inputs.endpoints.s3 ? { endpoint: inputs.endpoints.s3 } : {}),
        sse: inputs.sse,
      },
      fallback: inputs.fallback,
    };
    notAbandoned();
    await applySteps([planOpenTok(opentok, inputs, configureOpentok, storage, target, Boolean(keyChoice.reuse))], log, inputs.dryRun);
    tokbox = tokboxReport(inputs, configVars, app, configureOpentok && !inputs.dryRun, target);
    return finish(deps, inputs, log.results, configVars, tokbox, true);
  } catch (err) {
    const cause = err instanceof StepFailure ? err.original : err;
    if (err instanceof StepFailure && !log.has(err.stepId) && !(cause instanceof InputError) && !(cause instanceof InterruptedError)) {
      log.add(err.stepId, 'failed', cause instanceof Error ? cause.message.split('\n')[0]! : String(cause));
    }
    if (!(cause instanceof InputError)) await cleanup();
    log.flush();
    return reportFailure(deps, inputs, log.results, cause, configVars);
  } finally {
    deps.onInterrupt.delete(cleanup);
  }
}

/** Asks for (or, in scripts, demands --yes for) making the folder public and replacing differing vars. */
async function confirmChanges(deps: Deps, inputs: SetupInputs, s3Plan: ReturnType<typeof planS3>, app: string | undefined, replaced: ReturnType<typeof diffVars>['replaced']): Promise<void> {
  if (inputs.dryRun || inputs.yes) return;
  const needs: string[] = [];
  if (s3Plan.needsPublicConsent) needs.push(`making s3://${inputs.bucket}/${inputs.apiKey}/* publicly readable`);
  if (replaced.length > 0) needs.push(`replacing ${replaced.map((r) => r.name).join(', ')} on Heroku app ${app}`);
  if (needs.length === 0) return;
  if (!deps.prompter.interactive) {
    throw new InputError(`This run needs your consent for ${needs.join(' and ')}. Nothing was changed.`, 'confirmation_required', ['--yes'], 'Re-run with --yes to accept (or run it in a terminal to be asked).');
  }
  if (s3Plan.needsPublicConsent) {
    deps.out.info(s3Plan.publicChange);
    const ok = await deps.prompter.confirm({ message: `Make ${inputs.apiKey}/* in ${inputs.bucket} publicly readable (the app links archives there)?`, default: true });
    if (!ok) throw new InputError('Declined: archives must be publicly readable for the app to play them. Nothing was changed.', 'declined');
  }
  if (replaced.length > 0) {
    deps.out.info(`These config vars of ${app} have other values now:`);
    for (const line of describeChanges(replaced)) deps.out.info(line);
    const ok = await deps.prompter.confirm({ message: `Replace them (one release restarts the app)?`, default: true });
    if (!ok) throw new InputError('Declined: the config vars were left as they are. Nothing was changed.', 'declined');
  }
}

/** One PATCH of the four vars; interactive runs may retry or save the values to a file when Heroku keeps failing. */
async function patchVars(
  deps: Deps,
  heroku: HerokuApi,
  app: string,
  vars: () => ConfigVars,
  inputs: SetupInputs,
  holder: KeyHolder,
  notAbandoned: () => void,
): Promise<void> {
  for (;;) {
    notAbandoned();
    try {
      const patching = heroku.patchConfigVars(app, vars());
      holder.pending = patching.then(
        () => (holder.unsaved = false),
        () => undefined,
      );
      await patching;
      return;
    } catch (err) {
      if (!deps.prompter.interactive || !isKnownError(err)) throw err;
      const choice = await askAfterHerokuFailure(deps.prompter, err.message);
      if (choice === 'retry') continue;
      if (choice === 'file') {
        const path = await deps.prompter.input({ message: 'File to write', default: '.env.ib-archive' });
        await writeEnvFile(path, vars());
        deps.out.result(`  wrote the four vars to ${path} (mode 0600); set them with: heroku config:set $(cat ${path}) -a ${app}`);
        inputs.envFile = path;
        return;
      }
      throw err;
    }
  }
}

function planOpenTok(
  opentok: OpenTokApi | undefined,
  inputs: SetupInputs,
  configure: boolean,
  storage: Awaited<ReturnType<OpenTokApi['readStorage']>> | undefined,
  target: StorageTarget,
  keyReused: boolean,
): PlannedStep {
  if (!configure || !opentok) {
    return { id: 'opentok.storage', status: 'skipped', detail: opentok ? 'key and secret verified; dashboard step below' : 'dashboard step below' };
  }
  const current = storage?.target;
  const same =
    keyReused &&
    current?.type === target.type &&
    current.config?.bucket === target.config.bucket &&
    current.config?.accessKey === target.config.accessKey &&
    (current.config?.endpoint ?? undefined) === target.config.endpoint &&
    (current.config?.sse ?? 's3') === target.config.sse &&
    current.fallback === target.fallback;
  if (same) return { id: 'opentok.storage', status: 'unchanged', detail: `project ${inputs.apiKey} archives to ${target.config.bucket}` };
  return {
    id: 'opentok.storage',
    status: storage?.readable && !current ? 'created' : 'updated',
    detail: `project ${inputs.apiKey} archives to ${target.config.bucket} (sse ${target.config.sse}, fallback ${target.fallback})`,
    apply: () => opentok.putStorage(target),
  };
}

function finish(deps: Deps, inputs: SetupInputs, steps: StepResult[], configVars: ConfigVars, tokbox: TokboxReport, ok: boolean): SetupOutcome {
  const { out } = deps;
  const shownVars = { ...configVars, AWS_SECRET_ACCESS_KEY: inputs.showSecrets ? configVars.AWS_SECRET_ACCESS_KEY : '<redacted>' };
  if (out.json) {
    out.jsonDocument({ command: 'setup', ok, dryRun: inputs.dryRun, steps, configVars: shownVars, tokbox: { ...tokbox, secretAccessKey: shownVars.AWS_SECRET_ACCESS_KEY } });
    return { exitCode: 0 };
  }
  out.result('');
  if (inputs.dryRun) {
    out.result(`Dry run: ${steps.filter((s) => s.status === 'planned').length} change(s) planned, nothing changed. Run again without --dry-run to apply.`);
    return { exitCode: 0 };
  }
  out.result(inputs.heroku ? `Heroku app ${inputs.heroku.app} has:` : 'The four config vars for the app:');
  for (const name of VAR_NAMES) {
    const value = name === 'AWS_SECRET_ACCESS_KEY' && !inputs.showSecrets ? `${'*'.repeat(8)}${inputs.heroku ? `  (heroku config:get ${name} -a ${inputs.heroku.app})` : inputs.envFile ? `  (in ${inputs.envFile})` : ''}` : configVars[name];
    out.result(`  ${name.padEnd(22)} ${value}`);
  }
  printTokbox(out, tokbox);
  out.result('');
  const source = inputs.heroku ? ` --app ${inputs.heroku.app}` : ` --no-heroku${inputs.envFile ? ` --env-file ${inputs.envFile}` : ''}`;
  out.result(`Check the whole chain any time: ib-archive doctor --api-key ${inputs.apiKey}${source}${inputs.profile ? ` --profile ${inputs.profile}` : ''}`);
  return { exitCode: 0 };
}

function reportFailure(deps: Deps, inputs: SetupInputs | undefined, steps: StepResult[], err: unknown, configVars: ConfigVars | undefined): SetupOutcome {
  const { out } = deps;
  const known = isKnownError(err);
  const exitCode = known ? err.exitCode : 1;
  const code = known ? (err as { code?: string }).code ?? 'interrupted' : 'internal_error';
  const message = err instanceof Error ? err.message : String(err);
  const fix = err instanceof CloudError || err instanceof InputError ? err.fix : undefined;
  const missing = err instanceof InputError ? err.missing : [];
  if (out.json) {
    const doc: Record<string, unknown> = { command: 'setup', ok: false, dryRun: inputs?.dryRun ?? false, steps };
    if (configVars) doc.configVars = { ...configVars, AWS_SECRET_ACCESS_KEY: inputs?.showSecrets ? configVars.AWS_SECRET_ACCESS_KEY : '<redacted>' };
    doc.error = { code, message, ...(fix ? { fix } : {}), missing };
    out.jsonDocument(doc);
  } else if (exitCode === 130) {
    out.info(`\n${message} Re-run the same command to finish: it resumes where it stopped.`);
  } else {
    for (const line of message.split('\n')) out.error(line);
    if (fix) out.info(fix);
    if (!known) out.info(out.c.dim('This is a bug in ib-archive; re-run with --debug for details.'));
    if (exitCode === 1 && steps.length > 0) out.info(out.c.dim('Re-run the same command to resume: every step checks what is already done.'));
  }
  if (!known && out.opts.debug) out.debug((err as Error)?.stack ?? String(err));
  return { exitCode };
}
