// rotate-key's stage: which key the app's consumers hold, which one replaces it, and the steps that switch them over
// with no moment where a consumer holds a dead key (new key → works → Heroku → OpenTok → verify → old key goes).
import { randomBytes } from 'node:crypto';
import { CloudError } from '../errors.js';
import type { Deps } from '../context.js';
import { type IamKey, NEW_KEY_TAG, PENDING_TAG, createKeyOnce, deleteKey, tagUser, orphanKeys, setKeyStatus, waitForKey } from '../iam-key.js';
import type { AppType } from '../inputs/resolve.js';
import type { AppKey } from '../key.js';
import type { PlannedStep } from '../plan.js';
import type { AwsClients, AwsKey } from '../services/aws.js';
import { awsFailure, isAwsError } from '../services/aws.js';
import type { HerokuApi } from '../services/heroku.js';
import type { OpenTokApi, StorageTarget } from '../services/opentok.js';
import { withSpinner } from '../io/output.js';
import { writeVarsFile } from '../vars-file.js';
import { OPENTOK_KEY_TAG } from './iam.js';

export interface RotationContext {
  deps: Deps;
  aws: AwsClients;
  heroku?: HerokuApi;
  opentok?: OpenTokApi;
  app?: string;
  varsFile?: string;
  type: AppType;
  apiKey: string;
  bucket: string;
  region: string;
  endpoint?: string;
  userName: string;
  keepOld: boolean;
  /** The key the rotation leaves the consumers with. */
  key: AppKey;
}

export interface RotationState {
  tags: Record<string, string>;
  keys: IamKey[];
  /** The key the app holds now (classic: its vars; ibs: OpenTok's, secret unknown). */
  current: AwsKey;
  orphans: IamKey[];
  /** An earlier rotation made `current` and stopped: nothing is created, the older key is what goes. */
  unfinished?: IamKey;
  /** An inactive key no consumer uses, deleted first to make room. */
  unusedInactive?: IamKey;
}

/** Reads which keys the user has and what the app holds, and decides the rotation (or why it cannot run). */
export function judgeRotation(userName: string, tags: Record<string, string>, keys: IamKey[], current: AwsKey): RotationState {
  const orphans = orphanKeys(tags, keys, [current.accessKeyId, tags[OPENTOK_KEY_TAG]]);
  const live = keys.filter((k) => !orphans.includes(k));
  const held = live.find((k) => k.id === current.accessKeyId);
  if (!held) {
    throw new CloudError(
      `The app's key ${current.accessKeyId} is not a key of IAM user ${userName}.`,
      'key_not_found',
      `Name the user that holds it with --iam-user <name>, or give the app a key of its own first: ib-archive setup --api-key <key> --app <app> --yes`,
    );
  }
  const other = live.find((k) => k.id !== held.id);
  if (!other) return { tags, keys, current, orphans };
  const newer = (k: IamKey) => k.created?.getTime() ?? 0;
  // An inactive key is no consumer's (a rotation with --keep-old left it): it makes room. An active older one is what
  // an unfinished rotation left behind, once the app holds the newer key.
  if (other.status === 'Inactive') return { tags, keys, current, orphans, unusedInactive: other };
  // CreateDate has whole seconds: the mark a rotation leaves until OpenTok has the new key settles a tie.
  if (newer(held) > newer(other) || tags[NEW_KEY_TAG] === held.id) return { tags, keys, current, orphans, unfinished: other };
  throw new CloudError(
    `IAM user ${userName} already has 2 active access keys (the AWS limit): the app's ${held.id} and ${other.id}, which no consumer ib-archive knows uses.`,
    'iam_key_limit',
    `If nothing uses ${other.id}, deactivate or delete it, then re-run:\n  aws iam update-access-key --user-name ${userName} --access-key-id ${other.id} --status Inactive\n  aws iam delete-access-key --user-name ${userName} --access-key-id ${other.id}`,
  );
}

const ROTATION_ORDER = ['iam.access-key', 'heroku.config-vars', 'opentok.storage', 's3.upload', 'iam.old-key'] as const;
export const ROTATION_STEPS = [...ROTATION_ORDER];

/** The five steps of CONTRACT's order; each waits for the one before, so an interruption leaves the old key active. */
export function planRotation(ctx: RotationContext, state: RotationState, storage: Omit<StorageTarget, 'config'> & { config: Pick<StorageTarget['config'], 'sse'> }): PlannedStep[] {
  const { deps, aws, userName, key } = ctx;
  const oldKey = state.unfinished?.id ?? state.current.accessKeyId;
  const steps: PlannedStep[] = [];
  if (state.unfinished) {
    key.reuse(state.current);
    steps.push({ id: 'iam.access-key', after: [], status: 'unchanged', detail: `${state.current.accessKeyId}, made by an unfinished rotation (the app holds it)` });
  } else {
    const freed = [...state.orphans, ...(state.unusedInactive ? [state.unusedInactive] : [])];
    steps.push({
      id: 'iam.access-key',
      after: [],
      status: 'created',
      detail: `a new key for ${userName}${freed.length ? `, after deleting ${freed.map((k) => k.id).join(', ')} (no consumer uses ${freed.length === 1 ? 'it' : 'them'})` : ''}`,
      apply: async () => {
        for (const k of freed) {
          await deleteKey(aws, userName, k.id);
          deps.out.info(`Deleted access key ${k.id} of ${userName}: ${state.orphans.includes(k) ? 'an interrupted run made it and no consumer holds its secret' : 'inactive, and no consumer uses it'}.`);
        }
        if (!state.tags[PENDING_TAG]) await tagUser(aws, userName, { [PENDING_TAG]: new Date().toISOString() });
        const known = state.keys.map((k) => k.id).filter((id) => !freed.some((f) => f.id === id));
        const made = await key.creating(createKeyOnce(deps, aws, userName, known));
        deps.out.addSecret(made.secretAccessKey);
        await tagUser(aws, userName, { [NEW_KEY_TAG]: made.accessKeyId });
        await withSpinner(deps.out, `Waiting for AWS to activate the new key ${made.accessKeyId} (IAM takes a few seconds)`, () => waitForKey(deps, aws, made, deps.keyWaitMs));
        return `${made.accessKeyId} for ${userName}, active`;
      },
    });
  }
  steps.push(varsStep(ctx, state));
  steps.push(storageStep(ctx, storage, oldKey));
  steps.push(uploadCheck(ctx));
  steps.push(oldKeyStep(ctx, oldKey));
  return steps;
}

function varsStep(ctx: RotationContext, state: RotationState): PlannedStep {
  const { heroku, app, varsFile, key, type } = ctx;
  if (type === 'ibs') return { id: 'heroku.config-vars', status: 'skipped', detail: 'the IBS backend reads no AWS keys (BUCKET_URL is unchanged)' };
  const vars = () => ({ AWS_ACCESS_KEY_ID: key.current.accessKeyId, AWS_SECRET_ACCESS_KEY: key.current.secretAccessKey });
  if (state.unfinished) return { id: 'heroku.config-vars', status: 'unchanged', detail: `${app ?? varsFile} holds ${state.current.accessKeyId}` };
  return {
    id: 'heroku.config-vars',
    status: 'updated',
    detail: app ? `${app}: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (one release)` : `AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY in ${varsFile}`,
    apply: async () => {
      key.assertUsable();
      if (varsFile) {
        await writeVarsFile(varsFile, vars());
        key.stored();
      }
      if (heroku && app) await key.storing(heroku.patchConfigVars(app, vars()));
    },
  };
}

function storageStep(ctx: RotationContext, storage: Parameters<typeof planRotation>[2], oldKey: string): PlannedStep {
  const { opentok, key, apiKey, bucket, endpoint } = ctx;
  if (!opentok) return { id: 'opentok.storage', status: 'skipped', detail: `no --api-secret: OpenTok's storage may still use ${oldKey}, so that key stays active` };
  return {
    id: 'opentok.storage',
    status: 'updated',
    detail: `project ${apiKey} archives to ${bucket} with the new key`,
    apply: async () => {
      key.assertUsable();
      const target: StorageTarget = { ...storage, type: 's3', config: { bucket, accessKey: key.current.accessKeyId, secretKey: key.current.secretAccessKey, ...(endpoint ? { endpoint } : {}), sse: storage.config.sse } };
      await (ctx.type === 'ibs' ? key.storing(opentok.putStorage(target)) : opentok.putStorage(target));
      return `project ${apiKey} archives to ${bucket} with ${key.current.accessKeyId}`;
    },
  };
}

/** PutObject under `<apiKey>/` signed with the new key (as OpenTok will), then DeleteObject of the probe. */
function uploadCheck(ctx: RotationContext): PlannedStep {
  const { aws, key, apiKey, bucket, region } = ctx;
  return {
    id: 's3.upload',
    status: 'unchanged',
    check: true,
    detail: `the new key can write archives under ${apiKey}/`,
    apply: async () => {
      const s3mod = await import('@aws-sdk/client-s3');
      const Key = `${apiKey}/ib-archive-rotate-${randomBytes(6).toString('hex')}.txt`;
      try {
        await (await aws.s3(region, key.current)).send(new s3mod.PutObjectCommand({ Bucket: bucket, Key, Body: 'ib-archive rotate-key check', ContentType: 'text/plain' }));
      } catch (err) {
        throw awsFailure(`Uploading a probe to s3://${bucket}/${Key} with the new key`, err, 'The old key stays active and the app keeps working. Check the policy of the IAM user, then re-run ib-archive rotate-key.');
      }
      await (await aws.s3(region)).send(new s3mod.DeleteObjectCommand({ Bucket: bucket, Key })).catch(() => undefined);
      return `${key.current.accessKeyId} wrote (and ib-archive removed) s3://${bucket}/${Key}`;
    },
  };
}

function oldKeyStep(ctx: RotationContext, oldKey: string): PlannedStep {
  const { aws, userName, keepOld, opentok, key } = ctx;
  if (!opentok) return { id: 'iam.old-key', status: 'skipped', detail: `${oldKey} kept active until OpenTok uses the new key` };
  return {
    id: 'iam.old-key',
    status: keepOld ? 'updated' : 'deleted',
    detail: keepOld ? `${oldKey} deactivated (--keep-old)` : `${oldKey} deleted`,
    apply: async () => {
      if (oldKey === key.current.accessKeyId) return 'nothing to remove';
      if (keepOld) await setKeyStatus(aws, userName, oldKey, 'Inactive');
      else await deleteKey(aws, userName, oldKey).catch((err: unknown) => {
        if (!isAwsError(err, 'NoSuchEntity')) throw err;
      });
    },
  };
}
