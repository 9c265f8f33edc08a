// A hard kill (SIGKILL: no cleanup runs) between making a key and a consumer holding it: the next run finds the key
// by the mark on the user and deletes it, and ends with exactly one key, the app's.
import { describe, expect, it } from 'vitest';
import type { LocalServices } from '../../src/standins/api.js';
import { startLocalServices } from '../../src/standins/index.js';
import type { RecordedRequest } from '../../src/standins/recorder.js';
import { runCli } from '../helpers/cli.js';
import { defaultNames } from '../helpers/end-state.js';
import { onRequest } from '../helpers/hooks.js';

const args = (s: LocalServices) => ['setup', '--api-key', s.opentok.apiKey, '--app', 'ib-demo', '--yes', '--non-interactive'];

/** Runs setup and SIGKILLs it the moment `when` sees a request; returns once the process is gone. */
async function killedAt(s: LocalServices, when: (r: RecordedRequest) => boolean): Promise<number | null> {
  let kill: (() => void) | undefined;
  const off = onRequest(s, (r) => {
    if (when(r)) kill?.();
  });
  try {
    const run = await runCli(args(s), s, { onSpawn: (child) => (kill = () => child.kill('SIGKILL')) });
    return run.code;
  } finally {
    off();
  }
}

async function expectOneKeyTheApps(s: LocalServices): Promise<void> {
  s.recorder.clearFaults();
  const again = await runCli(args(s), s);
  expect(again.code, again.stderr).toBe(0);
  const user = s.control.user(defaultNames(s).iamUser)!;
  const held = s.control.app('ib-demo')!.configVars.AWS_ACCESS_KEY_ID;
  expect(user.keys.map((k) => k.accessKeyId)).toEqual([held]);
  expect(user.tags).not.toHaveProperty('ib-archive:key-pending');
  expect(user.tags).not.toHaveProperty('ib-archive:key-new');
}

describe.concurrent('SIGKILL while a new key is held by nobody', () => {
  it('right after CreateAccessKey answered (before its id was recorded): the re-run deletes it', async () => {
    const s = await startLocalServices();
    try {
      // The call that records the new key's id never lands, and the process dies while it waits.
      s.recorder.addFault({ match: (r) => r.operation === 'TagUser', kind: 'hang', times: 1 });
      const code = await killedAt(s, (r) => r.operation === 'TagUser');
      expect(code).toBeNull();
      expect(s.control.user(defaultNames(s).iamUser)!.keys).toHaveLength(1);
      expect(s.control.app('ib-demo')!.configVars.AWS_ACCESS_KEY_ID).toBeUndefined();
      await expectOneKeyTheApps(s);
    } finally {
      await s.close();
    }
  });

  it('after the new key worked, while the Heroku PATCH keeps failing: the re-run deletes it', async () => {
    const s = await startLocalServices();
    try {
      s.recorder.addFault({ match: (r) => r.operation === 'PATCH /apps/{app}/config-vars', kind: '5xx', times: 100 });
      let patches = 0;
      const code = await killedAt(s, (r) => r.operation === 'PATCH /apps/{app}/config-vars' && ++patches === 2);
      expect(code).toBeNull();
      expect(s.control.user(defaultNames(s).iamUser)!.tags['ib-archive:key-new']).toBe(s.control.user(defaultNames(s).iamUser)!.keys[0]!.accessKeyId);
      await expectOneKeyTheApps(s);
    } finally {
      await s.close();
    }
  });
});
