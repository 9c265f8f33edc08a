// Whose key rotate-key rotates: the app's user when it lists the app's key (no STS), else the managed user STS names.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalServices } from '../../src/standins/api.js';
import { startLocalServices } from '../../src/standins/index.js';
import { runCli } from '../helpers/cli.js';

const LEGACY = 'ib-archive-legacy-user';
let s: LocalServices;
beforeEach(async () => {
  s = await startLocalServices({ opentokStorageReadable: true });
});
afterEach(async () => {
  await s.close();
});

const setup = (...extra: string[]) => runCli(['setup', '--api-key', s.opentok.apiKey, '--api-secret', s.opentok.apiSecret, '--configure-opentok', '--app', 'ib-demo', '--yes', '--non-interactive', '--json', ...extra], s);
const rotate = () => runCli(['rotate-key', '--api-key', s.opentok.apiKey, '--api-secret', s.opentok.apiSecret, '--app', 'ib-demo', '--non-interactive', '--json'], s);
/** STS calls signed with `keyId` (the new key's activation polls are signed with the new key). */
const stsCalls = (keyId: string) => s.recorder.requests.filter((r) => r.operation === 'GetCallerIdentity' && r.accessKeyId === keyId);

describe('rotate-key: the key\'s owner', () => {
  it('the app\'s user lists the app\'s key: no STS call with it', async () => {
    expect((await setup()).code).toBe(0);
    const oldKey = s.control.app('ib-demo')!.configVars.AWS_ACCESS_KEY_ID!;
    s.recorder.reset();
    const r = await rotate();
    expect(r.code, r.stderr).toBe(0);
    expect(stsCalls(oldKey)).toHaveLength(0);
    const keys = s.control.user('ib-archive-ib-demo')!.keys;
    expect(keys.map((k) => k.accessKeyId)).toEqual([s.control.app('ib-demo')!.configVars.AWS_ACCESS_KEY_ID]);
  });

  it('a set-up from before one user per app: STS, signed with the app\'s key, names the managed user, whose key is rotated', async () => {
    expect((await setup('--iam-user', LEGACY)).code).toBe(0);
    const oldKey = s.control.app('ib-demo')!.configVars.AWS_ACCESS_KEY_ID!;
    s.recorder.reset();
    const r = await rotate();
    expect(r.code, r.stderr).toBe(0);
    expect(stsCalls(oldKey)).toHaveLength(1);
    const newKey = s.control.app('ib-demo')!.configVars.AWS_ACCESS_KEY_ID!;
    expect(newKey).not.toBe(oldKey);
    expect(s.control.user(LEGACY)!.keys.map((k) => k.accessKeyId)).toEqual([newKey]);
    expect(s.control.user('ib-archive-ib-demo')).toBeUndefined();
  });
});
