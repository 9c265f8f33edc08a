import { stripVTControlCharacters } from 'node:util';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { Output, visibleWidth, wrapLine } from '../../src/io/output.js';
import { renderScreen } from '../helpers/pty.js';

function capture(opts: { color: boolean; colorStderr?: boolean; showSecrets?: boolean; json?: boolean; debug?: boolean; columns?: number; columnsStderr?: number }) {
  const seen = { stdout: '', stderr: '' };
  const out = new Output({
    stdout: { write: (s: string) => (seen.stdout += s) },
    stderr: { write: (s: string) => (seen.stderr += s) },
    spinners: false,
    json: opts.json ?? false,
    debug: opts.debug ?? true,
    showSecrets: opts.showSecrets ?? false,
    color: opts.color,
    colorStderr: opts.colorStderr,
    columns: opts.columns,
    columnsStderr: opts.columnsStderr,
  });
  return { out, seen };
}

const ESC = '\u001b[';

describe('Output', () => {
  it('colours each stream only when that stream may have colour', () => {
    const { out, seen } = capture({ color: true, colorStderr: false });
    out.result(out.c.green('done'));
    out.warn('careful');
    expect(seen.stdout).toContain(ESC);
    expect(seen.stderr).not.toContain(ESC);
    expect(seen.stderr).toContain('careful');
  });

  it('redacts registered secrets everywhere, and on stdout only until --show-secrets', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const masked = capture({ color: false });
    masked.out.addSecret(secret);
    masked.out.result(`secret=${secret}`);
    masked.out.info(`secret=${secret}`);
    masked.out.debug(`body ${JSON.stringify({ secret })}`);
    expect(masked.seen.stdout + masked.seen.stderr).not.toContain(secret);
    expect(masked.seen.stdout).toContain('secret=<redacted>');

    const shown = capture({ color: false, showSecrets: true });
    shown.out.addSecret(secret);
    shown.out.result(`secret=${secret}`);
    shown.out.info(`secret=${secret}`);
    expect(shown.seen.stdout).toContain(secret);
    expect(shown.seen.stderr).not.toContain(secret);
  });
});

const wordsOf = (text: string) => stripVTControlCharacters(text).split(/\s+/).filter(Boolean);
const linesOf = (text: string) => stripVTControlCharacters(text).split('\n');
const ARN = 'arn:aws:iam::123456789012:user/admin';
const STEP = `✓ AWS account         unchanged account 123456789012 as ${ARN} and then a few more words to wrap`;

describe('wrapLine', () => {
  it('leaves a line that fits alone, and wraps nothing without a width', () => {
    expect(wrapLine('✓ S3 bucket  created  ib-archive-1 in eu-west-1', 80)).toBe('✓ S3 bucket  created  ib-archive-1 in eu-west-1');
    expect(wrapLine(STEP, undefined)).toBe(STEP);
    expect(wrapLine(STEP, 0)).toBe(STEP);
  });

  it('breaks on spaces only, every line within the width, continuation lines under the given column', () => {
    const wrapped = wrapLine(STEP, 60, 32);
    const lines = linesOf(wrapped);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(visibleWidth(line)).toBeLessThanOrEqual(60);
    expect(wordsOf(wrapped)).toEqual(wordsOf(STEP));
    for (const line of lines.slice(1).filter((l) => !l.includes(ARN))) expect(/^ */.exec(line)![0].length).toBe(32);
    // The padding inside the first line (the label and status columns) is kept as it is.
    expect(lines[0]!.startsWith('✓ AWS account         unchanged account')).toBe(true);
  });

  it('moves an ARN that does not fit in the detail column to its own line, whole', () => {
    const lines = linesOf(wrapLine(STEP, 60, 32));
    const own = lines.find((l) => l.includes(ARN));
    expect(own?.trim()).toBe(ARN);
    expect(visibleWidth(own!)).toBeLessThanOrEqual(60);
    expect(lines.some((l) => l.includes('arn:') && !l.includes(ARN))).toBe(false);
  });

  it('puts a URL wider than the terminal on a line of its own at the left edge, never split', () => {
    const url = `https://ib-archive-46123456.s3.eu-west-1.amazonaws.com/46123456/${'x'.repeat(40)}.txt`;
    const lines = linesOf(wrapLine(`✓ Public read        anyone can read it at ${url} as the app does`, 80, 21));
    expect(lines).toContain(url);
    expect(lines[lines.indexOf(url) + 1]).toBe(`${' '.repeat(21)}as the app does`);
  });

  it('does not count colour codes towards the width', () => {
    const c = new Chalk({ level: 1 });
    const plain = `✓ IAM user            created   ib-archive-ib-archive-46123456, tagged ib-archive:managed`;
    const coloured = `${c.green('✓')} IAM user            ${c.dim('created  ')} ib-archive-ib-archive-46123456, tagged ${c.bold('ib-archive:managed')}`;
    expect(stripVTControlCharacters(wrapLine(coloured, 80, 32))).toBe(wrapLine(plain, 80, 32));
    const fits = `${c.green('✓')} ${c.dim('x'.repeat(70))}`;
    expect(wrapLine(fits, 72)).toBe(fits);
  });

  it('indents continuations under a leading mark or number by default', () => {
    const fix = `    → Run \`ib-archive setup --api-key 46123456 --app my-ib --yes\`: it adds the rule GET/POST/PUT from * (existing rules are kept).`;
    for (const line of linesOf(wrapLine(fix, 80)).slice(1)) expect(line.startsWith('      ') && line[6] !== ' ').toBe(true);
    const step = '  2. In Archiving, click "Set up your cloud storage now", then the Amazon S3 logo.';
    expect(linesOf(wrapLine(step, 78))[1]).toBe('     logo.');
    const row = '  AWS_SECRET_ACCESS_KEY  ********  (heroku config:get AWS_SECRET_ACCESS_KEY -a ib-demo)';
    expect(linesOf(wrapLine(row, 80))[1]).toBe(`${' '.repeat(25)}ib-demo)`);
  });
});

describe('Output at a terminal width', () => {
  it('wraps result and info lines to their own stream\'s width, and keeps one line per result without one', () => {
    const wide = capture({ color: false, columns: 60, columnsStderr: 40 });
    wide.out.result(STEP, 32);
    wide.out.info('Objects under s3://ib-archive-46123456/46123456/ (the archives) become readable by anyone with the link.');
    expect(linesOf(wide.seen.stdout).every((l) => visibleWidth(l) <= 60)).toBe(true);
    expect(linesOf(wide.seen.stdout).length).toBeGreaterThan(2);
    expect(linesOf(wide.seen.stderr).every((l) => visibleWidth(l) <= 40)).toBe(true);

    const piped = capture({ color: false });
    piped.out.result(STEP, 32);
    expect(piped.seen.stdout).toBe(`${STEP}\n`);
  });

  it('wraps after redaction, so a secret is never split around the mask', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const { out, seen } = capture({ color: false, columns: 40 });
    out.addSecret(secret);
    out.result(`the secret ${secret} is kept in memory only until Heroku has it`);
    expect(seen.stdout).not.toContain(secret.slice(0, 8));
    expect(seen.stdout).toContain('<redacted>');
  });
});

/** One terminal that stdout and stderr both draw on, with the cursor controls ora uses (as Node's tty.WriteStream). */
function sharedTerminal(columns: number) {
  const state = { screen: '' };
  const put = (s: string) => (state.screen += s.replace(/\n/g, '\r\n'));
  const stream = () => ({
    isTTY: true,
    columns,
    rows: 24,
    write: (s: string) => (put(s), true),
    cursorTo: (x: number) => (put(`\x1b[${x + 1}G`), true),
    moveCursor: (_dx: number, dy: number) => (put(dy < 0 ? `\x1b[${-dy}A` : dy > 0 ? `\x1b[${dy}B` : ''), true),
    clearLine: (dir: number) => (put(`\x1b[${dir === 1 ? 0 : dir === -1 ? 1 : 2}K`), true),
    on: () => undefined,
    once: () => undefined,
    removeListener: () => undefined,
  });
  return { state, stdout: stream(), stderr: stream() };
}

describe('spinner', () => {
  it('leaves no line behind between result lines, also when its text is wider than the terminal', async () => {
    const term = sharedTerminal(40);
    const out = new Output({ stdout: term.stdout, stderr: term.stderr, color: false, spinners: true, json: false, debug: false, showSecrets: false, columns: 40, columnsStderr: 40 });
    out.result('✓ CORS rule  created');
    const spinner = await out.spinner('Waiting for AWS to activate the new key AKIAIOSFODNN7EXAMPLE (IAM takes a few seconds)');
    expect(term.state.screen).toContain('Waiting for AWS');
    out.result('✓ Key folder  created');
    out.info('a note on stderr');
    out.result('✓ IAM user  created');
    spinner.stop();
    out.result('✓ Access key  created');
    const shown = (await renderScreen(term.state.screen, 40)).map((l) => l.text);
    expect(shown).toEqual(['✓ CORS rule  created', '✓ Key folder  created', 'a note on stderr', '✓ IAM user  created', '✓ Access key  created']);
  });
});
