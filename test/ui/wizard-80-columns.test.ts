// The interactive wizard in a real 80-column terminal, first prompt to last line: what the user finally sees reads well.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocalServices } from '../../src/standins/index.js';
import type { LocalServices } from '../../src/standins/api.js';
import { HAS_SCRIPT, KEY, type PtyStep, renderScreen, runInPty, type ScreenLine } from '../helpers/pty.js';

const COLS = 80;

/** The wizard's questions in the order it asks them, and what the user types; add a row when a question is added. */
const ANSWERS: { question: string | RegExp; keys: (s: LocalServices) => string }[] = [
  { question: 'OpenTok API key', keys: (s) => `${s.opentok.apiKey}${KEY.enter}` },
  { question: 'S3 bucket', keys: () => KEY.enter }, // the suggested ib-archive-<apiKey>
  { question: 'AWS region', keys: () => 'eu-west-1' }, // typed into the searchable list…
  { question: '❯ eu-west-1', keys: () => KEY.enter }, // …which then offers it first
  { question: 'OpenTok API secret', keys: (s) => `${s.opentok.apiSecret}${KEY.enter}` },
  { question: 'Heroku app', keys: () => KEY.enter },
  { question: 'archive storage', keys: () => KEY.enter }, // yes: set it through the OpenTok API
  { question: 'What runs on', keys: () => KEY.enter },
  { question: 'publicly readable', keys: () => KEY.enter },
];

/** Logical lines (a terminal-wrapped line joined to what follows it), each with the screen lines it took. */
function logicalLines(lines: ScreenLine[]): { text: string; rows: number }[] {
  const out: { text: string; rows: number }[] = [];
  for (const line of lines) {
    const last = out[out.length - 1];
    if (line.wrapped && last) {
      last.text += line.text;
      last.rows += 1;
    } else out.push({ text: line.text, rows: 1 });
  }
  return out;
}

let services: LocalServices;
beforeEach(async () => {
  // A key that takes a moment to work, so the wizard shows its spinner between result lines.
  services = await startLocalServices({ keyPropagationMs: 1500 });
});
afterEach(async () => {
  await services.close();
});

describe.skipIf(!HAS_SCRIPT)('the wizard at 80 columns', () => {
  it('wraps on words, prints each line once and leaves no spinner behind', async () => {
    const steps: PtyStep[] = ANSWERS.map((a) => ({ waitFor: a.question, keys: a.keys(services) }));
    const run = await runInPty(['setup'], services, steps, {
      env: { NO_COLOR: undefined, FORCE_COLOR: '1' },
      size: { cols: COLS, rows: 40 },
      timeoutMs: 40_000,
    });
    expect(run.code, run.screen).toBe(0);
    // The secret typed at the prompt set the project's storage through the API, with the key the app holds.
    const storage = services.control.opentokStorage(services.opentok.apiKey) as { config?: { accessKey?: string } } | undefined;
    expect(storage?.config?.accessKey).toBe(services.control.app('ib-demo')!.configVars.AWS_ACCESS_KEY_ID);
    expect(services.control.bucket(`ib-archive-${services.opentok.apiKey}`)?.region).toBe('eu-west-1');
    expect(run.screen).not.toContain(services.opentok.apiSecret);
    // The spinner really ran (the test would prove nothing otherwise).
    expect(run.screen).toContain('Waiting for AWS to activate the new key');

    const screen = await renderScreen(run.screen, COLS);
    const shown = screen.map((l) => l.text).join('\n');
    const lines = logicalLines(screen);

    // No word split: the terminal wraps a line only when one token in it is wider than the terminal itself.
    for (const line of lines.filter((l) => l.rows > 1)) {
      const longest = Math.max(...line.text.split(' ').map((t) => [...t].length));
      expect(longest, `a line wider than ${COLS} columns split mid-word:\n${line.text}\n\nscreen:\n${shown}`).toBeGreaterThan(COLS);
    }

    // No line printed twice.
    const seen = new Map<string, number>();
    for (const { text } of lines) if (text.trim()) seen.set(text, (seen.get(text) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1).map(([text]) => text);
    expect(twice, `printed more than once; screen:\n${shown}`).toEqual([]);

    // No spinner residue: neither its text nor a frame of it stays on the screen.
    expect(shown).not.toContain('Waiting for AWS');
    expect(shown).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);

    // Every step's result line is there, once, in order, continuation lines under the detail column.
    const labels = ['AWS account', 'S3 bucket', 'CORS rule', 'Key folder', 'Block Public Access', 'Public read', 'IAM user', 'IAM policy', 'Access key', 'Heroku vars'];
    const at = labels.map((label) => screen.findIndex((l) => l.text.startsWith(`✓ ${label} `)));
    expect(at.every((i) => i >= 0), shown).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const detailColumn = '✓ '.length + 19 + 1 + 9 + 1;
    const continued = at.flatMap((i) => {
      const rows: string[] = [];
      for (let j = i + 1; screen[j]?.text.startsWith(' '); j++) rows.push(screen[j]!.text);
      return rows;
    });
    expect(continued.length, 'some result line is longer than 80 columns').toBeGreaterThan(0);
    for (const text of continued) expect(/^ */.exec(text)![0].length, `continuation not under the detail column:\n${shown}`).toBe(detailColumn);
  });
});
