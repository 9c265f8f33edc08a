// setup --configure-opentok against the local OpenTok stand-in: JWT, exact body, idempotence, bad secret.
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalServices } from '../../src/standins/index.js';
import type { LocalServices, LocalServicesOptions } from '../../src/standins/api.js';
import { runCli } from '../helpers/cli.js';

let services: LocalServices | undefined;
afterEach(async () => {
  expect(services?.recorder.unknown ?? []).toEqual([]);
  await services?.close();
  services = undefined;
});

async function start(opts: LocalServicesOptions = {}): Promise<LocalServices> {
  services = await startLocalServices(opts);
  return services;
}

const args = (s: LocalServices, secret = s.opentok.apiSecret) => [
  'setup', '--api-key', s.opentok.apiKey, '--api-secret', secret, '--configure-opentok', '--app', 'ib-demo', '--yes', '--json',
];

interface Doc {
  ok: boolean;
  steps: { id: string; status: string }[];
  tokbox: Record<string, string>;
  error?: { code: string; message: string; fix?: string };
}

const storageWrites = (s: LocalServices) => s.recorder.writes().filter((r) => r.service === 'opentok' && r.path.endsWith('/archive/storage'));

describe('setup --configure-opentok', () => {
  it('PUTs the exact storage target with a short-lived project JWT', async () => {
    const s = await start();
    const started = Math.floor(Date.now() / 1000);
    const run = await runCli(args(s), s);
    expect(run.code).toBe(0);
    const doc = run.json<Doc>();
    expect(doc.steps.find((x) => x.id === 'opentok.storage')?.status).toMatch(/created|updated/);
    expect(doc.tokbox.mode).toBe('api');

    const bucket = `ib-archive-${s.opentok.apiKey}`;
    const user = s.control.user(`ib-archive-ib-demo`)!;
    expect(s.control.opentokStorage(s.opentok.apiKey)).toEqual({
      type: 's3',
      config: {
        bucket,
        accessKey: user.keys[0]!.accessKeyId,
        secretKey: user.keys[0]!.secretAccessKey,
        endpoint: s.urls.s3,
        sse: 's3',
      },
      fallback: 'opentok',
    });

    const claims = s.control.opentokJwtClaims();
    expect(claims.length).toBeGreaterThanOrEqual(2);
    for (const c of claims) {
      expect(c.iss).toBe(s.opentok.apiKey);
      expect(c.ist).toBe('project');
      expect(Number(c.exp) - Number(c.iat)).toBeLessThanOrEqual(300);
      expect(Number(c.exp)).toBeLessThanOrEqual(started + 300 + 60);
    }
    const everything = run.stdout + run.stderr;
    expect(everything).not.toContain(s.opentok.apiSecret);
    expect(everything).not.toContain(user.keys[0]!.secretAccessKey);
  });

  it('is idempotent where the target can be read back', async () => {
    const s = await start({ opentokStorageReadable: true });
    expect((await runCli(args(s), s)).code).toBe(0);
    s.recorder.reset();
    const again = await runCli(args(s), s);
    expect(again.code).toBe(0);
    expect(again.json<Doc>().steps.every((x) => x.status === 'unchanged')).toBe(true);
    // The storage read proves the key and secret: no session is created, nothing at all is written.
    expect(s.recorder.writes().map((r) => r.operation)).toEqual([]);
    expect(s.recorder.requests.length).toBeLessThanOrEqual(12);
  });

  it('re-PUTs the same target where it cannot be read back', async () => {
    const s = await start({ opentokStorageReadable: false });
    expect((await runCli(args(s), s)).code).toBe(0);
    const before = s.control.opentokStorage(s.opentok.apiKey);
    s.recorder.reset();
    const again = await runCli(args(s), s);
    expect(again.code).toBe(0);
    expect(again.json<Doc>().steps.find((x) => x.id === 'opentok.storage')?.status).toBe('updated');
    expect(storageWrites(s)).toHaveLength(1);
    expect(s.control.opentokStorage(s.opentok.apiKey)).toEqual(before);
  });

  it('honours --sse none and --fallback none', async () => {
    const s = await start();
    const run = await runCli([...args(s), '--sse', 'none', '--fallback', 'none'], s);
    expect(run.code).toBe(0);
    expect(s.control.opentokStorage(s.opentok.apiKey)).toMatchObject({ config: { sse: 'none' }, fallback: 'none' });
  });

  it('refuses a bad secret with exit 1 before changing anything', async () => {
    const s = await start();
    const wrong = 'f'.repeat(40);
    const run = await runCli(args(s, wrong), s);
    expect(run.code).toBe(1);
    const doc = run.json<Doc>();
    expect(doc.error?.code).toBe('opentok_invalid_credentials');
    expect(doc.error?.message).toMatch(/Invalid API key or secret/);
    expect(s.recorder.writes().filter((r) => r.operation !== 'POST /session/create' && !r.path.endsWith('/session/create'))).toEqual([]);
    expect(s.control.opentokStorage(s.opentok.apiKey)).toBeUndefined();
    expect(run.stdout + run.stderr).not.toContain(wrong);
  });

  it('needs the secret in a non-interactive run', async () => {
    const s = await start();
    const run = await runCli(['setup', '--api-key', s.opentok.apiKey, '--configure-opentok', '--app', 'ib-demo', '--yes', '--json'], s);
    expect(run.code).toBe(2);
    expect(run.json<{ error: { missing: string[] } }>().error.missing).toEqual(['--api-secret']);
    expect(s.recorder.requests).toEqual([]);
  });
});
