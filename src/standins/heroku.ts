// Loopback stand-in for the Heroku Platform API v3: account, apps, config vars and releases, as heroku-client sees them.
import { randomBytes, randomUUID } from 'node:crypto';
import type { LocalControl } from './api.js';
import type { AnsweredFault } from './recorder.js';
import type { StandIn, StandInRequest, StandInResponse } from './serve.js';

const RATE_LIMIT = 4500;
const PAGE_DEFAULT = 200;
const PAGE_MAX = 1000;
const MISSING_VERSION =
  "Please specify a version along with Heroku's API MIME type. For example, `Accept: application/vnd.heroku+json; version=3`.\n";
const RATE_LIMITED = 'Your account reached the API rate limit\nPlease wait a few minutes before making new requests';

interface Release {
  id: string;
  version: number;
  description: string;
  created_at: string;
}

interface App {
  id: string;
  name: string;
  owner: 'self' | 'other';
  configVars: Record<string, string>;
  releases: Release[];
  webHost: string;
  created_at: string;
  updated_at: string;
}

interface Account {
  id: string;
  email: string;
  created_at: string;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

interface Route {
  method: string;
  pattern: RegExp;
  operation: string;
  run(state: HerokuState, req: StandInRequest, appRef: string): Answer;
}

class HerokuState {
  readonly apps = new Map<string, App>();
  readonly account: Account = { id: randomUUID(), email: 'demo@ib-archive.local', created_at: isoNow() };
  requests = 0;

  createApp(name: string, configVars: Record<string, string> = {}, owner: 'self' | 'other' = 'self'): void {
    const now = isoNow();
    this.apps.set(name, {
      id: randomUUID(),
      name,
      owner,
      configVars: { ...configVars },
      releases: [],
      webHost: `${name}-${randomBytes(6).toString('hex')}.herokuapp.com`,
      created_at: now,
      updated_at: now,
    });
  }

  find(ref: string): App | undefined {
    return this.apps.get(ref) ?? [...this.apps.values()].find((a) => a.id === ref);
  }

  rateLimitRemaining(): number {
    return Math.max(0, RATE_LIMIT - this.requests);
  }
}

/** Builds the Heroku stand-in with the given apps (default: `ib-demo` with NODE_ENV=production) and a fresh API token. */
export function createHerokuStandIn(opts: { apps?: Record<string, Record<string, string>> }): {
  standIn: StandIn;
  token: string;
  control: Pick<LocalControl, 'app' | 'createApp'>;
} {
  const token = `HRKU-AA${randomBytes(30).toString('base64url')}`;
  const state = new HerokuState();
  for (const [name, vars] of Object.entries(opts.apps ?? { 'ib-demo': { NODE_ENV: 'production' } })) state.createApp(name, vars);

  const standIn: StandIn = {
    service: 'heroku',
    classify(req) {
      const found = findRoute(req);
      return { operation: found?.route.operation ?? `${req.method} ${req.path}`, write: isWrite(req.method) };
    },
    handle(req) {
      state.requests += 1;
      return finish(answer(state, token, req), state.rateLimitRemaining());
    },
    faultResponse(kind: AnsweredFault) {
      state.requests += 1;
      if (kind === 'throttle') return finish(error(429, 'rate_limit', RATE_LIMITED), 0);
      return finish(error(503, 'unavailable', 'Could not complete the action. Please try again later.'), state.rateLimitRemaining());
    },
  };

  const control: Pick<LocalControl, 'app' | 'createApp'> = {
    app(name) {
      const app = state.apps.get(name);
      return app && { name: app.name, configVars: { ...app.configVars }, releases: app.releases.length };
    },
    createApp: (name, configVars, owner) => state.createApp(name, configVars, owner),
  };
  return { standIn, token, control };
}

const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/account$/, operation: 'GET /account', run: (s) => ok(accountJson(s.account)) },
  {
    method: 'GET',
    pattern: /^\/apps$/,
    operation: 'GET /apps',
    run: (s, req) => {
      const mine = [...s.apps.values()].filter((a) => a.owner === 'self');
      return paginate(mine, req.headers.range, ['id', 'name'], (a, attr) => (attr === 'name' ? a.name : a.id), (a) => appJson(a, s.account));
    },
  },
  {
    method: 'GET',
    pattern: /^\/apps\/([^/]+)$/,
    operation: 'GET /apps/{app}',
    run: (s, _req, ref) => withApp(s, ref, (app) => ok(appJson(app, s.account))),
  },
  {
    method: 'GET',
    pattern: /^\/apps\/([^/]+)\/config-vars$/,
    operation: 'GET /apps/{app}/config-vars',
    run: (s, _req, ref) => withApp(s, ref, (app) => ok(app.configVars)),
  },
  {
    method: 'PATCH',
    pattern: /^\/apps\/([^/]+)\/config-vars$/,
    operation: 'PATCH /apps/{app}/config-vars',
    run: (s, req, ref) => withApp(s, ref, (app) => patchConfigVars(app, req.body)),
  },
  {
    method: 'GET',
    pattern: /^\/apps\/([^/]+)\/releases$/,
    operation: 'GET /apps/{app}/releases',
    run: (s, req, ref) =>
      withApp(s, ref, (app) =>
        paginate(app.releases, req.headers.range, ['id', 'version'], (r, attr) => (attr === 'version' ? r.version : r.id), (r) =>
          releaseJson(r, app, s.account),
        ),
      ),
  },
];

function findRoute(req: StandInRequest): { route: Route; appRef: string } | undefined {
  for (const route of ROUTES) {
    const m = route.method === req.method ? route.pattern.exec(req.path) : null;
    if (m) return { route, appRef: m[1] ? decodeURIComponent(m[1]) : '' };
  }
  return undefined;
}

function answer(state: HerokuState, token: string, req: StandInRequest): Answer {
  if (!acceptsVersion3(req.headers.accept)) return { status: 400, body: { id: 'missing_version', error: MISSING_VERSION } };
  if (presentedToken(req.headers.authorization) !== token) return error(401, 'unauthorized', 'Invalid credentials provided.');
  const found = findRoute(req);
  if (!found) return error(501, 'not_implemented', `The local Heroku stand-in does not model ${req.method} ${req.path}.`);
  return found.route.run(state, req, found.appRef);
}

function withApp(state: HerokuState, ref: string, run: (app: App) => Answer): Answer {
  const app = state.find(ref);
  if (!app) return { status: 404, body: { resource: 'app', id: 'not_found', message: "Couldn't find that app." } };
  if (app.owner !== 'self') return error(403, 'forbidden', `You do not have access to the app ${app.name}.`);
  return run(app);
}

function patchConfigVars(app: App, raw: Buffer): Answer {
  const changes = parseConfigPatch(raw);
  if (!changes) {
    return error(422, 'invalid_params', 'Config vars must be a JSON object whose values are strings, or null to remove a var.');
  }
  const set: string[] = [];
  const removed: string[] = [];
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) {
      if (key in app.configVars) removed.push(key);
      delete app.configVars[key];
    } else {
      set.push(key);
      app.configVars[key] = value;
    }
  }
  const now = isoNow();
  const parts = [set.length ? `Set ${set.join(', ')}` : '', removed.length ? `Remove ${removed.join(', ')}` : ''].filter(Boolean);
  app.releases.push({
    id: randomUUID(),
    version: app.releases.length + 1,
    description: parts.length ? `${parts.join('; ')} config vars` : 'Update config vars',
    created_at: now,
  });
  app.updated_at = now;
  return ok(app.configVars);
}

function parseConfigPatch(raw: Buffer): Record<string, string | null> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const entries = Object.entries(parsed as Record<string, unknown>);
  const valid = entries.every(([key, value]) => key.length > 0 && (typeof value === 'string' || value === null));
  return valid ? (parsed as Record<string, string | null>) : undefined;
}

interface RangeSpec {
  attr: string;
  first: string;
  firstExclusive: boolean;
  last: string;
  lastExclusive: boolean;
  max: number;
  desc: boolean;
}

/** Heroku's list ranges: `Range: <attr> [']']<first>..<last>['[']; max=<n>, order=desc` → 206 + Next-Range while more remain, else 200. */
function paginate<T>(
  items: T[],
  header: string | undefined,
  attrs: string[],
  key: (item: T, attr: string) => string | number,
  render: (item: T) => unknown,
): Answer {
  const range = parseRange(header, attrs);
  if (!range) return error(400, 'bad_request', `Invalid Range header. Ranges are supported on: ${attrs.join(', ')}.`);
  const sign = range.desc ? -1 : 1;
  const cmp = (a: string | number, b: string | number) => sign * (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)));
  const bound = (value: string, item: T) => (typeof key(item, range.attr) === 'number' ? Number(value) : value);
  const inRange = (item: T) => {
    const v = key(item, range.attr);
    if (range.first !== '') {
      const c = cmp(v, bound(range.first, item));
      if (c < 0 || (c === 0 && range.firstExclusive)) return false;
    }
    if (range.last !== '') {
      const c = cmp(v, bound(range.last, item));
      if (c > 0 || (c === 0 && range.lastExclusive)) return false;
    }
    return true;
  };
  const selected = items.filter(inRange).sort((a, b) => cmp(key(a, range.attr), key(b, range.attr)));
  const page = selected.slice(0, range.max);
  const params = `; max=${range.max}${range.desc ? ', order=desc' : ''}`;
  const headers: Record<string, string> = { 'Accept-Ranges': attrs.join(', ') };
  const first = page[0];
  const last = page[page.length - 1];
  if (first !== undefined && last !== undefined) {
    headers['Content-Range'] = `${range.attr} ${key(first, range.attr)}..${key(last, range.attr)}${params}`;
    if (selected.length > page.length) headers['Next-Range'] = `${range.attr} ]${key(last, range.attr)}..${params}`;
  }
  return { status: headers['Next-Range'] ? 206 : 200, body: page.map(render), headers };
}

function parseRange(header: string | undefined, attrs: string[]): RangeSpec | undefined {
  const defaults = { first: '', firstExclusive: false, last: '', lastExclusive: false, max: PAGE_DEFAULT, desc: false };
  if (header === undefined || header.trim() === '') return { attr: attrs[0] ?? 'id', ...defaults };
  const m = /^\s*([a-z_]+)\s+(\]?)([^.;\s]*)\.\.([^[;\s]*)(\[?)\s*(?:;(.*))?$/i.exec(header);
  if (!m || !attrs.includes(m[1] ?? '')) return undefined;
  const spec: RangeSpec = {
    ...defaults,
    attr: m[1] ?? 'id',
    firstExclusive: m[2] === ']',
    first: m[3] ?? '',
    last: m[4] ?? '',
    lastExclusive: m[5] === '[',
  };
  for (const param of (m[6] ?? '').split(/[;,]/)) {
    const [name, value = ''] = param.split('=').map((s) => s.trim());
    if (name === 'max') {
      const max = Number.parseInt(value, 10);
      if (!Number.isInteger(max) || max < 1) return undefined;
      spec.max = Math.min(max, PAGE_MAX);
    } else if (name === 'order') {
      if (value !== 'asc' && value !== 'desc') return undefined;
      spec.desc = value === 'desc';
    }
  }
  return spec;
}

function acceptsVersion3(accept: string | undefined): boolean {
  return /application\/vnd\.heroku\+json\s*;\s*version=3(\.[\w-]+)?\s*(;|,|$)/i.test(accept ?? '');
}

function presentedToken(authorization: string | undefined): string | undefined {
  const m = /^\s*(basic|bearer)\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m?.[1] || !m[2]) return undefined;
  if (m[1].toLowerCase() === 'bearer') return m[2];
  const decoded = Buffer.from(m[2], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

function finish(a: Answer, rateLimitRemaining: number): StandInResponse {
  return {
    status: a.status,
    headers: {
      'Content-Type': 'application/json',
      'RateLimit-Remaining': String(rateLimitRemaining),
      'Request-Id': randomUUID(),
      ...a.headers,
    },
    body: a.body === undefined ? undefined : JSON.stringify(a.body),
  };
}

function accountJson(account: Account): unknown {
  return {
    id: account.id,
    email: account.email,
    name: 'ib-archive demo',
    allow_tracking: false,
    beta: false,
    verified: true,
    two_factor_authentication: true,
    default_organization: null,
    default_team: null,
    created_at: account.created_at,
    updated_at: account.created_at,
    last_login: account.created_at,
  };
}

function appJson(app: App, account: Account): unknown {
  const stack = { id: '8d1b3f2c-1e6a-4b0e-9f3a-6a0a1d2c3b4e', name: 'heroku-24' };
  return {
    id: app.id,
    name: app.name,
    acm: false,
    archived_at: null,
    build_stack: stack,
    buildpack_provided_description: 'Node.js',
    created_at: app.created_at,
    git_url: `https://git.heroku.com/${app.name}.git`,
    internal_routing: null,
    maintenance: false,
    owner: { id: account.id, email: account.email },
    organization: null,
    team: null,
    region: { id: '59accabd-516d-4f0e-83e6-6e3757701145', name: 'us' },
    released_at: app.releases.at(-1)?.created_at ?? app.created_at,
    repo_size: null,
    slug_size: null,
    space: null,
    stack,
    updated_at: app.updated_at,
    web_url: `https://${app.webHost}/`,
  };
}

function releaseJson(release: Release, app: App, account: Account): unknown {
  return {
    id: release.id,
    version: release.version,
    description: release.description,
    status: 'succeeded',
    current: release.version === app.releases.length,
    created_at: release.created_at,
    updated_at: release.created_at,
    app: { id: app.id, name: app.name },
    user: { id: account.id, email: account.email },
    addon_plan_names: [],
    slug: null,
    output_stream_url: null,
  };
}

function ok(body: unknown): Answer {
  return { status: 200, body };
}

function error(status: number, id: string, message: string): Answer {
  return { status, body: { id, message } };
}

function isWrite(method: string): boolean {
  return method === 'PATCH' || method === 'POST' || method === 'PUT' || method === 'DELETE';
}

function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
