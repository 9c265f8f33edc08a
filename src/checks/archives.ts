// Doctor check opentok.archives: recordings that missed the bucket (waiting in the OpenTok cloud), failed or gone.
import { CloudError } from '../errors.js';
import { type ArchiveRow, listRecentArchives, locateArchives } from '../archives/inventory.js';
import { folderExpiry, readLifecycle } from '../lifecycle.js';
import { bucketOfUrl, regionOfUrl } from '../s3url.js';
import { count, formatCreated } from '../archives/render.js';
import type { OpenTokApi } from '../services/opentok.js';
import type { DoctorFacts } from './facts.js';
import { NO_SECRET } from './opentok.js';
import { type FetchResult, anonymousFetch, describeFetch } from './probe.js';
import { type Check, type CheckId, type CheckResult, type Outcome, fail, pass, settle, skip, warn } from './runner.js';

/** Archives the check looks at: the newest, as `ib-archive archives` lists by default. */
const RECENT = 50;
/** Checks whose failure explains an upload that fell back to the OpenTok cloud. */
const CAUSES: CheckId[] = ['opentok.storage', 'iam.key', 's3.upload', 'heroku.vars'];

export interface ArchivesEvidence {
  apiKey: string;
  bucket: string;
  rows: ArchiveRow[];
  /** The anonymous HEAD of the newest archive found in the bucket, through the app's link. */
  newestRead?: FetchResult;
  /** What another check found that explains failed uploads ("s3.upload failed: …"). */
  causes: string[];
  /** `ib-archive archives --rescue …` for this set-up. */
  rescueCommand: string;
  /** Days after which an enabled lifecycle rule deletes objects under `<apiKey>/`, if one does. */
  expireAfterDays?: number;
  now?: number;
}

const list = (rows: ArchiveRow[]) => rows.map((r) => (r.name ? `${r.id} (${r.name})` : r.id)).join(', ');

/** Verdict on the project's recent archives: fail on any waiting in the OpenTok cloud, warn on failed or vanished ones. */
export function judgeArchives(e: ArchivesEvidence): Outcome {
  if (e.rows.length === 0) return skip(`project ${e.apiKey} has no archives yet`);
  const waiting = e.rows.filter((r) => r.location === 'opentok');
  if (waiting.length > 0) {
    const first = Math.min(...waiting.map((r) => r.hoursLeft ?? 0));
    const cause = e.causes.length > 0 ? `Their upload failed because ${e.causes.join('; ')}: fix that first (see above), then run` : 'Run';
    return fail(
      `${count(waiting.length, 'archive')} missed s3://${e.bucket} and ${waiting.length === 1 ? 'waits' : 'wait'} in the OpenTok cloud, where the app's links do not point: ${list(waiting)}; the first is deleted in ${first} h`,
      `${cause} \`${e.rescueCommand}\` within ${first} h: it copies them into the bucket, at the keys the app links.`,
    );
  }
  const failed = e.rows.filter((r) => r.location === 'failed');
  const gone = e.rows.filter((r) => r.status === 'uploaded' && r.location === 'lost');
  const days = e.expireAfterDays;
  const expiredByRule = (r: ArchiveRow) => days !== undefined && (e.now ?? Date.now()) - r.createdAt >= days * 86_400_000;
  const vanished = gone.filter((r) => !expiredByRule(r));
  const problems: string[] = [];
  const fixes: string[] = [];
  if (failed.length > 0) {
    problems.push(`${count(failed.length, 'archive')} failed: ${failed.map((r) => `${r.id} (${r.reason || 'no reason given'})`).join(', ')}`);
    fixes.push('OpenTok could not record them (the reason says why), so there is no file to copy; if it keeps happening, check those sessions and how they start archiving.');
  }
  if (vanished.length > 0) {
    problems.push(`${count(vanished.length, 'uploaded archive')} ${vanished.length === 1 ? 'is' : 'are'} not in s3://${e.bucket} any more: ${list(vanished)}`);
    fixes.push(`They were deleted from the bucket after OpenTok uploaded them (a lifecycle rule or by hand); check the bucket's lifecycle rules and who may delete under ${e.apiKey}/.`);
  }
  const newest = e.rows.find((r) => r.location === 's3');
  const read = e.newestRead;
  if (newest && newest.link && read?.status !== 200) {
    problems.push(`the newest recording in the bucket, ${newest.id}, cannot be read through the app's link ${newest.link} (${read ? describeFetch(read) : 'not tried'})`);
    fixes.push('The public read of the archives is broken: see s3.public-read above.');
  }
  if (problems.length > 0) return warn(problems.join('; '), fixes.join('\n'));
  const expired = gone.length > 0 ? `; ${count(gone.length, 'older one')} deleted by the bucket's lifecycle rule (after ${days} days)` : '';
  if (!newest) return pass(`${count(e.rows.length, 'archive')}, none finished in the bucket yet${expired}`);
  const where = newest.link ? `read anonymously through the app's link ${newest.link}` : "(the app has no archive URL to read it through)";
  return pass(`newest recording in the bucket: ${newest.id}${newest.name ? ` (${newest.name})` : ''} of ${formatCreated(newest.createdAt)}, ${where}${expired}`);
}

/** `ib-archive archives --rescue` for the doctor's set-up (the secret from the environment, never printed). */
function rescueCommand(f: DoctorFacts): string {
  const { apiKey, app, varsFile, bucketFlag, profile } = f.inputs;
  const parts = ['ib-archive archives --rescue', `--api-key ${apiKey}`, app ? `--app ${app}` : `--no-heroku${varsFile ? ` --vars-file ${varsFile}` : ''}`];
  if (bucketFlag) parts.push(`--bucket ${bucketFlag}`);
  if (profile) parts.push(`--profile ${profile}`);
  return [...parts, '--api-secret "$OPENTOK_API_SECRET"', '--yes'].join(' ');
}

/** The failures of other checks that explain uploads falling back, waiting at most `ms` for them. */
async function causesOf(f: DoctorFacts, related: (id: CheckId) => Promise<CheckResult> | undefined, ms: number): Promise<string[]> {
  const results = await Promise.all(CAUSES.map((id) => Promise.race([related(id) ?? Promise.resolve(undefined), f.services.sleep(ms).then(() => undefined)])));
  return results.filter((r): r is CheckResult => r?.status === 'fail' || (r?.status === 'warn' && r.id === 'iam.key')).map((r) => `${r.id} ${r.status === 'fail' ? 'failed' : 'warns'}: ${r.detail}`);
}

/** GetBucketLifecycleConfiguration: the days after which an enabled rule expires objects under `<apiKey>/` (none when unreadable). */
async function lifecycleDays(f: DoctorFacts, bucket: string, region: string): Promise<number | undefined> {
  try {
    return folderExpiry(await readLifecycle(f.services.aws, bucket, region, f.signal), f.inputs.apiKey)?.days;
  } catch (err) {
    f.services.debug(`lifecycle of ${bucket} not read (${(err as Error).name}): uploaded archives missing from the bucket are reported`);
    return undefined;
  }
}

/** opentok.archives — GET /v2/project/<apiKey>/archive, HeadObject of each file, an anonymous HEAD of the newest through the app's link. */
export function archivesCheck(f: DoctorFacts, api: OpenTokApi | undefined, related: (id: CheckId) => Promise<CheckResult> | undefined): Check {
  return {
    id: 'opentok.archives',
    run: async () => {
      if (!api) return skip(NO_SECRET);
      const listed = await settle(listRecentArchives(api, RECENT));
      if (!listed.ok) {
        if (listed.error instanceof CloudError && listed.error.code === 'opentok_invalid_credentials') return skip('OpenTok refused the key and secret (opentok.credentials)');
        throw listed.error;
      }
      const archives = listed.value;
      if (archives.length === 0) return skip(`project ${f.inputs.apiKey} has no archives yet`);
      const vars = await settle(f.vars());
      const appVars = vars.ok ? vars.value : {};
      const appType = (await f.appType()).type;
      const named = await settle(f.bucketName());
      const bucket = named.ok ? named.value : bucketOfUrl(appVars.BUCKET_URL ?? '', f.inputs.endpoints.s3);
      if (!bucket) return skip("no bucket to look in: the app's vars name none (heroku.vars)");
      const region = named.ok ? (await f.liveBucket()).region : (regionOfUrl(appVars.BUCKET_URL) ?? f.inputs.region);
      const rows = await locateArchives(archives, {
        apiKey: f.inputs.apiKey,
        bucket,
        s3: () => f.services.aws.s3(region),
        vars: appVars,
        appType,
        now: f.services.now(),
        signal: f.signal,
      }).catch((err: unknown) => f.operatorFailure(err, `read the archives in s3://${bucket}`));
      const newest = rows.find((r) => r.location === 's3');
      const newestRead = newest?.link ? await anonymousFetch(f, newest.link, { method: 'HEAD' }) : undefined;
      const causes = rows.some((r) => r.location === 'opentok') ? await causesOf(f, related, 3000) : [];
      const expireAfterDays = rows.some((r) => r.status === 'uploaded' && r.location === 'lost') ? await lifecycleDays(f, bucket, region) : undefined;
      return judgeArchives({ apiKey: f.inputs.apiKey, bucket, rows, newestRead, causes, rescueCommand: rescueCommand(f), expireAfterDays, now: f.services.now() });
    },
  };
}
