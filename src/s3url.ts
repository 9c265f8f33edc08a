// S3_COMPOSEDVIDEO_URL: the public base URL the app joins with `<apiKey>/<archiveId>/archive.mp4`.
import { partitionOfRegion } from './partitions.js';

/** DNS suffix of the partition a region belongs to (the SDK's partition table). */
export function s3DnsSuffix(region: string): string {
  return partitionOfRegion(region).dnsSuffix;
}

/** ARN partition of a region: aws, aws-cn, aws-us-gov… (the SDK's partition table). */
export function partitionOf(region: string): string {
  return partitionOfRegion(region).name;
}

/**
 * The base URL for a bucket, always ending with `/`: virtual-hosted in its own region, path-style when the
 * name has dots (TLS would break), `<endpoint>/<bucket>/` for a custom S3 endpoint.
 */
export function composedVideoUrl(bucket: string, region: string, customEndpoint?: string): string {
  if (customEndpoint) return `${customEndpoint.replace(/\/+$/, '')}/${bucket}/`;
  const host = `s3.${region}.${s3DnsSuffix(region)}`;
  return bucket.includes('.') ? `https://${host}/${bucket}/` : `https://${bucket}.${host}/`;
}

/** Every URL form that reaches the bucket in its region (accepted when checking an existing value). */
export function acceptedComposedVideoUrls(bucket: string, region: string, customEndpoint?: string): string[] {
  if (customEndpoint) return [composedVideoUrl(bucket, region, customEndpoint)];
  const suffix = s3DnsSuffix(region);
  const urls = new Set([composedVideoUrl(bucket, region), `https://s3.${region}.${suffix}/${bucket}/`]);
  if (region === 'us-east-1') {
    urls.add(`https://s3.amazonaws.com/${bucket}/`);
    if (!bucket.includes('.')) urls.add(`https://${bucket}.s3.amazonaws.com/`);
  }
  return [...urls];
}

/** What is wrong with an existing S3_COMPOSEDVIDEO_URL, or undefined when it addresses the bucket correctly. */
export function composedVideoUrlProblem(
  value: string,
  bucket: string,
  region: string,
  customEndpoint?: string,
): string | undefined {
  const accepted = acceptedComposedVideoUrls(bucket, region, customEndpoint);
  if (accepted.includes(value)) return undefined;
  if (!value.endsWith('/') && accepted.includes(`${value}/`)) {
    return 'does not end with "/": url.resolve drops the bucket part and archive links break';
  }
  if (/^https?:\/\//.test(value) && !value.includes(bucket)) return `does not point at bucket ${bucket}`;
  return `does not address bucket ${bucket} in its region ${region} (expected ${accepted[0]})`;
}
