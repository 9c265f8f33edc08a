// An S3 bucket's existence, owner and real region: read by setup's S3 stage, teardown and doctor alike.
import { CloudError } from './errors.js';
import { type AwsClients, awsErrorHeader, awsFailure, awsHttpStatus, globalRegion, isAwsError } from './services/aws.js';

export interface BucketState {
  exists: boolean;
  /** Where the bucket really is (for a new bucket: where it will be created). */
  region: string;
}

const NOT_FOUND = ['NotFound', 'NoSuchBucket', '404'];

export function bucketTaken(bucket: string): CloudError {
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
