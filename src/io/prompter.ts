// Questions to the user, on stderr; the only module that talks to @inquirer/prompts (loaded on first use).
import { InterruptedError } from '../errors.js';

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
}

export interface Prompter {
  /** False when no question may be asked (--non-interactive, CI, no TTY). */
  readonly interactive: boolean;
  input(q: { message: string; default?: string; validate?: (v: string) => true | string }): Promise<string>;
  password(q: { message: string; validate?: (v: string) => true | string }): Promise<string>;
  confirm(q: { message: string; default?: boolean }): Promise<boolean>;
  select<T>(q: { message: string; choices: Choice<T>[]; default?: T }): Promise<T>;
}

export interface PromptStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

function isCancel(err: unknown): boolean {
  const name = (err as Error | undefined)?.name;
  return name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError';
}

/** Prompter backed by @inquirer/prompts on the given streams (stdin/stderr by default). */
export function inquirerPrompter(streams: PromptStreams): Prompter {
  const context = { input: streams.input, output: streams.output, clearPromptOnDone: false };
  const ask = async <T>(run: (p: typeof import('@inquirer/prompts')) => Promise<T>): Promise<T> => {
    const prompts = await import('@inquirer/prompts');
    try {
      return await run(prompts);
    } catch (err) {
      if (isCancel(err)) throw new InterruptedError('Prompt cancelled.');
      throw err;
    }
  };
  return {
    interactive: true,
    input: (q) => ask((p) => p.input({ message: q.message, default: q.default, validate: q.validate }, context)),
    password: (q) => ask((p) => p.password({ message: q.message, mask: '*', validate: q.validate }, context)),
    confirm: (q) => ask((p) => p.confirm({ message: q.message, default: q.default }, context)),
    select: <T>(q: { message: string; choices: Choice<T>[]; default?: T }) =>
      ask((p) => p.select<T>({ message: q.message, choices: q.choices, default: q.default }, context)),
  };
}

/** Prompter for runs that must never ask: any question is a programming error. */
export const noPrompter: Prompter = {
  interactive: false,
  input: () => Promise.reject(new Error('no prompt in a non-interactive run')),
  password: () => Promise.reject(new Error('no prompt in a non-interactive run')),
  confirm: () => Promise.reject(new Error('no prompt in a non-interactive run')),
  select: () => Promise.reject(new Error('no prompt in a non-interactive run')),
};
