// The fault matrix: a fault-free run lists its requests; each one is then failed once (5xx, throttle, reset) on fresh
// stand-ins, setup is re-run without faults, and the end state must equal the fault-free run's.
import { expect } from 'vitest';
import { startLocalServices } from '../../src/standins/index.js';
import type { LocalServices, LocalServicesOptions } from '../../src/standins/api.js';
import type { FaultKind, RecordedRequest } from '../../src/standins/recorder.js';
import { type CliResult, runCli } from './cli.js';
import { type EndState, endState, expectNoOrphanKey, expectNoSecretIn, expectNothingHalfPublic } from './end-state.js';
import { issuedSecrets } from './hooks.js';

export const FAULT_KINDS: FaultKind[] = ['5xx', 'throttle', 'reset'];

/** A request of the fault-free run, named so that it can be found again whatever the order of concurrent reads. */
export interface FaultPoint {
  /** Its index in the fault-free run. */
  index: number;
  /** `s3 PutBucketCors`, `sts GetCallerIdentity (new key)`… */
  signature: string;
  /** 1 for the first request with this signature, 2 for the second… */
  occurrence: number;
  /** It changes state: its answer can be lost after it took effect. */
  write: boolean;
}

export function signatureOf(r: RecordedRequest, s: LocalServices): string {
  const byNewKey = r.service !== 'heroku' && r.service !== 'opentok' && r.accessKeyId !== undefined && r.accessKeyId !== s.rootKey.accessKeyId;
  return `${r.service} ${r.operation}${byNewKey ? ' (new key)' : ''}`;
}

export interface Baseline {
  points: FaultPoint[];
  state: EndState;
}

/** The fault-free run: every request it sends, and the end state it leaves. */
export async function baseline(args: (s: LocalServices) => string[], opts: LocalServicesOptions = {}): Promise<Baseline> {
  const s = await startLocalServices(opts);
  try {
    const run = await runCli(args(s), s);
    if (run.code !== 0) throw new Error(`the fault-free run failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
    const counts = new Map<string, number>();
    const points = s.recorder.requests.map((r) => {
      const signature = signatureOf(r, s);
      const occurrence = (counts.get(signature) ?? 0) + 1;
      counts.set(signature, occurrence);
      return { index: r.index, signature, occurrence, write: r.write };
    });
    return { points, state: endState(s) };
  } finally {
    await s.close();
  }
}

export interface ScenarioResult {
  /** Exit code of the faulted run (0: it recovered by itself; 1: it failed cleanly and the re-run converged). */
  firstCode: number | null;
}

const STACK = /\n\s+at .+:\d+:\d+/;

function expectCleanFailureReport(run: CliResult): void {
  expect(run.stdout + run.stderr).not.toMatch(STACK);
  if (run.code === 0) return;
  const doc = run.json<{ ok: boolean; error?: { message?: string; fix?: string } }>();
  expect(doc.ok).toBe(false);
  expect(doc.error?.message, 'the failure names the problem').toBeTruthy();
  expect(doc.error?.fix, 'the failure names the fix').toBeTruthy();
}

/** Fails `point` once with `kind`, then re-runs without faults; asserts the invariants after each run. */
export async function runScenario(
  point: FaultPoint,
  kind: FaultKind,
  args: (s: LocalServices) => string[],
  expected: EndState,
  opts: { services?: LocalServicesOptions; persistent?: boolean; env?: Record<string, string> } = {},
): Promise<ScenarioResult> {
  const s = await startLocalServices(opts.services);
  try {
    let seen = 0;
    // Once: that request only. Persistent: that request and every retry of it (same signature) from then on.
    const match = opts.persistent
      ? (r: RecordedRequest) => signatureOf(r, s) === point.signature && ++seen >= point.occurrence
      : (r: RecordedRequest) => signatureOf(r, s) === point.signature && ++seen === point.occurrence;
    s.recorder.addFault({ kind, times: opts.persistent ? 1000 : 1, match });
    const first = await runCli(args(s), s, { env: opts.env });
    expect(s.recorder.requests.some((r) => r.faulted === kind), `the ${kind} was injected`).toBe(true);
    // A one-off fault is survived within the run (every client retries); one that repeats ends the run cleanly.
    if (opts.persistent) expect([0, 1], `exit code of the faulted run; stderr:\n${first.stderr}`).toContain(first.code);
    else expect(first.code, `a one-off ${kind} at ${point.signature} is recovered within the run; stderr:\n${first.stderr}`).toBe(0);
    expectCleanFailureReport(first);
    // A run that says it succeeded must have converged already (an optional read, like OpenTok's GET storage, may fail).
    if (first.code === 0) expect(endState(s), `state after a ${kind} at ${point.signature}, exit 0`).toEqual(expected);
    expectNothingHalfPublic(s);
    expectNoOrphanKey(s);
    expectNoSecretIn(first.stdout + first.stderr, [...issuedSecrets(s), s.herokuToken, s.rootKey.secretAccessKey, s.opentok.apiSecret], 'faulted run');

    s.recorder.clearFaults();
    const second = await runCli(args(s), s, { env: opts.env });
    expect(second.code, `re-run after a ${kind} at ${point.signature}:\n${second.stderr}\n${second.stdout}`).toBe(0);
    expectNoSecretIn(second.stdout + second.stderr, [...issuedSecrets(s), s.herokuToken, s.rootKey.secretAccessKey, s.opentok.apiSecret], 're-run');
    expect(endState(s)).toEqual(expected);
    expect(s.recorder.unknown.map((r) => `${r.method} ${r.path}`)).toEqual([]);
    return { firstCode: first.code };
  } finally {
    await s.close();
  }
}
