// Fault matrix, --configure-opentok: the requests only this variant sends (OpenTok's) fail once (5xx, 429, reset)
// and every time; the other requests are the same as in matrix.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalServices } from '../../src/standins/api.js';
import { FAULT_KINDS, baseline, runScenario } from '../helpers/fault-matrix.js';

const args = (s: LocalServices) => [
  'setup', '--api-key', s.opentok.apiKey, '--api-secret', s.opentok.apiSecret, '--configure-opentok',
  '--app', 'ib-demo', '--yes', '--non-interactive', '--json',
];

const base = await baseline(args);
const points = base.points.filter((p) => p.signature.startsWith('opentok '));
const tally = { points: 0, recovered: 0, failedThenConverged: 0 };
const count = (firstCode: number | null) => {
  tally.points += 1;
  if (firstCode === 0) tally.recovered += 1;
  else tally.failedThenConverged += 1;
};

describe.concurrent(`fault matrix: setup --configure-opentok (${points.length} OpenTok requests)`, () => {
  it('the fault-free run sets the storage with the key Heroku holds', () => {
    expect(points.map((p) => p.signature)).toEqual(
      expect.arrayContaining(['opentok POST /session/create', 'opentok PUT /v2/project/{apiKey}/archive/storage']),
    );
    expect(base.state.opentok).toMatchObject({ config: { accessKey: "<the user's key>", secretKey: '<its secret>' } });
  });
  for (const point of points) {
    for (const kind of FAULT_KINDS) {
      it(`${kind} once at #${point.index} ${point.signature}`, async () => {
        count((await runScenario(point, kind, args, base.state)).firstCode);
      });
    }
    it(`5xx every time at #${point.index} ${point.signature}`, async () => {
      count((await runScenario(point, '5xx', args, base.state, { persistent: true })).firstCode);
    });
  }
});

afterAll(() => {
  console.log(
    `fault matrix (setup --configure-opentok): ${tally.points} fault points over ${points.length} OpenTok requests; ` +
      `${tally.recovered} recovered within the run, ${tally.failedThenConverged} failed cleanly and converged on re-run`,
  );
});
