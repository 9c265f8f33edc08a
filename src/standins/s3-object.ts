// S3 object operations: put/get/head/delete, object ACLs, and ListObjects / ListObjectsV2.
import { createHash } from 'node:crypto';
import { regionHeader } from './s3-bucket.js';
import { s3Arn, s3Denial } from './s3-access.js';
import { crc32Base64 } from './s3-body.js';
import { bucketOf, headerOf, S3_XMLNS, s3Answer, type S3Context, type S3Handler, type S3Object } from './s3-context.js';
import { corsResponseHeaders } from './s3-cors.js';
import { accessDenied, invalidRequest, S3Error } from './s3-errors.js';
import { el, type XmlChild } from './xml.js';

const PUBLIC_ACLS = ['public-read', 'public-read-write', 'authenticated-read'];
const CANNED_ACLS = ['private', 'bucket-owner-read', 'bucket-owner-full-control', 'aws-exec-read', ...PUBLIC_ACLS];
const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
  'response-content-language': 'content-language',
  'response-cache-control': 'cache-control',
  'response-expires': 'expires',
};

/** Quoted MD5 hex of the bytes, as S3's ETag for a single-part upload. */
export function etagOf(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

const putObject: S3Handler = (ctx) => {
  const bucket = bucketOf(ctx);
  const acl = headerOf(ctx, 'x-amz-acl');
  if (acl !== undefined) checkAcl(ctx, acl);
  checkWritePreconditions(ctx, bucket.objects.get(ctx.key));
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(ctx.req.headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name] = value;
  }
  const object: S3Object = {
    body: ctx.payload.body,
    contentType: headerOf(ctx, 'content-type'),
    lastModified: ctx.account.now(),
    metadata,
    acl: bucket.objectOwnership === 'BucketOwnerEnforced' ? undefined : acl,
  };
  bucket.objects.set(ctx.key, object);
  return s3Answer(200, {
    etag: etagOf(object.body),
    'x-amz-server-side-encryption': 'AES256',
    ...(ctx.payload.crc32 !== undefined ? { 'x-amz-checksum-crc32': ctx.payload.crc32, 'x-amz-checksum-type': 'FULL_OBJECT' } : {}),
  });
};

const getObject: S3Handler = (ctx) => {
  const object = findObject(ctx);
  const headers = objectHeaders(ctx, object);
  for (const [param, name] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = ctx.req.query.get(param);
    if (value === null) continue;
    if (!ctx.caller) throw invalidRequest('Request specific response headers cannot be used for anonymous GET requests.');
    headers[name] = value;
  }
  const range = headerOf(ctx, 'range');
  if (range === undefined) return s3Answer(200, headers, object.body);
  const [start, end] = parseRange(range, object.body.length);
  const part = object.body.subarray(start, end + 1);
  // A whole-object checksum cannot be checked against part of it: S3 leaves it out of ranged answers.
  delete headers['x-amz-checksum-crc32'];
  delete headers['x-amz-checksum-type'];
  return s3Answer(206, { ...headers, 'content-length': part.length, 'content-range': `bytes ${start}-${end}/${object.body.length}` }, part);
};

const headObject: S3Handler = (ctx) => s3Answer(200, objectHeaders(ctx, findObject(ctx)));

const deleteObject: S3Handler = (ctx) => {
  bucketOf(ctx).objects.delete(ctx.key);
  return s3Answer(204);
};

const putObjectAcl: S3Handler = (ctx) => {
  const bucket = bucketOf(ctx);
  const acl = headerOf(ctx, 'x-amz-acl');
  if (acl === undefined) throw new S3Error(501, 'NotImplemented', 'The stand-in only implements canned ACLs (x-amz-acl).');
  checkAcl(ctx, acl);
  const object = bucket.objects.get(ctx.key) as S3Object | undefined;
  if (!object) throw noSuchKey(ctx.key);
  object.acl = acl;
  return s3Answer(200);
};

const listObjectsV2: S3Handler = (ctx) => {
  const q = ctx.req.query;
  const token = q.get('continuation-token');
  const startAfter = q.get('start-after') ?? undefined;
  const after = token !== null ? Buffer.from(token, 'base64').toString('utf8') : startAfter;
  const page = listPage(ctx, after);
  const enc = encoder(ctx);
  return s3Answer(
    200,
    regionHeader(ctx),
    el(
      'ListBucketResult',
      { xmlns: S3_XMLNS },
      el('Name', ctx.bucketName),
      el('Prefix', enc(page.prefix)),
      page.delimiter ? el('Delimiter', enc(page.delimiter)) : undefined,
      el('MaxKeys', page.maxKeys),
      q.get('encoding-type') === 'url' ? el('EncodingType', 'url') : undefined,
      el('KeyCount', page.contents.length + page.prefixes.length),
      el('IsTruncated', page.truncated),
      token !== null ? el('ContinuationToken', token) : undefined,
      page.truncated ? el('NextContinuationToken', Buffer.from(page.last, 'utf8').toString('base64')) : undefined,
      startAfter !== undefined ? el('StartAfter', enc(startAfter)) : undefined,
      contentsXml(ctx, page.contents, q.get('fetch-owner') === 'true', enc),
      page.prefixes.map((p) => el('CommonPrefixes', el('Prefix', enc(p)))),
    ),
  );
};

const listObjects: S3Handler = (ctx) => {
  const marker = ctx.req.query.get('marker') ?? '';
  const page = listPage(ctx, marker || undefined);
  const enc = encoder(ctx);
  return s3Answer(
    200,
    regionHeader(ctx),
    el(
      'ListBucketResult',
      { xmlns: S3_XMLNS },
      el('Name', ctx.bucketName),
      el('Prefix', enc(page.prefix)),
      el('Marker', enc(marker)),
      page.truncated && page.delimiter ? el('NextMarker', enc(page.last)) : undefined,
      el('MaxKeys', page.maxKeys),
      page.delimiter ? el('Delimiter', enc(page.delimiter)) : undefined,
      ctx.req.query.get('encoding-type') === 'url' ? el('EncodingType', 'url') : undefined,
      el('IsTruncated', page.truncated),
      contentsXml(ctx, page.contents, true, enc),
      page.prefixes.map((p) => el('CommonPrefixes', el('Prefix', enc(p)))),
    ),
  );
};

/** Object-level handlers (and listings) by operation name. */
export const OBJECT_HANDLERS: Record<string, S3Handler> = {
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
  PutObjectAcl: putObjectAcl,
  ListObjectsV2: listObjectsV2,
  ListObjects: listObjects,
};

interface ListPage {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  contents: [string, S3Object][];
  prefixes: string[];
  truncated: boolean;
  /** Last key or common prefix returned: where the next page starts. */
  last: string;
}

function listPage(ctx: S3Context, after: string | undefined): ListPage {
  const q = ctx.req.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxText = q.get('max-keys');
  const maxKeys = maxText === null ? 1000 : Number(maxText);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) {
    throw new S3Error(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range', { ArgumentName: 'max-keys', ArgumentValue: maxText ?? '' });
  }
  const page: ListPage = { prefix, delimiter, maxKeys: Math.min(maxKeys, 1000), contents: [], prefixes: [], truncated: false, last: '' };
  const keys = [...bucketOf(ctx).objects.keys()].filter((k) => k.startsWith(prefix) && (after === undefined || k > after)).sort();
  for (const key of keys) {
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const common = cut >= 0 ? key.slice(0, cut + delimiter.length) : undefined;
    if (common !== undefined && page.prefixes.includes(common)) continue;
    if (common !== undefined && after !== undefined && common <= after) continue;
    if (page.contents.length + page.prefixes.length >= page.maxKeys) {
      page.truncated = true;
      break;
    }
    if (common !== undefined) page.prefixes.push(common);
    else page.contents.push([key, bucketOf(ctx).objects.get(key) as S3Object]);
    page.last = common ?? key;
  }
  return page;
}

function contentsXml(ctx: S3Context, contents: [string, S3Object][], withOwner: boolean, enc: (s: string) => string): XmlChild[] {
  return contents.map(([key, o]) =>
    el(
      'Contents',
      el('Key', enc(key)),
      el('LastModified', (o.lastModified ?? bucketOf(ctx).createdAt).toISOString()),
      el('ETag', etagOf(o.body)),
      el('Size', o.body.length),
      withOwner ? el('Owner', el('ID', ctx.account.canonicalId)) : undefined,
      el('StorageClass', 'STANDARD'),
    ),
  );
}

function encoder(ctx: S3Context): (s: string) => string {
  if (ctx.req.query.get('encoding-type') !== 'url') return (s) => s;
  return (s) => encodeURIComponent(s).replace(/%2F/g, '/');
}

/** The requested object; a missing key is 404 only for callers who may list the bucket, else 403 (as S3 does). */
function findObject(ctx: S3Context): S3Object {
  const bucket = bucketOf(ctx);
  const object = bucket.objects.get(ctx.key) as S3Object | undefined;
  if (object) return object;
  const mayList = !s3Denial(ctx.account, ctx.caller, bucket, 's3:ListBucket', s3Arn(bucket.name));
  throw mayList ? noSuchKey(ctx.key) : accessDenied();
}

function objectHeaders(ctx: S3Context, object: S3Object): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'content-type': object.contentType ?? 'binary/octet-stream',
    'content-length': object.body.length,
    etag: etagOf(object.body),
    'last-modified': (object.lastModified ?? bucketOf(ctx).createdAt).toUTCString(),
    'accept-ranges': 'bytes',
    'x-amz-server-side-encryption': 'AES256',
    ...object.metadata,
    ...corsResponseHeaders(ctx.req, ctx.bucket),
  };
  if (headerOf(ctx, 'x-amz-checksum-mode') === 'ENABLED') {
    headers['x-amz-checksum-crc32'] = crc32Base64(object.body);
    headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  return headers;
}

/** Conditional writes: `If-None-Match: *` fails on an existing key, `If-Match` on a different ETag. */
function checkWritePreconditions(ctx: S3Context, existing: S3Object | undefined): void {
  const noneMatch = headerOf(ctx, 'if-none-match');
  const match = headerOf(ctx, 'if-match');
  if ((noneMatch === '*' && existing) || (match !== undefined && (!existing || etagOf(existing.body) !== match))) {
    throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: noneMatch !== undefined ? 'If-None-Match' : 'If-Match',
    });
  }
}

function checkAcl(ctx: S3Context, acl: string): void {
  const bucket = bucketOf(ctx);
  if (!CANNED_ACLS.includes(acl)) {
    throw new S3Error(400, 'InvalidArgument', '', { ArgumentName: 'x-amz-acl', ArgumentValue: acl });
  }
  if (bucket.objectOwnership === 'BucketOwnerEnforced' && !(ctx.op === 'PutObject' && acl === 'bucket-owner-full-control')) {
    throw new S3Error(400, 'AccessControlListNotSupported', 'The bucket does not allow ACLs');
  }
  const blockAcls = bucket.publicAccessBlock?.BlockPublicAcls || ctx.account.accountPublicAccessBlock?.BlockPublicAcls;
  if (blockAcls && PUBLIC_ACLS.includes(acl)) throw accessDenied();
}

function parseRange(range: string, size: number): [number, number] {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!m || (m[1] === '' && m[2] === '')) return [0, size - 1];
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) {
    throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', { RangeRequested: range, ActualObjectSize: String(size) });
  }
  return [start, end];
}

function noSuchKey(key: string): S3Error {
  return new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
}
