// What the checks read, each read made once and started as soon as its inputs are known, so checks overlap fully.
import type { S3Client } from '@aws-sdk/client-s3';
import type { Endpoints, RegionSource } from '../inputs/env.js';
import { type AwsClients, type AwsKey, awsErrorHeader, awsFailure, awsHttpStatus, isAwsError } from '../services/aws.js';
import type { HerokuApi } from '../services/heroku.js';
import { redirectRegion, regionOfLocation } from '../bucket.js';
import { storedKey } from '../vars.js';
import { type Identity, callerIdentity, userOfArn } from '../identity.js';
import { bucketOfUrl, composedVideoUrl, regionOfUrl } from '../s3url.js';
import { type AppTypeVerdict, detectAppType } from '../app-type.js';
import type { AppType } from '../inputs/resolve.js';
import type { OpenTokApi, StorageAnswer } from '../services/opentok.js';
import { dedicatedUserName } from '../validate.js';
import type { FixContext } from './fixes.js';
import { SkipCheck, once, settle } from './runner.js';

export interface DoctorInputs {
  apiKey: string;
  apiSecret?: string;
  /** Heroku app whose config vars are the source of truth; undefined with --no-heroku. */
  app?: string;
  /** The Heroku token (with an app). */
  token?: string;
  /** With --no-heroku: the app's values (classic's four, or BUCKET_URL), from --vars-file or the environment. */
  localVars?: Record<string, string | undefined>;
  varsFile?: string;
  bucketFlag?: string;
  iamUser?: string;
  /** --app-type; else detected from the app's vars. */
  appTypeFlag?: AppType;
  corsOrigins: string[];
  /** Region to try first when the URL does not name one. */
  region: string;
  regionSource: RegionSource;
  profile?: string;
  /** The operator's static credentials from the environment (else the SDK's chain with `profile`). */
  credentials?: AwsKey & { sessionToken?: string };
  endpoints: Endpoints;
  timeoutMs: number;
}

export interface DoctorServices {
  aws: AwsClients;
  heroku?: HerokuApi;
  /** The OpenTok project's REST API (with --api-secret). */
  opentok?: OpenTokApi;
  fetch: typeof fetch;
  now(): number;
  sleep(ms: number): Promise<void>;
  addSecret(value: string | undefined): void;
  debug(line: string): void;
}

export { type Identity, regionOfUrl, userOfArn };

export interface BucketFact {
  name: string;
  exists: boolean;
  /** HeadBucket answered 403: another account's bucket, or one these credentials may not use. */
  denied: boolean;
  region: string;
}

const REGION_ERRORS = ['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException'];

/** The shared reads of one doctor run. */
export class DoctorFacts {
  /** Aborts every read when the checks' time is up (the probe's deletion has its own limit). */
  readonly signal: AbortSignal;
  /** What fix commands name; `bucket` is filled in from S3_BUCKET_NAME once the vars are read. */
  readonly fix: FixContext;

  constructor(
    readonly inputs: DoctorInputs,
    readonly services: DoctorServices,
  ) {
    this.signal = AbortSignal.timeout(inputs.timeoutMs);
    this.fix = { apiKey: inputs.apiKey, app: inputs.app, varsFile: inputs.varsFile, bucket: inputs.bucketFlag, iamUser: inputs.iamUser, profile: inputs.profile, appType: inputs.appTypeFlag };
  }

  /** The app's config vars (Heroku), or the --no-heroku values. */
  readonly vars = once(async (): Promise<Record<string, string | undefined>> => {
    const { app, localVars } = this.inputs;
    const vars = app && this.services.heroku ? await this.services.heroku.configVars(app) : { ...localVars };
    this.services.addSecret(vars.AWS_SECRET_ACCESS_KEY);
    this.fix.bucket ??= vars.S3_BUCKET_NAME || bucketOfUrl(vars.BUCKET_URL ?? '', this.inputs.endpoints.s3);
    return vars;
  });

  /** classic or ibs: --app-type, else the app's vars (CONTRACT "App types"); with --no-heroku classic unless the flag says ibs. */
  readonly appType = once(async (): Promise<AppTypeVerdict> => {
    const { app, appTypeFlag } = this.inputs;
    const vars = await settle(this.vars());
    if (app && !vars.ok && !appTypeFlag) return { type: 'classic', why: "the app's config vars could not be read" };
    return detectAppType(app && vars.ok ? vars.value : undefined, appTypeFlag);
  });

  /** GET /v2/project/<apiKey>/archive/storage (needs --api-secret): read by opentok.storage and, for ibs, iam.key. */
  readonly storageAnswer = once(async (): Promise<StorageAnswer> => {
    if (!this.services.opentok) throw new SkipCheck('no API secret: pass --api-secret (or OPENTOK_API_SECRET)');
    return this.services.opentok.storageAnswer();
  });

  /** STS GetCallerIdentity with the operator's credentials. */
  readonly identity = once((): Promise<Identity> => callerIdentity(this.services.aws, { signal: this.signal }));

  /** The bucket to check: --bucket, else S3_BUCKET_NAME of the app. */
  readonly bucketName = once(async (): Promise<string> => {
    if (this.inputs.bucketFlag) return this.inputs.bucketFlag;
    const vars = await settle(this.vars());
    if (!vars.ok) throw new SkipCheck("no bucket to check: the app's config vars could not be read (heroku.app)");
    if ((await this.appType()).type === 'ibs') {
      const name = bucketOfUrl(vars.value.BUCKET_URL?.trim() ?? '', this.inputs.endpoints.s3);
      if (!name) throw new SkipCheck(`no bucket to check: BUCKET_URL ${vars.value.BUCKET_URL ? 'addresses no S3 bucket' : 'is not set'} (heroku.vars)`);
      return name;
    }
    const name = vars.value.S3_BUCKET_NAME?.trim();
    if (!name) throw new SkipCheck('no bucket to check: S3_BUCKET_NAME is not set (heroku.vars)');
    return name;
  });

  /** The region tried first: the one S3_COMPOSEDVIDEO_URL (or BUCKET_URL) names, else the configured one. */
  readonly regionGuess = once(async (): Promise<string> => {
    const vars = await settle(this.vars());
    return (vars.ok ? regionOfUrl(vars.value.S3_COMPOSEDVIDEO_URL ?? vars.value.BUCKET_URL) : undefined) ?? this.inputs.region;
  });

  /** HeadBucket (operator): exists, ours, and its real region (x-amz-bucket-region, following a region redirect once). */
  readonly bucket = once(async (): Promise<BucketFact> => {
    const [name, guess, id] = await Promise.all([this.bucketName(), this.regionGuess(), settle(this.identity())]);
    const { HeadBucketCommand, GetBucketLocationCommand } = await import('@aws-sdk/client-s3');
    const owner = id.ok && id.value.account ? id.value.account : undefined;
    const head = async (region: string, redirected: boolean): Promise<BucketFact> => {
      const s3 = await this.services.aws.s3(region);
      try {
        const res = await s3.send(new HeadBucketCommand({ Bucket: name, ExpectedBucketOwner: owner }), { abortSignal: this.signal });
        if (res.BucketRegion) return { name, exists: true, denied: false, region: res.BucketRegion };
        const loc = (await s3.send(new GetBucketLocationCommand({ Bucket: name }), { abortSignal: this.signal })).LocationConstraint as string | undefined;
        return { name, exists: true, denied: false, region: regionOfLocation(loc) };
      } catch (err) {
        const status = awsHttpStatus(err);
        const actual = awsErrorHeader(err, 'x-amz-bucket-region');
        if (!redirected && (status === 301 || status === 307 || status === 400 || isAwsError(err, ...REGION_ERRORS))) {
          const elsewhere = await redirectRegion(this.services.aws, name, region, err);
          if (elsewhere && elsewhere !== region) return head(elsewhere, true);
        }
        if (status === 404 || isAwsError(err, 'NotFound', 'NoSuchBucket')) return { name, exists: false, denied: false, region: actual ?? region };
        if (status === 403 && id.ok) return { name, exists: true, denied: true, region: actual ?? region };
        return this.operatorFailure(err, `look up bucket ${name} (s3:ListBucket)`);
      }
    };
    return head(guess, false);
  });

  /** The bucket, or a skip naming why the dependent check cannot run. */
  async liveBucket(): Promise<BucketFact> {
    const b = await settle(this.bucket());
    if (!b.ok) throw b.error instanceof SkipCheck ? b.error : new SkipCheck('the bucket could not be inspected (s3.bucket)');
    if (!b.value.exists) throw new SkipCheck(`bucket ${b.value.name} does not exist (s3.bucket)`);
    if (b.value.denied) throw new SkipCheck(`bucket ${b.value.name} is not usable with your credentials (s3.bucket)`);
    return b.value;
  }

  /** Base URL of the bucket in its real region (`<endpoint>/<bucket>/` with a custom endpoint). */
  async bucketBaseUrl(): Promise<string> {
    const b = await this.liveBucket();
    return composedVideoUrl(b.name, b.region, this.inputs.endpoints.s3);
  }

  /** Maps a failed read with the operator's credentials to a skip (credentials broken or not allowed) or a CloudError. */
  async operatorFailure(err: unknown, what: string): Promise<never> {
    // Aborted by the checks' time limit: the runner reports the timeout.
    if (err instanceof SkipCheck || this.signal.aborted) throw err;
    const id = await settle(this.identity());
    if (!id.ok) throw new SkipCheck('your AWS credentials do not work (aws.identity)');
    if (isAwsError(err, 'AccessDenied', 'AccessDeniedException') || (awsHttpStatus(err) === 403 && !isAwsError(err, 'InvalidAccessKeyId', 'SignatureDoesNotMatch'))) {
      throw new SkipCheck(`your AWS credentials (${id.value.arn}) may not ${what}; run doctor with an administrator profile (--profile)`);
    }
    throw awsFailure(`Trying to ${what}`, err);
  }

  /** Runs an S3 call with the operator's credentials in the bucket's real region. */
  async s3Read<T>(what: string, call: (s3: S3Client, bucket: BucketFact) => Promise<T>): Promise<T> {
    const b = await this.liveBucket();
    try {
      return await call(await this.services.aws.s3(b.region), b);
    } catch (err) {
      return this.operatorFailure(err, what);
    }
  }

  /**
   * An S3 call that need not wait for HeadBucket: made in the guessed region at once, and again in the real
   * region if the bucket turns out to be elsewhere.
   */
  async s3Early<T>(call: (s3: S3Client, bucket: string) => Promise<T>, key?: AwsKey): Promise<T> {
    const [name, guess] = await Promise.all([this.bucketName(), this.regionGuess()]);
    try {
      return await call(await this.services.aws.s3(guess, key), name);
    } catch (err) {
      const b = await settle(this.bucket());
      if (b.ok && b.value.exists && b.value.region !== guess) return call(await this.services.aws.s3(b.value.region, key), name);
      throw err;
    }
  }

  /** The app's key pair from its vars, or a skip when the vars lack it. */
  readonly appKey = once(async (): Promise<AwsKey> => {
    const vars = await settle(this.vars());
    if (!vars.ok) throw new SkipCheck("the app's config vars could not be read (heroku.app)");
    if ((await this.appType()).type === 'ibs') throw new SkipCheck("an ibs app holds no AWS key: OpenTok's storage names the key (iam.key)");
    const key = storedKey(vars.value);
    if (!key) throw new SkipCheck("the app has no AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (heroku.vars)");
    return key;
  });

  /** One STS GetCallerIdentity signed with the app's key. */
  readonly appCallerOnce = once(async (): Promise<Identity> => {
    const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const sts = await this.services.aws.sts(await this.appKey(), 1);
    const id = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: this.signal });
    return { account: id.Account ?? '', arn: id.Arn ?? '' };
  });

  /** The IAM user the app's key should belong to: its owner per STS, else --iam-user, else the default dedicated name. */
  readonly keyOwner = once(async (): Promise<string | undefined> => {
    const caller = await settle(this.appCallerOnce());
    if (caller.ok) return userOfArn(caller.value.arn);
    if (this.inputs.iamUser) return this.inputs.iamUser;
    const name = await settle(this.bucketName());
    return name.ok ? dedicatedUserName({ app: this.inputs.app, bucket: name.value }) : undefined;
  });

  private readonly keyLists = new Map<string, Promise<{ id: string; status: string; created?: Date }[]>>();

  /** IAM ListAccessKeys of a user (operator). */
  accessKeys(user: string): Promise<{ id: string; status: string; created?: Date }[]> {
    let hit = this.keyLists.get(user);
    if (!hit) {
      hit = (async () => {
        const { ListAccessKeysCommand } = await import('@aws-sdk/client-iam');
        try {
          const res = await (await this.services.aws.iam()).send(new ListAccessKeysCommand({ UserName: user }), { abortSignal: this.signal });
          return (res.AccessKeyMetadata ?? []).map((k) => ({ id: k.AccessKeyId ?? '', status: k.Status ?? 'Active', created: k.CreateDate }));
        } catch (err) {
          if (isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) return [];
          return this.operatorFailure(err, `list the access keys of IAM user ${user} (iam:ListAccessKeys)`);
        }
      })();
      hit.catch(() => undefined);
      this.keyLists.set(user, hit);
    }
    return hit;
  }

  /** The app's key as IAM lists it for its (expected) owner; `key` undefined when the user has no such key. */
  readonly keyRecord = once(async () => {
    const [owner, appKey] = await Promise.all([this.keyOwner(), this.appKey()]);
    if (!owner) return { owner, key: undefined };
    const keys = await this.accessKeys(owner);
    return { owner, key: keys.find((k) => k.id === appKey.accessKeyId) };
  });

  /** True when the app's key is an active key created minutes ago, which AWS may not accept everywhere yet. */
  async keyMayBePropagating(): Promise<boolean> {
    const rec = await settle(this.keyRecord());
    const key = rec.ok ? rec.value.key : undefined;
    return key?.status === 'Active' && key.created !== undefined && this.services.now() - key.created.getTime() < 5 * 60_000;
  }

  /** Retries `attempt` while it fails with `codes` and the key may still be propagating, within the checks' time. */
  async retryNewKey<T>(attempt: () => Promise<T>, codes: string[]): Promise<T> {
    const deadline = this.services.now() + Math.min(this.inputs.timeoutMs - 1000, 20_000);
    for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
      try {
        return await attempt();
      } catch (err) {
        if (!isAwsError(err, ...codes) || this.services.now() + delay > deadline || !(await this.keyMayBePropagating())) throw err;
        this.services.debug(`the app's key is new and not accepted yet (${(err as Error).name}); retrying in ${delay} ms`);
        await this.services.sleep(delay);
      }
    }
  }

  /** STS GetCallerIdentity with the app's key, retried briefly while a new key propagates. */
  readonly appCaller = once(async (): Promise<Identity> => {
    const first = await settle(this.appCallerOnce());
    if (first.ok) return first.value;
    if (!isAwsError(first.error, 'InvalidClientTokenId') || !(await this.keyMayBePropagating())) throw first.error;
    const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const sts = await this.services.aws.sts(await this.appKey(), 1);
    return this.retryNewKey(async () => {
      const id = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: this.signal });
      return { account: id.Account ?? '', arn: id.Arn ?? '' };
    }, ['InvalidClientTokenId']);
  });
}
