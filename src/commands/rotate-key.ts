// `ib-archive rotate-key`: a new key for the app's IAM user, handed to every consumer before the old one goes.
import { detectAppType } from '../app-type.js';
import { inspectBucket } from '../bucket.js';
import { createClients, registerSecrets } from '../clients.js';
import type { Deps } from '../context.js';
import { CloudError, InputError } from '../errors.js';
import { NEW_KEY_TAG, PENDING_TAG, type KeyOwner, abandonKey, clearPending, findKeyOwner, listUserKeys, tagUser, readUser } from '../iam-key.js';
import { resolveReaderInputs } from '../inputs/doctor.js';
import type { CommandFlags } from '../inputs/flags.js';
import { AppKey } from '../key.js';
import { once } from '../once.js';
import { StepFailure, applySteps } from '../plan.js';
import { CommandFailure } from '../report.js';
import { bucketOfUrl, regionOfUrl } from '../s3url.js';
import { StepLog } from '../steps.js';
import { MANAGED_TAG, OPENTOK_KEY_TAG } from '../stages/iam.js';
import { ROTATION_STEPS, type RotationContext, judgeRotation, planRotation } from '../stages/rotation.js';
import { dedicatedUserName } from '../validate.js';
import { storedKey } from '../vars.js';

export async function rotateKey(flags: CommandFlags, deps: Deps): Promise<number> {
  const { out } = deps;
  registerSecrets(deps, flags.apiSecret);
  const inputs = await resolveReaderInputs(flags, deps, { appMessage: "Heroku app whose key to rotate" });
  registerSecrets(deps, inputs.heroku?.token, inputs.apiSecret, inputs.localVars?.AWS_SECRET_ACCESS_KEY);
  const { aws, heroku, opentok } = createClients(deps, inputs);
  const app = inputs.heroku?.app;
  const vars = heroku && app ? await heroku.configVars(app) : { ...inputs.localVars };
  registerSecrets(deps, vars.AWS_SECRET_ACCESS_KEY);
  const type = detectAppType(app ? vars : undefined, inputs.appTypeFlag).type;
  if (type === 'ibs' && !opentok) throw new InputError("An ibs app's only key consumer is OpenTok's archive storage: rotating needs --api-secret. Nothing was changed.", 'missing_input', ['--api-secret'], 'Pass --api-secret <secret> (or OPENTOK_API_SECRET).');
  if (!app && !inputs.varsFile) throw new InputError('With --no-heroku the new key must go somewhere: pass --vars-file <path> (the file is rewritten atomically, mode 0600). Nothing was changed.', 'missing_input', ['--vars-file'], 'Pass the vars file setup wrote with --vars-file <path>.');
  const url = type === 'ibs' ? vars.BUCKET_URL : vars.S3_COMPOSEDVIDEO_URL;
  const bucket = inputs.bucketFlag ?? (vars.S3_BUCKET_NAME?.trim() || bucketOfUrl(url ?? '', inputs.endpoints.s3));
  if (!bucket) throw new InputError(`The app has no ${type === 'ibs' ? 'BUCKET_URL' : 'S3_BUCKET_NAME'}: nothing says which bucket its archives go to. Nothing was changed.`, 'missing_input', ['--bucket'], 'Run ib-archive setup for the app first, or pass --bucket <name>.');
  const region = regionOfUrl(url) ?? (inputs.endpoints.s3 ? inputs.region : (await inspectBucket(aws, bucket, inputs.region)).region);

  // Which user, and which key the consumers hold now. Its tags matter only when it has more than one key (an
  // interrupted run's mark tells which is which) or for an ibs app (the key OpenTok holds is recorded there).
  let userName = inputs.iamUserFlag ?? dedicatedUserName({ app, bucket });
  const stored = storedKey(vars);
  const found: KeyOwner = type === 'classic' && stored && !inputs.iamUserFlag ? await findKeyOwner(aws, userName, stored) : { defaultKeys: await listUserKeys(aws, userName) };
  let keys = found.defaultKeys;
  // A managed user that holds the key is adopted.
  if (found.user && found.user !== userName && (await readUser(aws, found.user)).tags[MANAGED_TAG]) [userName, keys] = [found.user, await listUserKeys(aws, found.user)];
  if (!keys) throw new CloudError(`IAM user ${userName} does not exist.`, 'no_such_user', 'Run ib-archive setup for the app first (it makes the dedicated user), or name the user with --iam-user <name>.');
  const user = keys.length > 1 || type === 'ibs' ? await readUser(aws, userName) : { exists: true, tags: {} as Record<string, string> };
  const storage = opentok ? await opentok.readStorage() : undefined;
  const currentId = type === 'ibs' ? (storage?.target?.config.accessKey ?? user.tags[OPENTOK_KEY_TAG]) : stored?.accessKeyId;
  if (!currentId) throw new CloudError(`The app holds no access key of ${userName} to rotate.`, 'no_key', 'Run ib-archive setup for the app first: it gives the app its key.');
  const state = judgeRotation(userName, user.tags, keys, stored ?? { accessKeyId: currentId, secretAccessKey: '' });
  if (state.unfinished && !state.current.secretAccessKey) {
    throw new CloudError(`OpenTok holds ${currentId}, made by an unfinished rotation, but its secret is nowhere ib-archive can read.`, 'key_secret_unknown', `Delete the older key ${state.unfinished.id} once archives work, or delete ${currentId} and re-run ib-archive rotate-key.`);
  }

  const key = new AppKey();
  const ctx: RotationContext = { deps, aws, heroku, opentok, app, varsFile: inputs.varsFile, type, apiKey: inputs.apiKey, bucket, region, endpoint: inputs.endpoints.s3, userName, keepOld: Boolean(flags.keepOld), key };
  const cleanup = once(() => abandonKey(deps, aws, userName, key, 'rotate-key'));
  deps.onInterrupt.add(cleanup);
  const log = new StepLog(out, ROTATION_STEPS);
  const oldKey = state.unfinished?.id ?? currentId;
  try {
    out.result(out.c.bold(`ib-archive rotate-key${inputs.dryRun ? ' (dry run: nothing is changed)' : ''}: IAM user ${userName}, ${app ? `Heroku app ${app}` : inputs.varsFile} (${type}), OpenTok project ${inputs.apiKey}`));
    const steps = planRotation(ctx, state, { type: 's3', fallback: storage?.target?.fallback ?? 'opentok', config: { sse: storage?.target?.config.sse ?? 's3' } });
    await applySteps(steps, log, inputs.dryRun);
    if (!inputs.dryRun) {
      if (type === 'ibs') await tagUser(aws, userName, { [OPENTOK_KEY_TAG]: key.current.accessKeyId });
      // Until OpenTok has the new key the mark stays: it tells the next run which of the two keys is the new one.
      if (opentok && (PENDING_TAG in user.tags || NEW_KEY_TAG in user.tags || key.state === 'stored')) await clearPending(aws, userName);
    }
    const newKey = inputs.dryRun ? '(new key)' : key.current.accessKeyId;
    if (out.json) out.jsonDocument({ command: 'rotate-key', ok: true, dryRun: inputs.dryRun, oldKey, newKey, steps: log.results });
    else printNext(deps, inputs.dryRun, Boolean(opentok), oldKey, newKey, flags, `--api-key ${inputs.apiKey} ${app ? `--app ${app}` : `--no-heroku --vars-file ${inputs.varsFile}`}`);
    return 0;
  } catch (err) {
    const cause = err instanceof StepFailure ? err.original : err;
    await cleanup();
    log.flush();
    throw new CommandFailure(cause, { dryRun: inputs.dryRun, oldKey, newKey: key.pair?.accessKeyId ?? null, steps: log.results }, log.changedAnything);
  } finally {
    deps.onInterrupt.delete(cleanup);
  }
}

/** What is done, and exactly what is left when OpenTok could not be switched. */
function printNext(deps: Deps, dryRun: boolean, switchedOpenTok: boolean, oldKey: string, newKey: string, flags: CommandFlags, names: string): void {
  const { out } = deps;
  out.result('');
  if (dryRun) return out.result('Dry run: nothing changed. Run again without --dry-run to rotate.');
  if (switchedOpenTok) return out.result(`Every consumer uses ${newKey} now; ${oldKey} was ${flags.keepOld ? 'deactivated (delete it later with: aws iam delete-access-key …)' : 'deleted'}.`);
  out.result(`The app uses ${newKey} now. OpenTok's archive storage may still use ${oldKey}, so it stays active. Finish with:`);
  out.result(`  ib-archive rotate-key ${names} --api-secret "$OPENTOK_API_SECRET"`);
  out.result(`  (it points the storage at ${newKey} and then deletes ${oldKey}), or paste ${newKey} into the dashboard's Archiving settings and re-run.`);
}
