import { describe, expect, it } from 'vitest';
import { Output } from '../../src/io/output.js';

function capture(opts: { color: boolean; colorStderr?: boolean; showSecrets?: boolean; json?: boolean; debug?: boolean }) {
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
