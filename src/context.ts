// What commands and stages depend on, injected so tests can swap any of it.
import type { Env } from './inputs/env.js';
import type { Output } from './io/output.js';
import type { Prompter } from './io/prompter.js';
import type { HerokuTokenSources } from './services/heroku.js';

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

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
