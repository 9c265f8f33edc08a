// `ib-archive demo` as a user runs it: the whole flow against its own stand-ins, in text and as one JSON document.
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

describe('ib-archive demo', () => {
  it('sets up a classic app, proves it, rescues a recording and sets up an IBS backend', async () => {
    const r = await runCli(['demo', '--non-interactive'], undefined, { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/No issues found/);
    expect(r.stdout).toMatch(/1 archive copied into s3:\/\/ib-archive-\d+: the app's links work again/);
    expect(r.stdout).toMatch(/Heroku app ibs-demo has:\n\s+BUCKET_URL\s+http:\/\/127\.0\.0\.1:\d+\/ib-archive-\d+\n/);
  }, 120_000);

  it('--json prints one document holding every command it ran', async () => {
    const r = await runCli(['demo', '--non-interactive', '--json'], undefined, { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json<{ command: string; ok: boolean; runs: { command: string; exitCode: number; document: { ok: boolean } }[] }>();
    expect(doc).toMatchObject({ command: 'demo', ok: true });
    expect(doc.runs.map((x) => [x.command, x.exitCode, x.document.ok])).toEqual([
      ['setup', 0, true],
      ['doctor', 0, true],
      ['archives', 0, true],
      ['setup', 0, true],
    ]);
  }, 120_000);
});
