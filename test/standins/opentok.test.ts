import { createHmac } from 'node:crypto';
import OpenTok from 'opentok';
import generateJwt from 'opentok/lib/generateJwt.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOpenTokStandIn } from '../../src/standins/opentok.js';
import { Recorder } from '../../src/standins/recorder.js';
import { startStandIn, type RunningServer } from '../../src/standins/serve.js';

const KEY = '12345678';
const SECRET = 'a'.repeat(40);
const OTHER_KEY = '87654321';
const OTHER_SECRET = 'b'.repeat(40);
const STORAGE = `/v2/project/${KEY}/archive/storage`;
const TARGET = {
  type: 's3',
  config: { bucket: 'ib-archive-12345678', accessKey: 'AKIAEXAMPLE', secretKey: 'shh', sse: 's3' },
  fallback: 'none',
};

let recorder: Recorder;
let server: RunningServer;
let stand: ReturnType<typeof createOpenTokStandIn>;

async function start(storageReadable = false): Promise<void> {
  recorder = new Recorder();
  stand = createOpenTokStandIn({ projects: { [KEY]: SECRET, [OTHER_KEY]: OTHER_SECRET }, storageReadable });
  server = await startStandIn(stand.standIn, recorder);
}

function sdkJwt(apiKey = KEY, apiSecret = SECRET): string {
  return generateJwt({ apiKey, apiSecret, auth: { expire: 300 } });
}

/** Signs arbitrary claims with HS256, for the cases the SDK never produces. */
function handJwt(claims: Record<string, unknown>, secret = SECRET, alg = 'HS256'): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${enc({ alg, typ: 'JWT' })}.${enc(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

function storage(method: string, body?: unknown, token = sdkJwt(), path = STORAGE): Promise<Response> {
  return fetch(server.url + path, {
    method,
    headers: { 'X-OPENTOK-AUTH': token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function createSession(apiKey: string, apiSecret: string, opts: Record<string, unknown> = {}): Promise<{ sessionId: string }> {
  const ot = new OpenTok(apiKey, apiSecret, { apiUrl: server.url });
  return new Promise((resolve, reject) => ot.createSession(opts, (err, session) => (err || !session ? reject(err) : resolve(session))));
}

beforeEach(() => start());
afterEach(() => server.close());

describe('OpenTok stand-in: sessions through the real SDK', () => {
  it('creates a session whose id the SDK can decode and mint tokens for, and logs the JWT claims', async () => {
    const session = await createSession(KEY, SECRET, { mediaMode: 'routed' });
    expect(session.sessionId).toMatch(/^1_[A-Za-z0-9_-]+$/);
    const ot = new OpenTok(KEY, SECRET, { apiUrl: server.url });
    expect(ot.generateToken(session.sessionId)).toEqual(expect.any(String));
    const [claims] = stand.control.opentokJwtClaims();
    expect(claims).toMatchObject({ iss: KEY, ist: 'project' });
    expect(Number(claims?.exp) - Number(claims?.iat)).toBe(300);
    expect(recorder.requests.map((r) => [r.operation, r.write, r.status])).toEqual([['POST /session/create', true, 200]]);
    expect(recorder.requests[0]?.body.toString()).toBe('archiveMode=manual&p2p.preference=disabled');
  });

  it('answers the documented JSON array', async () => {
    const res = await fetch(`${server.url}/session/create`, {
      method: 'POST',
      headers: { 'X-OPENTOK-AUTH': sdkJwt(), Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'archiveMode=manual&p2p.preference=enabled',
    });
    const body = (await res.json()) as Record<string, string>[];
    expect(body).toEqual([
      { session_id: expect.any(String), project_id: KEY, partner_id: KEY, create_dt: expect.stringMatching(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/), media_server_url: '' },
    ]);
  });

  it.each([
    ['a wrong secret', KEY, 'c'.repeat(40), 'Invalid signature'],
    ['an unknown API key', '99999999', SECRET, 'Invalid issuer'],
  ])('rejects %s with 403, which the SDK reports as "Invalid API key or secret"', async (_name, key, secret, message) => {
    await expect(createSession(key, secret)).rejects.toThrow('Failed to createSession. Error: Invalid API key or secret');
    expect(recorder.requests[0]?.status).toBe(403);
    const res = await fetch(`${server.url}/session/create`, { method: 'POST', headers: { 'X-OPENTOK-AUTH': sdkJwt(key, secret) } });
    expect(await res.json()).toEqual({ code: -1, message, description: message });
  });
});

describe('OpenTok stand-in: JWT checks', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ['no token', ''],
    ['a malformed token', 'not.a.jwt'],
    ['an expired token', handJwt({ iss: KEY, ist: 'project', iat: now() - 400, exp: now() - 100 })],
    ['a token living longer than five minutes', handJwt({ iss: KEY, ist: 'project', iat: now(), exp: now() + 3600 })],
    ['a token issued in the future', handJwt({ iss: KEY, ist: 'project', iat: now() + 600, exp: now() + 800 })],
    ['ist other than project', handJwt({ iss: KEY, ist: 'account', iat: now(), exp: now() + 300 })],
    ['alg other than HS256', handJwt({ iss: KEY, ist: 'project', iat: now(), exp: now() + 300 }, SECRET, 'none')],
  ])('rejects %s with 403', async (_name, token) => {
    const res = await storage('PUT', TARGET, token);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: -1, message: expect.any(String) });
    expect(stand.control.opentokStorage(KEY)).toBeUndefined();
  });

  it('accepts a hand-made token with a numeric iss and a little clock skew', async () => {
    const res = await storage('PUT', TARGET, handJwt({ iss: Number(KEY), ist: 'project', iat: now() + 20, exp: now() + 320 }));
    expect(res.status).toBe(200);
  });

  it("refuses a valid token for another project than the URL's", async () => {
    const res = await storage('PUT', TARGET, sdkJwt(OTHER_KEY, OTHER_SECRET));
    expect(res.status).toBe(403);
    expect(stand.control.opentokStorage(KEY)).toBeUndefined();
  });
});

describe('OpenTok stand-in: archive storage', () => {
  it('stores a PUT, answers it without the secret, and forgets it on DELETE', async () => {
    const res = await storage('PUT', TARGET);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ...TARGET, config: { bucket: 'ib-archive-12345678', accessKey: 'AKIAEXAMPLE', sse: 's3' } });
    expect(stand.control.opentokStorage(KEY)).toEqual(TARGET);
    expect(recorder.requests[0]?.operation).toBe('PUT /v2/project/{apiKey}/archive/storage');
    const del = await storage('DELETE');
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    expect(stand.control.opentokStorage(KEY)).toBeUndefined();
    expect(recorder.writes().map((r) => r.method)).toEqual(['PUT', 'DELETE']);
  });

  it('answers GET with 405 by default (the docs list only PUT and DELETE)', async () => {
    await storage('PUT', TARGET);
    const res = await storage('GET');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('PUT, DELETE');
  });

  it('answers GET when readable: the target without the secret, 404 when none', async () => {
    await server.close();
    await start(true);
    expect((await storage('GET')).status).toBe(404);
    await storage('PUT', { ...TARGET, config: { ...TARGET.config, endpoint: 'http://127.0.0.1:9000' } });
    const res = await storage('GET');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { config: Record<string, string> };
    expect(body.config).toEqual({ bucket: 'ib-archive-12345678', accessKey: 'AKIAEXAMPLE', sse: 's3', endpoint: 'http://127.0.0.1:9000' });
  });

  it.each([
    ['an unknown type', { ...TARGET, type: 'gcs' }],
    ['a missing bucket', { ...TARGET, config: { accessKey: 'A', secretKey: 'S' } }],
    ['an empty secretKey', { ...TARGET, config: { ...TARGET.config, secretKey: '' } }],
    ['a bad sse', { ...TARGET, config: { ...TARGET.config, sse: 'kms' } }],
    ['a bad fallback', { ...TARGET, fallback: 's3' }],
    ['an unknown top-level field', { ...TARGET, region: 'us-east-1' }],
    ['an unknown config field', { ...TARGET, config: { ...TARGET.config, region: 'us-east-1' } }],
    ['an endpoint that is not a URL', { ...TARGET, config: { ...TARGET.config, endpoint: 's3.example.com' } }],
    ['a body that is not an object', ['s3']],
  ])('rejects %s with 400 and a JSON message, storing nothing', async (_name, body) => {
    const res = await storage('PUT', body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ message: expect.any(String) });
    expect(stand.control.opentokStorage(KEY)).toBeUndefined();
  });

  it('rejects a body that is not sent as JSON', async () => {
    const res = await fetch(server.url + STORAGE, { method: 'PUT', headers: { 'X-OPENTOK-AUTH': sdkJwt() }, body: JSON.stringify(TARGET) });
    expect(res.status).toBe(415);
  });
});

describe('OpenTok stand-in: faults, latency, unknown endpoints', () => {
  it('answers an injected 5xx with 500 JSON (SDK: "Unexpected response") and a throttle with 429 JSON', async () => {
    recorder.addFault({ match: (r) => r.operation === 'POST /session/create', kind: '5xx' });
    recorder.addFault({ match: (r) => r.method === 'PUT', kind: 'throttle' });
    await expect(createSession(KEY, SECRET)).rejects.toThrow(/Failed to createSession\. Error: Unexpected response from OpenTok/);
    const res = await storage('PUT', TARGET);
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ message: expect.any(String) });
    expect(stand.control.opentokStorage(KEY)).toBeUndefined();
    expect(recorder.requests.map((r) => r.status)).toEqual([500, 429]);
  });

  it('applies the recorder latency', async () => {
    recorder.latencyMs = 80;
    const t0 = performance.now();
    await createSession(KEY, SECRET);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
  });

  it('answers 501 for endpoints it does not model', async () => {
    const res = await storage('POST', {}, sdkJwt(), `/v2/project/${KEY}/archive`);
    expect(res.status).toBe(501);
    expect(recorder.unknown).toHaveLength(1);
  });
});

it('makes up a project with an 8-digit key and a 40-hex secret by default', () => {
  const { project } = createOpenTokStandIn({});
  expect(project.apiKey).toMatch(/^[1-9]\d{7}$/);
  expect(project.apiSecret).toMatch(/^[0-9a-f]{40}$/);
});
