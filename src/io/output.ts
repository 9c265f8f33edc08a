// Streams, colour, spinners and secret redaction: every byte the CLI prints passes through here.
import { stripVTControlCharacters } from 'node:util';
import { Chalk, type ChalkInstance } from 'chalk';

export interface Writable {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface OutputOptions {
  stdout: Writable;
  stderr: Writable;
  /** Colour on stderr/stdout (decided by the CLI from TTY, NO_COLOR, FORCE_COLOR). */
  color: boolean;
  /** Colour on stderr, when it differs from stdout's (a stream that is not a terminal gets none). */
  colorStderr?: boolean;
  /** Spinners allowed (stderr is a TTY and not CI). */
  spinners: boolean;
  json: boolean;
  debug: boolean;
  showSecrets: boolean;
  /** Width of stdout when it is a terminal: result lines wrap to it on word boundaries (absent or 0: no wrapping). */
  columns?: number;
  /** Width of stderr when it is a terminal, for info lines. */
  columnsStderr?: number;
}

export interface Spinner {
  stop(): void;
}

/** What a spinner needs to keep its line out of the way of other output (ora's clear and render). */
interface LiveSpinner {
  clear(): unknown;
  render(): unknown;
}

const LONG_TOKEN_INDENT = 4;

/** Columns a string takes on a terminal: colour codes count for nothing. */
export function visibleWidth(text: string): number {
  return [...stripVTControlCharacters(text)].length;
}

/**
 * Continuation indent of a line: its leading spaces, plus a leading mark (→ ✓ ✗ ! - ~ • … or "1.") and its space;
 * in an indented two-column row ("  NAME  value"), the value's column.
 */
function hangingIndent(line: string): number {
  const plain = stripVTControlCharacters(line);
  const row = /^ {2,}\S+ {2,}(?=\S)/.exec(plain);
  return row ? row[0].length : /^ *(?:(?:[→✓✗!~•…-]|\d+\.) )?/.exec(plain)![0].length;
}

/**
 * Wraps one line to `width` columns on spaces, continuation lines indented by `indent` (default: the line's hanging
 * indent). A token too long for the indented room (an ARN, a URL) gets a line of its own, whole, indented by at most
 * LONG_TOKEN_INDENT (less when that does not fit, none when the token is wider than the terminal).
 */
export function wrapLine(line: string, width: number | undefined, indent = hangingIndent(line)): string {
  if (!width || width <= 0 || visibleWidth(line) <= width) return line;
  const parts = line.split(/( +)/);
  const pad = ' '.repeat(Math.min(indent, Math.max(0, width - 1)));
  const alone = (word: string, w: number) => ' '.repeat(Math.max(0, Math.min(pad.length, LONG_TOKEN_INDENT, width - w))) + word;
  const lines: string[] = [];
  let current = '';
  let used = 0;
  let hasWord = false;
  for (let i = -1; i < parts.length; i += 2) {
    const space = i < 0 ? '' : parts[i]!;
    const word = parts[i + 1] ?? '';
    const w = visibleWidth(word);
    if (w > 0 && hasWord && used + space.length + w > width) {
      lines.push(current);
      [current, used, hasWord] = [pad, pad.length, false];
    }
    if (w > 0 && !hasWord && lines.length > 0 && used + w > width) {
      lines.push(alone(word, w));
      [current, used] = [pad, pad.length];
      continue;
    }
    const gap = !hasWord && lines.length > 0 ? '' : space;
    current += gap + word;
    used += gap.length + w;
    hasWord ||= w > 0;
  }
  if (hasWord) lines.push(current);
  else if (current.trim()) lines[lines.length - 1] += current.trim();
  return lines.map((l) => l.replace(/ +$/, '')).join('\n');
}

/** Wraps every line of a possibly multi-line text; `indent` applies to its first line. */
export function wrapText(text: string, width: number | undefined, indent?: number): string {
  if (!width) return text;
  return text
    .split('\n')
    .map((l, i) => wrapLine(l, width, i === 0 ? indent : undefined))
    .join('\n');
}

const REDACTED = '<redacted>';

export class Output {
  readonly c: ChalkInstance;
  private readonly secrets = new Set<string>();
  private jsonWritten = false;
  /** The spinner on screen: cleared before any other write and drawn again after it, so no line of it stays behind. */
  private live: LiveSpinner | undefined;

  constructor(readonly opts: OutputOptions) {
    this.c = new Chalk({ level: opts.color || opts.colorStderr ? 1 : 0 });
  }

  get json(): boolean {
    return this.opts.json;
  }

  get showSecrets(): boolean {
    return this.opts.showSecrets;
  }

  /** Registers a value that must never be printed unless --show-secrets allows it on stdout. */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 4) this.secrets.add(value);
  }

  /** Replaces every registered secret in text. */
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join(REDACTED);
    return out;
  }

  private write(stream: Writable, text: string): void {
    const live = this.live;
    live?.clear();
    stream.write(text);
    live?.render();
  }

  private forStdout(text: string): string {
    return this.opts.color ? text : stripVTControlCharacters(text);
  }

  private forStderr(text: string): string {
    return (this.opts.colorStderr ?? this.opts.color) ? text : stripVTControlCharacters(text);
  }

  /** A human result line on stdout (suppressed with --json); on a terminal wrapped, continuation lines at `indent`. */
  result(line = '', indent?: number): void {
    if (this.opts.json) return;
    const text = this.forStdout(this.opts.showSecrets ? line : this.redact(line));
    this.write(this.opts.stdout, wrapText(text, this.opts.columns, indent) + '\n');
  }

  /** The one JSON document of a --json run. */
  jsonDocument(doc: unknown): void {
    // Exactly one per run, even when an interrupt and the command's own failure report race.
    if (this.jsonWritten) return;
    this.jsonWritten = true;
    const text = JSON.stringify(doc, null, 2);
    this.opts.stdout.write((this.opts.showSecrets ? text : this.redact(text)) + '\n');
  }

  /** Conversation on stderr: hints, warnings, progress. */
  info(line = '', indent?: number): void {
    this.write(this.opts.stderr, wrapText(this.forStderr(this.redact(line)), this.opts.columnsStderr, indent) + '\n');
  }

  warn(line: string): void {
    this.info(this.c.yellow('! ') + line);
  }

  error(line: string): void {
    this.info(this.c.red('✗ ') + line);
  }

  /** --debug request/response summaries, always redacted. */
  debug(line: string): void {
    if (this.opts.debug) this.write(this.opts.stderr, this.forStderr(this.c.dim(this.redact(`[debug] ${line}`))) + '\n');
  }

  /** A spinner on a TTY; elsewhere one plain progress line on stderr (not in --json mode). */
  async spinner(text: string): Promise<Spinner> {
    if (!this.opts.spinners) {
      if (!this.opts.json) this.info(this.c.dim(`… ${text}`));
      return { stop: () => undefined };
    }
    const { default: ora } = await import('ora');
    // Wrapped by us (two columns go to the spinner's mark) so that ora clears exactly the lines it drew.
    const cols = this.opts.columnsStderr;
    const shown = cols ? wrapLine(this.redact(text), cols - 2, 0).replace(/\n/g, '\n  ') : this.redact(text);
    // isEnabled: the CLI already decided that this stream gets spinners (a terminal, not CI).
    const s = ora({ text: shown, stream: this.opts.stderr as NodeJS.WritableStream, discardStdin: false, isEnabled: true }).start();
    this.live = s;
    return {
      stop: () => {
        if (this.live === s) this.live = undefined;
        s.stop();
      },
    };
  }
}

/** Runs work under a spinner that is always stopped. */
export async function withSpinner<T>(out: Output, text: string, work: (s: Spinner) => Promise<T>): Promise<T> {
  const s = await out.spinner(text);
  try {
    return await work(s);
  } finally {
    s.stop();
  }
}
