// Rescue: copy an archive that waits in the OpenTok cloud to the key OpenTok would have used, then read it through the app's link.
import { Readable, Transform, pipeline } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { CloudError } from '../errors.js';
import type { PlannedStep } from '../plan.js';
import { awsErrorCode, awsFailure } from '../services/aws.js';
import type { OpenTokApi, OpenTokArchive } from '../services/opentok.js';
import type { ArchiveRow } from './inventory.js';
import { type AppType, appLink, archiveContentType } from './links.js';

export interface RescueContext {
  api: OpenTokApi;
  s3: S3Client;
  bucket: string;
  vars: Record<string, string | undefined>;
  appType: AppType;
  /** Time limit for OpenTok's download to start answering (a stalled body is bounded by fetch's own 5-minute limit). */
  requestTimeoutMs: number;
  fetch: typeof fetch;
  debug(line: string): void;
  /** Runs one file's copy under a progress indicator (a spinner on a TTY). */
  progress<T>(text: string, work: () => Promise<T>): Promise<T>;
}

/** One rescue as reported (JSON `rescued[]`). */
export interface RescueRecord {
  id: string;
  key: string;
  status: 'planned' | 'created' | 'failed';
  detail: string;
  /** The app's link to the copy. */
  url?: string;
  /** The copy was read back anonymously through that link. */
  verified?: boolean;
  bytes?: number;
}

/** Human size: 1.5 MB, 812 kB, 10 B. */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} kB`;
  return `${n} B`;
}

/** The step that copies one waiting archive into s3://<bucket>/<key>; `record` follows its outcome. */
export function planRescue(row: ArchiveRow, ctx: RescueContext, record: RescueRecord): PlannedStep {
  return {
    id: 's3.rescue',
    status: 'created',
    detail: `${row.id}${row.name ? ` (${row.name})` : ''} → s3://${ctx.bucket}/${row.key}, ${formatBytes(row.size)}`,
    after: [],
    apply: async () => {
      try {
        const detail = await ctx.progress(`Copying ${row.id} (${formatBytes(row.size)}) into s3://${ctx.bucket}/${row.key}`, () => rescueOne(row, ctx, record));
        Object.assign(record, { status: 'created', detail });
        return detail;
      } catch (err) {
        Object.assign(record, { status: 'failed', detail: (err as Error).message });
        throw err;
      }
    },
  };
}

/** A fresh link (GET archive/<id>), the download, the upload, the check in S3 and through the app's link. */
async function rescueOne(row: ArchiveRow, ctx: RescueContext, record: RescueRecord): Promise<string> {
  await abortIncompleteUploads(ctx, row.key);
  const download = await openDownload(row, ctx);
  try {
    await upload(ctx, row, download.body);
  } catch (err) {
    download.cancel();
    const left = await abortIncompleteUploads(ctx, row.key).then(
      () => '',
      () => ' An incomplete multipart upload may be left: the next run aborts it.',
    );
    const reason = err instanceof CloudError ? err.message : `${awsErrorCode(err)}: ${(err as Error).message}`;
    throw new CloudError(`Copying archive ${row.id} to s3://${ctx.bucket}/${row.key} failed (${reason}). Nothing was left half-written.${left}`, 'rescue_failed', 'Re-run the same command: it copies what is still missing.');
  } finally {
    download.cancel();
  }
  const bytes = download.bytes();
  const stored = await storedSize(ctx, row.key);
  if (stored !== bytes) throw new CloudError(`s3://${ctx.bucket}/${row.key} has ${stored} bytes, not the ${bytes} downloaded.`, 'rescue_mismatch', 'Re-run ib-archive archives to see where each file is.');
  record.bytes = bytes;
  const link = appLink(ctx.vars, ctx.appType, row.key);
  record.url = link;
  if (!link) {
    record.verified = false;
    return `copied ${formatBytes(bytes)} to s3://${ctx.bucket}/${row.key} (the app has no archive URL to check it through)`;
  }
  const read = await anonymousHead(ctx, link);
  record.verified = read.status === 200;
  if (!record.verified) {
    throw new CloudError(
      `Archive ${row.id} is in s3://${ctx.bucket}/${row.key} now, but the app's link ${link} answers ${read.status ?? read.error}.`,
      'rescue_unreadable',
      'Run ib-archive doctor with the same --api-key and --app: it names why the bucket cannot be read through the app\'s URL.',
    );
  }
  return `copied ${formatBytes(bytes)}; the app's link serves it: ${link}`;
}

interface Download {
  body: Readable;
  bytes(): number;
  cancel(): void;
}

/** GET archive/<id> for a link valid now, then its download; a link that expired meanwhile (403/404/410) is renewed once. */
async function openDownload(row: ArchiveRow, ctx: RescueContext): Promise<Download> {
  for (let attempt = 1; ; attempt++) {
    const fresh = await freshArchive(row, ctx);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${ctx.requestTimeoutMs / 1000} s`)), ctx.requestTimeoutMs);
    let res: Response;
    try {
      res = await ctx.fetch(fresh.url!, { signal: controller.signal });
    } catch (err) {
      throw new CloudError(`Downloading archive ${row.id} from OpenTok failed (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message}).`, 'opentok_download_failed', 'Re-run the same command: it copies what is still missing.');
    } finally {
      clearTimeout(timer);
    }
    ctx.debug(`OpenTok download of ${row.id} → ${res.status}`);
    if ([403, 404, 410].includes(res.status) && attempt === 1) {
      await res.body?.cancel().catch(() => undefined);
      continue;
    }
    if (res.status !== 200 || !res.body) {
      throw new CloudError(`OpenTok's download link for archive ${row.id} answered ${res.status}.`, 'opentok_download_failed', 'Re-run the same command in a moment: each run gets a fresh link.');
    }
    const expected = Number(res.headers.get('content-length') ?? NaN);
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done(null, chunk);
      },
      flush(done) {
        done(Number.isFinite(expected) && bytes !== expected ? new Error(`the download ended after ${bytes} of ${expected} bytes`) : null);
      },
    });
    const source = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    pipeline(source, counter, () => undefined);
    return {
      body: counter,
      bytes: () => bytes,
      cancel: () => {
        if (!source.destroyed) source.destroy();
      },
    };
  }
}

async function freshArchive(row: ArchiveRow, ctx: RescueContext): Promise<OpenTokArchive> {
  const fresh = await ctx.api.getArchive(row.id);
  if (!fresh) throw new CloudError(`OpenTok no longer has archive ${row.id}.`, 'archive_gone', 'Nothing can be copied any more; ib-archive archives lists what is left.');
  if (fresh.status !== 'available' || !fresh.url) {
    throw new CloudError(`Archive ${row.id} is ${fresh.status} now, so OpenTok offers no download of it.`, 'archive_not_available', 'Run ib-archive archives again to see where it is.');
  }
  return fresh;
}

/** PutObject, or a multipart upload for a large file (aborted on failure), with the operator's credentials. */
async function upload(ctx: RescueContext, row: ArchiveRow, body: Readable): Promise<void> {
  const { Upload } = await import('@aws-sdk/lib-storage');
  const task = new Upload({
    client: ctx.s3,
    params: { Bucket: ctx.bucket, Key: row.key, Body: body, ContentType: archiveContentType(row) },
    queueSize: 2,
    leavePartsOnError: false,
  });
  await task.done();
}

/** ListMultipartUploads for the key and AbortMultipartUpload of each (an interrupted run's leftovers). */
export async function abortIncompleteUploads(ctx: Pick<RescueContext, 's3' | 'bucket'>, key: string): Promise<void> {
  const { ListMultipartUploadsCommand, AbortMultipartUploadCommand } = await import('@aws-sdk/client-s3');
  try {
    const list = await ctx.s3.send(new ListMultipartUploadsCommand({ Bucket: ctx.bucket, Prefix: key }));
    for (const u of list.Uploads ?? []) {
      if (u.Key === key && u.UploadId) await ctx.s3.send(new AbortMultipartUploadCommand({ Bucket: ctx.bucket, Key: key, UploadId: u.UploadId }));
    }
  } catch (err) {
    throw awsFailure(`Aborting incomplete uploads of s3://${ctx.bucket}/${key}`, err);
  }
}

async function storedSize(ctx: RescueContext, key: string): Promise<number | undefined> {
  const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    return (await ctx.s3.send(new HeadObjectCommand({ Bucket: ctx.bucket, Key: key }))).ContentLength;
  } catch (err) {
    throw awsFailure(`Checking s3://${ctx.bucket}/${key}`, err);
  }
}

/** Anonymous HEAD, as a player would ask before playing. */
async function anonymousHead(ctx: RescueContext, url: string): Promise<{ status?: number; error?: string }> {
  try {
    const res = await ctx.fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(ctx.requestTimeoutMs) });
    ctx.debug(`anonymous HEAD ${url} → ${res.status}`);
    return { status: res.status };
  } catch (err) {
    return { error: (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message };
  }
}
