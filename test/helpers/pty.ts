// Runs the CLI on a pseudo-terminal through util-linux `script` (no native module), so prompts, raw mode and Ctrl-C
// behave as in a real terminal: Ctrl-C at a prompt is the \x03 key, elsewhere the terminal turns it into SIGINT.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import xterm from '@xterm/headless';
import type { LocalServices } from '../../src/standins/api.js';
import { BIN, baseEnv, recordRunOutput } from './cli.js';
import { issuedSecrets } from './hooks.js';

export const HAS_SCRIPT = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

export const KEY = { enter: '\r', down: '\x1b[B', ctrlC: '\x03' } as const;

export interface PtyStep {
  /** Text (or pattern) to wait for on the screen, after the previous step's match. */
  waitFor: string | RegExp;
  /** Keys typed once it shows. */
  keys: string;
}

export interface PtyResult {
  code: number | null;
  /** Everything the terminal showed (stdout and stderr interleaved). */
  screen: string;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function runInPty(
  args: string[],
  services: LocalServices,
  steps: PtyStep[],
  opts: { env?: Record<string, string | undefined>; timeoutMs?: number; size?: { cols: number; rows: number } | null } = {},
): Promise<PtyResult> {
  issuedSecrets(services);
  const env: Record<string, string> = { ...baseEnv(services) };
  const madeHome = env.HOME!;
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  delete env.CI;
  // `script` gives the terminal the size of its own stdin, which is a pipe here: 0×0 unless set (null keeps it so).
  const size = opts.size === undefined ? { cols: 120, rows: 40 } : opts.size;
  const command = `${size ? `stty cols ${size.cols} rows ${size.rows}; ` : ''}exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    let consumed = 0;
    let step = 0;
    let typing = false;
    const advance = () => {
      if (typing || step >= steps.length) return;
      const { waitFor, keys } = steps[step]!;
      const rest = screen.slice(consumed);
      const at = typeof waitFor === 'string' ? rest.indexOf(waitFor) : rest.search(waitFor);
      if (at < 0) return;
      consumed += at + 1;
      step += 1;
      typing = true;
      // Let the prompt finish drawing and switch the terminal to raw mode before typing.
      setTimeout(() => {
        typing = false;
        if (!child.stdin.destroyed) child.stdin.write(keys);
        advance();
      }, 80);
    };
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString();
      advance();
    });
    child.stderr.on('data', (d: Buffer) => (screen += d.toString()));
    child.stdin.on('error', () => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(madeHome, { recursive: true, force: true });
      recordRunOutput(args, services, env, screen, '');
      if (step < steps.length) {
        reject(new Error(`the run ended (exit ${code}) before "${String(steps[step]!.waitFor)}" showed; screen:\n${screen}`));
        return;
      }
      resolve({ code, screen });
    });
  });
}

export interface ScreenLine {
  text: string;
  /** The terminal wrapped the line before this one into this one (it was wider than the terminal). */
  wrapped: boolean;
}

/** What a terminal of `cols` columns shows after `screen` (scrollback included), as xterm renders it. */
export async function renderScreen(screen: string, cols: number): Promise<ScreenLine[]> {
  const term = new xterm.Terminal({ cols, rows: 24, scrollback: 10_000, allowProposedApi: true });
  await new Promise<void>((resolve) => term.write(screen, resolve));
  const buffer = term.buffer.active;
  const lines: ScreenLine[] = [];
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i)!;
    lines.push({ text: line.translateToString(true), wrapped: line.isWrapped });
  }
  term.dispose();
  while (lines.length > 0 && !lines[lines.length - 1]!.text) lines.pop();
  return lines;
}
