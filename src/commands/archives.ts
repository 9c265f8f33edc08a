// `ib-archive archives`: the project's recent recordings and where each file really is; `--rescue` brings home the ones left in the OpenTok cloud.
import type { Deps } from '../context.js';
import { detectAppType } from '../app-type.js';
import { inspectBucket } from '../bucket.js';
import { createClients, registerSecrets } from '../clients.js';
import { CloudError, InputError, isKnownError } from '../errors.js';
import type { CommandFlags } from '../inputs/flags.js';
import { StepFailure, applySteps, confirmAll } from '../plan.js';
import { CommandFailure } from '../report.js';
import { bucketOfUrl, regionOfUrl } from '../s3url.js';
import { REQUEST_TIMEOUT_MS } from '../services/retry.js';
import { StepLog } from '../steps.js';
import { withSpinner } from '../io/output.js';
import { type ArchivesInputs, resolveArchivesInputs } from '../archives/inputs.js';
import { type ArchiveRow, listRecentArchives, locateArchives, waitingInOpenTok } from '../archives/inventory.js';
import { archiveJson, count, printArchiveTable } from '../archives/render.js';
import { type RescueContext, type RescueRecord, abortIncompleteUploads, formatBytes, planRescue } from '../archives/rescue.js';

/** Runs the command; returns the exit code (0 done, 1 a cloud call or a rescue failed, 2 bad input). */
export async function archives(flags: CommandFlags, deps: Deps): Promise<number> {
  const { out } = deps;
  registerSecrets(deps, flags.apiSecret);
  const inputs = await resolveArchivesInputs(flags, deps);
  registerSecrets(deps, inputs.apiSecret, inputs.heroku?.token);
  let rows: ArchiveRow[] = [];
  const records: RescueRecord[] = [];
  try {
    const debug = (line: string) => out.debug(line);
    const { aws, heroku, opentok: api } = createClients(deps, inputs);
    const opentok = api!;
    const vars = heroku && inputs.heroku ? await heroku.configVars(inputs.heroku.app) : { ...inputs.localVars };
    registerSecrets(deps, vars.AWS_SECRET_ACCESS_KEY, vars.JWT_SECRET, vars.SECRET_KEY);
    const appType = detectAppType(inputs.heroku ? vars : undefined, inputs.appTypeFlag).type;
    const baseUrl = appType === 'ibs' ? vars.BUCKET_URL : vars.S3_COMPOSEDVIDEO_URL;
    const bucket = inputs.bucketFlag ?? (vars.S3_BUCKET_NAME?.trim() || bucketOfUrl(baseUrl ?? '', inputs.endpoints.s3));
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
    // One confirmation after the list of copies; scripts pass --yes (else exit 2 before any write).
    await confirmAll(deps, [{ need: `copying ${count(waiting.length, 'archive')} into s3://${bucket}`, question: `Copy the ${count(waiting.length, 'archive')} above into s3://${bucket} (nothing is deleted anywhere)?`, declined: 'Declined: nothing was copied.' }], inputs);

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
    throw new CommandFailure(err, { dryRun: inputs.dryRun, archives: rows.map(archiveJson), rescued: records }, records.some((r) => r.status !== 'planned' && r.status !== 'failed'));
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

function finish(deps: Deps, inputs: ArchivesInputs, rows: ArchiveRow[], records: RescueRecord[], ok: boolean): number {
  if (deps.out.json) deps.out.jsonDocument({ command: 'archives', ok, dryRun: inputs.dryRun, archives: rows.map(archiveJson), rescued: records });
  return ok ? 0 : 1;
}
