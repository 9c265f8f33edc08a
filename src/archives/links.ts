// Where an archive belongs: its key in the bucket, the app's link to it (classic or ibs), and what its status means.
import { resolve as urlResolve } from 'node:url';
import type { ArchiveStatus, OpenTokArchive } from '../services/opentok.js';

export type { AppType } from '../inputs/resolve.js';
import type { AppType } from '../inputs/resolve.js';
export type ArchiveLocation = 's3' | 'opentok' | 'lost' | 'failed' | 'recording';

/** OpenTok's fallback keeps a file that could not be uploaded for 72 hours after the archive was made. */
export const OPENTOK_KEEPS_MS = 72 * 3_600_000;

/** Statuses whose file may be in the bucket (or should be). */
export const FILE_STATUSES: ArchiveStatus[] = ['stopped', 'uploaded', 'available', 'expired'];

/** `<apiKey>/<id>/archive.mp4`, or `.zip` for individual streams: where OpenTok uploads the file. */
export function archiveKey(apiKey: string, a: Pick<OpenTokArchive, 'id' | 'outputMode'>): string {
  return `${apiKey}/${a.id}/archive.${a.outputMode === 'individual' ? 'zip' : 'mp4'}`;
}

/** The file's content type in the bucket. */
export function archiveContentType(a: Pick<OpenTokArchive, 'outputMode'>): string {
  return a.outputMode === 'individual' ? 'application/zip' : 'video/mp4';
}

/** The link the app builds: url.resolve(S3_COMPOSEDVIDEO_URL, key) (classic) or `${BUCKET_URL}/${key}` (ibs). */
export function appLink(vars: Record<string, string | undefined>, type: AppType, key: string): string | undefined {
  if (type === 'ibs') return vars.BUCKET_URL ? `${vars.BUCKET_URL}/${key}` : undefined;
  const base = vars.S3_COMPOSEDVIDEO_URL?.trim();
  return base ? urlResolve(base, key) : undefined;
}

/** Where the file really is, from OpenTok's status and whether the bucket has it. */
export function locationOf(status: ArchiveStatus, inS3: boolean): ArchiveLocation {
  if (inS3) return 's3';
  if (status === 'failed') return 'failed';
  if (status === 'available') return 'opentok';
  if (status === 'uploaded' || status === 'expired') return 'lost';
  return 'recording';
}

/** Whole hours before OpenTok deletes an `available` archive (0 once it is due). */
export function hoursLeft(createdAt: number, now: number): number {
  return Math.max(0, Math.floor((createdAt + OPENTOK_KEEPS_MS - now) / 3_600_000));
}
