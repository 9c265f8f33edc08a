// What setup's stages share: the inputs, the clients, the app's key, and each read made once for every stage.
import { type BucketState, inspectBucket } from '../bucket.js';
import type { Clients } from '../clients.js';
import type { Deps } from '../context.js';
import { type Identity, callerIdentity } from '../identity.js';
import type { SetupInputs } from '../inputs/setup.js';
import { AppKey } from '../key.js';
import { once } from '../once.js';
import { reading } from '../plan.js';
import { type VarMap, storedKey } from '../vars.js';
import { assertVarsFileWritable, readVarsFile } from '../vars-file.js';
import { type IamState, type KeyChoice, chooseKey, inspectIam } from './iam.js';

export interface SetupReads {
  identity(): Promise<Identity>;
  bucket(): Promise<BucketState>;
  /** The Heroku app's config vars; undefined with --no-heroku. */
  appVars(): Promise<VarMap | undefined>;
  /** The vars file's vars; undefined without --vars-file or when the file does not exist yet. */
  fileVars(): Promise<VarMap | undefined>;
  /** The IAM user, its policy and keys, and whether the app's stored key is reused. */
  iam(): Promise<IamState & { choice: KeyChoice }>;
}

export interface SetupContext extends Clients {
  deps: Deps;
  inputs: SetupInputs;
  /** The dedicated IAM user of the app. */
  iamUser: string;
  key: AppKey;
  reads: SetupReads;
}

export function setupContext(deps: Deps, inputs: SetupInputs, clients: Clients, iamUser: string): SetupContext {
  const { aws, heroku } = clients;
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
    iam: once(async () => {
      const [state, appVars, fileVars] = await Promise.all([reading('iam.user', inspectIam(aws, iamUser)), reads.appVars(), reads.fileVars()]);
      const stored = storedKey(appVars) ?? storedKey(fileVars);
      deps.out.addSecret(stored?.secretAccessKey);
      return { ...state, choice: await reading('iam.access-key', chooseKey(deps, aws, iamUser, state, stored)) };
    }),
  };
  return { ...clients, deps, inputs, iamUser, key: new AppKey(), reads };
}
