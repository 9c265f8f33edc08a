// teardown in a terminal: the plan, then one question (or, with archives to delete, the bucket's name typed).
import { describe, expect, it } from 'vitest';
import { HAS_SCRIPT, KEY, runInPty } from '../helpers/pty.js';
import { freshSetUps } from './helpers.js';
import type { SetUp } from '../doctor/helpers.js';

describe.skipIf(!HAS_SCRIPT)('teardown in a terminal', () => {
  const fresh = freshSetUps();
  const args = (t: SetUp, extra: string[] = []) => ['teardown', '--api-key', t.apiKey, '--app', t.app, ...extra];
  const env = (t: SetUp) => ({ OPENTOK_API_SECRET: t.apiSecret });

  it('shows the plan and asks once; no changes nothing, yes removes it all', async () => {
    const s = await fresh();
    const declined = await runInPty(args(s), s.services, [{ waitFor: 'Remove them?', keys: `n${KEY.enter}` }], { env: env(s) });
    expect(declined.code).toBe(2);
    const screen = declined.screen.replace(/\s+/g, ' ');
    expect(screen).toMatch(/This teardown will remove: .*iam\.user .*ib-archive:managed.*Remove them\?/);
    expect(screen).toContain('Declined: nothing was changed.');
    expect(s.services.recorder.writes()).toEqual([]);
    const accepted = await runInPty(args(s), s.services, [{ waitFor: 'Remove them?', keys: KEY.enter }], { env: env(s) });
    expect(accepted.code, accepted.screen).toBe(0);
    // A second question would leave the run waiting until the pty's time limit: one answer was enough.
    expect(accepted.screen).not.toContain('Type the bucket name');
    expect(s.services.control.user(s.user)).toBeUndefined();
  });

  it('--delete-archives: the bucket name must be typed; a wrong name is refused and nothing changes before it', async () => {
    const s = await fresh();
    s.services.control.bucket(s.bucket)!.objects.set(`${s.apiKey}/a1/archive.mp4`, { body: Buffer.alloc(2048) });
    const r = await runInPty(args(s, ['--delete-archives']), s.services, [
      { waitFor: 'Type the bucket name', keys: `wrong${KEY.enter}` },
      { waitFor: `Type ${s.bucket} exactly`, keys: `${'\x7f'.repeat(5)}${s.bucket}${KEY.enter}` },
    ], { env: env(s) });
    expect(r.code, r.screen).toBe(0);
    expect(r.screen.replace(/\s+/g, ' ')).toContain(`1 object, 2 kB under ${s.apiKey}/`);
    expect(r.screen).toContain('deleted 1 of 1 archives');
    expect(s.services.control.bucket(s.bucket)).toBeUndefined();
  });
});
