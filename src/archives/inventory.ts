// The project's recent archives from OpenTok, each located in the bucket (HeadObject) and given the app's link.
import type { S3Client } from '@aws-sdk/client-s3';
import { CloudError } from '../errors.js';
import { awsFailure, awsHttpStatus, isAwsError } from '../services/aws.js';
import type { OpenTokApi, OpenTokArchive } from '../services/opentok.js';
import { type AppType, type ArchiveLocation, FILE_STATUSES, appLink, archiveKey, hoursLeft, locationOf } from './links.js';

/** OpenTok answers at most 1,000 archives per page. */
const PAGE_MAX = 1000;

export interface ArchiveRow extends OpenTokArchive {
  /** Where OpenTok uploads the file: `<apiKey>/<id>/archive.mp4|zip`. */
  key: string;
  location: ArchiveLocation;
  /** The app's link to the file, when it is in the bucket. */
  link?: string;
  /** For `opentok`: whole hours before OpenTok deletes it. */
  hoursLeft?: number;
}

/** What locating archives needs: the bucket, a client for its region, the app's vars and the clock. */
export interface InventoryContext {
  apiKey: string;
  bucket: string;
  s3: () => Promise<S3Client>;
  vars: Record<string, string | undefined>;
  appType: AppType;
  now: number;
  signal?: AbortSignal;
}

/** GET /v2/project/<apiKey>/archive page by page until `limit` archives (newest first, each id once). */
export async function listRecentArchives(api: OpenTokApi, limit: number): Promise<OpenTokArchive[]> {
  const seen = new Map<string, OpenTokArchive>();
  for (let offset = 0; seen.size < limit; ) {
    const count = Math.min(PAGE_MAX, limit - seen.size);
    const page = await api.listArchives({ offset, count });
    for (const a of page.items) if (!seen.has(a.id) && seen.size < limit) seen.set(a.id, a);
    offset += page.items.length;
    if (page.items.length < count || offset >= page.count) break;
  }
  return [...seen.values()].sort((a, b) => b.createdAt - a.createdAt);
}

/** HeadObject with the operator's credentials: true when the bucket has the key. */
export async function inBucket(s3: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<boolean> {
  const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return true;
  } catch (err) {
    if (awsHttpStatus(err) === 404 || isAwsError(err, 'NotFound', 'NoSuchKey')) return false;
    if (awsHttpStatus(err) === 403) {
      throw new CloudError(
        `Your AWS credentials may not read s3://${bucket}/${key} (HeadObject answered 403).`,
        'aws_access_denied',
        'Use credentials that may s3:GetObject and s3:ListBucket on the bucket (an administrator --profile).',
      );
    }
    throw awsFailure(`Looking for s3://${bucket}/${key}`, err);
  }
}

/** Runs `work` over the items, at most `limit` at a time, keeping their order. */
export async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Each archive with its key, whether the bucket has it, where it really is and the app's link. */
export async function locateArchives(archives: OpenTokArchive[], ctx: InventoryContext): Promise<ArchiveRow[]> {
  const s3 = archives.some((a) => FILE_STATUSES.includes(a.status)) ? await ctx.s3() : undefined;
  return mapLimit(archives, 8, async (a) => {
    const key = archiveKey(ctx.apiKey, a);
    const found = s3 && FILE_STATUSES.includes(a.status) ? await inBucket(s3, ctx.bucket, key, ctx.signal) : false;
    const location = locationOf(a.status, found);
    return {
      ...a,
      key,
      location,
      ...(found ? { link: appLink(ctx.vars, ctx.appType, key) } : {}),
      ...(location === 'opentok' ? { hoursLeft: hoursLeft(a.createdAt, ctx.now) } : {}),
    };
  });
}

/** The archives a rescue copies: waiting in the OpenTok cloud, not in the bucket. */
export function waitingInOpenTok(rows: ArchiveRow[]): ArchiveRow[] {
  return rows.filter((r) => r.location === 'opentok');
}
