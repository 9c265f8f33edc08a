// Stage 2, IAM: a dedicated tagged user, its bucket-scoped inline policy, and one working access key.
import { CloudError } from '../errors.js';
import type { Deps } from '../context.js';
import {
  type IamKey,
  NEW_KEY_TAG,
  PENDING_TAG,
  createKeyOnce,
  deleteKey,
  keyLimit,
  tagUser,
  orphanKeys,
  verifyStoredKey,
  waitForKey,
} from '../iam-key.js';
import type { PlannedStep } from '../plan.js';
import { IAM_POLICY_NAME, type PolicyDocument, iamUserPolicy, imagesBucketOf, parsePolicy, samePolicy } from '../policy.js';
import { type AwsClients, type AwsKey, awsFailure, isAwsError } from '../services/aws.js';
import { withSpinner } from '../io/output.js';
import type { SetupContext } from './context.js';
import type { Stage } from './stage.js';

export interface IamState {
  userExists: boolean;
  tags: Record<string, string>;
  policy?: PolicyDocument;
  keys: IamKey[];
}

export const MANAGED_TAG = 'ib-archive:managed';
export const BUCKET_TAG = 'ib-archive:bucket';
/** For an ibs app: the key OpenTok's storage holds (its only consumer; the storage may not read back). */
export const OPENTOK_KEY_TAG = 'ib-archive:opentok-key';

/** Reads the user, its inline policy and its access keys, all at once (one round trip). */
export async function inspectIam(aws: AwsClients, userName: string): Promise<IamState> {
  const iamMod = await import('@aws-sdk/client-iam');
  const iam = await aws.iam();
  const noSuchEntity = (err: unknown) => isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException');
  const [user, policy, keys] = await Promise.allSettled([
    iam.send(new iamMod.GetUserCommand({ UserName: userName })),
    iam.send(new iamMod.GetUserPolicyCommand({ UserName: userName, PolicyName: IAM_POLICY_NAME })),
    iam.send(new iamMod.ListAccessKeysCommand({ UserName: userName })),
  ]);
  if (user.status === 'rejected') {
    if (noSuchEntity(user.reason)) return { userExists: false, tags: {}, keys: [] };
    throw awsFailure(`Looking up IAM user ${userName}`, user.reason);
  }
  if (policy.status === 'rejected' && !noSuchEntity(policy.reason)) throw awsFailure(`Reading the policy of IAM user ${userName}`, policy.reason);
  if (keys.status === 'rejected') throw awsFailure(`Listing the access keys of IAM user ${userName}`, keys.reason);
  const tags: Record<string, string> = {};
  for (const t of user.value.User?.Tags ?? []) if (t.Key) tags[t.Key] = t.Value ?? '';
  const document = policy.status === 'fulfilled' ? policy.value.PolicyDocument : undefined;
  return {
    userExists: true,
    tags,
    policy: document ? parsePolicy(document) : undefined,
    keys: (keys.value.AccessKeyMetadata ?? []).map((k) => ({ id: k.AccessKeyId ?? '', status: k.Status ?? 'Active', created: k.CreateDate })),
  };
}

export interface KeyChoice {
  /** An existing key whose secret we hold and that works: reused, nothing created. */
  reuse?: AwsKey;
  /** A key to delete first to make room (the user picked it). */
  deleteFirst?: string;
  /** Keys an interrupted run made and no consumer holds: deleted before anything else. */
  orphans: IamKey[];
  /** Why a new key is needed (for the report). */
  reason?: string;
}

/**
 * Reuses the key the app already has when it is an active, working key of the user; otherwise plans a new one.
 * `knownArn`: whose key the stored pair is, when STS already said so. A key held without its secret (OpenTok's, for an
 * ibs app) is reused while it is active.
 */
export async function chooseKey(
  deps: Pick<Deps, 'sleep' | 'now' | 'prompter'>,
  aws: AwsClients,
  userName: string,
  state: IamState,
  stored: AwsKey | undefined,
  knownArn?: string,
): Promise<KeyChoice> {
  const orphans = orphanKeys(state.tags, state.keys, [stored?.accessKeyId]);
  const keys = state.keys.filter((k) => !orphans.includes(k));
  let reason = stored ? 'the stored key is not a key of this user' : 'no key is stored yet';
  if (stored && state.userExists) {
    const match = keys.find((k) => k.id === stored.accessKeyId);
    if (match && match.status === 'Active' && !stored.secretAccessKey) return { reuse: stored, orphans };
    if (match && match.status === 'Active') {
      const recent = match.created ? deps.now() - match.created.getTime() < 60_000 : false;
      const verdict = knownArn?.endsWith(`/${userName}`) ? 'works' : await verifyStoredKey(deps, aws, stored, userName, recent);
      if (verdict === 'works') return { reuse: stored, orphans };
      reason = verdict === 'wrong-secret' ? `the stored secret of ${stored.accessKeyId} is wrong` : `${stored.accessKeyId} belongs to another user`;
    } else if (match) {
      reason = `the stored key ${stored.accessKeyId} is inactive`;
    }
  }
  if (keys.length < 2) return { reason, orphans };
  return { reason, orphans, deleteFirst: await pickKeyToDelete(deps, userName, keys) };
}

async function pickKeyToDelete(deps: Pick<Deps, 'prompter'>, userName: string, keys: IamKey[]): Promise<string> {
  const describe = (k: IamKey) => `${k.id} (${k.status}${k.created ? `, created ${k.created.toISOString().slice(0, 10)}` : ''})`;
  if (!deps.prompter.interactive) {
    const limit = keyLimit(userName);
    throw new CloudError(`${limit.message.replace(/\.$/, '')}, and the app does not hold either: ${keys.map(describe).join(', ')}.`, limit.code, limit.fix);
  }
  const choice = await deps.prompter.select<string>({
    message: `IAM user ${userName} already has 2 access keys (the AWS limit). Delete one to make room for the app's key?`,
    choices: [...keys.map((k) => ({ name: `Delete ${describe(k)}`, value: k.id })), { name: 'Cancel (nothing is changed)', value: '' }],
  });
  if (!choice) throw new CloudError('Cancelled: the IAM user has no room for a new access key.', 'iam_key_limit', `Delete a key with: aws iam delete-access-key --user-name ${userName} --access-key-id <key-id>`);
  return choice;
}

type IamContext = Pick<SetupContext, 'deps' | 'aws' | 'inputs' | 'key' | 'reads'>;
type IamRead = IamState & { userName: string; choice: KeyChoice };

/** IAM: GetUser, GetUserPolicy, ListAccessKeys (and STS with the stored key) → the user, policy and key steps. */
export const iamStage: Stage<IamContext, IamRead & { region: string; imagesBucket?: string }> = {
  readStep: 'iam.user',
  inspect: async (ctx) => {
    const [iam, bucket, appVars] = await Promise.all([ctx.reads.iam(), ctx.reads.bucket(), ctx.reads.appVars()]);
    return { ...iam, region: bucket.region, imagesBucket: imagesBucketOf(appVars) };
  },
  plan: (ctx, state) => [
    userStep(ctx, state),
    // A classic app signs its event-image uploads with the same key: the policy keeps them working.
    policyStep(ctx, state, iamUserPolicy(ctx.inputs.bucket, state.region, { imagesBucket: state.imagesBucket })),
    keyStep(ctx, state, state.choice),
  ],
};

function userStep({ aws, inputs }: IamContext, state: IamRead): PlannedStep {
  const iamUser = state.userName;
  if (state.userExists) return { id: 'iam.user', after: [], status: 'unchanged', detail: `${iamUser}${state.tags[MANAGED_TAG] ? '' : ' (existing user, not created by ib-archive)'}` };
  return {
    id: 'iam.user',
    after: [],
    status: 'created',
    detail: `${iamUser}, tagged ${MANAGED_TAG}`,
    apply: async () => {
      const { CreateUserCommand } = await import('@aws-sdk/client-iam');
      // The new user carries the pending mark from the start: any key it gets before the app holds one is ours.
      const tags = { [MANAGED_TAG]: 'true', [BUCKET_TAG]: inputs.bucket, [PENDING_TAG]: new Date().toISOString() };
      try {
        await (await aws.iam()).send(new CreateUserCommand({ UserName: iamUser, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
      } catch (err) {
        if (!isAwsError(err, 'EntityAlreadyExists', 'EntityAlreadyExistsException')) throw awsFailure(`Creating IAM user ${iamUser}`, err);
      }
    },
  };
}

function policyStep({ aws, inputs }: IamContext, state: IamRead, desired: PolicyDocument): PlannedStep {
  const iamUser = state.userName;
  const detail = `${IAM_POLICY_NAME}: write archives to ${inputs.bucket} only`;
  if (state.policy && samePolicy(state.policy, desired)) return { id: 'iam.policy', after: ['iam.user'], status: 'unchanged', detail };
  return {
    id: 'iam.policy',
    after: ['iam.user'],
    status: state.policy ? 'updated' : 'created',
    detail,
    apply: async () => {
      const { PutUserPolicyCommand } = await import('@aws-sdk/client-iam');
      try {
        await (await aws.iam()).send(new PutUserPolicyCommand({ UserName: iamUser, PolicyName: IAM_POLICY_NAME, PolicyDocument: JSON.stringify(desired) }));
      } catch (err) {
        throw awsFailure(`Attaching the ${IAM_POLICY_NAME} policy to ${iamUser}`, err);
      }
    },
  };
}

/** Deletes the keys a hard-killed run left behind, one line each. */
async function deleteOrphans({ deps, aws }: IamContext, iamUser: string, orphans: IamKey[]): Promise<void> {
  for (const k of orphans) {
    await deleteKey(aws, iamUser, k.id);
    deps.out.info(`Deleted access key ${k.id} of ${iamUser}: an interrupted run made it and no consumer holds its secret.`);
  }
}

function keyStep(ctx: IamContext, state: IamRead, choice: KeyChoice): PlannedStep {
  const { deps, aws, key } = ctx;
  const iamUser = state.userName;
  const orphanNote = choice.orphans.length ? `; deletes ${choice.orphans.map((k) => k.id).join(', ')}, left by an interrupted run` : '';
  if (choice.reuse) {
    key.reuse(choice.reuse);
    const detail = `${choice.reuse.accessKeyId} (the app's key, still active)`;
    if (choice.orphans.length === 0) return { id: 'iam.access-key', after: ['iam.user'], status: 'unchanged', detail };
    return { id: 'iam.access-key', after: ['iam.user'], status: 'updated', detail: `${detail}${orphanNote}`, apply: () => deleteOrphans(ctx, iamUser, choice.orphans) };
  }
  return {
    id: 'iam.access-key',
    after: ['iam.user'],
    status: 'created',
    detail: `a new key for ${iamUser}${choice.deleteFirst ? `, replacing ${choice.deleteFirst}` : ''} (${choice.reason})${orphanNote}`,
    apply: async () => {
      await deleteOrphans(ctx, iamUser, choice.orphans);
      if (choice.deleteFirst) await deleteKey(aws, iamUser, choice.deleteFirst);
      // A user that existed gets the mark now; a user made by this run carries it since CreateUser.
      if (state.userExists && !state.tags[PENDING_TAG]) await tagUser(aws, iamUser, { [PENDING_TAG]: new Date().toISOString() });
      const known = state.keys.map((k) => k.id).filter((id) => id !== choice.deleteFirst && !choice.orphans.some((o) => o.id === id));
      const made = await key.creating(createKeyOnce(deps, aws, iamUser, known));
      deps.out.addSecret(made.secretAccessKey);
      await tagUser(aws, iamUser, { [NEW_KEY_TAG]: made.accessKeyId });
      await withSpinner(deps.out, `Waiting for AWS to activate the new key ${made.accessKeyId} (IAM takes a few seconds)`, () => waitForKey(deps, aws, made, deps.keyWaitMs));
      return `${made.accessKeyId} for ${iamUser}, active${choice.deleteFirst ? ` (deleted ${choice.deleteFirst})` : ''}`;
    },
  };
}
