// Runs of `ib-archive teardown --json` against a set-up made by the real setup, and what they sent.
import { afterEach, expect } from 'vitest';
import { type CliResult, runCli } from '../helpers/cli.js';
import { type SetUp, correctSetUp } from '../doctor/helpers.js';

export interface TeardownDoc {
  command: string;
  ok: boolean;
  dryRun: boolean;
  steps: { id: string; status: string; detail: string }[];
  error?: { code: string; message: string; missing: string[] };
}

export const TEARDOWN_IDS = ['heroku.config-vars', 'opentok.storage', 'iam.access-key', 'iam.policy', 'iam.user', 's3.policy', 's3.public-access-block', 's3.cors', 's3.lifecycle', 's3.folder', 's3.archives', 's3.bucket'];

export interface TeardownRun {
  result: CliResult;
  doc: TeardownDoc;
  status: Record<string, string>;
  /** Requests of this run, and the writes among them. */
  requests: number;
  writes: string[];
}

/** `ib-archive teardown --json` for the set-up's app (or `opts.app`: --no-heroku …) and project, with the OpenTok secret, from a fresh request log. */
export async function teardown(s: SetUp, extra: string[] = [], opts: { env?: Record<string, string>; yes?: boolean; app?: string[] } = {}): Promise<TeardownRun> {
  s.services.recorder.reset();
  const args = ['teardown', '--api-key', s.apiKey, '--api-secret', s.apiSecret, ...(opts.app ?? ['--app', s.app]), '--json', '--non-interactive', ...(opts.yes === false ? [] : ['--yes']), ...extra];
  const result = await runCli(args, s.services, { env: opts.env });
  let doc: TeardownDoc;
  try {
    doc = result.json();
  } catch {
    throw new Error(`teardown printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  expect(doc.command).toBe('teardown');
  expect(s.services.recorder.unknown).toEqual([]);
  const printed = result.stdout + result.stderr;
  for (const secret of [s.secret, s.apiSecret, s.services.herokuToken, s.services.rootKey.secretAccessKey]) expect(printed).not.toContain(secret);
  return {
    result,
    doc,
    status: Object.fromEntries((doc.steps ?? []).map((st) => [st.id, st.status])),
    requests: s.services.recorder.requests.length,
    writes: s.services.recorder.writes().map((r) => `${r.service} ${r.operation}`),
  };
}

/** A set-up of its own for each test (made by the real setup), closed after the test. */
export function freshSetUps(): (...args: Parameters<typeof correctSetUp>) => Promise<SetUp> {
  let made: SetUp | undefined;
  afterEach(async () => {
    await made?.close();
    made = undefined;
  });
  return async (...args) => (made = await correctSetUp(...args));
}
