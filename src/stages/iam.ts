// Stage 2, IAM: a dedicated tagged user, its bucket-scoped inline policy, and one working access key.
import { CloudError } from '../errors.js';
import type { Deps } from '../context.js';
import type { SetupInputs } from '../inputs.js';
import type { PlannedStep } from '../plan.js';
import { IAM_POLICY_NAME, type IamUserPolicyOptions, type PolicyDocument, iamUserPolicy, parsePolicy, samePolicy } from '../policy.js';
import { type AwsClients, type AwsKey, awsFailure, isAwsError, isBadCredentials } from '../services/aws.js';
import { withSpinner } from '../io/output.js';

export interface IamKey {
  id: string;
  status: string;
  created?: Date;
}

export interface IamState {
  userExists: boolean;
  tags: Record<string, string>;
  policy?: PolicyDocument;
  keys: IamKey[];
}

export const MANAGED_TAG = 'ib-archive:managed';
export const BUCKET_TAG = 'ib-archive:bucket';
const KEY_WAIT_MS = 30_000;

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

/** Calls STS as `key` until it answers (a new key takes seconds to work everywhere), at most `limitMs`. */
export async function waitForKey(deps: Pick<Deps, 'sleep' | 'now'>, aws: AwsClients, key: AwsKey, limitMs = KEY_WAIT_MS): Promise<string> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const sts = await aws.sts(key, 1);
  const deadline = deps.now() + limitMs;
  let delay = 250;
  for (;;) {
    try {
      const id = await sts.send(new GetCallerIdentityCommand({}));
      return id.Arn ?? '';
    } catch (err) {
      // The key is known but the secret is not its own: waiting will not help.
      if (isAwsError(err, 'SignatureDoesNotMatch')) throw err;
      if (deps.now() + delay > deadline) {
        throw new CloudError(
          `The new access key ${key.accessKeyId} still did not work after ${Math.round(limitMs / 1000)} s (${(err as Error).name}).`,
          'key_not_active',
          'IAM is eventually consistent and is slow right now; re-run ib-archive setup in a minute.',
          { cause: err },
        );
      }
      await deps.sleep(delay);
      delay = Math.min(delay * 2, 4000);
    }
  }
}

export type KeyVerdict = 'works' | 'wrong-secret' | 'other-user';

/** Checks that a stored key pair belongs to the user and that its secret is right. */
export async function verifyStoredKey(
  deps: Pick<Deps, 'sleep' | 'now'>,
  aws: AwsClients,
  key: AwsKey,
  userName: string,
  createdRecently: boolean,
): Promise<KeyVerdict> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  try {
    const arn = createdRecently ? await waitForKey(deps, aws, key, 20_000) : (await (await aws.sts(key)).send(new GetCallerIdentityCommand({}))).Arn ?? '';
    return arn.endsWith(`/${userName}`) ? 'works' : 'other-user';
  } catch (err) {
    if (isBadCredentials(err) || (err instanceof CloudError && err.code === 'key_not_active')) return 'wrong-secret';
    throw awsFailure('Checking the access key stored for the app', err);
  }
}

export interface KeyChoice {
  /** An existing key whose secret we hold and that works: reused, nothing created. */
  reuse?: AwsKey;
  /** A key to delete first to make room (the user picked it). */
  deleteFirst?: string;
  /** Why a new key is needed (for the report). */
  reason?: string;
}

/** Reuses the key the app already has when it is an active, working key of the user; otherwise plans a new one. */
export async function chooseKey(
  deps: Pick<Deps, 'sleep' | 'now' | 'prompter'>,
  aws: AwsClients,
  inputs: SetupInputs,
  state: IamState,
  stored: AwsKey | undefined,
): Promise<KeyChoice> {
  let reason = stored ? 'the stored key is not a key of this user' : 'no key is stored yet';
  if (stored && state.userExists) {
    const match = state.keys.find((k) => k.id === stored.accessKeyId);
    if (match && match.status === 'Active') {
      const recent = match.created ? deps.now() - match.created.getTime() < 60_000 : false;
      const verdict = await verifyStoredKey(deps, aws, stored, inputs.iamUser, recent);
      if (verdict === 'works') return { reuse: stored };
      reason = verdict === 'wrong-secret' ? `the stored secret of ${stored.accessKeyId} is wrong` : `${stored.accessKeyId} belongs to another user`;
    } else if (match) {
      reason = `the stored key ${stored.accessKeyId} is inactive`;
    }
  }
  if (state.keys.length < 2) return { reason };
  return { reason, deleteFirst: await pickKeyToDelete(deps, inputs, state) };
}

async function pickKeyToDelete(deps: Pick<Deps, 'prompter'>, inputs: SetupInputs, state: IamState): Promise<string> {
  const describe = (k: IamKey) => `${k.id} (${k.status}${k.created ? `, created ${k.created.toISOString().slice(0, 10)}` : ''})`;
  if (!deps.prompter.interactive) {
    throw new CloudError(
      `IAM user ${inputs.iamUser} already has 2 access keys, the most AWS allows, and the app does not hold either: ${state.keys.map(describe).join(', ')}.`,
      'iam_key_limit',
      `Delete the key you no longer use, then re-run ib-archive setup:\n  aws iam delete-access-key --user-name ${inputs.iamUser} --access-key-id <key-id>`,
    );
  }
  const choice = await deps.prompter.select<string>({
    message: `IAM user ${inputs.iamUser} already has 2 access keys (the AWS limit). Delete one to make room for the app's key?`,
    choices: [
      ...state.keys.map((k) => ({ name: `Delete ${describe(k)}`, value: k.id })),
      { name: 'Cancel (nothing is changed)', value: '' },
    ],
  });
  if (!choice) throw new CloudError('Cancelled: the IAM user has no room for a new access key.', 'iam_key_limit', `Delete a key with: aws iam delete-access-key --user-name ${inputs.iamUser} --access-key-id <key-id>`);
  return choice;
}

/** The run's access key once known: reused, or created by the iam.access-key step. */
export interface KeyHolder {
  key?: AwsKey;
  /** True while a newly created key's secret exists only in memory. */
  unsaved: boolean;
  /** Settles once the call in flight that decides `key`/`unsaved` (CreateAccessKey, the Heroku PATCH) is answered. */
  pending?: Promise<unknown>;
  /** The new key is being deleted (interrupt or failure): nothing may store or use it any more. */
  abandoned?: boolean;
}

/** Plans the user, policy and key steps. */
export function planIam(
  deps: Pick<Deps, 'sleep' | 'now' | 'out' | 'keyWaitMs'>,
  aws: AwsClients,
  inputs: SetupInputs,
  state: IamState,
  region: string,
  choice: KeyChoice,
  holder: KeyHolder,
  policyOptions: IamUserPolicyOptions = {},
): PlannedStep[] {
  const UserName = inputs.iamUser;
  const sdk = () => import('@aws-sdk/client-iam');
  const desired = iamUserPolicy(inputs.bucket, region, policyOptions);
  const steps: PlannedStep[] = [];

  steps.push(
    state.userExists
      ? { id: 'iam.user', after: [], status: 'unchanged', detail: `${UserName}${state.tags[MANAGED_TAG] ? '' : ' (existing user, not created by ib-archive)'}` }
      : {
          id: 'iam.user',
          after: [],
          status: 'created',
          detail: `${UserName}, tagged ${MANAGED_TAG}`,
          apply: async () => {
            const { CreateUserCommand } = await sdk();
            try {
              await (await aws.iam()).send(
                new CreateUserCommand({
                  UserName,
                  Tags: [
                    { Key: MANAGED_TAG, Value: 'true' },
                    { Key: BUCKET_TAG, Value: inputs.bucket },
                  ],
                }),
              );
            } catch (err) {
              if (!isAwsError(err, 'EntityAlreadyExists', 'EntityAlreadyExistsException')) throw awsFailure(`Creating IAM user ${UserName}`, err);
            }
          },
        },
  );

  const policyOk = state.policy && samePolicy(state.policy, desired);
  steps.push(
    policyOk
      ? { id: 'iam.policy', after: ['iam.user'], status: 'unchanged', detail: `${IAM_POLICY_NAME}: write archives to ${inputs.bucket} only` }
      : {
          id: 'iam.policy',
          after: ['iam.user'],
          status: state.policy ? 'updated' : 'created',
          detail: `${IAM_POLICY_NAME}: write archives to ${inputs.bucket} only`,
          apply: async () => {
            const { PutUserPolicyCommand } = await sdk();
            try {
              await (await aws.iam()).send(new PutUserPolicyCommand({ UserName, PolicyName: IAM_POLICY_NAME, PolicyDocument: JSON.stringify(desired) }));
            } catch (err) {
              throw awsFailure(`Attaching the ${IAM_POLICY_NAME} policy to ${UserName}`, err);
            }
          },
        },
  );

  if (choice.reuse) {
    holder.key = choice.reuse;
    steps.push({ id: 'iam.access-key', after: ['iam.user'], status: 'unchanged', detail: `${choice.reuse.accessKeyId} (the app's key, still active)` });
  } else {
    steps.push({
      id: 'iam.access-key',
      after: ['iam.user'],
      status: 'created',
      detail: `a new key for ${UserName}${choice.deleteFirst ? `, replacing ${choice.deleteFirst}` : ''} (${choice.reason})`,
      apply: async () => {
        const iamMod = await sdk();
        const iam = await aws.iam();
        if (choice.deleteFirst) {
          try {
            await iam.send(new iamMod.DeleteAccessKeyCommand({ UserName, AccessKeyId: choice.deleteFirst }));
          } catch (err) {
            if (!isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) throw awsFailure(`Deleting access key ${choice.deleteFirst}`, err);
          }
        }
        // Held as soon as AWS answers, so that an interrupt arriving meanwhile still finds (and deletes) the key.
        const creating = iam.send(new iamMod.CreateAccessKeyCommand({ UserName })).then((created) => {
          const made = { accessKeyId: created.AccessKey?.AccessKeyId ?? '', secretAccessKey: created.AccessKey?.SecretAccessKey ?? '' };
          deps.out.addSecret(made.secretAccessKey);
          holder.key = made;
          holder.unsaved = true;
          return made;
        });
        holder.pending = creating.catch(() => undefined);
        let key: AwsKey;
        try {
          key = await creating;
        } catch (err) {
          if (isAwsError(err, 'LimitExceeded', 'LimitExceededException')) {
            throw new CloudError(
              `IAM user ${UserName} already has 2 access keys, the most AWS allows.`,
              'iam_key_limit',
              `Delete the key you no longer use, then re-run ib-archive setup:\n  aws iam delete-access-key --user-name ${UserName} --access-key-id <key-id>`,
            );
          }
          throw awsFailure(`Creating an access key for ${UserName}`, err);
        }
        await withSpinner(deps.out, `Waiting for AWS to activate the new key ${key.accessKeyId} (IAM takes a few seconds)`, () => waitForKey(deps, aws, key, deps.keyWaitMs));
        return `${key.accessKeyId} for ${UserName}, active${choice.deleteFirst ? ` (deleted ${choice.deleteFirst})` : ''}`;
      },
    });
  }
  return steps;
}

/** Deletes a key whose secret could not be stored anywhere, so that no orphan is left. */
export async function deleteKey(aws: AwsClients, userName: string, keyId: string): Promise<void> {
  const { DeleteAccessKeyCommand } = await import('@aws-sdk/client-iam');
  await (await aws.iam()).send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: keyId }));
}
