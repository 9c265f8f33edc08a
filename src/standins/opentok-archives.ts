// The OpenTok stand-in's archives: list and get (the REST shapes), seeded archives, and the 10-minute download links.
import { randomBytes, randomUUID } from 'node:crypto';
import type { StandInRequest, StandInResponse } from './serve.js';

export type ArchiveStatus = 'started' | 'paused' | 'stopped' | 'uploaded' | 'available' | 'expired' | 'failed';

/** What a test or the demo seeds; everything but `status` has a plausible default. */
export interface ArchiveSeed {
  /** The project (default: the stand-in's first project). */
  apiKey?: string;
  id?: string;
  name?: string;
  status: ArchiveStatus;
  outputMode?: 'composed' | 'individual';
  /** The file's bytes (default: `size` random bytes for a finished archive). */
  body?: Buffer;
  /** Bytes; default the body's length (0 while recording). */
  size?: number;
  /** Seconds. */
  duration?: number;
  /** Milliseconds since the epoch (default: now). */
  createdAt?: number;
  reason?: string;
  sessionId?: string;
  /** With status `uploaded`: also put the file into this stand-in bucket at `<apiKey>/<id>/archive.mp4|zip`. */
  bucket?: string;
}

/** An archive as the stand-in keeps it. */
export interface ArchiveView {
  apiKey: string;
  id: string;
  name: string;
  status: ArchiveStatus;
  outputMode: 'composed' | 'individual';
  size: number;
  duration: number;
  createdAt: number;
  reason: string;
  sessionId: string;
  body?: Buffer;
}

/** Download links last 10 minutes, as OpenTok's do. */
export const LINK_LIFETIME_MS = 10 * 60_000;
const FINISHED: ArchiveStatus[] = ['stopped', 'uploaded', 'available', 'expired'];
export const DOWNLOAD_PATH = /^\/v2\/archive-download\/([0-9a-f]{48})\/archive\.(mp4|zip)$/;

type Json = { status: number; body: unknown };

/** The archives of every project, with their download links. */
export class ArchiveStore {
  private readonly archives: ArchiveView[] = [];
  private readonly links = new Map<string, { id: string; expiresAt: number }>();

  constructor(private readonly defaultApiKey: string) {}

  seed(seed: ArchiveSeed): ArchiveView {
    const finished = FINISHED.includes(seed.status);
    const size = seed.size ?? seed.body?.length ?? (finished ? 64 * 1024 : 0);
    const archive: ArchiveView = {
      apiKey: seed.apiKey ?? this.defaultApiKey,
      id: seed.id ?? randomUUID(),
      name: seed.name ?? '',
      status: seed.status,
      outputMode: seed.outputMode ?? 'composed',
      size,
      duration: seed.duration ?? (finished ? 60 : 0),
      createdAt: seed.createdAt ?? Date.now(),
      reason: seed.reason ?? (seed.status === 'failed' ? 'system failure' : ''),
      sessionId: seed.sessionId ?? `1_MX4${randomBytes(24).toString('base64url')}`,
      body: seed.body ?? (finished ? randomBytes(size) : undefined),
    };
    this.archives.push(archive);
    return archive;
  }

  list(apiKey: string): ArchiveView[] {
    return this.archives.filter((a) => a.apiKey === apiKey).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Every link handed out so far stops working now (as if 10 minutes had passed). */
  expireLinks(): void {
    for (const link of this.links.values()) link.expiresAt = 0;
  }

  /** GET /v2/project/<apiKey>/archive?offset=&count=&sessionId= */
  listAnswer(req: StandInRequest, apiKey: string): Json {
    const offset = intParam(req.query.get('offset'), 0);
    const count = intParam(req.query.get('count'), 50);
    if (offset === undefined || offset < 0) return problem(400, 'Invalid offset');
    if (count === undefined || count < 1 || count > 1000) return problem(400, 'Invalid count: it must be between 1 and 1000');
    const sessionId = req.query.get('sessionId');
    const all = this.list(apiKey).filter((a) => sessionId === null || a.sessionId === sessionId);
    return { status: 200, body: { count: all.length, items: all.slice(offset, offset + count).map((a) => this.json(req, a)) } };
  }

  /** GET /v2/project/<apiKey>/archive/<archiveId> */
  getAnswer(req: StandInRequest, apiKey: string, id: string): Json {
    const archive = this.list(apiKey).find((a) => a.id === id);
    return archive ? { status: 200, body: this.json(req, archive) } : problem(404, 'Archive not found');
  }

  /** GET of a download link: the file while the link is valid, S3's 403 once it has expired. */
  download(req: StandInRequest): StandInResponse {
    const token = DOWNLOAD_PATH.exec(req.path)?.[1] ?? '';
    const link = this.links.get(token);
    const archive = link && this.archives.find((a) => a.id === link.id);
    const denied = (message: string): StandInResponse => ({
      status: 403,
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${message}</Message></Error>`,
    });
    if (!link || !archive) return denied('Access Denied');
    if (Date.now() >= link.expiresAt) return denied('Request has expired');
    if (archive.status !== 'available' || !archive.body) return { status: 404, headers: { 'content-type': 'application/xml' }, body: '<Error><Code>NoSuchKey</Code></Error>' };
    return { status: 200, headers: { 'content-type': contentType(archive), 'content-length': archive.body.length }, body: archive.body };
  }

  /** The REST shape of an archive; an `available` one gets a fresh 10-minute link. */
  private json(req: StandInRequest, a: ArchiveView): Record<string, unknown> {
    let url: string | null = null;
    if (a.status === 'available') {
      const token = randomBytes(24).toString('hex');
      this.links.set(token, { id: a.id, expiresAt: Date.now() + LINK_LIFETIME_MS });
      url = `http://${req.host}/v2/archive-download/${token}/archive.${a.outputMode === 'individual' ? 'zip' : 'mp4'}`;
    }
    return {
      createdAt: a.createdAt,
      duration: a.duration,
      hasAudio: true,
      hasVideo: true,
      id: a.id,
      name: a.name,
      outputMode: a.outputMode,
      projectId: Number(a.apiKey),
      partnerId: Number(a.apiKey),
      reason: a.reason,
      resolution: '640x480',
      sessionId: a.sessionId,
      size: a.size,
      status: a.status,
      streamMode: 'auto',
      url,
      event: 'archive',
    };
  }
}

/** Where OpenTok puts an archive in the bucket. */
export function archiveKey(a: Pick<ArchiveView, 'apiKey' | 'id' | 'outputMode'>): string {
  return `${a.apiKey}/${a.id}/archive.${a.outputMode === 'individual' ? 'zip' : 'mp4'}`;
}

function contentType(a: ArchiveView): string {
  return a.outputMode === 'individual' ? 'application/zip' : 'video/mp4';
}

function intParam(value: string | null, fallback: number): number | undefined {
  if (value === null) return fallback;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

function problem(status: number, message: string): Json {
  return { status, body: { code: status, message, description: message } };
}
