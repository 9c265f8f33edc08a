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
  /** A list filtered as the user types; any typed value that `validate` accepts may be chosen too. */
  search(q: SearchQuestion): Promise<string>;
}

export interface SearchQuestion {
  message: string;
  choices: Choice<string>[];
  /** Listed first before anything is typed. */
  default?: string;
  validate?: (v: string) => true | string;
}

/** An entry of the filtered list; `disabled` holds why a typed value cannot be used. */
export interface SearchChoice extends Choice<string> {
  disabled?: string;
}

/**
 * The filter behind `search`: choices whose name or value contains the term (case-insensitive; exact, then prefix,
 * then other matches), then the typed term itself unless it is a choice already, or why validate refuses it.
 */
export function searchChoices(q: SearchQuestion, term: string | undefined): SearchChoice[] {
  const typed = term?.trim() ?? '';
  if (!typed) {
    const first = q.choices.filter((c) => c.value === q.default);
    return [...first, ...q.choices.filter((c) => c.value !== q.default)];
  }
  const needle = typed.toLowerCase();
  const rank = (c: Choice<string>) => {
    const texts = [c.value.toLowerCase(), c.name.toLowerCase()];
    if (texts.includes(needle)) return 0;
    if (texts.some((t) => t.startsWith(needle))) return 1;
    return texts.some((t) => t.includes(needle)) ? 2 : -1;
  };
  const matches = q.choices
    .map((c, i) => ({ c, i, r: rank(c) }))
    .filter((m) => m.r >= 0)
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((m) => m.c);
  if (q.choices.some((c) => c.value === typed)) return matches;
  const verdict = q.validate ? q.validate(typed) : true;
  const own: SearchChoice = verdict === true ? { name: typed, value: typed, description: 'the value typed' } : { name: typed, value: typed, disabled: verdict };
  return [...matches, own];
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
    search: (q) =>
      ask((p) =>
        p.search<string>(
          {
            message: q.message,
            source: (term) => searchChoices(q, term),
            validate: q.validate ? (v) => q.validate!(v) : undefined,
          },
          context,
        ),
      ),
  };
}

const refuse = () => Promise.reject(new Error('no prompt in a non-interactive run'));

/** Prompter for runs that must never ask: any question is a programming error. */
export const noPrompter: Prompter = {
  interactive: false,
  input: refuse,
  password: refuse,
  confirm: refuse,
  select: refuse,
  search: refuse,
};
