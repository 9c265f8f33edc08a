// Which IAM user a teardown removes: the app's user when it holds the app's key, else STS names the key's owner; the
// inline policy is read only for a user that stays.
import { describe, expect, it } from 'vitest';
import { freshSetUps, teardown } from './helpers.js';

const LEGACY = 'ib-archive-legacy-user';

describe('the IAM user of a teardown', () => {
  const fresh = freshSetUps();

  it('a set-up from before one user per app: one STS call signed with the app\'s key finds the owner, which goes', async () => {
    const s = await fresh({}, ['--iam-user', LEGACY]);
    expect(s.user).toBe(LEGACY);
    const run = await teardown(s);
    expect(run.result.code, run.result.stderr).toBe(0);
    const sts = s.services.recorder.requests.filter((r) => r.operation === 'GetCallerIdentity');
    expect(sts.map((r) => r.accessKeyId)).toEqual([s.keyId]);
    expect(run.status).toMatchObject({ 'iam.access-key': 'deleted', 'iam.policy': 'deleted', 'iam.user': 'deleted' });
    expect(s.services.control.user(LEGACY)).toBeUndefined();
    expect((await teardown(s)).writes).toEqual([]);
  });

  it('a user that stays (not tagged ib-archive:managed): its policy is read and deleted once; a second run writes nothing', async () => {
    const s = await fresh();
    delete s.services.control.user(s.user)!.tags['ib-archive:managed'];
    const run = await teardown(s, ['--iam-user', s.user]);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(s.services.recorder.requests.filter((r) => r.operation === 'GetUserPolicy')).toHaveLength(1);
    expect(run.status).toMatchObject({ 'iam.access-key': 'deleted', 'iam.policy': 'deleted', 'iam.user': 'unchanged' });
    expect(s.services.control.user(s.user)!.policies.size).toBe(0);
    const again = await teardown(s, ['--iam-user', s.user]);
    expect(again.writes).toEqual([]);
    expect(again.status['iam.policy']).toBe('unchanged');
  });

  it('a managed user without ib-archive-s3: DeleteUserPolicy\'s NoSuchEntity counts as done, the user goes', async () => {
    const s = await fresh();
    s.services.control.user(s.user)!.policies.clear();
    const run = await teardown(s);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.status).toMatchObject({ 'iam.policy': 'unchanged', 'iam.user': 'deleted' });
    expect(run.doc.steps.find((st) => st.id === 'iam.policy')!.detail).toMatch(/already gone/);
    expect(s.services.control.user(s.user)).toBeUndefined();
  });
});
