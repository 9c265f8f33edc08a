// What commands and stages depend on, injected so tests can swap any of it.
import type { Env, HerokuTokenSources } from './inputs.js';
import type { Output } from './io/output.js';
import type { Prompter } from './io/prompter.js';

export interface Deps {
  env: Env;
  out: Output;
  prompter: Prompter;
  tokens: HerokuTokenSources;
  /** Milliseconds since the epoch. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Cleanups to run if the user interrupts (deleting a key whose secret would be lost). */
  onInterrupt: Set<() => Promise<void>>;
  /** How long a new access key may take to work before setup gives up; 30 s unless a test shortens it. */
  keyWaitMs?: number;
  /** Time limit of one HTTP request to any service (a hung request is retried); 20 s unless a test shortens it. */
  requestTimeoutMs?: number;
}

export const REQUEST_TIMEOUT_MS = 20_000;

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` until it succeeds or `retryable` says no, with exponential backoff capped by `attempts`. */
export async function withRetries<T>(
  deps: Pick<Deps, 'sleep'>,
  attempt: () => Promise<T>,
  retryable: (err: unknown) => boolean,
  { attempts = 4, baseMs = 500 }: { attempts?: number; baseMs?: number } = {},
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= attempts || !retryable(err)) throw err;
      await deps.sleep(baseMs * 2 ** (i - 1) * (0.75 + Math.random() * 0.5));
    }
  }
}
