// OpenTok REST: credential check through the `opentok` SDK, archive storage (no SDK method) with its JWT.
import { CloudError } from '../errors.js';
import { type ClientOptions, REQUEST_TIMEOUT_MS, withRetries } from './retry.js';

export interface StorageTarget {
  type: 's3';
  config: { bucket: string; accessKey: string; secretKey: string; endpoint?: string; sse?: 's3' | 'none' };
  fallback: 'none' | 'opentok';
}

export type ArchiveStatus = 'started' | 'paused' | 'stopped' | 'uploaded' | 'available' | 'expired' | 'failed';

/** An archive as GET /v2/project/<apiKey>/archive lists it (the fields ib-archive reads). */
export interface OpenTokArchive {
  id: string;
  status: ArchiveStatus;
  name: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Seconds. */
  duration: number;
  /** Bytes. */
  size: number;
  outputMode: 'composed' | 'individual';
  sessionId: string;
  reason: string;
  /** Download link of an `available` archive, valid 10 minutes; null otherwise. */
  url: string | null;
}

export interface OpenTokApi {
  /** createSession as the key/secret pair; rejects with CloudError `opentok_invalid_credentials` when refused. */
  verifyCredentials(): Promise<void>;
  /** The project's archive target without its secret, or undefined when the API cannot read it back. */
  readStorage(): Promise<StorageRead>;
  /** GET …/archive/storage as answered (doctor judges status, body and Allow itself). */
  storageAnswer(): Promise<StorageAnswer>;
  putStorage(target: StorageTarget): Promise<void>;
  /** DELETE …/archive/storage: the project keeps its archives in the OpenTok cloud again. */
  deleteStorage(): Promise<void>;
  /** GET /v2/project/<apiKey>/archive: one page, newest first (count at most 1000). */
  listArchives(page: { offset: number; count: number }): Promise<{ count: number; items: OpenTokArchive[] }>;
  /** GET /v2/project/<apiKey>/archive/<id>: the archive with a fresh link, or undefined when OpenTok no longer has it. */
  getArchive(id: string): Promise<OpenTokArchive | undefined>;
}

/** The storage target as the API shows it: never its secret. */
export type StorageView = Omit<StorageTarget, 'config'> & { config: Omit<StorageTarget['config'], 'secretKey'> };

export interface StorageRead {
  /** False when the API does not read the target back (public docs list only PUT and DELETE). */
  readable: boolean;
  target?: StorageView;
}

export interface StorageAnswer {
  status: number;
  body: string;
  allow?: string | null;
}

const INVALID = (apiKey: string) =>
  new CloudError(
    `OpenTok rejected API key ${apiKey} with this secret: Invalid API key or secret.`,
    'opentok_invalid_credentials',
    'Copy the API key and secret of the project from your Vonage Video API (TokBox) account page, then pass them with --api-key and --api-secret (or OPENTOK_API_KEY / OPENTOK_API_SECRET).',
  );

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
  }
}

const retryable = (err: unknown) =>
  err instanceof HttpStatusError
    ? err.status === 429 || err.status >= 500
    : err instanceof TypeError || (err as Error)?.name === 'TimeoutError' || (err as { code?: string })?.code !== undefined;

/** OpenTok REST client for one project. */
export function createOpenTokApi(
  apiKey: string,
  apiSecret: string,
  apiUrl: string,
  deps: ClientOptions,
): OpenTokApi {
  const timeout = deps.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const base = apiUrl.replace(/\/+$/, '');
  const projectUrl = `${base}/v2/project/${encodeURIComponent(apiKey)}`;
  const storageUrl = `${projectUrl}/archive/storage`;

  const rest = async (method: 'GET' | 'PUT' | 'DELETE', body?: unknown, url = storageUrl): Promise<{ status: number; text: string; allow?: string | null }> =>
    withRetries(
      deps,
      async () => {
        const { default: generateJwt } = await import('opentok/lib/generateJwt.js');
        const jwt = generateJwt({ apiKey, apiSecret, auth: { expire: 300 } });
        const started = Date.now();
        const res = await fetch(url, {
          method,
          headers: { 'X-OPENTOK-AUTH': jwt, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(timeout),
        });
        const text = await res.text();
        deps.onRequest?.(`OpenTok ${method} ${new URL(url).pathname} → ${res.status} (${Date.now() - started} ms)`);
        if (res.status === 429 || res.status >= 500) throw new HttpStatusError(res.status, text);
        return { status: res.status, text, allow: res.headers.get('allow') };
      },
      retryable,
      { attempts: 4, baseMs: deps.retryBaseMs ?? 500 },
    ).catch((err: unknown) => {
      if (err instanceof HttpStatusError) return { status: err.status, text: err.body };
      throw new CloudError(`Could not reach the OpenTok API at ${base} (${(err as Error).message}).`, 'opentok_unreachable', 'Check your network connection and OPENTOK_API_URL, then re-run.');
    });

  const failure = (what: string, r: { status: number; text: string }) => {
    if (r.status === 401 || r.status === 403) return INVALID(apiKey);
    let message = r.text;
    try {
      message = (JSON.parse(r.text) as { message?: string }).message ?? r.text;
    } catch {
      // plain text body
    }
    return new CloudError(`${what}: OpenTok answered ${r.status}: ${message}`, 'opentok_error', r.status === 400 ? 'Check the values above; the OpenTok API refused them.' : 'Re-run the command; it resumes where it stopped.');
  };

  return {
    verifyCredentials: async () => {
      const { default: OpenTok } = await import('opentok');
      const started = Date.now();
      const attempt = () =>
        new Promise<void>((resolve, reject) => {
          const ot = new OpenTok(apiKey, apiSecret, { apiUrl: base, timeout });
          ot.createSession({}, (err) => (err ? reject(err) : resolve()));
        });
      try {
        await withRetries(deps, attempt, (err) => !/Invalid API key or secret|NotFound/i.test(String((err as Error)?.message)), {
          attempts: 3,
          baseMs: deps.retryBaseMs ?? 500,
        });
        deps.onRequest?.(`OpenTok POST /session/create → ok (${Date.now() - started} ms)`);
      } catch (err) {
        const message = String((err as Error)?.message ?? err);
        deps.onRequest?.(`OpenTok POST /session/create → ${message} (${Date.now() - started} ms)`);
        if (/Invalid API key or secret/i.test(message)) throw INVALID(apiKey);
        throw new CloudError(`Checking the OpenTok API key and secret failed: ${message}`, 'opentok_error', 'Check OPENTOK_API_URL and your network, then re-run.');
      }
    },
    readStorage: async () => {
      const r = await rest('GET');
      if (r.status === 401 || r.status === 403) throw INVALID(apiKey);
      if (r.status !== 200) return { readable: r.status === 404 };
      try {
        return { readable: true, target: JSON.parse(r.text) };
      } catch {
        return { readable: false };
      }
    },
    storageAnswer: async () => {
      const r = await rest('GET');
      return { status: r.status, body: r.text, allow: r.allow };
    },
    putStorage: async (target) => {
      const r = await rest('PUT', target);
      if (r.status < 200 || r.status >= 300) throw failure('Setting the archive storage of the OpenTok project', r);
    },
    deleteStorage: async () => {
      const r = await rest('DELETE');
      // 404: there is no target (any more), which is what a delete wants.
      if (r.status !== 404 && (r.status < 200 || r.status >= 300)) throw failure('Removing the archive storage of the OpenTok project', r);
    },
    listArchives: async ({ offset, count }) => {
      const r = await rest('GET', undefined, `${projectUrl}/archive?offset=${offset}&count=${count}`);
      if (r.status !== 200) throw failure('Listing the archives of the OpenTok project', r);
      const doc = parseJson(r.text) as { count?: unknown; items?: unknown } | undefined;
      if (!doc || !Array.isArray(doc.items)) throw failure('Listing the archives of the OpenTok project', { status: r.status, text: 'the answer is not an archive list' });
      return { count: Number(doc.count) || 0, items: doc.items.map(archiveOf) };
    },
    getArchive: async (id) => {
      const r = await rest('GET', undefined, `${projectUrl}/archive/${encodeURIComponent(id)}`);
      if (r.status === 404) return undefined;
      const doc = r.status === 200 ? parseJson(r.text) : undefined;
      if (!doc) throw failure(`Reading archive ${id} of the OpenTok project`, r);
      return archiveOf(doc);
    },
  };
}

/** A JSON object from an answer's text, or undefined when it is not one. */
export function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The fields ib-archive reads, typed (a missing one becomes its empty value). */
function archiveOf(raw: unknown): OpenTokArchive {
  const a = (raw ?? {}) as Record<string, unknown>;
  return {
    id: String(a.id ?? ''),
    status: String(a.status ?? '') as ArchiveStatus,
    name: typeof a.name === 'string' ? a.name : '',
    createdAt: Number(a.createdAt) || 0,
    duration: Number(a.duration) || 0,
    size: Number(a.size) || 0,
    outputMode: a.outputMode === 'individual' ? 'individual' : 'composed',
    sessionId: typeof a.sessionId === 'string' ? a.sessionId : '',
    reason: typeof a.reason === 'string' ? a.reason : '',
    url: typeof a.url === 'string' && a.url ? a.url : null,
  };
}
