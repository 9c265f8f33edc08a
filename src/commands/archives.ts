// `ib-archive archives`: the project's recent recordings and where each file really is; `--rescue` brings home the ones left in the OpenTok cloud.
import type { Deps } from '../context.js';
import { REQUEST_TIMEOUT_MS } from '../context.js';
import { CloudError, InputError, isKnownError } from '../errors.js';
import { StepFailure, applySteps } from '../plan.js';
import { StepLog } from '../steps.js';
import { createAwsClients } from '../services/aws.js';
import { createHerokuApi } from '../services/heroku.js';
import { createOpenTokApi } from '../services/opentok.js';
import { withSpinner } from '../io/output.js';
import { regionOfUrl } from '../checks/facts.js';
import { inspectBucket } from '../stages/s3.js';
import { type ArchivesFlags, type ArchivesInputs, resolveArchivesInputs } from '../archives/inputs.js';
import { type ArchiveRow, listRecentArchives, locateArchives, waitingInOpenTok } from '../archives/inventory.js';
import { appTypeOf, bucketOfUrl } from '../archives/links.js';
import { archiveJson, count, printArchiveTable } from '../archives/render.js';
import { type RescueContext, type RescueRecord, abortIncompleteUploads, formatBytes, planRescue } from '../archives/rescue.js';

/** Runs the command; returns the exit code (0 done, 1 a cloud call or a rescue failed, 2 bad input). */
export async function runArchives(flags: ArchivesFlags, deps: Deps): Promise<number> {
  const { out } = deps;
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'HEROKU_API_KEY', 'OPENTOK_API_SECRET', 'AWS_SESSION_TOKEN']) out.addSecret(deps.env[name]);
  out.addSecret(flags.apiSecret);
  let inputs: ArchivesInputs | undefined;
  let rows: ArchiveRow[] = [];
  const records: RescueRecord[] = [];
  try {
    inputs = await resolveArchivesInputs(flags, deps);
    out.addSecret(inputs.apiSecret);
    out.addSecret(inputs.heroku?.token);
    const debug = (line: string) => out.debug(line);
    const timeouts = { requestTimeoutMs: deps.requestTimeoutMs };
    const aws = createAwsClients({ region: inputs.region, profile: inputs.profile, credentials: inputs.credentials, endpoints: inputs.endpoints, onRequest: debug, ...timeouts });
    const opentok = createOpenTokApi(inputs.apiKey, inputs.apiSecret, inputs.endpoints.opentok, { sleep: deps.sleep, onRequest: debug, ...timeouts });
    const vars = inputs.heroku
      ? await createHerokuApi(inputs.heroku.token, inputs.endpoints.heroku, { sleep: deps.sleep, onRequest: debug, ...timeouts }).configVars(inputs.heroku.app)
      : { ...inputs.localVars };
    for (const name of ['AWS_SECRET_ACCESS_KEY', 'JWT_SECRET', 'SECRET_KEY']) out.addSecret(vars[name]);
    const appType = inputs.appType ?? appTypeOf(vars);
    const baseUrl = appType === 'ibs' ? vars.BUCKET_URL : vars.S3_COMPOSEDVIDEO_URL;
    const bucket = inputs.bucketFlag ?? (vars.S3_BUCKET_NAME?.trim() || bucketOfUrl(baseUrl));
    if (!bucket) {
      throw new InputError(
        `No bucket to look in: the app has neither S3_BUCKET_NAME nor ${appType === 'ibs' ? 'BUCKET_URL' : 'S3_COMPOSEDVIDEO_URL'}.`,
        'missing_input',
        ['--bucket'],
        'Pass the bucket OpenTok uploads to with --bucket <name>.',
      );
    }
    const located = await inspectBucket(aws, bucket, regionOfUrl(baseUrl) ?? inputs.region).catch((err: unknown) => {
      if (err instanceof CloudError && err.code === 'bucket_not_yours') {
        throw new CloudError(`Your AWS credentials may not use bucket ${bucket}.`, err.code, 'Use the credentials of the account that owns it (--profile, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), or name the right bucket with --bucket.');
      }
      throw err;
    });
    if (!located.exists) throw new CloudError(`Bucket ${bucket} does not exist.`, 'no_such_bucket', `Check --bucket (or the app's vars), or create the set-up with ib-archive setup --api-key ${inputs.apiKey}.`);
    const s3 = await aws.s3(located.region);
    const source = inputs.heroku ? `Heroku app ${inputs.heroku.app}` : `the values in ${inputs.varsFile ?? 'the environment'} (--no-heroku)`;
    out.result(out.c.bold(`ib-archive archives${inputs.dryRun ? ' (dry run: nothing is changed)' : ''}: OpenTok project ${inputs.apiKey}, s3://${bucket}, ${source} (${appType})`));

    const archives = await listRecentArchives(opentok, inputs.limit);
    rows = await locateArchives(archives, { apiKey: inputs.apiKey, bucket, s3: async () => s3, vars, appType, now: deps.now() });
    if (rows.length === 0) out.result(`No archives in project ${inputs.apiKey}.`);
    else printArchiveTable(out, rows);

    const waiting = waitingInOpenTok(rows);
    out.result('');
    const lost = rows.filter((r) => r.location === 'lost');
    if (lost.length > 0) out.result(`${count(lost.length, 'archive')} lost: the bucket does not have ${lost.length === 1 ? 'it' : 'them'}, and OpenTok keeps no copy.`);
    if (waiting.length === 0) {
      out.result(rows.length ? 'Nothing to rescue: no archive waits in the OpenTok cloud.' : 'Nothing to rescue.');
      return finish(deps, inputs, rows, records, true);
    }
    const total = waiting.reduce((n, r) => n + r.size, 0);
    const soonest = Math.min(...waiting.map((r) => r.hoursLeft ?? 0));
    out.result(`${count(waiting.length, 'archive')} missed the bucket and ${waiting.length === 1 ? 'waits' : 'wait'} in the OpenTok cloud, ${formatBytes(total)} in all; the first is deleted in ${soonest} h:`);
    for (const r of waiting) out.result(`  ${r.id}${r.name ? ` (${r.name})` : ''} → s3://${bucket}/${r.key}, ${formatBytes(r.size)}, ${r.hoursLeft ?? 0} h left`);
    if (!inputs.rescue) {
      out.result(`Copy them into the bucket, where the app's links point: re-run with --rescue.`);
      return finish(deps, inputs, rows, records, true);
    }
    await confirmRescue(deps, inputs, waiting.length, bucket);

    const ctx: RescueContext = {
      api: opentok,
      s3,
      bucket,
      vars,
      appType,
      requestTimeoutMs: deps.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      fetch: (url, init) => fetch(url, init),
      debug,
      progress: (text, work) => (out.opts.spinners ? withSpinner(out, text, work) : work()),
    };
    out.result('');
    await rescueEach(deps, inputs.dryRun, ctx, waiting, records);
    const ok = records.every((r) => r.status !== 'failed');
    out.result('');
    if (inputs.dryRun) out.result(`Dry run: ${count(records.length, 'copy', 'copies')} planned, nothing changed. Run again without --dry-run to copy them.`);
    else out.result(ok ? `${count(records.length, 'archive')} copied into s3://${bucket}: the app's links work again.` : `${records.filter((r) => r.status === 'failed').length} of ${records.length} copies failed; re-run the same command to finish.`);
    return finish(deps, inputs, rows, records, ok);
  } catch (err) {
    return reportError(deps, inputs, rows, records, err);
  }
}

/** Copies the waiting archives one after the other (each link fetched just before its copy); a failure does not stop the others. */
async function rescueEach(deps: Deps, dryRun: boolean, ctx: RescueContext, waiting: ArchiveRow[], records: RescueRecord[]): Promise<void> {
  const log = new StepLog(deps.out);
  // Ctrl-C in the middle of a copy: its multipart upload is aborted, so nothing half-written is left.
  let copying: string | undefined;
  const cleanup = async () => void (copying && (await abortIncompleteUploads(ctx, copying).catch(() => undefined)));
  deps.onInterrupt.add(cleanup);
  try {
    for (const row of waiting) {
      copying = row.key;
      const record: RescueRecord = { id: row.id, key: row.key, status: 'planned', detail: '' };
      records.push(record);
      const step = planRescue(row, ctx, record);
      record.detail = step.detail;
      try {
        await applySteps([step], log, dryRun);
      } catch (err) {
        const cause = err instanceof StepFailure ? err.original : err;
        if (!isKnownError(cause)) throw cause;
        deps.out.error(cause.message);
        if (cause instanceof CloudError && cause.fix) deps.out.info(cause.fix);
      }
    }
  } finally {
    copying = undefined;
    deps.onInterrupt.delete(cleanup);
  }
}

/** One confirmation listing the copies; scripts pass --yes (else exit 2 before any write). */
async function confirmRescue(deps: Deps, inputs: ArchivesInputs, n: number, bucket: string): Promise<void> {
  if (inputs.dryRun || inputs.yes) return;
  if (!deps.prompter.interactive) {
    throw new InputError(`Copying ${count(n, 'archive')} into s3://${bucket} needs your consent. Nothing was changed.`, 'confirmation_required', ['--yes'], 'Re-run with --yes to accept (or run it in a terminal to be asked).');
  }
  const ok = await deps.prompter.confirm({ message: `Copy the ${count(n, 'archive')} above into s3://${bucket} (nothing is deleted anywhere)?`, default: true });
  if (!ok) throw new InputError('Declined: nothing was copied.', 'declined');
}

function finish(deps: Deps, inputs: ArchivesInputs, rows: ArchiveRow[], records: RescueRecord[], ok: boolean): number {
  if (deps.out.json) deps.out.jsonDocument({ command: 'archives', ok, dryRun: inputs.dryRun, archives: rows.map(archiveJson), rescued: records });
  return ok ? 0 : 1;
}

function reportError(deps: Deps, inputs: ArchivesInputs | undefined, rows: ArchiveRow[], records: RescueRecord[], err: unknown): number {
  const { out } = deps;
  const known = isKnownError(err);
  const code = known ? ((err as { code?: string }).code ?? 'interrupted') : 'internal_error';
  const message = err instanceof Error ? err.message : String(err);
  const fix = err instanceof CloudError || err instanceof InputError ? err.fix : undefined;
  if (out.json) {
    out.jsonDocument({
      command: 'archives',
      ok: false,
      dryRun: inputs?.dryRun ?? false,
      archives: rows.map(archiveJson),
      rescued: records,
      error: { code, message, ...(fix ? { fix } : {}), missing: err instanceof InputError ? err.missing : [] },
    });
  } else {
    for (const line of message.split('\n')) out.error(line);
    if (fix) out.info(fix);
    if (!known) out.info(out.c.dim('This is a bug in ib-archive; re-run with --debug for details.'));
  }
  if (!known) out.debug((err as Error)?.stack ?? String(err));
  return known ? err.exitCode : 1;
}
