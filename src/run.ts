// A command in the real process: its dependencies, the interrupt handler, then the command. dist/cli.cjs imports this
// ES module (dist/run.js) only once a command runs, so nothing below is on the --help/--version path.
import { type Deps, realSleep } from './context.js';
import { execute } from './commands/index.js';
import { InterruptedError } from './errors.js';
import { type Env, inCi, isNonInteractive, resolveEndpoints } from './inputs/env.js';
import type { CommandFlags, CommandName } from './inputs/flags.js';
import { Output } from './io/output.js';
import { inquirerPrompter, noPrompter } from './io/prompter.js';
import { reportFailure } from './report.js';
import { herokuTokenSources } from './services/heroku.js';

export type { CommandName };

function colorEnabled(env: Env, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY;
}

/** Undocumented, for the test suite only: a positive whole number of milliseconds from the environment. */
function testLimitMs(env: Env, name: 'IB_ARCHIVE_KEY_WAIT_MS' | 'IB_ARCHIVE_REQUEST_TIMEOUT_MS'): number | undefined {
  const ms = Number(env[name]);
  return Number.isInteger(ms) && ms > 0 ? ms : undefined;
}

/**
 * Bundled dependencies (heroku-client, and node-fetch 2 under opentok) call url.parse(), which Node 24 deprecates
 * with a warning on the terminal (DEP0169). It speaks to their authors, not to a person running ib-archive: that
 * one warning is dropped; every other warning still shows.
 */
function dropDependencyDeprecations(): void {
  const emit = process.emitWarning;
  process.emitWarning = function (warning: string | Error, ...rest: unknown[]) {
    const code = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { code?: string }).code : rest[1];
    if (code === 'DEP0169') return;
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
}

/** Builds the injected dependencies of a command from the real process. */
export function processDeps(flags: CommandFlags, env: Env): Deps {
  const stderrTTY = Boolean(process.stderr.isTTY);
  const interactive = !isNonInteractive(flags, env, { stdin: Boolean(process.stdin.isTTY), stderr: stderrTTY });
  const out = new Output({
    stdout: process.stdout,
    stderr: process.stderr,
    color: colorEnabled(env, Boolean(process.stdout.isTTY) && !flags.json),
    colorStderr: colorEnabled(env, stderrTTY),
    // A terminal without a size (a pty nobody sized, `docker run -t`) reports 0 columns: ora would clear endless lines.
    // TERM=dumb (an editor's shell buffer) cannot move the cursor back over a spinner.
    spinners: stderrTTY && !inCi(env) && !flags.json && (process.stderr.columns ?? 0) > 0 && env.TERM !== 'dumb',
    json: Boolean(flags.json),
    debug: Boolean(flags.debug),
    showSecrets: Boolean(flags.showSecrets),
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    columnsStderr: stderrTTY ? process.stderr.columns : undefined,
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
    // The real limits are 30 s for a new key to work and 20 s per request; the suite shortens them.
    keyWaitMs: testLimitMs(env, 'IB_ARCHIVE_KEY_WAIT_MS'),
    requestTimeoutMs: testLimitMs(env, 'IB_ARCHIVE_REQUEST_TIMEOUT_MS'),
  };
}

/** Runs one command; on SIGINT/SIGTERM its cleanups run (at most 5 s), then the interrupt is reported (exit 130). */
export async function runCommand(command: CommandName, flags: CommandFlags, env: Env): Promise<number> {
  dropDependencyDeprecations();
  const deps = processDeps(flags, env);
  let interrupted: Promise<number> | undefined;
  const onSignal = () =>
    (interrupted ??= (async () => {
      await Promise.race([Promise.allSettled([...deps.onInterrupt].map((f) => f())), realSleep(5000)]);
      return reportFailure(deps.out, command, new InterruptedError());
    })());
  const signalled = new Promise<number>((resolve) => {
    process.once('SIGINT', () => void onSignal().then(resolve));
    process.once('SIGTERM', () => void onSignal().then(resolve));
  });
  return Promise.race([execute(command, flags, deps), signalled]);
}
