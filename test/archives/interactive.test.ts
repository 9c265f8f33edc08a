// `ib-archive archives --rescue` in a terminal: one confirmation listing the copies, progress per file, a refusal copies nothing.
import { describe, expect, it } from 'vitest';
import { HAS_SCRIPT, KEY, runInPty } from '../helpers/pty.js';
import { keyOf, s3Writes, seededForSuite } from './helpers.js';

describe.skipIf(!HAS_SCRIPT)('archives --rescue in a terminal', () => {
  const t = seededForSuite();
  const args = () => ['archives', '--api-key', t.s.apiKey, '--app', t.s.app, '--rescue'];
  const env = () => ({ OPENTOK_API_SECRET: t.s.apiSecret });

  it('copies nothing when the confirmation is declined', async () => {
    const r = await runInPty(args(), t.s.services, [{ waitFor: 'Copy the 2 archives above into', keys: `n${KEY.enter}` }], { env: env() });
    expect(r.code).toBe(2);
    expect(r.screen).toContain('Declined: nothing was copied.');
    expect(s3Writes(t.s)).toEqual([]);
  });

  it('lists the copies before asking, then shows progress per file', async () => {
    const r = await runInPty(args(), t.s.services, [{ waitFor: 'Copy the 2 archives above into', keys: KEY.enter }], { env: env() });
    expect(r.code, r.screen).toBe(0);
    // Lines are wrapped to the terminal's width: read the screen as flowing text.
    const screen = r.screen.replace(/\s+/g, ' ');
    const asked = screen.indexOf('Copy the 2 archives above');
    expect(screen.lastIndexOf(`${t.waitingLarge.id} (keynote) → s3://${t.s.bucket}/${keyOf(t.s, t.waitingLarge)}`, asked)).toBeGreaterThan(0);
    expect(screen).toContain(`Copying ${t.waitingLarge.id} (12.6 MB) into s3://${t.s.bucket}/${keyOf(t.s, t.waitingLarge)}`);
    expect(r.screen).toContain(`Copying ${t.waitingZip.id} (307 kB)`);
    expect(r.screen).toContain('2 archives copied into');
    expect(r.screen).not.toContain(t.s.apiSecret);
  });
});
