// What setup's stages share: the inputs, the clients, the app's key, and each read made once for every stage.
import { type AppTypeVerdict, detectAppType } from '../app-type.js';
import { type BucketState, inspectBucket } from '../bucket.js';
import type { Clients } from '../clients.js';
import type { Deps } from '../context.js';
import { type Identity, callerIdentity, ownerOfKey } from '../identity.js';
import type { SetupInputs } from '../inputs/setup.js';
import { AppKey } from '../key.js';
import { once } from '../once.js';
import { reading } from '../plan.js';
import type { AwsKey } from '../services/aws.js';
import type { StorageRead } from '../services/opentok.js';
import { dedicatedUserName } from '../validate.js';
import { type VarMap, storedKey } from '../vars.js';
import { assertVarsFileWritable, readVarsFile } from '../vars-file.js';
import { type IamState, type KeyChoice, MANAGED_TAG, OPENTOK_KEY_TAG, chooseKey, inspectIam } from './iam.js';

export interface SetupReads {
  identity(): Promise<Identity>;
  bucket(): Promise<BucketState>;
  /** The Heroku app's config vars; undefined with --no-heroku. */
  appVars(): Promise<VarMap | undefined>;
  /** The vars file's vars; undefined without --vars-file or when the file does not exist yet. */
  fileVars(): Promise<VarMap | undefined>;
  /** classic or ibs, and why. */
  appType(): Promise<AppTypeVerdict>;
  /** The project's archive storage, with --configure-opentok (undefined otherwise). */
  storage(): Promise<StorageRead | undefined>;
  /** The app's IAM user (adopted, or the default name), its policy and keys, and whether the app's key is reused. */
  iam(): Promise<IamState & { userName: string; choice: KeyChoice }>;
}

export interface SetupContext extends Clients {
  deps: Deps;
  inputs: SetupInputs;
  key: AppKey;
  reads: SetupReads;
}

export function setupContext(deps: Deps, inputs: SetupInputs, clients: Clients): SetupContext {
  const { aws, heroku, opentok } = clients;
  const app = inputs.heroku?.app;
  // Each read is named after the step whose state it reads, whichever stage awaits it first.
  const reads: SetupReads = {
    identity: once(() => reading('aws.identity', callerIdentity(aws))),
    bucket: once(() => reading('s3.bucket', inspectBucket(aws, inputs.bucket, inputs.region))),
    appVars: once(() => reading('heroku.config-vars', heroku && app ? heroku.configVars(app) : Promise.resolve(undefined))),
    fileVars: once(async () => {
      if (!inputs.varsFile) return undefined;
      await assertVarsFileWritable(inputs.varsFile);
      return readVarsFile(inputs.varsFile);
    }),
    // Not memoised: the wizard may correct the type (inputs.appTypeFlag) once the vars are read.
    appType: async () => detectAppType(await reads.appVars(), inputs.appTypeFlag),
    storage: once(() =>
      reading(
        'opentok.storage',
        (async () => {
          if (!opentok || !inputs.configureOpentok) return undefined;
          const storage = await opentok.readStorage();
          // An answer with the target proves the credentials too; where the API cannot read it back, createSession does.
          if (!storage.target) await opentok.verifyCredentials();
          return storage;
        })(),
      ),
    ),
    iam: once(async () => {
      // The default user is read at once, alongside the app's vars; the key's owner only once they name a key.
      const fallbackState = inspectIam(aws, defaultUser(inputs));
      fallbackState.catch(() => undefined);
      const [appVars, fileVars, type] = await Promise.all([reads.appVars(), reads.fileVars(), reads.appType()]);
      const stored = (type.type === 'classic' ? storedKey(appVars) : undefined) ?? storedKey(fileVars);
      deps.out.addSecret(stored?.secretAccessKey);
      const { userName, state, owner } = await reading('iam.user', appUser(clients, inputs, stored, fallbackState));
      const held = stored ?? (await heldByOpenTok(reads, state));
      const choice = await reading('iam.access-key', chooseKey(deps, aws, userName, state, held, owner?.arn));
      return { ...state, userName, choice };
    }),
  };
  return { ...clients, deps, inputs, key: new AppKey(), reads };
}

/**
 * The app's IAM user: --iam-user; else the managed user that already holds the app's key (set-ups made before one
 * user per app keep theirs); else `ib-archive-<app>` (`ib-archive-<bucket>` with --no-heroku).
 */
async function appUser({ aws }: Clients, inputs: SetupInputs, stored: AwsKey | undefined, fallbackState: Promise<IamState>) {
  const fallback = defaultUser(inputs);
  const owner = stored && !inputs.iamUserFlag ? await ownerOfKey(aws, stored) : undefined;
  if (owner?.user && owner.user !== fallback) {
    const adopted = await inspectIam(aws, owner.user);
    if (adopted.userExists && adopted.tags[MANAGED_TAG]) return { userName: owner.user, state: adopted, owner };
  }
  return { userName: fallback, state: await fallbackState, owner: owner?.user === fallback ? owner : undefined };
}

/** --iam-user, else `ib-archive-<app>` (`ib-archive-<bucket>` with --no-heroku): known before anything is read. */
function defaultUser(inputs: SetupInputs): string {
  return inputs.iamUserFlag ?? dedicatedUserName({ app: inputs.heroku?.app, bucket: inputs.bucket });
}

/** For an ibs app the key's consumer is OpenTok: the key its storage names (read back, or recorded on the user). */
async function heldByOpenTok(reads: SetupReads, state: IamState): Promise<AwsKey | undefined> {
  if ((await reads.appType()).type !== 'ibs') return undefined;
  const storage = await reads.storage();
  const id = storage?.target?.config.accessKey ?? state.tags[OPENTOK_KEY_TAG];
  return id ? { accessKeyId: id, secretAccessKey: '' } : undefined;
}
