// Eventual consistency: a new IAM key is refused (InvalidClientTokenId) for a while after it is created. Setup waits
// visibly (up to 30 s; the suite shortens the limit through IB_ARCHIVE_KEY_WAIT_MS), then fails clearly, orphaning nothing.
import { describe, expect, it } from 'vitest';
import { startLocalServices } from '../../src/standins/index.js';
import type { LocalServices, LocalServicesOptions } from '../../src/standins/api.js';
import { runCli } from '../helpers/cli.js';
import { defaultNames, endState, expectNoSecretIn } from '../helpers/end-state.js';
import { issuedSecrets } from '../helpers/hooks.js';

const args = (s: LocalServices) => ['setup', '--api-key', s.opentok.apiKey, '--app', 'ib-demo', '--yes', '--non-interactive'];

async function withServices(opts: LocalServicesOptions, test: (s: LocalServices) => Promise<void>): Promise<void> {
  const s = await startLocalServices(opts);
  try {
    await test(s);
    expect(s.recorder.unknown).toEqual([]);
  } finally {
    await s.close();
  }
}

/** STS calls signed by the new key (not the operator's), and how they were answered. */
const newKeyPolls = (s: LocalServices) =>
  s.recorder.requests.filter((r) => r.service === 'sts' && r.accessKeyId && r.accessKeyId !== s.rootKey.accessKeyId).map((r) => r.status);

describe.concurrent('a new access key that takes time to work', () => {
  it('is waited for, visibly, and setup then succeeds', () =>
    withServices({ keyPropagationMs: 3000 }, async (s) => {
      const started = Date.now();
      const run = await runCli(args(s), s);
      expect(run.code, run.stderr).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
      expect(run.stderr).toMatch(/Waiting for AWS to activate the new key AKIA\w+/);
      const polls = newKeyPolls(s);
      expect(polls.filter((st) => st === 403).length, 'refused while propagating').toBeGreaterThanOrEqual(2);
      expect(polls.at(-1)).toBe(200);
      expect(endState(s).keys).toEqual([{ status: 'Active', heldByHeroku: true }]);
      expectNoSecretIn(run.stdout + run.stderr, issuedSecrets(s));
    }));

  it('fails clearly after the limit, deletes the key, and a later re-run succeeds', () =>
    withServices({ keyPropagationMs: 600_000 }, async (s) => {
      const run = await runCli([...args(s), '--json'], s, { env: { IB_ARCHIVE_KEY_WAIT_MS: '2000' } });
      expect(run.code).toBe(1);
      const doc = run.json<{ steps: { id: string; status: string }[]; error: { code: string; message: string; fix: string } }>();
      expect(doc.error.code).toBe('key_not_active');
      expect(doc.error.message).toMatch(/The new access key AKIA\w+ still did not work after 2 s \(InvalidClientTokenId\)/);
      expect(doc.error.fix).toMatch(/eventually consistent.*re-run/i);
      expect(doc.steps.find((x) => x.id === 'iam.access-key')?.status).toBe('failed');
      expect(run.stderr).toMatch(/The new access key AKIA\w+ was deleted/);
      expect(s.control.user(defaultNames(s).iamUser)?.keys).toEqual([]);
      expect(s.control.app('ib-demo')!.configVars.AWS_ACCESS_KEY_ID).toBeUndefined();

      s.control.setKeyPropagationMs(0);
      const again = await runCli(args(s), s);
      expect(again.code).toBe(0);
      expect(endState(s).keys).toEqual([{ status: 'Active', heldByHeroku: true }]);
    }));

  it('keeps the real limit at 30 s unless the suite shortens it', () =>
    withServices({ keyPropagationMs: 600_000 }, async (s) => {
      // Not waited out here: the run is stopped after 5 s, still waiting, and its key is deleted on the way out.
      const run = await runCli(args(s), s, {
        onSpawn: (child) => setTimeout(() => child.kill('SIGINT'), 5000),
      });
      expect(run.code).toBe(130);
      expect(run.stderr).toMatch(/Waiting for AWS to activate the new key/);
      expect(run.stderr).not.toMatch(/still did not work/);
      expect(newKeyPolls(s).length).toBeGreaterThanOrEqual(3);
      expect(s.control.user(defaultNames(s).iamUser)?.keys).toEqual([]);
    }));
});
