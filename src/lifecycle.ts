// Archive expiry: the project's lifecycle rule on `<apiKey>/`, merged by rule ID into the bucket's own rules
// (PutBucketLifecycleConfiguration replaces them all). Read by setup, teardown and doctor.
import type { LifecycleRule } from '@aws-sdk/client-s3';
import { type AwsClients, awsFailure, isAwsError } from './services/aws.js';

export const lifecycleRuleId = (apiKey: string): string => `ib-archive-${apiKey}`;

/** The rule that expires the project's archives after `days`. */
export function expiryRule(apiKey: string, days: number): LifecycleRule {
  return { ID: lifecycleRuleId(apiKey), Filter: { Prefix: `${apiKey}/` }, Status: 'Enabled', Expiration: { Days: days } };
}

/** Days after which the project's archives expire, or undefined when no enabled rule of ours says so. */
export function expiryDays(rules: LifecycleRule[] | undefined, apiKey: string): number | undefined {
  const ours = rules?.find((r) => r.ID === lifecycleRuleId(apiKey));
  return ours?.Status === 'Enabled' ? ours.Expiration?.Days : undefined;
}

/** The enabled rule that expires objects under `<apiKey>/` soonest (ours or another covering the folder), with its days. */
export function folderExpiry(rules: LifecycleRule[] | undefined, apiKey: string): { days: number; ruleId?: string } | undefined {
  const folder = `${apiKey}/`;
  const covering = (rules ?? []).filter((r) => r.Status === 'Enabled' && r.Expiration?.Days && folder.startsWith(r.Filter?.Prefix ?? r.Prefix ?? ''));
  const soonest = covering.sort((a, b) => a.Expiration!.Days! - b.Expiration!.Days!)[0];
  return soonest ? { days: soonest.Expiration!.Days!, ruleId: soonest.ID } : undefined;
}

/**
 * The bucket's rules with ours set to `days` (0: removed), or undefined when nothing changes. An empty result means
 * the whole configuration goes (S3 refuses an empty one).
 */
export function mergeExpiry(rules: LifecycleRule[] | undefined, apiKey: string, days: number): LifecycleRule[] | undefined {
  const id = lifecycleRuleId(apiKey);
  const others = (rules ?? []).filter((r) => r.ID !== id);
  const ours = rules?.find((r) => r.ID === id);
  if (days === 0) return ours ? others : undefined;
  const wanted = expiryRule(apiKey, days);
  if (ours && ours.Status === 'Enabled' && ours.Expiration?.Days === days && ours.Filter?.Prefix === `${apiKey}/`) return undefined;
  return [...others, wanted];
}

/** GetBucketLifecycleConfiguration (none: undefined). */
export async function readLifecycle(aws: AwsClients, bucket: string, region: string, signal?: AbortSignal): Promise<LifecycleRule[] | undefined> {
  const { GetBucketLifecycleConfigurationCommand } = await import('@aws-sdk/client-s3');
  try {
    return (await (await aws.s3(region)).send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }), { abortSignal: signal })).Rules;
  } catch (err) {
    if (isAwsError(err, 'NoSuchLifecycleConfiguration')) return undefined;
    throw err;
  }
}

/** PutBucketLifecycleConfiguration with the merged rules, or DeleteBucketLifecycle when none remain. */
export async function writeLifecycle(aws: AwsClients, bucket: string, region: string, rules: LifecycleRule[]): Promise<void> {
  const s3mod = await import('@aws-sdk/client-s3');
  const s3 = await aws.s3(region);
  try {
    if (rules.length === 0) await s3.send(new s3mod.DeleteBucketLifecycleCommand({ Bucket: bucket }));
    else await s3.send(new s3mod.PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: rules } }));
  } catch (err) {
    throw awsFailure(`Setting the lifecycle rules of ${bucket}`, err);
  }
}
