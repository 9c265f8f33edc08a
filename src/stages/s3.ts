// Stage 1, S3: the bucket, its CORS rule, the `<apiKey>/` folder and public read of that folder only.
import type { CORSRule, PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import { type Deps, withRetries } from '../context.js';
import { CloudError } from '../errors.js';
import type { SetupInputs } from '../inputs.js';
import { type PlannedStep, StepFailure, allInOrder } from '../plan.js';
import type { StepId } from '../steps.js';
import {
  type CorsRule,
  type PolicyDocument,
  mergeCorsRules,
  mergePublicRead,
  parsePolicy,
} from '../policy.js';
import { type AwsClients, awsErrorCode, awsErrorHeader, awsFailure, awsHttpStatus, globalRegion, isAwsError } from '../services/aws.js';

export interface BucketState {
  exists: boolean;
  /** Where the bucket really is (for a new bucket: where it will be created). */
  region: string;
}

export interface S3State {
  bucket: BucketState;
  cors?: CorsRule[];
  folderExists: boolean;
  publicAccessBlock?: PublicAccessBlockConfiguration;
  policy?: PolicyDocument;
}

const NOT_FOUND = ['NotFound', 'NoSuchBucket', '404'];

function bucketTaken(bucket: string): CloudError {
  return new CloudError(
    `Bucket "${bucket}" already exists and belongs to another AWS account (or your credentials may not use it).`,
    'bucket_not_yours',
    'S3 bucket names are global: choose another name with --bucket <name> (for example ib-archive-<apiKey>-<suffix>).',
  );
}

/** Region a redirect or region error points at, if the answer says. */
function regionFromError(err: unknown): string | undefined {
  const header = awsErrorHeader(err, 'x-amz-bucket-region');
  if (header) return header;
  const expecting = String((err as Error)?.message ?? '').match(/expecting '([a-z0-9-]+)'/);
  if (expecting) return expecting[1];
  return (err as { Region?: string })?.Region;
}

/** GetBucketLocation's answer as a region name (none: us-east-1; the legacy `EU`: eu-west-1). */
export function regionOfLocation(constraint: string | undefined): string {
  return !constraint ? 'us-east-1' : constraint === 'EU' ? 'eu-west-1' : constraint;
}

/**
 * The region a wrong-region answer for a bucket points at: the x-amz-bucket-region header, the region named in an
 * AuthorizationHeaderMalformed message, or else GetBucketLocation (which any region of the partition answers).
 */
export async function redirectRegion(aws: AwsClients, bucket: string, region: string, err: unknown): Promise<string | undefined> {
  const named = regionFromError(err);
  if (named) return named;
  const { GetBucketLocationCommand } = await import('@aws-sdk/client-s3');
  try {
    const s3 = await aws.s3(globalRegion(region));
    return regionOfLocation((await s3.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint as string | undefined);
  } catch {
    return undefined;
  }
}

/** HeadBucket: does the bucket exist, is it ours, and in which region is it really. */
export async function inspectBucket(aws: AwsClients, bucket: string, region: string): Promise<BucketState> {
  const { HeadBucketCommand, GetBucketLocationCommand } = await import('@aws-sdk/client-s3');
  const s3 = await aws.s3(region);
  try {
    const head = await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    if (head.BucketRegion) return { exists: true, region: head.BucketRegion };
    return { exists: true, region: regionOfLocation((await s3.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint as string | undefined) };
  } catch (err) {
    const status = awsHttpStatus(err);
    if (status === 404 || isAwsError(err, ...NOT_FOUND)) return { exists: false, region };
    if (status === 301 || status === 307 || status === 400 || isAwsError(err, 'PermanentRedirect', 'AuthorizationHeaderMalformed')) {
      const actual = await redirectRegion(aws, bucket, region, err);
      if (actual && actual !== region) return inspectBucket(aws, bucket, actual);
    }
    if (status === 403 || isAwsError(err, 'AccessDenied', 'Forbidden')) throw bucketTaken(bucket);
    throw awsFailure(`Looking up bucket ${bucket}`, err);
  }
}

/** Reads the CORS rules, folder marker, Block Public Access and policy of an existing bucket (concurrently). */
export async function inspectS3(aws: AwsClients, inputs: SetupInputs, bucket: BucketState): Promise<S3State> {
  if (!bucket.exists) return { bucket, folderExists: false };
  const s3mod = await import('@aws-sdk/client-s3');
  const s3 = await aws.s3(bucket.region);
  const Bucket = inputs.bucket;
  // A failed read is reported on the step whose state it reads.
  const missingAs = async <T>(step: StepId, what: string, codes: string[], call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (err) {
      if (isAwsError(err, ...codes) || (codes.includes('404') && awsHttpStatus(err) === 404)) return undefined;
      throw new StepFailure(step, awsFailure(what, err));
    }
  };
  const [cors, folder, pab, policy] = await allInOrder([
    missingAs('s3.cors', 'Reading the bucket CORS configuration', ['NoSuchCORSConfiguration'], async () =>
      (await s3.send(new s3mod.GetBucketCorsCommand({ Bucket }))).CORSRules as CorsRule[] | undefined),
    missingAs('s3.folder', 'Looking for the key folder', ['NotFound', 'NoSuchKey', '404'], () =>
      s3.send(new s3mod.HeadObjectCommand({ Bucket, Key: `${inputs.apiKey}/` }))),
    missingAs('s3.public-access-block', 'Reading the bucket Block Public Access settings', ['NoSuchPublicAccessBlockConfiguration'], async () =>
      (await s3.send(new s3mod.GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration),
    missingAs('s3.policy', 'Reading the bucket policy', ['NoSuchBucketPolicy'], async () => {
      const text = (await s3.send(new s3mod.GetBucketPolicyCommand({ Bucket }))).Policy;
      return text ? parsePolicy(text) : undefined;
    }),
  ]);
  return { bucket, cors: cors ?? undefined, folderExists: folder !== undefined, publicAccessBlock: pab, policy };
}

export interface S3Plan {
  steps: PlannedStep[];
  /** A public-read change needs the user's consent (relaxing Block Public Access and/or adding the statement). */
  needsPublicConsent: boolean;
  publicChange: string;
}

const NEW_BUCKET_BLOCK: PublicAccessBlockConfiguration = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/** Decides every S3 change from the state read; the closures apply them. */
export function planS3(deps: Pick<Deps, 'sleep'>, aws: AwsClients, inputs: SetupInputs, state: S3State, accountId: string): S3Plan {
  const { bucket: Bucket, apiKey } = inputs;
  const region = state.bucket.region;
  const s3 = () => aws.s3(region);
  const sdk = () => import('@aws-sdk/client-s3');
  const steps: PlannedStep[] = [];
  const moved = region !== inputs.region && inputs.regionSource !== 'default' ? ` (not ${inputs.region}: an existing bucket stays where it is)` : '';

  if (state.bucket.exists) {
    steps.push({ id: 's3.bucket', status: 'unchanged', detail: `${Bucket} exists in ${region}${moved}` });
  } else {
    steps.push({
      id: 's3.bucket',
      status: 'created',
      detail: `${Bucket} in ${region}`,
      apply: async () => {
        const { CreateBucketCommand } = await sdk();
        try {
          await (await s3()).send(
            new CreateBucketCommand({
              Bucket,
              ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
            }),
          );
        } catch (err) {
          if (isAwsError(err, 'BucketAlreadyOwnedByYou')) return `${Bucket} in ${region} (already yours)`;
          if (isAwsError(err, 'BucketAlreadyExists')) throw bucketTaken(Bucket);
          throw awsFailure(`Creating bucket ${Bucket} in ${region}`, err);
        }
      },
    });
  }

  const corsRules = mergeCorsRules(state.cors ?? [], inputs.corsOrigins);
  const origins = inputs.corsOrigins.join(', ');
  steps.push(
    corsRules
      ? {
          id: 's3.cors',
          after: ['s3.bucket'],
          status: state.cors ? 'updated' : 'created',
          detail: `GET/POST/PUT from ${origins}${state.cors?.length ? `, ${state.cors.length} existing rule(s) kept` : ''}`,
          apply: async () => {
            const { PutBucketCorsCommand } = await sdk();
            try {
              await (await s3()).send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: corsRules as CORSRule[] } }));
            } catch (err) {
              throw awsFailure('Setting the bucket CORS rule', err);
            }
          },
        }
      : { id: 's3.cors', after: ['s3.bucket'], status: 'unchanged', detail: `GET/POST/PUT allowed from ${origins}` },
  );

  steps.push(
    state.folderExists
      ? { id: 's3.folder', after: ['s3.bucket'], status: 'unchanged', detail: `${apiKey}/` }
      : {
          id: 's3.folder',
          after: ['s3.bucket'],
          status: 'created',
          detail: `${apiKey}/`,
          apply: async () => {
            const { PutObjectCommand } = await sdk();
            try {
              await (await s3()).send(new PutObjectCommand({ Bucket, Key: `${apiKey}/`, Body: new Uint8Array(0), ContentLength: 0 }));
            } catch (err) {
              throw awsFailure(`Creating the folder ${apiKey}/`, err);
            }
          },
        },
  );

  const block = state.bucket.exists ? state.publicAccessBlock : NEW_BUCKET_BLOCK;
  const blocksPolicy = Boolean(block?.BlockPublicPolicy || block?.RestrictPublicBuckets);
  steps.push(
    blocksPolicy
      ? {
          id: 's3.public-access-block',
          after: ['s3.bucket'],
          status: 'updated',
          detail: 'allow a public bucket policy (ACLs stay blocked)',
          apply: async () => {
            const { PutPublicAccessBlockCommand } = await sdk();
            try {
              await (await s3()).send(
                new PutPublicAccessBlockCommand({
                  Bucket,
                  PublicAccessBlockConfiguration: {
                    BlockPublicAcls: block?.BlockPublicAcls ?? true,
                    IgnorePublicAcls: block?.IgnorePublicAcls ?? true,
                    BlockPublicPolicy: false,
                    RestrictPublicBuckets: false,
                  },
                }),
              );
            } catch (err) {
              throw awsFailure('Relaxing Block Public Access on the bucket', err);
            }
          },
        }
      : { id: 's3.public-access-block', after: ['s3.bucket'], status: 'unchanged', detail: 'bucket policies may grant public read' },
  );

  const existingPolicy = state.bucket.exists ? state.policy : undefined;
  const policy = mergePublicRead(existingPolicy, Bucket, region, apiKey);
  steps.push(
    policy
      ? {
          id: 's3.policy',
          status: existingPolicy ? 'updated' : 'created',
          detail: `anyone may read ${apiKey}/*${existingPolicy ? `, ${existingPolicy.Statement.length} existing statement(s) kept` : ''}`,
          apply: async () => {
            const { PutBucketPolicyCommand } = await sdk();
            try {
              const client = await s3();
              // Right after the bucket's block is lifted, S3 may still refuse a public policy for a few seconds.
              await withRetries(
                deps,
                () => client.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(policy) })),
                (err) => blocksPolicy && awsErrorCode(err) === 'AccessDenied',
                { attempts: 4, baseMs: 1000 },
              );
            } catch (err) {
              throw policyRefused(err, Bucket, accountId);
            }
          },
        }
      : { id: 's3.policy', status: 'unchanged', detail: `anyone may read ${apiKey}/*` },
  );

  return {
    steps,
    needsPublicConsent: Boolean(policy) || blocksPolicy,
    publicChange: `Objects under s3://${Bucket}/${apiKey}/ (the archives) become readable by anyone with the link; the rest of the bucket stays private and it cannot be listed.`,
  };
}

/** PutBucketPolicy refused: most often S3 Block Public Access set for the whole account. */
function policyRefused(err: unknown, bucket: string, accountId: string): CloudError {
  if (awsErrorCode(err) !== 'AccessDenied') return awsFailure('Adding the public-read statement to the bucket policy', err);
  return new CloudError(
    `S3 refused the public-read policy on ${bucket} (AccessDenied). The bucket's own block is lifted, so Block Public Access is most likely on for the whole AWS account.`,
    'account_public_access_block',
    'Allow public bucket policies at the account level (the ACL blocks can stay on), then re-run ib-archive setup:\n' +
      `  aws s3control put-public-access-block --account-id ${accountId} \\\n` +
      '    --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false\n' +
      '(or S3 console → Block Public Access settings for this account). If it is not that, your credentials lack s3:PutBucketPolicy.',
    { cause: err },
  );
}
