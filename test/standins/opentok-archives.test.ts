// The OpenTok stand-in's archives: list and get as the real SDK reads them, paging, auth, and the 10-minute download links.
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

type SdkArchive = { id: string; status: string; url: string | null; createdAt: number; outputMode: string; size: number; reason: string };
interface ArchiveSdk {
  listArchives(options: Record<string, unknown>, cb: (err: Error | null, archives?: SdkArchive[], total?: number) => void): void;
  getArchive(id: string, cb: (err: Error | null, archive?: SdkArchive) => void): void;
}

let recorder: Recorder;
let server: RunningServer;
let stand: ReturnType<typeof createOpenTokStandIn>;

beforeEach(async () => {
  recorder = new Recorder();
  stand = createOpenTokStandIn({ projects: { [KEY]: SECRET, [OTHER_KEY]: OTHER_SECRET } });
  server = await startStandIn(stand.standIn, recorder);
});
afterEach(() => server.close());

const sdk = (key = KEY, secret = SECRET) => new OpenTok(key, secret, { apiUrl: server.url }) as unknown as ArchiveSdk;
const list = (options: Record<string, unknown> = {}, ot = sdk()) =>
  new Promise<{ archives: SdkArchive[]; total: number }>((resolve, reject) => ot.listArchives(options, (err, archives, total) => (err ? reject(err) : resolve({ archives: archives!, total: total! }))));
const get = (id: string) => new Promise<SdkArchive>((resolve, reject) => sdk().getArchive(id, (err, a) => (err ? reject(err) : resolve(a!))));
const rest = (path: string, key = KEY, secret = SECRET) =>
  fetch(`${server.url}/v2/project/${key}${path}`, { headers: { 'X-OPENTOK-AUTH': generateJwt({ apiKey: key, apiSecret: secret, auth: { expire: 300 } }) } });

describe('OpenTok stand-in: archives', () => {
  it('lists every status newest first through the SDK, a link only on available archives', async () => {
    const statuses = ['started', 'paused', 'stopped', 'uploaded', 'available', 'expired', 'failed'] as const;
    const seeded = statuses.map((status, i) => stand.control.seedArchive({ status, createdAt: 1_700_000_000_000 + i * 1000, ...(status === 'failed' ? { reason: 'no streams' } : {}) }));
    stand.control.seedArchive({ apiKey: OTHER_KEY, status: 'uploaded' });
    const { archives, total } = await list();
    expect(total).toBe(7);
    expect(archives.map((a) => a.status)).toEqual([...statuses].reverse());
    expect(archives.map((a) => a.id)).toEqual([...seeded].reverse().map((a) => a.id));
    for (const a of archives) expect(a.url === null).toBe(a.status !== 'available');
    expect(archives.find((a) => a.status === 'failed')!.reason).toBe('no streams');
    expect(archives.find((a) => a.status === 'available')!.url).toMatch(new RegExp(`^${server.url}/v2/archive-download/[0-9a-f]{48}/archive\\.mp4$`));
  });

  it('pages with offset and count and filters by session, as the REST API documents', async () => {
    for (let i = 0; i < 5; i++) stand.control.seedArchive({ status: 'uploaded', createdAt: 1000 + i, sessionId: i % 2 ? 'odd' : 'even' });
    const page = await list({ offset: 1, count: 2 });
    expect(page.total).toBe(5);
    expect(page.archives.map((a) => a.createdAt)).toEqual([1003, 1002]);
    expect((await list({ sessionId: 'odd' })).archives.map((a) => a.createdAt)).toEqual([1003, 1001]);
    const body = (await (await rest('/archive?count=1')).json()) as { count: number; items: unknown[] };
    expect(body.count).toBe(5);
    expect(body.items).toHaveLength(1);
    expect((await rest('/archive?count=1001')).status).toBe(400);
  });

  it('gets one archive, 404 for an unknown id, and refuses another project or no token', async () => {
    const a = stand.control.seedArchive({ status: 'available', outputMode: 'individual' });
    expect(await get(a.id)).toMatchObject({ id: a.id, status: 'available', outputMode: 'individual', url: expect.stringMatching(/archive\.zip$/) });
    expect((await rest('/archive/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await rest(`/archive/${a.id}`, OTHER_KEY, OTHER_SECRET)).status).toBe(404);
    expect((await fetch(`${server.url}/v2/project/${KEY}/archive`)).status).toBe(403);
    expect((await fetch(`${server.url}/v2/project/${KEY}/archive`, { headers: { 'X-OPENTOK-AUTH': generateJwt({ apiKey: OTHER_KEY, apiSecret: OTHER_SECRET, auth: { expire: 300 } }) } })).status).toBe(403);
  });

  it('serves the file through a link valid 10 minutes; an expired link answers 403 and a new get renews it', async () => {
    const a = stand.control.seedArchive({ status: 'available', body: Buffer.from('recorded bytes') });
    const first = (await get(a.id)).url!;
    const ok = await fetch(first);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('video/mp4');
    expect(await ok.text()).toBe('recorded bytes');
    stand.control.expireArchiveLinks();
    const expired = await fetch(first);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('<Code>AccessDenied</Code><Message>Request has expired</Message>');
    const renewed = (await get(a.id)).url!;
    expect(renewed).not.toBe(first);
    expect(await (await fetch(renewed)).text()).toBe('recorded bytes');
    expect((await fetch(first.replace(/[0-9a-f]{48}/, '0'.repeat(48)))).status).toBe(403);
    expect(recorder.requests.filter((r) => r.operation === 'GET /v2/archive-download/{token}').map((r) => r.write)).toEqual([false, false, false, false]);
  });

  it('injects faults into the list like any request', async () => {
    recorder.addFault({ match: (r) => r.operation === 'GET /v2/project/{apiKey}/archive', kind: '5xx' });
    expect((await rest('/archive')).status).toBe(500);
    expect((await rest('/archive')).status).toBe(200);
  });
});
