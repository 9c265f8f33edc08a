// Stage 4, OpenTok: the project's archive storage pointed at the bucket with the app's key (or the dashboard step).
import type { PlannedStep } from '../plan.js';
import { tagUser } from '../iam-key.js';
import type { StorageRead, StorageTarget } from '../services/opentok.js';
import { OPENTOK_KEY_TAG } from './iam.js';
import type { SetupContext } from './context.js';
import type { Stage } from './stage.js';

type OpenTokContext = Pick<SetupContext, 'inputs' | 'opentok' | 'key' | 'reads' | 'aws'>;

export interface OpenTokState {
  /** The storage as read, with --configure-opentok; undefined otherwise. */
  storage?: StorageRead;
  keyReused: boolean;
  /** ibs: OpenTok is the key's only consumer. */
  soleConsumer: boolean;
  userName: string;
}

/** The target the project gets: this bucket, the app's key, the endpoint only when it is not AWS. */
export function storageTarget(ctx: Pick<SetupContext, 'inputs' | 'key'>): StorageTarget {
  const { inputs, key } = ctx;
  return {
    type: 's3',
    config: {
      bucket: inputs.bucket,
      accessKey: key.current.accessKeyId,
      secretKey: key.current.secretAccessKey,
      ...(inputs.endpoints.s3 ? { endpoint: inputs.endpoints.s3 } : {}),
      sse: inputs.sse,
    },
    fallback: inputs.fallback,
  };
}

/**
 * OpenTok: with --configure-opentok, GET …/archive/storage (an answer with the target proves the credentials too; where
 * the API cannot read it back, createSession does); with only the secret, createSession checks the key and secret.
 */
export const opentokStage: Stage<OpenTokContext, OpenTokState> = {
  readStep: 'opentok.storage',
  inspect: async ({ inputs, opentok, reads }) => {
    const [iam, type, storage] = await Promise.all([reads.iam(), reads.appType(), reads.storage()]);
    // Without --configure-opentok the secret is still checked (createSession), so a wrong one is said now.
    if (opentok && !inputs.configureOpentok) await opentok.verifyCredentials();
    return { storage, keyReused: Boolean(iam.choice.reuse), soleConsumer: type.type === 'ibs', userName: iam.userName };
  },
  plan: (ctx, state) => [storageStep(ctx, state)],
};

function storageStep(ctx: OpenTokContext, state: OpenTokState): PlannedStep {
  const { inputs, opentok, key } = ctx;
  const after: PlannedStep['after'] = ['heroku.config-vars'];
  if (!inputs.configureOpentok || !opentok) {
    return { id: 'opentok.storage', after, status: 'skipped', detail: opentok ? 'key and secret verified; dashboard step below' : 'dashboard step below' };
  }
  const target = storageTarget(ctx);
  const current = state.storage?.target;
  const same =
    state.keyReused &&
    current?.type === target.type &&
    current.config?.bucket === target.config.bucket &&
    current.config?.accessKey === target.config.accessKey &&
    (current.config?.endpoint ?? undefined) === target.config.endpoint &&
    (current.config?.sse ?? 's3') === target.config.sse &&
    current.fallback === target.fallback;
  if (same) return { id: 'opentok.storage', after, status: 'unchanged', detail: `project ${inputs.apiKey} archives to ${target.config.bucket}` };
  // A key held without its secret (ibs: recorded on the user when ib-archive set the storage) cannot be sent again.
  if (state.keyReused && !key.current.secretAccessKey) {
    return { id: 'opentok.storage', after, status: 'unchanged', detail: `project ${inputs.apiKey} archives with ${key.current.accessKeyId} (set by ib-archive; the API does not read it back)` };
  }
  return {
    id: 'opentok.storage',
    after,
    status: state.storage?.readable && !current ? 'created' : 'updated',
    detail: `project ${inputs.apiKey} archives to ${target.config.bucket} (sse ${target.config.sse}, fallback ${target.fallback})`,
    apply: async () => {
      key.assertUsable();
      // The key as it stands now (a new one exists only once the IAM step ran).
      const target = storageTarget(ctx);
      await (state.soleConsumer ? key.storing(opentok.putStorage(target)) : opentok.putStorage(target));
      if (state.soleConsumer) await tagUser(ctx.aws, state.userName, { [OPENTOK_KEY_TAG]: target.config.accessKey });
    },
  };
}
