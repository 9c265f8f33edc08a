// The app's access key on AWS: made exactly once, marked on its user until a consumer holds it, waited for until it
// works, and recognised again by a later run when a hard kill left it behind. Used by setup and rotate-key.
import { CloudError } from './errors.js';
import type { AppKey } from './key.js';
import type { Deps } from './context.js';
import { ownerOfKey } from './identity.js';
import { type AwsClients, type AwsKey, awsFailure, awsHttpStatus, isAwsError, isBadCredentials, isNetworkError } from './services/aws.js';

export interface IamKey {
  id: string;
  status: string;
  created?: Date;
}

/** Tags on the managed user while a new key's secret is held by no consumer yet: since when, and the key's id. */
export const PENDING_TAG = 'ib-archive:key-pending';
export const NEW_KEY_TAG = 'ib-archive:key-new';
/** How far before the mark a key's CreateDate may be and still be the marked one (clocks differ). */
const CLOCK_MARGIN_MS = 60_000;
const KEY_WAIT_MS = 30_000;
const CREATE_ATTEMPTS = 3;

/** Keys a hard-killed run left behind: recorded (or made since the mark) and held by no consumer known to this run. */
export function orphanKeys(tags: Record<string, string>, keys: IamKey[], held: (string | undefined)[]): IamKey[] {
  const since = Date.parse(tags[PENDING_TAG] ?? '');
  if (Number.isNaN(since)) return [];
  const recorded = tags[NEW_KEY_TAG];
  return keys.filter((k) => {
    if (held.includes(k.id)) return false;
    if (recorded) return k.id === recorded;
    return k.created !== undefined && k.created.getTime() >= since - CLOCK_MARGIN_MS;
  });
}

/** IAM TagUser: the pending mark before CreateAccessKey, the new key's id after it, the key OpenTok holds (ibs). */
export async function tagUser(aws: AwsClients, userName: string, tags: Record<string, string>): Promise<void> {
  const { TagUserCommand } = await import('@aws-sdk/client-iam');
  try {
    await (await aws.iam()).send(new TagUserCommand({ UserName: userName, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
  } catch (err) {
    throw awsFailure(`Tagging IAM user ${userName}`, err);
  }
}

/** IAM UntagUser: the new key is held by a consumer now, so nothing would be orphaned any more. */
export async function clearPending(aws: AwsClients, userName: string): Promise<void> {
  const { UntagUserCommand } = await import('@aws-sdk/client-iam');
  try {
    await (await aws.iam()).send(new UntagUserCommand({ UserName: userName, TagKeys: [PENDING_TAG, NEW_KEY_TAG] }));
  } catch (err) {
    if (!isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) throw awsFailure(`Clearing the new-key mark of IAM user ${userName}`, err);
  }
}

/** An error after which CreateAccessKey may or may not have landed. */
function mayHaveLanded(err: unknown): boolean {
  const status = awsHttpStatus(err);
  return isNetworkError(err) || status === undefined || status >= 500 || isAwsError(err, 'Throttling', 'ThrottlingException', 'RequestTimeout', 'TimeoutError', 'ServiceUnavailable');
}

/**
 * IAM CreateAccessKey, exactly once: it is not idempotent, so the SDK never retries it. After an error or a lost
 * answer the user's keys are listed again; a key that appeared meanwhile (its secret unseen) is deleted, then the
 * call is made again (bounded). `known` are the key ids the user had before.
 */
export async function createKeyOnce(deps: Pick<Deps, 'sleep'>, aws: AwsClients, userName: string, known: string[]): Promise<AwsKey> {
  const { CreateAccessKeyCommand } = await import('@aws-sdk/client-iam');
  const iam = await aws.iam(1);
  for (let attempt = 1; ; attempt++) {
    try {
      const created = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
      return { accessKeyId: created.AccessKey?.AccessKeyId ?? '', secretAccessKey: created.AccessKey?.SecretAccessKey ?? '' };
    } catch (err) {
      if (isAwsError(err, 'LimitExceeded', 'LimitExceededException')) throw keyLimit(userName);
      if (!mayHaveLanded(err) || attempt >= CREATE_ATTEMPTS) throw awsFailure(`Creating an access key for ${userName}`, err);
      const unseen = (await listKeys(aws, userName)).filter((k) => !known.includes(k.id));
      for (const k of unseen) await deleteKey(aws, userName, k.id);
      await deps.sleep(500 * attempt);
    }
  }
}

export function keyLimit(userName: string): CloudError {
  return new CloudError(
    `IAM user ${userName} already has 2 access keys, the most AWS allows.`,
    'iam_key_limit',
    `Delete the key you no longer use, then re-run:\n  aws iam delete-access-key --user-name ${userName} --access-key-id <key-id>`,
  );
}

/** IAM ListAccessKeys. */
export async function listKeys(aws: AwsClients, userName: string): Promise<IamKey[]> {
  const { ListAccessKeysCommand } = await import('@aws-sdk/client-iam');
  try {
    const res = await (await aws.iam()).send(new ListAccessKeysCommand({ UserName: userName }));
    return (res.AccessKeyMetadata ?? []).map((k) => ({ id: k.AccessKeyId ?? '', status: k.Status ?? 'Active', created: k.CreateDate }));
  } catch (err) {
    throw awsFailure(`Listing the access keys of IAM user ${userName}`, err);
  }
}

/** IAM ListAccessKeys; undefined when the user does not exist. */
export async function listUserKeys(aws: AwsClients, userName: string): Promise<IamKey[] | undefined> {
  const { ListAccessKeysCommand } = await import('@aws-sdk/client-iam');
  try {
    const res = await (await aws.iam()).send(new ListAccessKeysCommand({ UserName: userName }));
    return (res.AccessKeyMetadata ?? []).map((k) => ({ id: k.AccessKeyId ?? '', status: k.Status ?? 'Active', created: k.CreateDate }));
  } catch (err) {
    if (isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) return undefined;
    throw awsFailure(`Listing the access keys of IAM user ${userName}`, err);
  }
}

/** IAM GetUser: whether the user exists, and its tags. */
export async function readUser(aws: AwsClients, userName: string): Promise<{ exists: boolean; tags: Record<string, string> }> {
  const { GetUserCommand } = await import('@aws-sdk/client-iam');
  try {
    const user = (await (await aws.iam()).send(new GetUserCommand({ UserName: userName }))).User;
    return { exists: true, tags: Object.fromEntries((user?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])) };
  } catch (err) {
    if (isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) return { exists: false, tags: {} };
    throw awsFailure(`Looking up IAM user ${userName}`, err);
  }
}

export interface KeyOwner {
  /** The user that holds the key: the default user when it lists the key, else STS's answer signed with it (undefined when that fails). */
  user?: string;
  /** The default user's keys; undefined when it does not exist. */
  defaultKeys?: IamKey[];
}

/** IAM ListAccessKeys of the default user; STS GetCallerIdentity signed with the key only when the key is not there. */
export async function findKeyOwner(aws: AwsClients, defaultName: string, key: AwsKey): Promise<KeyOwner> {
  const defaultKeys = await listUserKeys(aws, defaultName);
  if (defaultKeys?.some((k) => k.id === key.accessKeyId)) return { user: defaultName, defaultKeys };
  // A set-up from before one user per app: the key is on another user, which only STS can name.
  return { user: (await ownerOfKey(aws, key))?.user, defaultKeys };
}

/** IAM DeleteAccessKey; a key already gone counts as deleted. */
export async function deleteKey(aws: AwsClients, userName: string, keyId: string): Promise<void> {
  const { DeleteAccessKeyCommand } = await import('@aws-sdk/client-iam');
  try {
    await (await aws.iam()).send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: keyId }));
  } catch (err) {
    if (!isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) throw awsFailure(`Deleting access key ${keyId} of ${userName}`, err);
  }
}

/** IAM UpdateAccessKey: Inactive disables a key (reversibly). */
export async function setKeyStatus(aws: AwsClients, userName: string, keyId: string, status: 'Active' | 'Inactive'): Promise<void> {
  const { UpdateAccessKeyCommand } = await import('@aws-sdk/client-iam');
  try {
    await (await aws.iam()).send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: keyId, Status: status }));
  } catch (err) {
    throw awsFailure(`Setting access key ${keyId} of ${userName} ${status}`, err);
  }
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
          'IAM is eventually consistent and is slow right now; re-run in a minute.',
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
export async function verifyStoredKey(deps: Pick<Deps, 'sleep' | 'now'>, aws: AwsClients, key: AwsKey, userName: string, createdRecently: boolean): Promise<KeyVerdict> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  try {
    const arn = createdRecently ? await waitForKey(deps, aws, key, 20_000) : ((await (await aws.sts(key)).send(new GetCallerIdentityCommand({}))).Arn ?? '');
    return arn.endsWith(`/${userName}`) ? 'works' : 'other-user';
  } catch (err) {
    if (isBadCredentials(err) || (err instanceof CloudError && err.code === 'key_not_active')) return 'wrong-secret';
    throw awsFailure('Checking the access key stored for the app', err);
  }
}

/** A new key whose secret no consumer took (an interrupt, a failure) is deleted, so that nothing is left orphaned. */
export async function abandonKey(deps: Pick<Deps, 'sleep' | 'out'>, aws: AwsClients, userName: string, key: AppKey, command: string): Promise<void> {
  // A key being created, or the call that stores it, may be in flight: its answer decides what is left to delete.
  await key.settled(deps.sleep);
  const pair = key.abandon();
  if (!pair) return;
  try {
    await deleteKey(aws, userName, pair.accessKeyId);
    key.deleted();
    await clearPending(aws, userName).catch(() => undefined);
    deps.out.warn(`The new access key ${pair.accessKeyId} was deleted: its secret could not be stored, so nothing is left orphaned. Re-run ib-archive ${command} to finish.`);
  } catch {
    deps.out.warn(`The new access key ${pair.accessKeyId} could not be deleted; its secret was not stored. The next ib-archive ${command} deletes it, or: aws iam delete-access-key --user-name ${userName} --access-key-id ${pair.accessKeyId}`);
  }
}
