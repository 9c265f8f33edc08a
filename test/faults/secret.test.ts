// The one-time secret: held in memory until Heroku (or --env-file) has it. When Heroku keeps refusing, the new key
// is deleted and the output says so; with --env-file it was saved there first (mode 0600) and a re-run reuses it.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalServices } from '../../src/standins/index.js';
import type { LocalServices } from '../../src/standins/api.js';
import { cleanHome, runCli } from '../helpers/cli.js';
import { defaultNames, endState, expectNoOrphanKey, expectNoSecretIn, expectNothingHalfPublic } from '../helpers/end-state.js';
import { issuedSecrets } from '../helpers/hooks.js';
import { HAS_SCRIPT, KEY, runInPty } from '../helpers/pty.js';

const PATCH = 'PATCH /apps/{app}/config-vars';

/** Each test gets its own stand-ins, so that the tests (which mostly wait out Heroku retries) run concurrently. */
function withServices(test: (s: LocalServices) => Promise<void>): () => Promise<void> {
  return async () => {
    const s = await startLocalServices();
    try {
      await test(s);
      expect(s.recorder.unknown).toEqual([]);
    } finally {
      await s.close();
    }
  };
}

const herokuAlwaysFails = (s: LocalServices) => s.recorder.addFault({ match: (r) => r.operation === PATCH, kind: '5xx', times: 100 });
const args = (s: LocalServices) => ['setup', '--api-key', s.opentok.apiKey, '--app', 'ib-demo', '--yes', '--non-interactive'];
const user = (s: LocalServices) => s.control.user(defaultNames(s).iamUser);
const secrets = (s: LocalServices) => [...issuedSecrets(s), s.herokuToken, s.rootKey.secretAccessKey];

interface Doc {
  ok: boolean;
  steps: { id: string; status: string }[];
  error?: { code: string; message: string; fix?: string };
}

describe.concurrent('Heroku keeps refusing the config vars', () => {
  it('deletes the new key, says so, and a re-run converges', withServices(async (s) => {
    herokuAlwaysFails(s);
    const run = await runCli([...args(s), '--json'], s);
    expect(run.code).toBe(1);
    const doc = run.json<Doc>();
    expect(doc.steps.find((x) => x.id === 'heroku.config-vars')?.status).toBe('failed');
    expect(doc.error?.code).toBe('heroku_error');
    expect(doc.error?.message).toMatch(/Setting the config vars of ib-demo/);
    expect(doc.error?.fix).toBeTruthy();
    // The tool tried (bounded) before giving up: heroku-client itself does not retry a 5xx.
    expect(s.recorder.requests.filter((r) => r.operation === PATCH).length).toBeGreaterThanOrEqual(3);
    expect(run.stderr).toMatch(/The new access key (AKIA\w+) was deleted/);
    expect(user(s)?.keys).toEqual([]);
    expect(s.control.app('ib-demo')!.configVars.AWS_ACCESS_KEY_ID).toBeUndefined();
    expectNothingHalfPublic(s);
    expectNoSecretIn(run.stdout + run.stderr, secrets(s));

    s.recorder.clearFaults();
    const again = await runCli(args(s), s);
    expect(again.code).toBe(0);
    expect(endState(s).keys).toEqual([{ status: 'Active', heldByHeroku: true }]);
    expect(s.control.app('ib-demo')!.releases).toBe(1);
  }));

  it('says so in plain text too, and names the fix', withServices(async (s) => {
    herokuAlwaysFails(s);
    const run = await runCli(args(s), s);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/✗ .*config vars of ib-demo/);
    expect(run.stderr).toMatch(/was deleted: its secret could not be stored/);
    expect(run.stderr).toMatch(/Re-run/);
    expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  }));

  it('with --env-file, keeps the key saved there (mode 0600); a re-run with the same file reuses it', withServices(async (s) => {
    const file = join(cleanHome(), 'ib.env');
    herokuAlwaysFails(s);
    const run = await runCli([...args(s), '--vars-file', file, '--json'], s);
    expect(run.code).toBe(1);
    const keys = user(s)!.keys;
    expect(keys).toHaveLength(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`AWS_ACCESS_KEY_ID=${keys[0]!.accessKeyId}`);
    expect(text).toContain(`AWS_SECRET_ACCESS_KEY=${keys[0]!.secretAccessKey}`);
    expect(run.stderr).not.toMatch(/was deleted/);
    expectNoOrphanKey(s, defaultNames(s), [keys[0]!.accessKeyId]);
    expectNoSecretIn(run.stdout + run.stderr, secrets(s));

    s.recorder.clearFaults();
    const again = await runCli([...args(s), '--vars-file', file, '--json'], s);
    expect(again.code).toBe(0);
    expect(again.json<Doc>().steps.find((x) => x.id === 'iam.access-key')?.status).toBe('unchanged');
    expect(s.recorder.writes().filter((r) => r.operation === 'CreateAccessKey')).toHaveLength(1);
    expect(endState(s).keys).toEqual([{ status: 'Active', heldByHeroku: true }]);
    expect(s.control.app('ib-demo')!.configVars.AWS_ACCESS_KEY_ID).toBe(keys[0]!.accessKeyId);
    expectNoSecretIn(again.stdout + again.stderr, secrets(s));
  }));
});

describe.skipIf(!HAS_SCRIPT)('Heroku keeps refusing, in a terminal', { concurrent: true }, () => {
  const interactiveArgs = (s: LocalServices) => ['setup', '--api-key', s.opentok.apiKey, '--bucket', `ib-archive-${s.opentok.apiKey}`, '--region', 'us-east-1', '--app', 'ib-demo', '--yes'];

  it('"write the values to a file" saves them with mode 0600 and keeps the key', withServices(async (s) => {
    const dir = cleanHome();
    const file = join(dir, 'saved.env');
    herokuAlwaysFails(s);
    const run = await runInPty(interactiveArgs(s), s, [
      { waitFor: 'Heroku did not take the config vars', keys: `${KEY.down}${KEY.enter}` },
      { waitFor: 'File to write', keys: `${file}${KEY.enter}` },
    ]);
    expect(run.code, run.screen).toBe(0);
    expect(run.screen).toContain(`wrote the four vars to ${file} (mode 0600)`);
    const keys = user(s)!.keys;
    expect(keys).toHaveLength(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(`AWS_SECRET_ACCESS_KEY=${keys[0]!.secretAccessKey}`);
    expectNoSecretIn(run.screen, secrets(s), 'terminal');
  }));

  it('"give up" deletes the new key and says so', withServices(async (s) => {
    herokuAlwaysFails(s);
    const run = await runInPty(interactiveArgs(s), s, [{ waitFor: 'Heroku did not take the config vars', keys: `${KEY.down}${KEY.down}${KEY.enter}` }]);
    expect(run.code, run.screen).toBe(1);
    expect(run.screen).toMatch(/The new access key AKIA\w+ was deleted/);
    expect(user(s)?.keys).toEqual([]);
    expectNoSecretIn(run.screen, secrets(s), 'terminal');
  }));
});
