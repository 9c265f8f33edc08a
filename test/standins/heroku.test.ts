import Heroku from 'heroku-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHerokuStandIn } from '../../src/standins/heroku.js';
import { Recorder } from '../../src/standins/recorder.js';
import { startStandIn, type RunningServer } from '../../src/standins/serve.js';

const V3 = 'application/vnd.heroku+json; version=3';

interface HttpError {
  statusCode: number;
  body: Record<string, unknown>;
}

let recorder: Recorder;
let server: RunningServer;
let stand: ReturnType<typeof createHerokuStandIn>;
let heroku: Heroku;

async function start(apps?: Record<string, Record<string, string>>): Promise<void> {
  recorder = new Recorder();
  stand = createHerokuStandIn({ apps });
  server = await startStandIn(stand.standIn, recorder);
  heroku = new Heroku({ token: stand.token, host: server.url });
}

async function rejection(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (err) {
    return err as HttpError;
  }
  throw new Error('expected the request to fail');
}

function raw(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(server.url + path, {
    ...init,
    headers: { Accept: V3, Authorization: `Bearer ${stand.token}`, ...(init.headers as Record<string, string>) },
  });
}

beforeEach(() => start());
afterEach(() => server.close());

describe('Heroku stand-in: auth and headers', () => {
  it('accepts heroku-client (Basic ":token") and Bearer, and answers with the Platform API headers', async () => {
    const account = await heroku.get<{ email: string }>('/account');
    expect(account.email).toMatch(/@/);
    const res = await raw('/account');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const first = Number(res.headers.get('ratelimit-remaining'));
    expect(first).toBeGreaterThan(0);
    const again = await raw('/account');
    expect(Number(again.headers.get('ratelimit-remaining'))).toBe(first - 1);
  });

  it('rejects a wrong token with 401 unauthorized, and no token at all', async () => {
    const bad = new Heroku({ token: 'not-the-token', host: server.url });
    const err = await rejection(bad.get('/apps'));
    expect(err.statusCode).toBe(401);
    expect(err.body).toEqual({ id: 'unauthorized', message: 'Invalid credentials provided.' });
    const none = await fetch(`${server.url}/apps`, { headers: { Accept: V3 } });
    expect(none.status).toBe(401);
    expect(none.headers.get('request-id')).toBeTruthy();
    expect(none.headers.get('ratelimit-remaining')).toBeTruthy();
  });

  it('answers 400 missing_version without the versioned Accept header, like the real API', async () => {
    const res = await fetch(`${server.url}/apps`, { headers: { Authorization: `Bearer ${stand.token}`, Accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ id: 'missing_version' });
  });

  it('answers 501 for endpoints it does not model, and the recorder flags them', async () => {
    const err = await rejection(heroku.post('/apps', { body: { name: 'x' } }));
    expect(err.statusCode).toBe(501);
    expect(recorder.unknown.map((r) => r.operation)).toEqual(['POST /apps']);
  });
});

describe('Heroku stand-in: apps', () => {
  it('serves the default ib-demo app by name and by id', async () => {
    const apps = await heroku.get<{ id: string; name: string }[]>('/apps');
    expect(apps.map((a) => a.name)).toEqual(['ib-demo']);
    const byId = await heroku.get<{ name: string; web_url: string }>(`/apps/${apps[0]?.id}`);
    expect(byId.name).toBe('ib-demo');
    expect(byId.web_url).toMatch(/^https:\/\/ib-demo-[0-9a-f]+\.herokuapp\.com\/$/);
  });

  it('answers 404 for an unknown app and 403 for an app owned by someone else (not listed either)', async () => {
    const missing = await rejection(heroku.get('/apps/nope/config-vars'));
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toEqual({ resource: 'app', id: 'not_found', message: "Couldn't find that app." });
    stand.control.createApp('theirs', { SECRET: 'x' }, 'other');
    const forbidden = await rejection(heroku.patch('/apps/theirs/config-vars', { body: { A: '1' } }));
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.body.id).toBe('forbidden');
    expect(stand.control.app('theirs')).toEqual({ name: 'theirs', configVars: { SECRET: 'x' }, releases: 0 });
    expect((await heroku.get<{ name: string }[]>('/apps')).map((a) => a.name)).toEqual(['ib-demo']);
  });
});

describe('Heroku stand-in: config vars', () => {
  it('PATCH sets, null deletes, other vars survive, answers the full map, one release per PATCH', async () => {
    await server.close();
    await start({ shop: { NODE_ENV: 'production', OLD: 'x', KEEP: 'y' } });
    const after = await heroku.patch('/apps/shop/config-vars', { body: { S3_BUCKET_NAME: 'b', OLD: null } });
    expect(after).toEqual({ NODE_ENV: 'production', KEEP: 'y', S3_BUCKET_NAME: 'b' });
    expect(await heroku.get('/apps/shop/config-vars')).toEqual(after);
    await heroku.patch('/apps/shop/config-vars', { body: { S3_BUCKET_NAME: 'c' } });
    expect(stand.control.app('shop')).toEqual({ name: 'shop', configVars: { NODE_ENV: 'production', KEEP: 'y', S3_BUCKET_NAME: 'c' }, releases: 2 });
    const releases = await heroku.get<{ version: number; description: string }[]>('/apps/shop/releases', {
      headers: { Range: 'version ..; max=10' },
    });
    expect(releases.map((r) => [r.version, r.description])).toEqual([
      [1, 'Set S3_BUCKET_NAME; Remove OLD config vars'],
      [2, 'Set S3_BUCKET_NAME config vars'],
    ]);
    const patches = recorder.writes();
    expect(patches.map((r) => r.operation)).toEqual(['PATCH /apps/{app}/config-vars', 'PATCH /apps/{app}/config-vars']);
  });

  it.each([
    ['a number value', '{"A":1}'],
    ['an array', '["A"]'],
    ['a nested object', '{"A":{"b":"c"}}'],
    ['not JSON', 'A=1'],
    ['JSON null', 'null'],
  ])('rejects %s with 422 invalid_params and makes no release', async (_name, body) => {
    const res = await raw('/apps/ib-demo/config-vars', { method: 'PATCH', body, headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ id: 'invalid_params' });
    expect(stand.control.app('ib-demo')).toEqual({ name: 'ib-demo', configVars: { NODE_ENV: 'production' }, releases: 0 });
  });
});

describe('Heroku stand-in: ranges', () => {
  const names = ['app-c', 'app-a', 'app-e', 'app-b', 'app-d'];

  beforeEach(async () => {
    await server.close();
    await start(Object.fromEntries(names.map((n) => [n, {}])));
  });

  it('pages with 206 + Next-Range and ends with 200 and no Next-Range, even when the last page is full', async () => {
    const first = await raw('/apps', { headers: { Range: 'name ..; max=2' } });
    expect(first.status).toBe(206);
    expect(first.headers.get('next-range')).toBe('name ]app-b..; max=2');
    expect(first.headers.get('content-range')).toBe('name app-a..app-b; max=2');
    const second = await raw('/apps', { headers: { Range: first.headers.get('next-range') ?? '' } });
    expect(((await second.json()) as { name: string }[]).map((a) => a.name)).toEqual(['app-c', 'app-d']);
    const last = await raw('/apps', { headers: { Range: second.headers.get('next-range') ?? '' } });
    expect(last.status).toBe(200);
    expect(last.headers.get('next-range')).toBeNull();
    const exact = await raw('/apps', { headers: { Range: 'name ]app-c..; max=2' } });
    expect(exact.status).toBe(200);
    expect(exact.headers.get('next-range')).toBeNull();
  });

  it('lets heroku-client follow Next-Range to the end and aggregate every page', async () => {
    const apps = await heroku.get<{ name: string }[]>('/apps', { headers: { Range: 'name ..; max=2' } });
    expect(apps.map((a) => a.name)).toEqual(['app-a', 'app-b', 'app-c', 'app-d', 'app-e']);
    expect(recorder.requests.map((r) => r.headers.range)).toEqual(['name ..; max=2', 'name ]app-b..; max=2', 'name ]app-d..; max=2']);
    expect(recorder.requests.map((r) => r.status)).toEqual([206, 206, 200]);
  });

  it('honours order=desc and answers a single 200 page for heroku-client default range', async () => {
    const desc = await raw('/apps', { headers: { Range: 'name ..; max=3, order=desc' } });
    expect(((await desc.json()) as { name: string }[]).map((a) => a.name)).toEqual(['app-e', 'app-d', 'app-c']);
    expect(desc.headers.get('next-range')).toBe('name ]app-c..; max=3, order=desc');
    expect((await heroku.get<unknown[]>('/apps')).length).toBe(5);
    expect(recorder.requests.at(-1)?.status).toBe(200);
  });

  it('rejects a range on an attribute the list does not support', async () => {
    const res = await raw('/apps', { headers: { Range: 'stack ..' } });
    expect(res.status).toBe(400);
  });
});

describe('Heroku stand-in: faults and latency', () => {
  it('answers an injected 5xx as 503 unavailable and a throttle as 429 rate_limit with RateLimit-Remaining 0', async () => {
    recorder.addFault({ match: (r) => r.operation === 'PATCH /apps/{app}/config-vars', kind: '5xx' });
    recorder.addFault({ match: (r) => r.operation === 'GET /apps/{app}/config-vars', kind: 'throttle' });
    const down = await rejection(heroku.patch('/apps/ib-demo/config-vars', { body: { A: '1' } }));
    expect(down.statusCode).toBe(503);
    expect(down.body.id).toBe('unavailable');
    expect(stand.control.app('ib-demo')?.releases).toBe(0);
    const throttled = await raw('/apps/ib-demo/config-vars');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('ratelimit-remaining')).toBe('0');
    expect(await throttled.json()).toEqual({
      id: 'rate_limit',
      message: 'Your account reached the API rate limit\nPlease wait a few minutes before making new requests',
    });
    expect(recorder.requests.map((r) => r.faulted)).toEqual(['5xx', 'throttle']);
    expect(recorder.writes()).toEqual([]);
    expect(await heroku.get('/apps/ib-demo/config-vars')).toEqual({ NODE_ENV: 'production' });
  });

  it('applies the recorder latency to every answer', async () => {
    recorder.latencyMs = 80;
    const t0 = performance.now();
    await heroku.get('/account');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
  });
});
