// One factory for the injected dependencies of an in-process command run: captured output, a prompter, no real process.
import type { Deps } from '../../src/context.js';
import { Output } from '../../src/io/output.js';
import { type Prompter, noPrompter } from '../../src/io/prompter.js';
import { herokuTokenSources } from '../../src/services/heroku.js';

export interface TestDeps {
  deps: Deps;
  stdout(): string;
  stderr(): string;
}

export interface TestDepsOptions {
  env: Record<string, string | undefined>;
  prompter?: Prompter;
  /** Where prompts and progress go (a terminal stand-in); default: captured like stdout. */
  stderr?: NodeJS.WritableStream;
  /** Heroku API base for `heroku auth:token` / ~/.netrc lookups; default: no token sources at all. */
  herokuApi?: string;
  json?: boolean;
}

/** Deps for one run: the command's output is captured, nothing touches the real process. */
export function testDeps(opts: TestDepsOptions): TestDeps {
  let stdout = '';
  let stderr = '';
  const out = new Output({
    stdout: { write: (s: string) => (stdout += s) },
    stderr: opts.stderr ?? { write: (s: string) => (stderr += s) },
    color: false,
    spinners: false,
    json: Boolean(opts.json),
    debug: false,
    showSecrets: false,
  });
  const deps: Deps = {
    env: opts.env,
    out,
    prompter: opts.prompter ?? noPrompter,
    tokens: opts.herokuApi ? herokuTokenSources(opts.env, opts.herokuApi) : { cliToken: async () => undefined, netrcToken: async () => undefined },
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    onInterrupt: new Set(),
  };
  return { deps, stdout: () => stdout, stderr: () => stderr };
}
