// A correct set-up with archives of every status, and runs of `ib-archive archives` against it.
import { randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect } from 'vitest';
import type { ArchiveView } from '../../src/standins/opentok-archives.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { type SetUp, correctSetUp } from '../doctor/helpers.js';

const HOUR = 3_600_000;

export interface Seeded {
  s: SetUp;
  composedInS3: ArchiveView;
  individualInS3: ArchiveView;
  /** 12 MiB: copied with a multipart upload. */
  waitingLarge: ArchiveView;
  waitingZip: ArchiveView;
  failed: ArchiveView;
  recording: ArchiveView;
}

export interface ArchivesDoc {
  command: string;
  ok: boolean;
  dryRun: boolean;
  archives: { id: string; name: string; createdAt: string; status: string; outputMode: string; size: number; location: string; url: string | null; hoursLeft?: number }[];
  rescued: { id: string; key: string; status: string; detail: string; url?: string; verified?: boolean }[];
  error?: { code: string; message: string; missing: string[] };
}

/** Six archives, newest first: two in the bucket (composed, individual), two waiting in OpenTok, one failed, one recording. */
export async function seededSetUp(): Promise<Seeded> {
  const s = await correctSetUp();
  const c = s.services.control;
  const now = Date.now();
  const seeded = {
    recording: c.seedArchive({ status: 'started', name: 'live now', createdAt: now - 0.1 * HOUR }),
    failed: c.seedArchive({ status: 'failed', name: 'broken', reason: 'session ended before archive started', createdAt: now - 1 * HOUR }),
    waitingLarge: c.seedArchive({ status: 'available', name: 'keynote', body: randomBytes(12 * 1024 * 1024), duration: 3725, createdAt: now - 10 * HOUR }),
    waitingZip: c.seedArchive({ status: 'available', name: 'panel', outputMode: 'individual', body: randomBytes(300 * 1024), createdAt: now - 30 * HOUR }),
    individualInS3: c.seedArchive({ status: 'uploaded', name: 'q&a', outputMode: 'individual', bucket: s.bucket, createdAt: now - 40 * HOUR }),
    composedInS3: c.seedArchive({ status: 'uploaded', name: 'welcome', bucket: s.bucket, createdAt: now - 50 * HOUR }),
  };
  s.services.recorder.reset();
  return { s, ...seeded };
}

/** The seeded set-up of a describe block: filled in before its tests, closed after them. */
export function seededForSuite(): Seeded {
  const t = {} as Seeded;
  beforeAll(async () => {
    Object.assign(t, await seededSetUp());
  });
  afterAll(() => t.s?.close());
  return t;
}

/** `ib-archive archives --json` for the set-up, with the secret from the environment. */
export async function archives(s: SetUp, extra: string[] = [], env: Record<string, string | undefined> = {}): Promise<{ result: CliResult; doc: ArchivesDoc }> {
  const result = await runCli(['archives', '--api-key', s.apiKey, '--app', s.app, '--json', '--non-interactive', ...extra], s.services, {
    env: { OPENTOK_API_SECRET: s.apiSecret, ...env },
  });
  let doc: ArchivesDoc;
  try {
    doc = result.json<ArchivesDoc>();
  } catch {
    throw new Error(`archives printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  expect(doc.command).toBe('archives');
  expect(result.stdout + result.stderr).not.toContain(s.apiSecret);
  return { result, doc };
}

/** Where OpenTok would have put the archive. */
export const keyOf = (s: SetUp, a: ArchiveView) => `${s.apiKey}/${a.id}/archive.${a.outputMode === 'individual' ? 'zip' : 'mp4'}`;

/** Writes the stand-in S3 accepted (faulted requests excluded). */
export const s3Writes = (s: SetUp) => s.services.recorder.writes().filter((r) => r.service === 's3');

/** Incomplete multipart uploads in the bucket, as ListMultipartUploads reports them. */
export async function incompleteUploads(s: SetUp): Promise<string[]> {
  const list = await s.s3.send(new ListMultipartUploadsCommand({ Bucket: s.bucket }));
  return (list.Uploads ?? []).map((u) => u.Key ?? '');
}
