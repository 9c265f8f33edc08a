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

/** The bucket an S3 URL addresses: virtual-hosted, path-style, or `<endpoint>/<bucket>/`. */
export function bucketOfUrl(url: string, endpoint?: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const segments = u.pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  if (endpoint) {
    try {
      const e = new URL(endpoint);
      const prefix = e.pathname.split('/').filter(Boolean);
      if (u.host === e.host) return segments[prefix.length];
    } catch {
      // not a URL: fall through to the AWS forms
    }
  }
  const virtual = u.hostname.match(/^(.+)\.s3[.-][a-z0-9.-]*amazonaws\.com(?:\.cn)?$/);
  if (virtual) return virtual[1];
  if (/^s3[.-][a-z0-9.-]*amazonaws\.com(?:\.cn)?$/.test(u.hostname)) return segments[0];
  return undefined;
}

/** Region named by an AWS S3 URL (`B.s3.R.amazonaws.com`, `s3.R.amazonaws.com/B`; `s3.amazonaws.com` is us-east-1). */
export function regionOfUrl(url: string | undefined): string | undefined {
  let host: string;
  try {
    host = new URL(url ?? '').hostname;
  } catch {
    return undefined;
  }
  const m = host.match(/(?:^|\.)s3[.-](?:dualstack\.)?([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/);
  if (m) return m[1];
  return /(?:^|\.)s3(?:-external-1)?\.amazonaws\.com$/.test(host) ? 'us-east-1' : undefined;
}

/** BUCKET_URL of the IBS backend: the same address as S3_COMPOSEDVIDEO_URL without the trailing slash (it joins with `/`). */
export function bucketUrl(bucket: string, region: string, customEndpoint?: string): string {
  return composedVideoUrl(bucket, region, customEndpoint).replace(/\/$/, '');
}

/** What is wrong with an existing BUCKET_URL (a trailing slash, another bucket, another region), or undefined when right. */
export function bucketUrlProblem(value: string, bucket: string, region: string, customEndpoint?: string): string | undefined {
  const accepted = acceptedComposedVideoUrls(bucket, region, customEndpoint).map((u) => u.replace(/\/$/, ''));
  if (accepted.includes(value)) return undefined;
  if (/\/+$/.test(value)) {
    return accepted.includes(value.replace(/\/+$/, ''))
      ? 'ends with "/": the backend joins `${BUCKET_URL}/<apiKey>/…`, and S3 reads the "//" as another key, so archive links break'
      : `ends with "/" and does not address bucket ${bucket} in its region ${region} (expected ${accepted[0]})`;
  }
  const other = bucketOfUrl(value, customEndpoint);
  if (other && other !== bucket) return `addresses bucket ${other}, not ${bucket}`;
  return `does not address bucket ${bucket} in its region ${region} (expected ${accepted[0]})`;
}
