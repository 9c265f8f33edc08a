// npm run pictures, into a temporary folder: both pictures come from real runs and carry their text as SVG text.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HAS_SCRIPT } from '../helpers/pty.js';

const SCRIPT = resolve(import.meta.dirname, '../../scripts/pictures.mjs');
const out = mkdtempSync(join(tmpdir(), 'ib-archive-pictures-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function run(): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [SCRIPT, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => done({ code, output }));
  });
}

/** The text of an SVG's <text> elements, line by line (one y per line), entities decoded. */
function textOf(svg: string): string[] {
  const rows = new Map<string, string>();
  for (const m of svg.matchAll(/<text x="[\d.]+" y="([\d.]+)"[^>]*>([^<]*)<\/text>/g)) {
    const text = m[2]!.replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16))).replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#x27;/g, "'");
    rows.set(m[1]!, `${rows.get(m[1]!) ?? ''}${rows.has(m[1]!) ? ' ' : ''}${text}`);
  }
  return [...rows.values()];
}

describe.skipIf(!HAS_SCRIPT)('npm run pictures', () => {
  it('renders the demo and a doctor run that finds the removed CORS rule, in colour, without spinner frames', async () => {
    const { code, output } = await run();
    expect(code, output).toBe(0);
    const demo = readFileSync(join(out, 'demo.svg'), 'utf8');
    const doctor = readFileSync(join(out, 'doctor.svg'), 'utf8');
    for (const svg of [demo, doctor]) {
      expect(svg.startsWith('<svg ')).toBe(true);
      expect(svg).toContain('xml:space="preserve"');
      expect(svg).toMatch(/fill="#23d18b">&#x2713;</); // a green check mark
      expect(svg).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]|&#x28[0-9a-f]{2};/i);
    }
    // No secret: AWS secret keys and OpenTok API secrets are 40-character tokens.
    for (const svg of [demo, doctor]) expect(textOf(svg).join('\n')).not.toMatch(/(?<![\w/+=-])[\w/+=]{40}(?![\w/+=-])/);
    const demoText = textOf(demo).join('\n');
    expect(demoText).toContain('npx ib-archive demo');
    expect(demoText).toMatch(/No issues found/);
    const doctorText = textOf(doctor).join('\n');
    expect(doctor).toMatch(/fill="#f14c4c">&#x2717;</); // a red cross
    expect(doctorText).toMatch(/CORS +the bucket has no CORS configuration/);
    expect(doctorText).toContain('Run `ib-archive setup');
    expect(doctorText).toMatch(/1 check failed/);
  });
});
