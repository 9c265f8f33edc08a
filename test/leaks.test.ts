// The leak scan. Every CLI run of the whole suite (stdout, stderr, --json, --debug) is logged with the secrets it
// could print; test/helpers/global-setup.ts scans the log once every file is done and fails the run on any hit.
// This file proves that machinery works and adds the runs most likely to leak: --debug, DEBUG=*, failures, re-runs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { startLocalServices } from '../src/standins/index.js';
import type { LocalServices } from '../src/standins/api.js';
import { runCli } from './helpers/cli.js';
import { defaultNames } from './helpers/end-state.js';
import globalSetup from './helpers/global-setup.js';
import { issuedSecrets } from './helpers/hooks.js';
import { LEAK_LOG_ENV, type RunRecord, logRun, readRunLog, scanRuns, secretForms } from './helpers/leaks.js';

const record = (over: Partial<RunRecord>): RunRecord => ({ label: 'fixture', args: ['setup'], stdout: '', stderr: '', secrets: [], ...over });
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const TOKEN = 'HRKU-AAexampleexampleexampleexample00000';

describe('the leak scanner', () => {
  it('finds a secret of any run in the output of any run, in the forms a log would show it', () => {
    const owner = record({ secrets: [{ value: SECRET, kind: 'aws-key' }, { value: TOKEN, kind: 'heroku-token' }] });
    for (const form of secretForms(SECRET)) {
      const leaks = scanRuns([owner, record({ label: 'other run', stderr: `… ${form.text} …` })]);
      expect(leaks.map((l) => [l.label, l.form]), form.form).toContainEqual(['other run', form.form]);
    }
    const basic = Buffer.from(`:${TOKEN}`).toString('base64');
    expect(scanRuns([owner, record({ stdout: `authorization: Basic ${basic}` })]).map((l) => l.kind)).toContain('heroku-token');
    expect(scanRuns([owner, record({ stdout: 'nothing to see', stderr: `${SECRET.slice(0, 20)}…` })])).toEqual([]);
  });

  it('lets --show-secrets print a generated AWS secret on stdout, and nothing else anywhere', () => {
    const secrets = [{ value: SECRET, kind: 'aws-key' as const }, { value: TOKEN, kind: 'heroku-token' as const }];
    const shown = record({ args: ['setup', '--show-secrets'], secrets, stdout: `AWS_SECRET_ACCESS_KEY ${SECRET}` });
    expect(scanRuns([shown])).toEqual([]);
    expect(scanRuns([{ ...shown, stderr: SECRET }]).map((l) => l.stream)).toEqual(['stderr']);
    expect(scanRuns([{ ...shown, stdout: TOKEN }]).map((l) => l.kind)).toEqual(['heroku-token']);
  });

  it('fails the whole run: the global teardown throws and sets a non-zero exit code', () => {
    const saved = { dir: process.env[LEAK_LOG_ENV], exitCode: process.exitCode };
    try {
      vi.spyOn(console, 'error').mockImplementation(() => undefined);
      const teardown = globalSetup();
      const dir = process.env[LEAK_LOG_ENV]!;
      logRun(record({ label: 'deliberate leak', secrets: [{ value: SECRET, kind: 'aws-key' }], stderr: `oops ${SECRET}` }));
      expect(() => teardown()).toThrow(/leak scan: 1 secret\(s\) printed[\s\S]*deliberate leak/);
      expect(process.exitCode).toBe(1);
      expect(existsSync(dir)).toBe(false);
    } finally {
      process.env[LEAK_LOG_ENV] = saved.dir;
      process.exitCode = saved.exitCode;
      vi.restoreAllMocks();
    }
  });

  it('is fed by every runCli of this suite', async () => {
    const dir = process.env[LEAK_LOG_ENV];
    expect(dir, 'the global setup sets the log directory').toBeTruthy();
    await runCli(['--version']);
    const mine = readRunLog(dir!).filter((r) => r.label.startsWith('leaks.test.ts:'));
    expect(mine.map((r) => r.args)).toContainEqual(['--version']);
    expect(readFileSync(join(dir!, `runs-${process.pid}.jsonl`), 'utf8')).toContain('--version');
  });
});

/** Runs, then asserts on the spot (the suite-wide scan checks them again, against every secret of every run). */
async function expectNoLeak(s: LocalServices, args: string[], env?: Record<string, string>) {
  const run = await runCli(args, s, { env });
  const text = run.stdout + run.stderr;
  const secrets = [...issuedSecrets(s), s.herokuToken, s.rootKey.secretAccessKey, s.opentok.apiSecret];
  for (const secret of secrets) for (const form of secretForms(secret)) expect(text.includes(form.text), `${form.form} secret in ${args.join(' ')}`).toBe(false);
  return run;
}

describe.concurrent('runs most likely to leak', () => {
  const setup = (s: LocalServices, ...extra: string[]) => ['setup', '--api-key', s.opentok.apiKey, '--app', 'ib-demo', '--yes', '--non-interactive', ...extra];

  it('--debug with DEBUG=* (third-party debug logs), fresh run and re-run, text and --json', async () => {
    const s = await startLocalServices();
    try {
      const first = await expectNoLeak(s, setup(s, '--debug', '--api-secret', s.opentok.apiSecret, '--configure-opentok'), { DEBUG: '*' });
      expect(first.code).toBe(0);
      expect(first.stderr).toMatch(/\[debug\] Heroku PATCH/);
      // The re-run reads the stored secret back from Heroku and verifies it.
      expect((await expectNoLeak(s, setup(s, '--debug', '--json'), { DEBUG: '*' })).code).toBe(0);
    } finally {
      await s.close();
    }
  });

  const failing: [string, (s: LocalServices) => { args: string[]; env?: Record<string, string> }][] = [
    ['Heroku refusing the vars', (s) => ({ args: setup(s, '--debug') })],
    ['Heroku refusing the vars, --json', (s) => ({ args: setup(s, '--debug', '--json') })],
    ['a wrong AWS secret', (s) => ({ args: setup(s, '--debug'), env: { AWS_SECRET_ACCESS_KEY: `${s.rootKey.secretAccessKey.slice(0, -4)}AAAA` } })],
    ['a wrong OpenTok secret', (s) => ({ args: setup(s, '--debug', '--api-secret', 'e'.repeat(40), '--configure-opentok') })],
  ];
  for (const [name, make] of failing) {
    it(`a failure with --debug: ${name}`, async () => {
      const s = await startLocalServices();
      try {
        if (name.startsWith('Heroku')) s.recorder.addFault({ match: (r) => r.operation === 'PATCH /apps/{app}/config-vars', kind: '5xx', times: 100 });
        const { args, env } = make(s);
        const run = await expectNoLeak(s, args, env);
        expect(run.code).toBe(1);
        for (const value of Object.values(env ?? {})) expect(run.stdout + run.stderr).not.toContain(value);
      } finally {
        await s.close();
      }
    });
  }

  it('--show-secrets prints the new secret on stdout only; --no-heroku --vars-file not at all', async () => {
    const s = await startLocalServices();
    try {
      const shown = await runCli(['setup', '--api-key', s.opentok.apiKey, '--no-heroku', '--show-secrets', '--yes', '--debug'], s);
      expect(shown.code).toBe(0);
      // With --no-heroku the user is named after the bucket (which already starts with ib-archive-).
      const secret = s.control.user(defaultNames(s).bucket)!.keys[0]!.secretAccessKey;
      expect(shown.stdout).toContain(secret);
      expect(shown.stderr).not.toContain(secret);
      expect(shown.stdout + shown.stderr).not.toContain(s.rootKey.secretAccessKey);
    } finally {
      await s.close();
    }
  });
});
