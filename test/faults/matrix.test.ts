// Fault matrix: every request of a fresh setup fails once (5xx, throttle, connection reset) and, separately, every
// time (5xx); the run recovers or fails cleanly, and a re-run without faults always reaches the fault-free end state.
import { afterAll, describe, it } from 'vitest';
import type { LocalServices } from '../../src/standins/api.js';
import { FAULT_KINDS, baseline, runScenario } from '../helpers/fault-matrix.js';

const args = (s: LocalServices) => ['setup', '--api-key', s.opentok.apiKey, '--app', 'ib-demo', '--yes', '--non-interactive', '--json'];
// A persistent failure of the new key's first call would otherwise be waited out for the real 30 s.
const env = { IB_ARCHIVE_KEY_WAIT_MS: '1500' };

const base = await baseline(args);
const tally = { points: 0, recovered: 0, failedThenConverged: 0 };
const count = (firstCode: number | null) => {
  tally.points += 1;
  if (firstCode === 0) tally.recovered += 1;
  else tally.failedThenConverged += 1;
};
const name = (p: (typeof base.points)[number]) => `#${p.index} ${p.signature}${p.occurrence > 1 ? ` (${p.occurrence})` : ''}`;

describe.concurrent(`fault matrix: setup (${base.points.length} requests)`, () => {
  for (const point of base.points) {
    for (const kind of FAULT_KINDS) {
      it(`${kind} once at ${name(point)}`, async () => {
        count((await runScenario(point, kind, args, base.state, { env })).firstCode);
      });
    }
    // The write lands, its answer is lost: the same run must still end with the complete state and one key.
    if (point.write) {
      it(`lost answer at ${name(point)}`, async () => {
        count((await runScenario(point, 'lost', args, base.state, { env })).firstCode);
      });
    }
    it(`5xx every time at ${name(point)}`, async () => {
      count((await runScenario(point, '5xx', args, base.state, { env, persistent: true })).firstCode);
    });
  }
});

afterAll(() => {
  console.log(
    `fault matrix (setup): ${tally.points} fault points over ${base.points.length} requests; ` +
      `${tally.recovered} recovered within the run, ${tally.failedThenConverged} failed cleanly and converged on re-run`,
  );
});
