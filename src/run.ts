// A command in the real process: its dependencies, the interrupt handler, then the command's module. dist/cli.cjs
// imports this ES module (dist/run.js) only once a command runs, so nothing below is on the --help/--version path.
import type { Deps } from './context.js';
import { realSleep } from './context.js';
import { type CommandFlags, type Env, inCi, isNonInteractive, resolveEndpoints } from './inputs.js';
import { Output } from './io/output.js';
import { inquirerPrompter, noPrompter } from './io/prompter.js';
import { herokuTokenSources } from './services/heroku.js';

export type CommandName = 'setup' | 'doctor' | 'demo' | 'archives';

function colorEnabled(env: Env, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY;
}

/** Undocumented, for the test suite only: a shorter limit than 30 s for a new key to start working. */
function testKeyWaitMs(env: Env): number | undefined {
  const ms = Number(env.IB_ARCHIVE_KEY_WAIT_MS);
  return Number.isInteger(ms) && ms > 0 ? ms : undefined;
}

/** Undocumented, for the test suite only: a shorter limit than 20 s for one request. */
function testRequestTimeoutMs(env: Env): number | undefined {
  const ms = Number(env.IB_ARCHIVE_REQUEST_TIMEOUT_MS);
  return Number.isInteger(ms) && ms > 0 ? ms : undefined;
}

/** Builds the injected dependencies of a command from the real process. */
export function processDeps(flags: CommandFlags, env: Env): Deps {
  const stderrTTY = Boolean(process.stderr.isTTY);
  const interactive = !isNonInteractive(flags, env, { stdin: Boolean(process.stdin.isTTY), stderr: stderrTTY });
  const ci = inCi(env);
  const out = new Output({
    stdout: process.stdout,
    stderr: process.stderr,
    color: colorEnabled(env, Boolean(process.stdout.isTTY) && !flags.json),
    colorStderr: colorEnabled(env, stderrTTY),
    // A terminal without a size (a pty nobody sized, `docker run -t`) reports 0 columns: ora would clear endless lines.
    spinners: stderrTTY && !ci && !flags.json && (process.stderr.columns ?? 0) > 0,
    json: Boolean(flags.json),
    debug: Boolean(flags.debug),
    showSecrets: Boolean(flags.showSecrets),
  });
  let herokuApi = 'https://api.heroku.com';
  try {
    herokuApi = resolveEndpoints(env).heroku;
  } catch {
    // reported by input validation
  }
  return {
    env,
    out,
    prompter: interactive ? inquirerPrompter({ input: process.stdin, output: process.stderr }) : noPrompter,
    tokens: herokuTokenSources(env, herokuApi),
    now: () => Date.now(),
    sleep: realSleep,
    onInterrupt: new Set(),
    keyWaitMs: testKeyWaitMs(env),
    requestTimeoutMs: testRequestTimeoutMs(env),
  };
}

/** Runs one command; on SIGINT/SIGTERM its cleanups run (at most 5 s) before the process exits 130. */
export async function runCommand(command: CommandName, flags: CommandFlags, env: Env): Promise<number> {
  const deps = processDeps(flags, env);
  const onSignal = async () => {
    await Promise.race([Promise.allSettled([...deps.onInterrupt].map((f) => f())), realSleep(5000)]);
    deps.out.info('\nInterrupted. Re-run the same command to finish: it resumes where it stopped.');
    // --json promises one document on stdout, also when interrupted (unless the command already printed its own).
    if (deps.out.json) deps.out.jsonDocument({ command, ok: false, error: { code: 'interrupted', message: 'Interrupted.', missing: [] } });
    process.stdout.write('', () => process.exit(130));
  };
  process.on('SIGINT', () => void onSignal());
  process.on('SIGTERM', () => void onSignal());
  if (command === 'setup') return (await import('./commands/setup.js')).runSetup(flags, deps).then((o) => o.exitCode);
  if (command === 'doctor') return (await import('./commands/doctor.js')).runDoctor(flags, deps);
  if (command === 'archives') return (await import('./commands/archives.js')).runArchives(flags, deps);
  return (await import('./commands/demo.js')).runDemo(flags, deps);
}
