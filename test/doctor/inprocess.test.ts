// doctor in-process with a scripted prompter: an interactive run asks for the key, the Heroku token and the app.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execute } from '../../src/commands/index.js';
import type { Deps } from '../../src/context.js';
import type { Prompter } from '../../src/io/prompter.js';
import { baseEnv } from '../helpers/cli.js';
import { testDeps } from '../helpers/deps.js';
import { type SetUp, correctSetUp, expectNoProbeLeft } from './helpers.js';

let s: SetUp;
beforeAll(async () => {
  s = await correctSetUp();
  s.services.control.createApp('aaa-other-app', {});
});
afterAll(() => s.close());

it('asks for the API key, the Heroku token and the app when run interactively', async () => {
  const asked: string[] = [];
  const prompter: Prompter = {
    interactive: true,
    input: async (q) => (asked.push(q.message), s.apiKey),
    password: async (q) => (asked.push(q.message), s.services.herokuToken),
    confirm: async () => true,
    search: async () => Promise.reject(new Error('doctor asks no searchable question')),
    select: async <T>(q: { message: string; choices: { value: T }[] }) => {
      asked.push(`${q.message}: ${q.choices.map((c) => String(c.value)).join(', ')}`);
      return q.choices.find((c) => c.value === (s.app as unknown))!.value;
    },
  };
  const env = { ...baseEnv(s.services), HEROKU_API_KEY: undefined };
  const { deps, stdout: out, stderr: err } = testDeps({ env, prompter });
  const code = await execute('doctor', {}, deps);
  const [stdout, stderr] = [out(), err()];
  expect(code, stdout + stderr).toBe(0);
  expect(asked).toEqual(['OpenTok API key of the project', 'Heroku API token (heroku auth:token prints it)', 'Heroku app to check: aaa-other-app, ib-demo']);
  expect(stdout).toContain(`ib-archive doctor: OpenTok project ${s.apiKey}, Heroku app ib-demo`);
  expect(stdout).toMatch(/✓ No issues found, 3 skipped/);
  expect(stdout + stderr).not.toContain(s.services.herokuToken);
  expect(stdout + stderr).not.toContain(s.secret);
  expect(deps.onInterrupt.size).toBe(0);
  expectNoProbeLeft(s);
});
