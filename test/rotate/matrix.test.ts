// Fault matrix over every request of a rotation (5xx, throttle, reset, lost answer): after the faulted run the app's
// and OpenTok's keys are both active and right; after a fault-free re-run exactly one key exists and both agree.
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalServices } from '../../src/standins/api.js';
import { startLocalServices } from '../../src/standins/index.js';
import type { FaultKind, RecordedRequest } from '../../src/standins/recorder.js';
import { runCli } from '../helpers/cli.js';
import { type FaultPoint, signatureOf } from '../helpers/fault-matrix.js';

const setupArgs = (s: LocalServices) => ['setup', '--api-key', s.opentok.apiKey, '--api-secret', s.opentok.apiSecret, '--configure-opentok', '--app', 'ib-demo', '--yes', '--non-interactive'];
const rotateArgs = (s: LocalServices) => ['rotate-key', '--api-key', s.opentok.apiKey, '--api-secret', s.opentok.apiSecret, '--app', 'ib-demo', '--non-interactive', '--json'];
const env = { IB_ARCHIVE_KEY_WAIT_MS: '1500' };

/** Fresh stand-ins with a finished set-up (storage readable, so OpenTok's key can be compared). */
async function setUp(): Promise<LocalServices> {
  const s = await startLocalServices({ opentokStorageReadable: true });
  const r = await runCli(setupArgs(s), s);
  if (r.code !== 0) throw new Error(`setup failed: ${r.stderr}`);
  s.recorder.reset();
  return s;
}

function consumers(s: LocalServices) {
  const user = s.control.user('ib-archive-ib-demo')!;
  const vars = s.control.app('ib-demo')!.configVars;
  const storage = s.control.opentokStorage(s.opentok.apiKey) as { config: { accessKey: string; secretKey: string } };
  const works = (id: string | undefined, secret: string | undefined) => user.keys.some((k) => k.accessKeyId === id && k.secretAccessKey === secret && k.status === 'Active');
  return { user, app: vars.AWS_ACCESS_KEY_ID, appWorks: works(vars.AWS_ACCESS_KEY_ID, vars.AWS_SECRET_ACCESS_KEY), opentok: storage.config.accessKey, opentokWorks: works(storage.config.accessKey, storage.config.secretKey) };
}

const points: FaultPoint[] = await (async () => {
  const s = await setUp();
  try {
    const r = await runCli(rotateArgs(s), s, { env });
    if (r.code !== 0) throw new Error(`the fault-free rotation failed: ${r.stderr}`);
    const counts = new Map<string, number>();
    return s.recorder.requests.map((q) => {
      const signature = signatureOf(q, s);
      const occurrence = (counts.get(signature) ?? 0) + 1;
      counts.set(signature, occurrence);
      return { index: q.index, signature, occurrence, write: q.write };
    });
  } finally {
    await s.close();
  }
})();

const tally = { scenarios: 0, recovered: 0 };
const KINDS: FaultKind[] = ['5xx', 'throttle', 'reset', 'lost'];

describe.concurrent(`fault matrix: rotate-key (${points.length} requests)`, () => {
  it('the fault-free rotation sends at most 12 requests besides the new key\'s polls', () => {
    expect(points.filter((p) => !p.signature.endsWith('(new key)') || p.signature.includes('PutObject')).length).toBeLessThanOrEqual(12);
  });
  for (const point of points) {
    for (const kind of KINDS) {
      if (kind === 'lost' && !point.write) continue;
      it(`${kind} at #${point.index} ${point.signature}${point.occurrence > 1 ? ` (${point.occurrence})` : ''}`, async () => {
        const s = await setUp();
        try {
          let seen = 0;
          s.recorder.addFault({ kind, times: 1, match: (r: RecordedRequest) => signatureOf(r, s) === point.signature && ++seen === point.occurrence });
          const first = await runCli(rotateArgs(s), s, { env });
          expect([0, 1]).toContain(first.code);
          if (first.code === 0) tally.recovered += 1;
          tally.scenarios += 1;
          const mid = consumers(s);
          expect(mid.appWorks, `after a ${kind}: the app holds an active key with its secret`).toBe(true);
          expect(mid.opentokWorks, `after a ${kind}: OpenTok holds an active key with its secret`).toBe(true);

          s.recorder.clearFaults();
          const again = await runCli(rotateArgs(s), s, { env });
          expect(again.code, again.stdout + again.stderr).toBe(0);
          const end = consumers(s);
          expect(end.user.keys.map((k) => k.accessKeyId)).toEqual([end.app]);
          expect(end.opentok).toBe(end.app);
          expect(end.appWorks && end.opentokWorks).toBe(true);
          expect(s.recorder.unknown).toEqual([]);
        } finally {
          await s.close();
        }
      });
    }
  }
});

afterAll(() => {
  console.log(`fault matrix (rotate-key): ${tally.scenarios} scenarios over ${points.length} requests; ${tally.recovered} recovered within the run`);
});
