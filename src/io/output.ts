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
}

export interface Spinner {
  stop(): void;
}

const REDACTED = '<redacted>';

export class Output {
  readonly c: ChalkInstance;
  private readonly secrets = new Set<string>();
  private jsonWritten = false;

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

  private forStdout(text: string): string {
    return this.opts.color ? text : stripVTControlCharacters(text);
  }

  private forStderr(text: string): string {
    return (this.opts.colorStderr ?? this.opts.color) ? text : stripVTControlCharacters(text);
  }

  /** A human result line on stdout (suppressed with --json). */
  result(line = ''): void {
    if (this.opts.json) return;
    this.opts.stdout.write(this.forStdout(this.opts.showSecrets ? line : this.redact(line)) + '\n');
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
  info(line = ''): void {
    this.opts.stderr.write(this.forStderr(this.redact(line)) + '\n');
  }

  warn(line: string): void {
    this.info(this.c.yellow('! ') + line);
  }

  error(line: string): void {
    this.info(this.c.red('✗ ') + line);
  }

  /** --debug request/response summaries, always redacted. */
  debug(line: string): void {
    if (this.opts.debug) this.opts.stderr.write(this.forStderr(this.c.dim(this.redact(`[debug] ${line}`))) + '\n');
  }

  /** A spinner on a TTY; elsewhere one plain progress line on stderr (not in --json mode). */
  async spinner(text: string): Promise<Spinner> {
    if (!this.opts.spinners) {
      if (!this.opts.json) this.info(this.c.dim(`… ${text}`));
      return { stop: () => undefined };
    }
    const { default: ora } = await import('ora');
    const s = ora({ text: this.redact(text), stream: this.opts.stderr as NodeJS.WritableStream, discardStdin: false }).start();
    return {
      stop: () => {
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
