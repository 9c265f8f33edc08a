// Requests that never answer: each client gives up on the attempt after the request time limit and tries again,
// so a run never hangs; a service that keeps hanging fails the run cleanly and a re-run converges.
import { describe, expect, it } from 'vitest';
import { startLocalServices } from '../../src/standins/index.js';
import type { LocalServices } from '../../src/standins/api.js';
import type { RecordedRequest } from '../../src/standins/recorder.js';
import { runCli } from '../helpers/cli.js';
import { defaultNames, endState, expectNothingHalfPublic } from '../helpers/end-state.js';

/** A short request limit keeps the suite fast; the product default is 20 s. */
const ENV = { IB_ARCHIVE_REQUEST_TIMEOUT_MS: '1000' };

function withServices(test: (s: LocalServices) => Promise<void>): () => Promise<void> {
  return async () => {
    const s = await startLocalServices({ opentokStorageReadable: true });
    try {
      await test(s);
      expect(s.recorder.unknown).toEqual([]);
    } finally {
      await s.close();
    }
  };
}

const args = (s: LocalServices) => [
  'setup', '--api-key', s.opentok.apiKey, '--api-secret', s.opentok.apiSecret, '--configure-opentok', '--app', 'ib-demo', '--yes', '--json',
];

const hangs: [string, (r: RecordedRequest) => boolean][] = [
  ['S3 PutBucketCors', (r) => r.operation === 'PutBucketCors'],
  ['IAM CreateUser', (r) => r.operation === 'CreateUser'],
  ['STS GetCallerIdentity', (r) => r.operation === 'GetCallerIdentity'],
  ['the Heroku PATCH', (r) => r.service === 'heroku' && r.method === 'PATCH'],
  ['the OpenTok storage PUT', (r) => r.service === 'opentok' && r.method === 'PUT'],
];

describe.concurrent('a request that hangs', () => {
  for (const [name, match] of hangs) {
    it(`once (${name}): the attempt times out, is retried, and setup completes`, withServices(async (s) => {
      s.recorder.addFault({ match, kind: 'hang', times: 1 });
      const started = Date.now();
      const run = await runCli(args(s), s, { env: ENV });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(s.recorder.requests.filter(match).length).toBeGreaterThanOrEqual(2);
      expect(endState(s).keys).toEqual([{ status: 'Active', heldByHeroku: true }]);
    }));
  }

  it('every time (the Heroku PATCH): setup fails in bounded time, deletes the new key, and a re-run converges', withServices(async (s) => {
    s.recorder.addFault({ match: (r) => r.service === 'heroku' && r.method === 'PATCH', kind: 'hang', times: 100 });
    const started = Date.now();
    const run = await runCli(args(s), s, { env: ENV });
    expect(run.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(run.json<{ error: { code: string } }>().error.code).toBe('heroku_unreachable');
    expect(s.control.user(defaultNames(s).iamUser)?.keys).toEqual([]);
    expectNothingHalfPublic(s);

    s.recorder.clearFaults();
    const again = await runCli(args(s), s, { env: ENV });
    expect(again.code).toBe(0);
    expect(endState(s).keys).toEqual([{ status: 'Active', heldByHeroku: true }]);
  }));
});
