// Stage 1, S3: the bucket, its CORS rule, the `<apiKey>/` folder, public read of that folder only, archive expiry.
import type { CORSRule, LifecycleRule, PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import { type BucketState, bucketTaken } from '../bucket.js';
import { lifecycleRuleId, mergeExpiry, readLifecycle, writeLifecycle } from '../lifecycle.js';
import { type PlannedStep, StepFailure, allInOrder } from '../plan.js';
import { type CorsRule, type PolicyDocument, mergeCorsRules, parsePolicy } from '../policy.js';
import { type AwsClients, awsFailure, awsHttpStatus, isAwsError } from '../services/aws.js';
import type { StepId } from '../steps.js';
import type { SetupContext } from './context.js';
import { FULL_BLOCK, publicReadSteps } from './s3-public.js';
import type { Stage } from './stage.js';

export interface S3State {
  bucket: BucketState;
  cors?: CorsRule[];
  folderExists: boolean;
  publicAccessBlock?: PublicAccessBlockConfiguration;
  policy?: PolicyDocument;
  /** Read only when a command needs it (setup --expire-after-days, teardown). */
  lifecycle?: LifecycleRule[];
  /** The bucket's tags; read only when a command needs them (teardown). */
  tags?: Record<string, string>;
}

export const MANAGED_BUCKET_TAG = 'ib-archive:managed';

/** Reads the CORS rules, folder marker, Block Public Access and policy of an existing bucket (concurrently). */
export async function inspectS3(
  aws: AwsClients,
  where: { bucket: string; apiKey: string },
  bucket: BucketState,
  also: { lifecycle?: boolean; tags?: boolean } = {},
): Promise<S3State> {
  if (!bucket.exists) return { bucket, folderExists: false };
  const s3mod = await import('@aws-sdk/client-s3');
  const s3 = await aws.s3(bucket.region);
  const Bucket = where.bucket;
  // A failed read is reported on the step whose state it reads.
  const missingAs = async <T>(step: StepId, what: string, codes: string[], call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (err) {
      if (isAwsError(err, ...codes) || (codes.includes('404') && awsHttpStatus(err) === 404)) return undefined;
      throw new StepFailure(step, awsFailure(what, err));
    }
  };
  const [cors, folder, pab, policy, lifecycle, tags] = await allInOrder([
    missingAs('s3.cors', 'Reading the bucket CORS configuration', ['NoSuchCORSConfiguration'], async () =>
      (await s3.send(new s3mod.GetBucketCorsCommand({ Bucket }))).CORSRules as CorsRule[] | undefined),
    missingAs('s3.folder', 'Looking for the key folder', ['NotFound', 'NoSuchKey', '404'], () => s3.send(new s3mod.HeadObjectCommand({ Bucket, Key: `${where.apiKey}/` }))),
    missingAs('s3.public-access-block', 'Reading the bucket Block Public Access settings', ['NoSuchPublicAccessBlockConfiguration'], async () =>
      (await s3.send(new s3mod.GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration),
    missingAs('s3.policy', 'Reading the bucket policy', ['NoSuchBucketPolicy'], async () => {
      const text = (await s3.send(new s3mod.GetBucketPolicyCommand({ Bucket }))).Policy;
      return text ? parsePolicy(text) : undefined;
    }),
    also.lifecycle ? missingAs('s3.lifecycle', 'Reading the bucket lifecycle rules', [], () => readLifecycle(aws, Bucket, bucket.region)) : Promise.resolve(undefined),
    also.tags
      ? missingAs('s3.bucket', 'Reading the bucket tags', ['NoSuchTagSet'], async () =>
          Object.fromEntries(((await s3.send(new s3mod.GetBucketTaggingCommand({ Bucket }))).TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        )
      : Promise.resolve(undefined),
  ]);
  return { bucket, cors: cors ?? undefined, folderExists: folder !== undefined, publicAccessBlock: pab, policy, lifecycle, tags };
}

type S3Context = Pick<SetupContext, 'deps' | 'aws' | 'inputs' | 'reads'>;

/** S3: HeadBucket, then GetBucketCors, HeadObject `<apiKey>/`, GetPublicAccessBlock, GetBucketPolicy (+ lifecycle). */
export const s3Stage: Stage<S3Context, S3State & { accountId: string }> = {
  readStep: 's3.bucket',
  inspect: async (ctx) => {
    const bucket = await ctx.reads.bucket();
    const [state, id] = await Promise.all([
      inspectS3(ctx.aws, ctx.inputs, bucket, { lifecycle: ctx.inputs.expireAfterDays !== undefined }),
      ctx.reads.identity().catch(() => ({ account: '<account-id>' })),
    ]);
    return { ...state, accountId: id.account };
  },
  plan: (ctx, state) => {
    const { aws, inputs } = ctx;
    const region = state.bucket.region;
    return [
      bucketStep(aws, inputs, state),
      corsStep(aws, inputs.bucket, region, state.cors, inputs.corsOrigins),
      folderStep(aws, inputs.bucket, region, inputs.apiKey, state.folderExists),
      ...publicReadSteps({
        aws,
        sleep: ctx.deps.sleep,
        bucket: inputs.bucket,
        region,
        apiKey: inputs.apiKey,
        accountId: state.accountId,
        block: state.bucket.exists ? state.publicAccessBlock : FULL_BLOCK,
        policy: state.bucket.exists ? state.policy : undefined,
      }),
      ...(inputs.expireAfterDays === undefined ? [] : [expiryStep(aws, inputs.bucket, region, inputs.apiKey, state.lifecycle, inputs.expireAfterDays)]),
    ];
  },
};

/** CreateBucket (in its region), tagged ib-archive:managed so that teardown knows it may delete it. */
function bucketStep(aws: AwsClients, inputs: S3Context['inputs'], state: S3State): PlannedStep {
  const { bucket: Bucket } = inputs;
  const region = state.bucket.region;
  const moved = region !== inputs.region && inputs.regionSource !== 'default' ? ` (not ${inputs.region}: an existing bucket stays where it is)` : '';
  if (state.bucket.exists) return { id: 's3.bucket', status: 'unchanged', detail: `${Bucket} exists in ${region}${moved}` };
  return {
    id: 's3.bucket',
    status: 'created',
    detail: `${Bucket} in ${region}, tagged ${MANAGED_BUCKET_TAG}`,
    apply: async () => {
      const { CreateBucketCommand, PutBucketTaggingCommand } = await import('@aws-sdk/client-s3');
      const s3 = await aws.s3(region);
      let detail: string | undefined;
      try {
        await s3.send(new CreateBucketCommand({ Bucket, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }) }));
      } catch (err) {
        if (!isAwsError(err, 'BucketAlreadyOwnedByYou')) {
          if (isAwsError(err, 'BucketAlreadyExists')) throw bucketTaken(Bucket);
          throw awsFailure(`Creating bucket ${Bucket} in ${region}`, err);
        }
        detail = `${Bucket} in ${region} (already yours)`;
      }
      try {
        await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: MANAGED_BUCKET_TAG, Value: 'true' }] } }));
      } catch (err) {
        throw awsFailure(`Tagging bucket ${Bucket} ${MANAGED_BUCKET_TAG}`, err);
      }
      return detail;
    },
  };
}

/** PutBucketCors: the IB rule added next to the bucket's own rules. */
function corsStep(aws: AwsClients, Bucket: string, region: string, existing: CorsRule[] | undefined, originList: string[]): PlannedStep {
  const rules = mergeCorsRules(existing ?? [], originList);
  const origins = originList.join(', ');
  if (!rules) return { id: 's3.cors', after: ['s3.bucket'], status: 'unchanged', detail: `GET/POST/PUT allowed from ${origins}` };
  return {
    id: 's3.cors',
    after: ['s3.bucket'],
    status: existing ? 'updated' : 'created',
    detail: `GET/POST/PUT from ${origins}${existing?.length ? `, ${existing.length} existing rule(s) kept` : ''}`,
    apply: async () => {
      const { PutBucketCorsCommand } = await import('@aws-sdk/client-s3');
      try {
        await (await aws.s3(region)).send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: rules as CORSRule[] } }));
      } catch (err) {
        throw awsFailure('Setting the bucket CORS rule', err);
      }
    },
  };
}

/** PutObject `<apiKey>/`: the key folder of the seed procedure. */
function folderStep(aws: AwsClients, Bucket: string, region: string, apiKey: string, exists: boolean): PlannedStep {
  if (exists) return { id: 's3.folder', after: ['s3.bucket'], status: 'unchanged', detail: `${apiKey}/` };
  return {
    id: 's3.folder',
    after: ['s3.bucket'],
    status: 'created',
    detail: `${apiKey}/`,
    apply: async () => {
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      try {
        await (await aws.s3(region)).send(new PutObjectCommand({ Bucket, Key: `${apiKey}/`, Body: new Uint8Array(0), ContentLength: 0 }));
      } catch (err) {
        throw awsFailure(`Creating the folder ${apiKey}/`, err);
      }
    },
  };
}

/** PutBucketLifecycleConfiguration: the project's expiry rule merged by ID (0 removes it). */
function expiryStep(aws: AwsClients, Bucket: string, region: string, apiKey: string, existing: LifecycleRule[] | undefined, days: number): PlannedStep {
  const rules = mergeExpiry(existing, apiKey, days);
  const kept = (existing ?? []).filter((r) => r.ID !== lifecycleRuleId(apiKey)).length;
  const what = days === 0 ? `archives under ${apiKey}/ are kept until deleted` : `archives under ${apiKey}/ expire after ${days} day${days === 1 ? '' : 's'}`;
  const detail = `${what}${kept ? `, ${kept} other rule(s) kept` : ''}`;
  if (!rules) return { id: 's3.lifecycle', after: ['s3.bucket'], status: 'unchanged', detail };
  const ours = existing?.some((r) => r.ID === lifecycleRuleId(apiKey));
  return {
    id: 's3.lifecycle',
    after: ['s3.bucket'],
    status: days === 0 ? 'deleted' : ours ? 'updated' : 'created',
    detail,
    apply: () => writeLifecycle(aws, Bucket, region, rules),
  };
}
