// S3 path-style routing: method + `/bucket[/key]` + sub-resource query → operation, IAM action and write flag.
import type { StandInRequest } from './serve.js';

export type S3Level = 'service' | 'bucket' | 'object';

export interface S3Route {
  op: string;
  method: string;
  level: S3Level;
  /** Query parameter that selects the operation (`?cors`), if any. */
  sub?: string;
  /** Other query parameters the operation accepts. */
  query?: string[];
  /** IAM action checked for the caller (`s3:GetObject`). */
  action: string;
  write: boolean;
  /** The handler authorizes each key itself (DeleteObjects checks s3:DeleteObject per key, not the bucket). */
  perKey?: boolean;
}

/** Where a path-style request points. */
export interface S3Target {
  level: S3Level;
  bucket?: string;
  key?: string;
}

const LIST_V1 = ['prefix', 'delimiter', 'marker', 'max-keys', 'encoding-type'];
const LIST_V2 = ['prefix', 'delimiter', 'max-keys', 'continuation-token', 'start-after', 'encoding-type', 'fetch-owner'];
const GET_OBJECT = [
  'response-content-type', 'response-content-disposition', 'response-content-encoding',
  'response-content-language', 'response-cache-control', 'response-expires',
];

const r = (op: string, method: string, level: S3Level, action: string, extra: Partial<S3Route> = {}): S3Route => ({
  op, method, level, action, write: method === 'PUT' || method === 'DELETE' || method === 'POST', ...extra,
});

/** Every S3 operation the stand-in implements. */
export const S3_ROUTES: S3Route[] = [
  r('ListBuckets', 'GET', 'service', 's3:ListAllMyBuckets', { query: ['max-buckets', 'continuation-token', 'prefix', 'bucket-region'] }),
  r('CreateBucket', 'PUT', 'bucket', 's3:CreateBucket'),
  r('DeleteBucket', 'DELETE', 'bucket', 's3:DeleteBucket'),
  r('HeadBucket', 'HEAD', 'bucket', 's3:ListBucket'),
  r('GetBucketLocation', 'GET', 'bucket', 's3:GetBucketLocation', { sub: 'location' }),
  r('ListObjectsV2', 'GET', 'bucket', 's3:ListBucket', { sub: 'list-type', query: LIST_V2 }),
  r('ListObjects', 'GET', 'bucket', 's3:ListBucket', { query: LIST_V1 }),
  r('GetBucketCors', 'GET', 'bucket', 's3:GetBucketCORS', { sub: 'cors' }),
  r('PutBucketCors', 'PUT', 'bucket', 's3:PutBucketCORS', { sub: 'cors' }),
  r('DeleteBucketCors', 'DELETE', 'bucket', 's3:PutBucketCORS', { sub: 'cors' }),
  r('GetBucketPolicy', 'GET', 'bucket', 's3:GetBucketPolicy', { sub: 'policy' }),
  r('PutBucketPolicy', 'PUT', 'bucket', 's3:PutBucketPolicy', { sub: 'policy' }),
  r('DeleteBucketPolicy', 'DELETE', 'bucket', 's3:DeleteBucketPolicy', { sub: 'policy' }),
  r('GetBucketPolicyStatus', 'GET', 'bucket', 's3:GetBucketPolicyStatus', { sub: 'policyStatus' }),
  r('GetPublicAccessBlock', 'GET', 'bucket', 's3:GetBucketPublicAccessBlock', { sub: 'publicAccessBlock' }),
  r('PutPublicAccessBlock', 'PUT', 'bucket', 's3:PutBucketPublicAccessBlock', { sub: 'publicAccessBlock' }),
  r('DeletePublicAccessBlock', 'DELETE', 'bucket', 's3:PutBucketPublicAccessBlock', { sub: 'publicAccessBlock' }),
  r('GetBucketOwnershipControls', 'GET', 'bucket', 's3:GetBucketOwnershipControls', { sub: 'ownershipControls' }),
  r('PutBucketOwnershipControls', 'PUT', 'bucket', 's3:PutBucketOwnershipControls', { sub: 'ownershipControls' }),
  r('GetBucketLifecycleConfiguration', 'GET', 'bucket', 's3:GetLifecycleConfiguration', { sub: 'lifecycle' }),
  r('PutBucketLifecycleConfiguration', 'PUT', 'bucket', 's3:PutLifecycleConfiguration', { sub: 'lifecycle' }),
  r('DeleteBucketLifecycle', 'DELETE', 'bucket', 's3:PutLifecycleConfiguration', { sub: 'lifecycle' }),
  r('GetBucketTagging', 'GET', 'bucket', 's3:GetBucketTagging', { sub: 'tagging' }),
  r('PutBucketTagging', 'PUT', 'bucket', 's3:PutBucketTagging', { sub: 'tagging' }),
  r('DeleteBucketTagging', 'DELETE', 'bucket', 's3:PutBucketTagging', { sub: 'tagging' }),
  r('DeleteObjects', 'POST', 'bucket', 's3:DeleteObject', { sub: 'delete', perKey: true }),
  r('PreflightOptions', 'OPTIONS', 'bucket', ''),
  r('PutObject', 'PUT', 'object', 's3:PutObject'),
  r('GetObject', 'GET', 'object', 's3:GetObject', { query: GET_OBJECT }),
  r('HeadObject', 'HEAD', 'object', 's3:GetObject'),
  r('DeleteObject', 'DELETE', 'object', 's3:DeleteObject'),
  r('PutObjectAcl', 'PUT', 'object', 's3:PutObjectAcl', { sub: 'acl' }),
  r('PreflightOptions', 'OPTIONS', 'object', ''),
  r('CreateMultipartUpload', 'POST', 'object', 's3:PutObject', { sub: 'uploads' }),
  r('UploadPart', 'PUT', 'object', 's3:PutObject', { sub: 'uploadId', query: ['partNumber'] }),
  r('CompleteMultipartUpload', 'POST', 'object', 's3:PutObject', { sub: 'uploadId' }),
  r('AbortMultipartUpload', 'DELETE', 'object', 's3:AbortMultipartUpload', { sub: 'uploadId' }),
  r('ListParts', 'GET', 'object', 's3:ListMultipartUploadParts', { sub: 'uploadId', query: ['max-parts', 'part-number-marker', 'encoding-type'] }),
  r('ListMultipartUploads', 'GET', 'bucket', 's3:ListBucketMultipartUploads', {
    sub: 'uploads', query: ['prefix', 'delimiter', 'key-marker', 'upload-id-marker', 'max-uploads', 'encoding-type'],
  }),
];

/** Splits a path-style path into bucket and key (key percent-decoded). */
export function s3Target(path: string): S3Target {
  const rest = path.replace(/^\//, '');
  if (rest === '') return { level: 'service' };
  const slash = rest.indexOf('/');
  if (slash < 0 || slash === rest.length - 1) return { level: 'bucket', bucket: decode(slash < 0 ? rest : rest.slice(0, slash)) };
  return { level: 'object', bucket: decode(rest.slice(0, slash)), key: decode(rest.slice(slash + 1)) };
}

/** The route a request takes, or undefined when the stand-in does not implement it. */
export function matchRoute(req: StandInRequest): S3Route | undefined {
  const { level } = s3Target(req.path);
  const keys = [...new Set(req.query.keys())].filter((k) => k !== 'x-id');
  if (req.method === 'PUT' && level === 'object' && req.headers['x-amz-copy-source'] !== undefined) return undefined;
  return S3_ROUTES.find((route) => {
    if (route.method !== req.method || route.level !== level) return false;
    if (route.op === 'PreflightOptions') return true;
    if (route.sub !== undefined && !req.query.has(route.sub)) return false;
    return keys.every((k) => k === route.sub || route.query?.includes(k));
  });
}

/** Operation name for logs: the route's, prefixed `Anonymous` when unsigned; unknown requests are named by shape. */
export function operationName(req: StandInRequest, route: S3Route | undefined): string {
  if (!route) {
    const subs = [...req.query.keys()].filter((k) => k !== 'x-id');
    return `Unknown(${req.method} ${s3Target(req.path).level}${subs.length ? '?' + subs.join('&') : ''})`;
  }
  if (route.op === 'PreflightOptions' || req.headers.authorization !== undefined) return route.op;
  return `Anonymous${route.op}`;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
