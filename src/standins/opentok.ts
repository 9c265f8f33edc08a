// Loopback stand-in for the OpenTok REST API: JWT auth, session creation and the project's archive storage target.
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { LocalControl } from './api.js';
import { ArchiveStore, DOWNLOAD_PATH } from './opentok-archives.js';
import type { FaultKind } from './recorder.js';
import type { StandIn, StandInRequest, StandInResponse } from './serve.js';

/** The SDK signs 5-minute tokens; allow that much lifetime plus clock skew. */
const MAX_LIFETIME_S = 300;
const SKEW_S = 60;
const STORAGE_PATH = /^\/v2\/project\/([^/]+)\/archive\/storage$/;
const ARCHIVES_PATH = /^\/v2\/project\/([^/]+)\/archive$/;
const ARCHIVE_PATH = /^\/v2\/project\/([^/]+)\/archive\/(?!storage$)([^/]+)$/;

interface StorageTarget {
  type: 's3' | 'azure';
  config: Record<string, string>;
  fallback?: 'none' | 'opentok';
}

const STORAGE_TYPES: Record<StorageTarget['type'], { required: string[]; optional: string[]; secret: string }> = {
  s3: { required: ['bucket', 'accessKey', 'secretKey'], optional: ['endpoint', 'sse'], secret: 'secretKey' },
  azure: { required: ['accountName', 'accountKey', 'container'], optional: ['domain'], secret: 'accountKey' },
};

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
type Claims = Record<string, unknown>;

/** Builds the OpenTok stand-in for the given projects (apiKey → secret; default one random project). */
export function createOpenTokStandIn(opts: { projects?: Record<string, string>; storageReadable?: boolean }): {
  standIn: StandIn;
  control: Pick<LocalControl, 'opentokStorage' | 'opentokJwtClaims' | 'seedArchive' | 'archives' | 'expireArchiveLinks'>;
  project: { apiKey: string; apiSecret: string };
} {
  const projects = opts.projects ?? { [String(randomInt(10_000_000, 100_000_000))]: randomBytes(20).toString('hex') };
  const first = Object.entries(projects)[0];
  if (!first) throw new Error('createOpenTokStandIn: at least one project is needed');
  const storage = new Map<string, StorageTarget>();
  const claimLog: Claims[] = [];
  const archives = new ArchiveStore(first[0]);

  const routes: Record<string, (req: StandInRequest, claims: Claims, apiKey: string) => Answer> = {
    'POST /session/create': (req, claims) => createSession(req, String(claims.iss)),
    'PUT /v2/project/{apiKey}/archive/storage': (req, _claims, apiKey) => {
      const parsed = parseStorageTarget(req);
      if ('error' in parsed) return parsed.error;
      storage.set(apiKey, parsed.target);
      return json(200, withoutSecret(parsed.target));
    },
    'DELETE /v2/project/{apiKey}/archive/storage': (_req, _claims, apiKey) => {
      storage.delete(apiKey);
      return { status: 204 };
    },
    'GET /v2/project/{apiKey}/archive/storage': (_req, _claims, apiKey) => {
      if (!opts.storageReadable) return { ...failure(405, 'Method Not Allowed'), headers: { Allow: 'PUT, DELETE' } };
      const target = storage.get(apiKey);
      return target ? json(200, withoutSecret(target)) : failure(404, 'No archive storage is configured for this project');
    },
    'GET /v2/project/{apiKey}/archive': (req, _claims, apiKey) => archives.listAnswer(req, apiKey),
    'GET /v2/project/{apiKey}/archive/{archiveId}': (req, _claims, apiKey) => archives.getAnswer(req, apiKey, decodeURIComponent(ARCHIVE_PATH.exec(req.path)?.[2] ?? '')),
  };

  const standIn: StandIn = {
    service: 'opentok',
    classify(req) {
      return { operation: operationOf(req), write: req.method !== 'GET' && req.method !== 'HEAD' };
    },
    handle(req) {
      const operation = operationOf(req);
      if (operation === 'GET /v2/archive-download/{token}') return archives.download(req);
      const route = routes[operation];
      if (!route) {
        const known = req.path === '/session/create' || STORAGE_PATH.test(req.path);
        return finish(known ? failure(405, 'Method Not Allowed') : failure(501, `The local OpenTok stand-in does not model ${operation}`));
      }
      const auth = authenticate(req.headers['x-opentok-auth'], projects, claimLog);
      if ('error' in auth) return finish(auth.error);
      const pathKey = [STORAGE_PATH, ARCHIVES_PATH, ARCHIVE_PATH].map((p) => p.exec(req.path)?.[1]).find((k) => k !== undefined);
      if (pathKey !== undefined && decodeURIComponent(pathKey) !== auth.claims.iss) {
        return finish(failure(403, 'The token issuer does not match the project in the URL'));
      }
      return finish(route(req, auth.claims, String(auth.claims.iss)));
    },
    faultResponse(kind: Exclude<FaultKind, 'reset' | 'hang'>) {
      return finish(kind === 'throttle' ? failure(429, 'Too Many Requests') : failure(500, 'Internal Server Error'));
    },
  };

  const control: Pick<LocalControl, 'opentokStorage' | 'opentokJwtClaims' | 'seedArchive' | 'archives' | 'expireArchiveLinks'> = {
    opentokStorage: (apiKey) => structuredClone(storage.get(apiKey)),
    opentokJwtClaims: () => claimLog.map((c) => ({ ...c })),
    seedArchive: (seed) => archives.seed(seed),
    archives: (apiKey) => archives.list(apiKey ?? first[0]),
    expireArchiveLinks: () => archives.expireLinks(),
  };
  return { standIn, control, project: { apiKey: first[0], apiSecret: first[1] } };
}

function operationOf(req: StandInRequest): string {
  const path = STORAGE_PATH.test(req.path)
    ? '/v2/project/{apiKey}/archive/storage'
    : ARCHIVES_PATH.test(req.path)
      ? '/v2/project/{apiKey}/archive'
      : ARCHIVE_PATH.test(req.path)
        ? '/v2/project/{apiKey}/archive/{archiveId}'
        : DOWNLOAD_PATH.test(req.path)
          ? '/v2/archive-download/{token}'
          : req.path;
  return `${req.method} ${path}`;
}

/** Verifies an X-OPENTOK-AUTH JWT (HS256, iss = known API key, ist = project, short-lived); logs every decodable claim set. */
function authenticate(header: string | string[] | undefined, projects: Record<string, string>, log: Claims[]): { claims: Claims } | { error: Answer } {
  const deny = (message: string) => ({ error: failure(403, message) });
  if (typeof header !== 'string' || header === '') return deny('Missing authentication token');
  const parts = header.split('.');
  const [h, p, s] = parts;
  if (parts.length !== 3 || !h || !p || !s) return deny('Invalid token format');
  const head = decodeJson(h);
  const claims = decodeJson(p);
  if (!head || !claims) return deny('Invalid token format');
  log.push(claims);
  if (head.alg !== 'HS256') return deny('Invalid token format');
  const iss = typeof claims.iss === 'number' ? String(claims.iss) : claims.iss;
  if (typeof iss !== 'string' || !/^\d+$/.test(iss)) return deny('Invalid issuer format');
  const secret = projects[iss];
  if (secret === undefined) return deny('Invalid issuer');
  if (claims.ist !== 'project') return deny('Invalid issuer type');
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return deny('Invalid signature');
  const { iat, exp } = claims;
  if (typeof iat !== 'number' || typeof exp !== 'number') return deny('Invalid token format');
  const now = Math.floor(Date.now() / 1000);
  if (exp <= now) return deny('Expired token');
  if (iat > now + SKEW_S || exp - iat > MAX_LIFETIME_S + SKEW_S) return deny('Invalid token expiration');
  return { claims: { ...claims, iss } };
}

function createSession(req: StandInRequest, apiKey: string): Answer {
  const form = new URLSearchParams(req.body.toString('utf8'));
  const archiveMode = form.get('archiveMode') ?? 'manual';
  const p2p = form.get('p2p.preference') ?? 'enabled';
  const location = form.get('location');
  if (archiveMode !== 'manual' && archiveMode !== 'always') return failure(400, 'Invalid archiveMode');
  if (p2p !== 'enabled' && p2p !== 'disabled') return failure(400, 'Invalid p2p.preference');
  if (archiveMode === 'always' && p2p !== 'disabled') return failure(400, 'A session with always archive mode must also have the routed media mode');
  if (location !== null && !isIPv4(location)) return failure(400, 'Invalid location');
  const created = javaDate(new Date());
  const raw = `1~${apiKey}~${location ?? ''}~${created}~${Math.random()}~~`;
  const sessionId = `1_${Buffer.from(raw).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}`;
  return json(200, [{ session_id: sessionId, project_id: apiKey, partner_id: apiKey, create_dt: created, media_server_url: '' }]);
}

function parseStorageTarget(req: StandInRequest): { target: StorageTarget } | { error: Answer } {
  const bad = (message: string) => ({ error: failure(400, message) });
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    return { error: failure(415, 'Content-Type must be application/json') };
  }
  let body: unknown;
  try {
    body = JSON.parse(req.body.toString('utf8'));
  } catch {
    return bad('The request body is not valid JSON');
  }
  if (!isObject(body)) return bad('The request body must be a JSON object');
  const extra = Object.keys(body).filter((k) => !['type', 'config', 'fallback'].includes(k));
  if (extra.length) return bad(`Unknown field(s): ${extra.join(', ')}`);
  const { type, config, fallback } = body;
  if (type !== 's3' && type !== 'azure') return bad('type must be "s3" or "azure"');
  if (fallback !== undefined && fallback !== 'none' && fallback !== 'opentok') return bad('fallback must be "none" or "opentok"');
  if (!isObject(config)) return bad('config must be an object');
  const schema = STORAGE_TYPES[type];
  const unknown = Object.keys(config).filter((k) => !schema.required.includes(k) && !schema.optional.includes(k));
  if (unknown.length) return bad(`Unknown config field(s): ${unknown.join(', ')}`);
  const missing = schema.required.filter((k) => typeof config[k] !== 'string' || config[k] === '');
  if (missing.length) return bad(`Missing config field(s): ${missing.join(', ')}`);
  const notStrings = schema.optional.filter((k) => k in config && typeof config[k] !== 'string');
  if (notStrings.length) return bad(`config field(s) must be strings: ${notStrings.join(', ')}`);
  if (type === 's3' && config.sse !== undefined && config.sse !== 's3' && config.sse !== 'none') return bad('config.sse must be "s3" or "none"');
  if (type === 's3' && config.endpoint !== undefined && !isHttpUrl(config.endpoint as string)) {
    return bad('config.endpoint must be an http(s) URL');
  }
  const target: StorageTarget = { type, config: config as Record<string, string> };
  if (fallback !== undefined) target.fallback = fallback;
  return { target };
}

function withoutSecret(target: StorageTarget): StorageTarget {
  const config = { ...target.config };
  delete config[STORAGE_TYPES[target.type].secret];
  return { ...target, config };
}

/** Java's Date.toString() in UTC, the format of create_dt (`Fri Nov 18 23:50:36 UTC 2016`). */
function javaDate(d: Date): string {
  const [day, date, mon, year, time] = d.toUTCString().replace(',', '').split(' ') as string[];
  return `${day} ${mon} ${date} ${time} UTC ${year}`;
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isHttpUrl(s: string): boolean {
  try {
    const { protocol } = new URL(s);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function json(status: number, body: unknown): Answer {
  return { status, body };
}

/** The REST API's error body: `{"code":-1,"message":…,"description":…}` for auth failures, the status code otherwise. */
function failure(status: number, message: string): Answer {
  return { status, body: { code: status === 403 ? -1 : status, message, description: message } };
}

function finish(a: Answer): StandInResponse {
  const headers: Record<string, string> = { ...a.headers };
  if (a.body !== undefined) headers['Content-Type'] = 'application/json';
  return { status: a.status, headers, body: a.body === undefined ? undefined : JSON.stringify(a.body) };
}
