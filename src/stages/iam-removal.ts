// teardown, IAM: the app's access key, the inline policy ib-archive-s3 and the user (only one tagged ib-archive:managed
// that holds nothing ib-archive did not make), once no other project uses the bucket.
import { deleteKey, orphanKeys } from '../iam-key.js';
import type { PlannedStep } from '../plan.js';
import { IAM_POLICY_NAME, type PolicyDocument, parsePolicy } from '../policy.js';
import { type AwsClients, awsErrorCode, awsFailure, isAwsError } from '../services/aws.js';
import { type IamState, MANAGED_TAG } from './iam.js';
import type { Stage } from './stage.js';
import { type TeardownContext, sharedNote } from './teardown-context.js';

type IamRemovalContext = Pick<TeardownContext, 'aws' | 'reads' | 'appKeyId' | 'bucket'>;

interface IamRemovalState extends IamState {
  userName: string;
  why: string;
  others: string[];
  appKeyId?: string;
  /** Another bucket the project's OpenTok storage writes to with the app's key. */
  usedBy?: string;
  /** GetUserPolicy was sent (a user that stays); else DeleteUserPolicy finds out. */
  policyRead: boolean;
}

const noSuchEntity = (err: unknown) => isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException');

/** IAM: the user found by --iam-user, the app's key (ListAccessKeys, else STS) or the default names; GetUserPolicy only for a user that stays. */
export const iamRemovalStage: Stage<IamRemovalContext, IamRemovalState> = {
  readStep: 'iam.user',
  inspect: async (ctx) => {
    const [s3, iam, appKeyId, storage] = await Promise.all([ctx.reads.s3(), ctx.reads.iam(), ctx.appKeyId(), ctx.reads.storage()]);
    const target = storage?.target?.config;
    // The project's storage pointed at another bucket with the app's key: that key is still in use.
    const usedBy = target && target.bucket !== ctx.bucket && target.accessKey === appKeyId ? target.bucket : undefined;
    const state: IamRemovalState = { ...iam, others: s3.others, appKeyId, usedBy, policyRead: false };
    // A user DeleteUser will delete needs no GetUserPolicy: DeleteUserPolicy's NoSuchEntity says there was none.
    if (state.others.length > 0 || !state.userExists || fate(state).deletesUser) return state;
    return { ...state, policy: await readPolicy(ctx.aws, state.userName), policyRead: true };
  },
  plan: (ctx, state) => {
    const user = state.userName;
    const ids = ['iam.access-key', 'iam.policy', 'iam.user'] as const;
    if (state.others.length > 0) return ids.map((id) => ({ id, after: [], status: 'unchanged', detail: `${user} ${sharedNote(state.others)}` }));
    if (!state.userExists) return ids.map((id) => ({ id, after: [], status: 'unchanged', detail: `no IAM user ${user} (${state.why})` }));
    const { managed, appKey, stays, doomed, remaining } = fate(state);
    const keys = appKey && stays ? { id: 'iam.access-key' as const, after: [], status: 'unchanged' as const, detail: `${appKey.id} kept: ${stays}` } : keyStep(ctx.aws, user, doomed.map((k) => k.id));
    return [keys, policyStep(ctx.aws, user, state), userStep(ctx.aws, user, managed, remaining)];
  },
};

/** What goes of an existing user: the app's key (unless it stays), a managed user's orphan keys, and the user once it holds no other key. */
function fate(state: IamRemovalState) {
  const managed = state.tags[MANAGED_TAG] !== undefined;
  const appKey = state.keys.find((k) => k.id === state.appKeyId);
  const stays = appKey ? whyKeyStays(state, managed) : undefined;
  // Keys a hard-killed setup left on a managed user are ib-archive's too.
  const doomed = stays ? [] : [...(appKey ? [appKey] : []), ...(managed ? orphanKeys(state.tags, state.keys, [state.appKeyId]) : [])];
  const remaining = state.keys.filter((k) => !doomed.includes(k)).map((k) => k.id);
  return { managed, appKey, stays, doomed, remaining, deletesUser: managed && remaining.length === 0 };
}

/** IAM GetUserPolicy ib-archive-s3; undefined when the user has none. */
async function readPolicy(aws: AwsClients, UserName: string): Promise<PolicyDocument | undefined> {
  const { GetUserPolicyCommand } = await import('@aws-sdk/client-iam');
  try {
    const doc = (await (await aws.iam()).send(new GetUserPolicyCommand({ UserName, PolicyName: IAM_POLICY_NAME }))).PolicyDocument;
    return doc ? parsePolicy(doc) : undefined;
  } catch (err) {
    if (noSuchEntity(err)) return undefined;
    throw awsFailure(`Reading the policy of IAM user ${UserName}`, err);
  }
}

/** Why the app's key must stay: OpenTok still writes elsewhere with it, or its user is not ib-archive's and --iam-user does not name it. */
function whyKeyStays(state: IamRemovalState, managed: boolean): string | undefined {
  if (state.usedBy) return `the OpenTok project still archives to ${state.usedBy} with it`;
  if (!managed && state.why !== '--iam-user') return `its owner ${state.userName} is not tagged ${MANAGED_TAG}; pass --iam-user ${state.userName} to delete it`;
  return undefined;
}

/** DeleteAccessKey of the app's key (after OpenTok's storage stopped using it). */
function keyStep(aws: AwsClients, user: string, keyIds: string[]): PlannedStep {
  const after: PlannedStep['after'] = ['opentok.storage'];
  if (keyIds.length === 0) return { id: 'iam.access-key', after, status: 'unchanged', detail: `the app holds no key of ${user}` };
  return {
    id: 'iam.access-key',
    after,
    status: 'deleted',
    detail: `${keyIds.join(', ')} of ${user}`,
    apply: async () => {
      for (const id of keyIds) await deleteKey(aws, user, id);
    },
  };
}

/** DeleteUserPolicy ib-archive-s3; its NoSuchEntity (a policy that was not there) is done. */
function policyStep(aws: AwsClients, user: string, state: IamRemovalState): PlannedStep {
  const after: PlannedStep['after'] = ['opentok.storage'];
  const none = `${user} has no ${IAM_POLICY_NAME} policy`;
  if (state.policyRead && !state.policy) return { id: 'iam.policy', after, status: 'unchanged', detail: none };
  return {
    id: 'iam.policy',
    after,
    status: 'deleted',
    detail: `${IAM_POLICY_NAME} of ${user}`,
    apply: async () => {
      const { DeleteUserPolicyCommand } = await import('@aws-sdk/client-iam');
      try {
        await (await aws.iam()).send(new DeleteUserPolicyCommand({ UserName: user, PolicyName: IAM_POLICY_NAME }));
      } catch (err) {
        if (!noSuchEntity(err)) throw awsFailure(`Deleting the ${IAM_POLICY_NAME} policy of ${user}`, err);
        if (!state.policyRead) return { status: 'unchanged', detail: `${IAM_POLICY_NAME} of ${user}: already gone` };
      }
    },
  };
}

/** DeleteUser of a managed user; one that has anything else (DeleteUser's DeleteConflict) stays, with what it has. */
function userStep(aws: AwsClients, user: string, managed: boolean, otherKeys: string[]): PlannedStep {
  const after: PlannedStep['after'] = ['iam.access-key', 'iam.policy'];
  if (!managed) return { id: 'iam.user', after, status: 'unchanged', detail: `${user} kept: not tagged ${MANAGED_TAG} (ib-archive did not create it)` };
  if (otherKeys.length > 0) return { id: 'iam.user', after, status: 'unchanged', detail: `${user} kept: it still has access key ${otherKeys.join(', ')}` };
  return {
    id: 'iam.user',
    after,
    status: 'deleted',
    detail: `${user} (tagged ${MANAGED_TAG})`,
    apply: async () => {
      const { DeleteUserCommand } = await import('@aws-sdk/client-iam');
      try {
        await (await aws.iam()).send(new DeleteUserCommand({ UserName: user }));
      } catch (err) {
        if (noSuchEntity(err)) return;
        if (awsErrorCode(err) !== 'DeleteConflict') throw awsFailure(`Deleting IAM user ${user}`, err);
        const held = await userDependencies(aws, user);
        return { status: 'unchanged', detail: `${user} kept: it has ${held.length ? held.join(', ') : 'something else'} that ib-archive did not make (${(err as Error).message}); remove ${held.length === 1 ? 'it' : 'them'} and re-run, or keep the user` };
      }
    },
  };
}

/** What else keeps DeleteUser from deleting the user: other policies, a password, MFA, certificates, SSH keys, credentials, groups. */
export async function userDependencies(aws: AwsClients, UserName: string): Promise<string[]> {
  const m = await import('@aws-sdk/client-iam');
  const iam = await aws.iam();
  const count = async (what: string, call: () => Promise<unknown[] | undefined>) => {
    const n = (await call().catch((err: unknown) => (noSuchEntity(err) ? [] : undefined)))?.length ?? 0;
    return n ? [`${n} ${what}`] : [];
  };
  const found = await Promise.all([
    count('other inline polic(ies)', async () => (await iam.send(new m.ListUserPoliciesCommand({ UserName }))).PolicyNames?.filter((n) => n !== IAM_POLICY_NAME)),
    count('attached managed polic(ies)', async () => (await iam.send(new m.ListAttachedUserPoliciesCommand({ UserName }))).AttachedPolicies),
    count('console password', async () => [(await iam.send(new m.GetLoginProfileCommand({ UserName }))).LoginProfile]),
    count('MFA device(s)', async () => (await iam.send(new m.ListMFADevicesCommand({ UserName }))).MFADevices),
    count('signing certificate(s)', async () => (await iam.send(new m.ListSigningCertificatesCommand({ UserName }))).Certificates),
    count('SSH public key(s)', async () => (await iam.send(new m.ListSSHPublicKeysCommand({ UserName }))).SSHPublicKeys),
    count('service-specific credential(s)', async () => (await iam.send(new m.ListServiceSpecificCredentialsCommand({ UserName }))).ServiceSpecificCredentials),
    count('group membership(s)', async () => (await iam.send(new m.ListGroupsForUserCommand({ UserName }))).Groups),
    count('other access key(s)', async () => (await iam.send(new m.ListAccessKeysCommand({ UserName }))).AccessKeyMetadata),
  ]);
  return found.flat();
}
