// Heroku Platform API through heroku-client (loaded on first use): retries, error translation, token sources.
import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { homedir } from 'node:os';
import { CloudError } from '../errors.js';
import { type ClientOptions, REQUEST_TIMEOUT_MS, withRetries } from './retry.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface HerokuTokenSources {
  /** `heroku auth:token` when the Heroku CLI is installed; undefined otherwise. */
  cliToken(): Promise<string | undefined>;
  /** The password of `machine api.heroku.com` in ~/.netrc. */
  netrcToken(): Promise<string | undefined>;
}

/** Heroku token: HEROKU_API_KEY → `heroku auth:token` → ~/.netrc → (prompt, by the caller). */
export async function findHerokuToken(env: Env, sources: HerokuTokenSources): Promise<string | undefined> {
  if (env.HEROKU_API_KEY) return env.HEROKU_API_KEY;
  return (await sources.cliToken()) ?? (await sources.netrcToken());
}

export interface HerokuAppInfo {
  id: string;
  name: string;
  web_url?: string;
}

export interface HerokuApi {
  listApps(): Promise<HerokuAppInfo[]>;
  configVars(app: string): Promise<Record<string, string>>;
  /** One PATCH (one release, one restart); `null` deletes a var. */
  patchConfigVars(app: string, vars: Record<string, string | null>): Promise<Record<string, string>>;
}

interface HerokuClientError {
  statusCode?: number;
  body?: { id?: string; message?: string };
  code?: string;
}

function isRetryable(err: unknown): boolean {
  const e = err as HerokuClientError;
  if (e?.statusCode === 429 || (e?.statusCode !== undefined && e.statusCode >= 500)) return true;
  return e?.statusCode === undefined && (typeof e?.code === 'string' || isTimeout(err));
}

/** heroku-client's own request timeout (an Error without a code). */
function isTimeout(err: unknown): boolean {
  return /took longer than \d+ms/.test(String((err as Error)?.message));
}

/** Maps a heroku-client rejection to a CloudError with the fix. */
export function herokuFailure(what: string, err: unknown, app?: string): CloudError {
  const e = err as HerokuClientError;
  const id = e?.body?.id;
  const message = e?.body?.message ?? (err as Error)?.message ?? String(err);
  switch (e?.statusCode) {
    case 401:
      return new CloudError(`${what}: Heroku rejected the API token (unauthorized).`, 'heroku_unauthorized', 'Log in again with `heroku login`, or set HEROKU_API_KEY to a valid token (`heroku auth:token` prints the current one).');
    case 403:
      return new CloudError(`${what}: this Heroku account may not access app "${app}" (${message}).`, 'heroku_forbidden', `Ask the owner of "${app}" to add you as a collaborator, or use a token of an account that can manage it.`);
    case 404:
      return new CloudError(`${what}: Heroku app "${app}" not found.`, 'heroku_app_not_found', 'Check the name with `heroku apps` and pass it with --app <name> (or set HEROKU_APP).');
    case 429:
      return new CloudError(`${what}: Heroku's API rate limit was reached.`, 'heroku_rate_limited', 'Wait a few minutes, then re-run; the run resumes where it stopped.');
  }
  if (e?.statusCode === undefined && (e?.code || isTimeout(err))) {
    return new CloudError(`${what}: could not reach the Heroku API (${e.code ?? 'timed out'}).`, 'heroku_unreachable', 'Check your network connection and HEROKU_HOST, then re-run.');
  }
  return new CloudError(
    `${what} failed: Heroku answered ${e?.statusCode ?? 'an error'}${id ? ` ${id}` : ''}: ${message}`,
    'heroku_error',
    'Re-run the command; it resumes where it stopped. https://status.heroku.com shows incidents.',
  );
}

/** A Heroku Platform API client for one token; 429, 5xx and network errors are retried with backoff. */
export function createHerokuApi(
  token: string,
  host: string,
  deps: ClientOptions,
): HerokuApi {
  let client: Promise<import('heroku-client').default> | undefined;
  const heroku = () =>
    (client ??= import('heroku-client').then(({ default: Heroku }) => new Heroku({ token, host, timeout: deps.requestTimeoutMs ?? REQUEST_TIMEOUT_MS })));
  const call = async <T>(method: 'get' | 'patch', path: string, body?: unknown): Promise<T> =>
    withRetries(
      deps,
      async () => {
        const started = Date.now();
        try {
          const res = await (await heroku())[method]<T>(path, body === undefined ? {} : { body });
          deps.onRequest?.(`Heroku ${method.toUpperCase()} ${path} → ok (${Date.now() - started} ms)`);
          return res;
        } catch (err) {
          const e = err as HerokuClientError;
          deps.onRequest?.(`Heroku ${method.toUpperCase()} ${path} → ${e.statusCode ?? e.code ?? 'error'} ${e.body?.id ?? ''} (${Date.now() - started} ms)`);
          throw err;
        }
      },
      isRetryable,
      { attempts: 4, baseMs: deps.retryBaseMs ?? 500 },
    );
  /** One PATCH, no retry of its own; failures shaped like heroku-client's (statusCode, body, code). */
  const patch = async (path: string, body: unknown): Promise<Record<string, string>> => {
    const started = Date.now();
    let res: Response;
    try {
      res = await fetch(`${host.replace(/\/+$/, '')}${path}`, {
        method: 'PATCH',
        headers: {
          Accept: 'application/vnd.heroku+json; version=3',
          'Content-Type': 'application/json',
          Authorization: `Basic ${Buffer.from(`:${token}`).toString('base64')}`,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(deps.requestTimeoutMs ?? REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code ?? ((err as Error).name === 'TimeoutError' ? 'ETIMEDOUT' : 'ECONNRESET');
      deps.onRequest?.(`Heroku PATCH ${path} → ${code} (${Date.now() - started} ms)`);
      throw Object.assign(new Error(`PATCH ${path}: ${code}`), { code });
    }
    const text = await res.text();
    deps.onRequest?.(`Heroku PATCH ${path} → ${res.status} (${Date.now() - started} ms)`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { message: text };
    }
    if (!res.ok) throw Object.assign(new Error(`Heroku answered ${res.status}`), { statusCode: res.status, body: parsed });
    return parsed as Record<string, string>;
  };
  const enc = encodeURIComponent;
  return {
    listApps: async () => {
      try {
        return await call<HerokuAppInfo[]>('get', '/apps');
      } catch (err) {
        throw herokuFailure('Listing your Heroku apps', err);
      }
    },
    configVars: async (app) => {
      try {
        return await call<Record<string, string>>('get', `/apps/${enc(app)}/config-vars`);
      } catch (err) {
        throw herokuFailure(`Reading the config vars of ${app}`, err, app);
      }
    },
    // Not through heroku-client: it re-sends any request after a network error, and a PATCH whose answer was lost
    // would land twice (two releases, two restarts). After such an error the vars are read back first.
    patchConfigVars: async (app, vars) => {
      const path = `/apps/${enc(app)}/config-vars`;
      const landed = (current: Record<string, string>) => Object.entries(vars).every(([k, v]) => (v === null ? !(k in current) : current[k] === v));
      let unsure = false;
      try {
        return await withRetries(
          deps,
          async () => {
            if (unsure) {
              const current = await call<Record<string, string>>('get', path);
              if (landed(current)) return current;
            }
            try {
              return await patch(path, vars);
            } catch (err) {
              unsure = (err as HerokuClientError).statusCode === undefined || (err as HerokuClientError).statusCode! >= 500;
              throw err;
            }
          },
          isRetryable,
          { attempts: 4, baseMs: deps.retryBaseMs ?? 500 },
        );
      } catch (err) {
        throw herokuFailure(`Setting the config vars of ${app}`, err, app);
      }
    },
  };
}

async function onPath(env: Env, command: string): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Password of `machine <host>` in a .netrc text. */
export function netrcPassword(text: string, host: string): string | undefined {
  const tokens = text.split(/\s+/).filter(Boolean);
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] !== 'machine' || tokens[i + 1] !== host) continue;
    for (let j = i + 2; j < tokens.length && tokens[j] !== 'machine' && tokens[j] !== 'default'; j += 2) {
      if (tokens[j] === 'password') return tokens[j + 1];
    }
  }
  return undefined;
}

/** The Heroku CLI's token sources: `heroku auth:token` (when installed) and ~/.netrc. */
export function herokuTokenSources(env: Env, apiHost: string): HerokuTokenSources {
  const host = new URL(apiHost).hostname;
  return {
    cliToken: async () => {
      const heroku = await onPath(env, 'heroku');
      if (!heroku) return undefined;
      return new Promise((resolve) => {
        execFile(heroku, ['auth:token'], { timeout: 15_000, env: { ...env, HEROKU_API_KEY: '' } as NodeJS.ProcessEnv }, (err, stdout) => {
          const token = stdout.trim().split(/\r?\n/).pop()?.trim();
          resolve(!err && token ? token : undefined);
        });
      });
    },
    netrcToken: async () => {
      const file = env.NETRC || join(env.HOME || homedir(), '.netrc');
      try {
        const text = await readFile(file, 'utf8');
        return netrcPassword(text, host) ?? netrcPassword(text, 'api.heroku.com');
      } catch {
        return undefined;
      }
    },
  };
}
