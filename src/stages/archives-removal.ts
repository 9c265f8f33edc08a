// teardown --delete-archives: the project's objects under `<apiKey>/` (DeleteObjects, 1,000 a request), then the bucket
// itself when ib-archive created it (tagged ib-archive:managed) and it is empty.
import { formatBytes } from '../archives/rescue.js';
import { CloudError } from '../errors.js';
import type { PlannedStep } from '../plan.js';
import { awsFailure, isAwsError } from '../services/aws.js';
import { MANAGED_BUCKET_TAG } from './s3.js';
import { type TeardownContext, type TeardownS3, sharedNote } from './teardown-context.js';

type ArchivesContext = Pick<TeardownContext, 'aws' | 'inputs' | 'bucket' | 'deps'>;

const BATCH = 1000;

/** DeleteObjects over the project's archives, counted and sized while planning; progress per batch on a TTY. */
export function archivesStep({ aws, bucket: Bucket, inputs, deps }: ArchivesContext, state: TeardownS3): PlannedStep {
  const where = `${inputs.apiKey}/`;
  const after: PlannedStep['after'] = ['opentok.storage'];
  if (!inputs.deleteArchives) return { id: 's3.archives', after, status: 'skipped', detail: `kept under ${where} (--delete-archives deletes them)` };
  const keys = state.archives?.keys ?? [];
  if (keys.length === 0) return { id: 's3.archives', after, status: 'unchanged', detail: `none under ${where}` };
  const total = `${keys.length} object${keys.length === 1 ? '' : 's'}, ${formatBytes(state.archives!.bytes)}`;
  return {
    id: 's3.archives',
    after,
    status: 'deleted',
    detail: `${total} under ${where}`,
    apply: async () => {
      const { DeleteObjectsCommand } = await import('@aws-sdk/client-s3');
      const s3 = await aws.s3(state.bucket.region);
      for (let i = 0; i < keys.length; i += BATCH) {
        const batch = keys.slice(i, i + BATCH);
        let failed: { Key?: string; Code?: string; Message?: string }[];
        try {
          const res = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
          failed = res.Errors ?? [];
        } catch (err) {
          throw awsFailure(`Deleting the archives under ${where} in ${Bucket} (${i} of ${keys.length} deleted so far)`, err);
        }
        if (failed.length > 0) {
          const first = failed[0]!;
          throw new CloudError(`S3 did not delete ${failed.length} of the archives under ${where} in ${Bucket}: ${first.Key} (${first.Code}: ${first.Message}).`, 's3_delete_failed', 'Check your permission s3:DeleteObject on the bucket, then re-run ib-archive teardown --delete-archives to finish.');
        }
        if (deps.out.opts.spinners) deps.out.info(`  deleted ${Math.min(i + BATCH, keys.length)} of ${keys.length} archives`);
      }
    },
  };
}

/** DeleteBucket, only for a bucket tagged ib-archive:managed that no other project uses; a bucket not empty stays. */
export function bucketStep({ aws, bucket: Bucket, inputs }: ArchivesContext, state: TeardownS3): PlannedStep {
  const after: PlannedStep['after'] = ['s3.policy', 's3.public-access-block', 's3.cors', 's3.lifecycle', 's3.folder', 's3.archives'];
  if (!inputs.deleteArchives) return { id: 's3.bucket', after, status: 'skipped', detail: `${Bucket} kept (its archives stay)` };
  if (state.others.length > 0) return { id: 's3.bucket', after, status: 'unchanged', detail: `${Bucket} ${sharedNote(state.others)}` };
  if (state.tags?.[MANAGED_BUCKET_TAG] === undefined) return { id: 's3.bucket', after, status: 'unchanged', detail: `${Bucket} kept: not tagged ${MANAGED_BUCKET_TAG} (ib-archive did not create it)` };
  return {
    id: 's3.bucket',
    after,
    status: 'deleted',
    detail: `${Bucket} (tagged ${MANAGED_BUCKET_TAG}), once it is empty`,
    apply: async () => {
      const { DeleteBucketCommand } = await import('@aws-sdk/client-s3');
      try {
        await (await aws.s3(state.bucket.region)).send(new DeleteBucketCommand({ Bucket }));
        return `${Bucket} (tagged ${MANAGED_BUCKET_TAG})`;
      } catch (err) {
        // A retry after a lost answer finds the bucket gone: it was deleted.
        if (isAwsError(err, 'NoSuchBucket')) return `${Bucket} (tagged ${MANAGED_BUCKET_TAG})`;
        if (isAwsError(err, 'BucketNotEmpty')) return { status: 'unchanged', detail: `${Bucket} kept: it still holds objects outside ${inputs.apiKey}/ (or old versions)` };
        throw awsFailure(`Deleting bucket ${Bucket}`, err);
      }
    },
  };
}
