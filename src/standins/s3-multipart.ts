// S3 multipart uploads: create, upload part, complete, abort, list uploads and list parts, with S3's XML and errors.
import { createHash, randomBytes } from 'node:crypto';
import type { BucketState } from './aws-account.js';
import { crc32Base64 } from './s3-body.js';
import { bucketOf, headerOf, S3_XMLNS, s3Answer, type S3Context, type S3Handler, type S3Object } from './s3-context.js';
import { malformedXml, S3Error } from './s3-errors.js';
import { etagOf } from './s3-object.js';
import { child, children, el, parseXml, type Xml, XmlParseError, type XmlElement } from './xml.js';

/** Every part but the last must have at least 5 MiB. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

interface Part {
  body: Buffer;
  etag: string;
  crc32: string;
  lastModified: Date;
}

interface Upload {
  id: string;
  key: string;
  initiated: Date;
  initiator: string;
  contentType?: string;
  metadata: Record<string, string>;
  parts: Map<number, Part>;
}

/** Uploads in progress, per bucket (they disappear with the bucket object). */
const uploadsByBucket = new WeakMap<BucketState, Map<string, Upload>>();

function uploadsOf(bucket: BucketState): Map<string, Upload> {
  let uploads = uploadsByBucket.get(bucket);
  if (!uploads) uploadsByBucket.set(bucket, (uploads = new Map()));
  return uploads;
}

function noSuchUpload(id: string): S3Error {
  return new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: id });
}

/** The upload named by ?uploadId=, for this key. */
function findUpload(ctx: S3Context): Upload {
  const id = ctx.req.query.get('uploadId') ?? '';
  const upload = uploadsOf(bucketOf(ctx)).get(id);
  if (!upload || upload.key !== ctx.key) throw noSuchUpload(id);
  return upload;
}

const initiator = (ctx: S3Context) => (ctx.caller ? ctx.account.callerArn(ctx.caller) : 'anonymous');

const createMultipartUpload: S3Handler = (ctx) => {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(ctx.req.headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name] = value;
  }
  const upload: Upload = {
    id: randomBytes(32).toString('base64url'),
    key: ctx.key,
    initiated: ctx.account.now(),
    initiator: initiator(ctx),
    contentType: headerOf(ctx, 'content-type'),
    metadata,
    parts: new Map(),
  };
  uploadsOf(bucketOf(ctx)).set(upload.id, upload);
  return s3Answer(
    200,
    {},
    el('InitiateMultipartUploadResult', { xmlns: S3_XMLNS }, el('Bucket', ctx.bucketName), el('Key', ctx.key), el('UploadId', upload.id)),
  );
};

const uploadPart: S3Handler = (ctx) => {
  const upload = findUpload(ctx);
  const text = ctx.req.query.get('partNumber') ?? '';
  const number = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(number >= 1 && number <= 10_000)) {
    throw new S3Error(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber', ArgumentValue: text });
  }
  const body = ctx.payload.body;
  const part: Part = { body, etag: etagOf(body), crc32: crc32Base64(body), lastModified: ctx.account.now() };
  upload.parts.set(number, part);
  return s3Answer(200, { etag: part.etag, ...(ctx.payload.crc32 !== undefined ? { 'x-amz-checksum-crc32': part.crc32 } : {}) });
};

const completeMultipartUpload: S3Handler = (ctx) => {
  const upload = findUpload(ctx);
  const listed = parseCompletion(ctx.payload.body.toString('utf8'));
  if (listed.length === 0) throw malformedXml();
  const chosen: Part[] = [];
  let previous = 0;
  for (const { number, etag, crc32 } of listed) {
    if (number <= previous) throw new S3Error(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', { UploadId: upload.id });
    previous = number;
    const part = upload.parts.get(number);
    if (!part || normalEtag(etag) !== part.etag || (crc32 !== undefined && crc32 !== part.crc32)) {
      throw new S3Error(400, 'InvalidPart', "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.", {
        UploadId: upload.id,
        PartNumber: String(number),
        ETag: etag,
      });
    }
    chosen.push(part);
  }
  chosen.slice(0, -1).forEach((part, i) => {
    if (part.body.length < MIN_PART_SIZE) {
      throw new S3Error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
        ProposedSize: String(part.body.length),
        MinSizeAllowed: String(MIN_PART_SIZE),
        PartNumber: String(listed[i]!.number),
        ETag: part.etag,
      });
    }
  });
  const digests = Buffer.concat(chosen.map((p) => Buffer.from(p.etag.slice(1, -1), 'hex')));
  const etag = `"${createHash('md5').update(digests).digest('hex')}-${chosen.length}"`;
  const object: S3Object = {
    body: Buffer.concat(chosen.map((p) => p.body)),
    contentType: upload.contentType,
    lastModified: ctx.account.now(),
    metadata: upload.metadata,
  };
  bucketOf(ctx).objects.set(upload.key, object);
  uploadsOf(bucketOf(ctx)).delete(upload.id);
  return s3Answer(
    200,
    {},
    el(
      'CompleteMultipartUploadResult',
      { xmlns: S3_XMLNS },
      el('Location', `http://${ctx.req.host}/${ctx.bucketName}/${encodeURI(upload.key)}`),
      el('Bucket', ctx.bucketName),
      el('Key', upload.key),
      el('ETag', etag),
    ),
  );
};

const abortMultipartUpload: S3Handler = (ctx) => {
  const upload = findUpload(ctx);
  uploadsOf(bucketOf(ctx)).delete(upload.id);
  return s3Answer(204);
};

const listMultipartUploads: S3Handler = (ctx) => {
  const q = ctx.req.query;
  const prefix = q.get('prefix') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const all = [...uploadsOf(bucketOf(ctx)).values()]
    .filter((u) => u.key.startsWith(prefix) && u.key > keyMarker)
    .sort((a, b) => (a.key === b.key ? a.initiated.getTime() - b.initiated.getTime() : a.key < b.key ? -1 : 1));
  const { page, max, truncated } = firstPage(all, q.get('max-uploads'));
  const last = page.at(-1);
  return s3Answer(
    200,
    {},
    el(
      'ListMultipartUploadsResult',
      { xmlns: S3_XMLNS },
      el('Bucket', ctx.bucketName),
      el('KeyMarker', keyMarker),
      el('UploadIdMarker', q.get('upload-id-marker') ?? ''),
      truncated && last ? [el('NextKeyMarker', last.key), el('NextUploadIdMarker', last.id)] : undefined,
      el('Prefix', prefix),
      el('MaxUploads', max),
      el('IsTruncated', truncated),
      page.map((u) =>
        el(
          'Upload',
          el('Key', u.key),
          el('UploadId', u.id),
          ownershipXml(ctx, u),
          el('Initiated', u.initiated.toISOString()),
        ),
      ),
    ),
  );
};

const listParts: S3Handler = (ctx) => {
  const upload = findUpload(ctx);
  const marker = Number(ctx.req.query.get('part-number-marker') ?? 0) || 0;
  const all = [...upload.parts.entries()].filter(([n]) => n > marker).sort(([a], [b]) => a - b);
  const { page, max, truncated } = firstPage(all, ctx.req.query.get('max-parts'));
  return s3Answer(
    200,
    {},
    el(
      'ListPartsResult',
      { xmlns: S3_XMLNS },
      el('Bucket', ctx.bucketName),
      el('Key', upload.key),
      el('UploadId', upload.id),
      el('PartNumberMarker', marker),
      el('NextPartNumberMarker', page.at(-1)?.[0] ?? marker),
      el('MaxParts', max),
      el('IsTruncated', truncated),
      page.map(([n, p]) => el('Part', el('PartNumber', n), el('LastModified', p.lastModified.toISOString()), el('ETag', p.etag), el('Size', p.body.length))),
      ownershipXml(ctx, upload),
    ),
  );
};

/** The first page of a listing (at most 1,000, S3's limit) and whether more follow. */
function firstPage<T>(all: T[], maxText: string | null): { page: T[]; max: number; truncated: boolean } {
  const max = Math.min(Number(maxText ?? 1000) || 1000, 1000);
  const page = all.slice(0, max);
  return { page, max, truncated: all.length > page.length };
}

/** Initiator, Owner and StorageClass of an upload, as both listings show them. */
function ownershipXml(ctx: S3Context, upload: Upload): Xml[] {
  return [el('Initiator', el('ID', upload.initiator), el('DisplayName', upload.initiator)), el('Owner', el('ID', ctx.account.canonicalId)), el('StorageClass', 'STANDARD')];
}

/** Multipart handlers by operation name. */
export const MULTIPART_HANDLERS: Record<string, S3Handler> = {
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListMultipartUploads: listMultipartUploads,
  ListParts: listParts,
};

/** The parts a CompleteMultipartUpload body lists. */
function parseCompletion(text: string): { number: number; etag: string; crc32?: string }[] {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (err) {
    if (err instanceof XmlParseError) throw malformedXml();
    throw err;
  }
  if (root.name !== 'CompleteMultipartUpload') throw malformedXml();
  return children(root, 'Part').map((p) => {
    const number = Number(child(p, 'PartNumber')?.text);
    const etag = child(p, 'ETag')?.text;
    if (!Number.isInteger(number) || etag === undefined) throw malformedXml();
    return { number, etag, crc32: child(p, 'ChecksumCRC32')?.text };
  });
}

/** ETags are compared with their quotes, whether or not the client sent them. */
function normalEtag(etag: string): string {
  const bare = etag.trim().replace(/^"|"$/g, '').replace(/^&quot;|&quot;$/g, '');
  return `"${bare}"`;
}
