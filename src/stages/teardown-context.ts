// What teardown's removal stages share: the inputs, the clients, the app's vars, and each read made once for all stages.
import { type BucketState, inspectBucket } from '../bucket.js';
import type { Clients } from '../clients.js';
import type { Deps } from '../context.js';
import { type KeyOwner, findKeyOwner, listUserKeys, readUser } from '../iam-key.js';
import type { AppType } from '../inputs/resolve.js';
import type { TeardownInputs } from '../inputs/teardown.js';
import { once } from '../once.js';
import { reading } from '../plan.js';
import type { PolicyDocument } from '../policy.js';
import { type AwsClients, awsFailure } from '../services/aws.js';
import type { StorageRead } from '../services/opentok.js';
import { dedicatedUserName, defaultIamUser } from '../validate.js';
import { type VarMap, storedKey } from '../vars.js';
import type { IamState } from './iam.js';
import { type S3State, inspectS3 } from './s3.js';

export interface ArchiveInventory {
  keys: string[];
  bytes: number;
}

export interface TeardownS3 extends S3State {
  /** API keys of the other projects on the bucket (their public-read statement, or their `<digits>/` folder). */
  others: string[];
  /** The project's objects under `<apiKey>/` (its folder marker apart); read only with --delete-archives. */
  archives?: ArchiveInventory;
}

export interface TeardownReads {
  bucket(): Promise<BucketState>;
  s3(): Promise<TeardownS3>;
  /** The OpenTok project's storage; undefined without --api-secret. */
  storage(): Promise<StorageRead | undefined>;
  /** The app's IAM user (by --iam-user, the owner of the app's key, or the default names) and its state. */
  iam(): Promise<AppUser>;
}

export interface TeardownContext extends Clients {
  deps: Deps;
  inputs: TeardownInputs;
  bucket: string;
  appType: AppType;
  /** The app's vars as read (Heroku, the vars file or the environment). */
  vars: VarMap;
  /** The access key the app (or the project's storage) holds, when known. */
  appKeyId(): Promise<string | undefined>;
  reads: TeardownReads;
}

/** "kept: project 123 still uses the bucket", for what the other projects on the bucket share. */
export function sharedNote(others: string[]): string {
  return `kept: ${others.length === 1 ? `project ${others[0]} still uses` : `projects ${others.join(', ')} still use`} the bucket`;
}

/** The context of one teardown: HeadBucket, the bucket's configuration, OpenTok's storage and the IAM user, each read once. */
export function teardownContext(deps: Deps, inputs: TeardownInputs, clients: Clients, place: { bucket: string; region: string; appType: AppType; vars: VarMap }): TeardownContext {
  const { aws, opentok } = clients;
  const { bucket } = place;
  const stored = storedKey(place.vars);
  const reads: TeardownReads = {
    bucket: once(() => reading('s3.bucket', inspectBucket(aws, bucket, place.region))),
    s3: once(async () => {
      const state = await reading('s3.bucket', inspectS3(aws, { bucket, apiKey: inputs.apiKey }, await reads.bucket(), { lifecycle: true, tags: inputs.deleteArchives }));
      if (!state.bucket.exists) return { ...state, others: [] };
      const [others, archives] = await Promise.all([
        reading('s3.policy', otherProjects(aws, bucket, state.bucket.region, inputs.apiKey, state.policy)),
        inputs.deleteArchives ? reading('s3.archives', listArchives(aws, bucket, state.bucket.region, inputs.apiKey)) : Promise.resolve(undefined),
      ]);
      return { ...state, others, archives };
    }),
    storage: once(() => reading('opentok.storage', opentok ? opentok.readStorage() : Promise.resolve(undefined))),
    iam: once(() => reading('iam.user', findAppUser(aws, inputs, bucket, stored))),
  };
  const appKeyId = once(async () => {
    if (stored) return stored.accessKeyId;
    const target = (await reads.storage())?.target;
    return target?.config?.bucket === bucket ? target.config.accessKey : undefined;
  });
  return { ...clients, deps, inputs, bucket, appType: place.appType, vars: place.vars, appKeyId, reads };
}

const PROJECT_SID = /^IbArchivePublicRead(\d+)$/;

/** Other projects on the bucket: from the policy's public-read statements, else from ListObjectsV2's `<digits>/` folders. */
async function otherProjects(aws: AwsClients, Bucket: string, region: string, apiKey: string, policy: PolicyDocument | undefined): Promise<string[]> {
  const fromPolicy = (policy?.Statement ?? []).map((s) => s.Sid?.match(PROJECT_SID)?.[1]).filter((k): k is string => k !== undefined && k !== apiKey);
  if (fromPolicy.length > 0) return [...new Set(fromPolicy)];
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const s3 = await aws.s3(region);
  const found = new Set<string>();
  let ContinuationToken: string | undefined;
  try {
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/', ContinuationToken }));
      for (const p of page.CommonPrefixes ?? []) {
        const key = p.Prefix?.match(/^(\d+)\/$/)?.[1];
        if (key && key !== apiKey) found.add(key);
      }
      ContinuationToken = found.size === 0 && page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  } catch (err) {
    throw awsFailure(`Listing the project folders of ${Bucket}`, err);
  }
  return [...found];
}

/** ListObjectsV2 under `<apiKey>/`, every page: the project's archives (the folder marker apart), counted and sized. */
export async function listArchives(aws: AwsClients, Bucket: string, region: string, apiKey: string): Promise<ArchiveInventory> {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const s3 = await aws.s3(region);
  const inventory: ArchiveInventory = { keys: [], bytes: 0 };
  let ContinuationToken: string | undefined;
  try {
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: `${apiKey}/`, ContinuationToken }));
      for (const o of page.Contents ?? []) {
        if (!o.Key || o.Key === `${apiKey}/`) continue;
        inventory.keys.push(o.Key);
        inventory.bytes += o.Size ?? 0;
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  } catch (err) {
    throw awsFailure(`Listing the archives under ${apiKey}/ in ${Bucket}`, err);
  }
  return inventory;
}

/** The app's IAM user as read: GetUser and ListAccessKeys (its inline policy only when it stays: see iam-removal). */
export type AppUser = Omit<IamState, 'policy'> & { userName: string; why: string };

/** IAM GetUser and ListAccessKeys of one user, at once. */
async function readIamUser(aws: AwsClients, userName: string): Promise<Omit<IamState, 'policy'>> {
  const [user, keys] = await Promise.all([readUser(aws, userName), listUserKeys(aws, userName)]);
  return { userExists: user.exists, tags: user.tags, keys: user.exists ? (keys ?? []) : [] };
}

/** The IAM user to remove: --iam-user, else the owner of the app's key (the default user's keys, else STS), else the default names. */
async function findAppUser(aws: AwsClients, inputs: TeardownInputs, bucket: string, stored: ReturnType<typeof storedKey>): Promise<AppUser> {
  if (inputs.iamUserFlag) return { ...(await readIamUser(aws, inputs.iamUserFlag)), userName: inputs.iamUserFlag, why: '--iam-user' };
  const [first, second] = [dedicatedUserName({ app: inputs.heroku?.app, bucket }), defaultIamUser(bucket)];
  const [found, user] = await Promise.all([stored ? findKeyOwner(aws, first, stored) : listUserKeys(aws, first).then((defaultKeys): KeyOwner => ({ defaultKeys })), readUser(aws, first)]);
  const firstState = { userExists: user.exists, tags: user.tags, keys: user.exists ? (found.defaultKeys ?? []) : [] };
  const owner = stored && `the owner of ${stored.accessKeyId}`;
  if (owner && found.user === first) return { ...firstState, userName: first, why: owner };
  if (owner && found.user) return { ...(await readIamUser(aws, found.user)), userName: found.user, why: owner };
  if (user.exists || first === second) return { ...firstState, userName: first, why: 'the default name' };
  return { ...(await readIamUser(aws, second)), userName: second, why: 'the default name' };
}
