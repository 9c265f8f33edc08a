// S3 bucket operations: create/delete/head/location/list-buckets, Block Public Access and ownership controls.
import { isIP } from 'node:net';
import type { PublicAccessBlockView } from './api.js';
import { fullBlock } from './aws-account.js';
import { bucketOf, headerOf, S3_XMLNS, s3Answer, type S3Context, type S3Handler } from './s3-context.js';
import { malformedXml, S3Error } from './s3-errors.js';
import { child, el, parseXml, XmlParseError, type XmlElement } from './xml.js';

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const OWNERSHIPS = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'] as const;
const FORBIDDEN_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const FORBIDDEN_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3'];

/** True when `name` follows S3's general-purpose bucket naming rules. */
export function isValidBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    isIP(name) === 0 &&
    !FORBIDDEN_PREFIXES.some((p) => name.startsWith(p)) &&
    !FORBIDDEN_SUFFIXES.some((s) => name.endsWith(s))
  );
}

/** Answers that concern one bucket carry its region. */
export function regionHeader(ctx: S3Context): Record<string, string> {
  return ctx.bucket ? { 'x-amz-bucket-region': ctx.bucket.region } : {};
}

/** Parses an XML request body whose root must be `rootName`; MalformedXML otherwise. */
export function parseBody(ctx: S3Context, rootName: string): XmlElement {
  try {
    const root = parseXml(ctx.payload.body.toString('utf8'));
    if (root.name !== rootName) throw malformedXml();
    return root;
  } catch (err) {
    if (err instanceof XmlParseError) throw malformedXml();
    throw err;
  }
}

const createBucket: S3Handler = (ctx) => {
  const name = ctx.bucketName;
  if (!isValidBucketName(name)) throw new S3Error(400, 'InvalidBucketName', 'The specified bucket is not valid.', { BucketName: name });
  const signing = ctx.signingRegion ?? 'us-east-1';
  const constraint = ctx.payload.body.length > 0 ? child(parseBody(ctx, 'CreateBucketConfiguration'), 'LocationConstraint')?.text.trim() : undefined;
  const target = constraint === 'EU' ? 'eu-west-1' : constraint || 'us-east-1';
  if (constraint === 'us-east-1' && signing === 'us-east-1') {
    throw new S3Error(400, 'InvalidLocationConstraint', 'The specified location-constraint is not valid', { LocationConstraint: constraint });
  }
  if (constraint && !REGION_PATTERN.test(target)) {
    throw new S3Error(400, 'InvalidLocationConstraint', 'The specified location-constraint is not valid', { LocationConstraint: constraint });
  }
  if (target !== signing) {
    const what = constraint ? `The ${constraint} location constraint` : 'The unspecified location constraint';
    throw new S3Error(400, 'IllegalLocationConstraintException', `${what} is incompatible for the region specific endpoint this request was sent to.`);
  }
  const existing = ctx.account.buckets.get(name);
  if (existing?.owner === 'other') {
    throw new S3Error(409, 'BucketAlreadyExists', 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.', { BucketName: name });
  }
  if (existing) {
    if (existing.region === 'us-east-1' && target === 'us-east-1') return s3Answer(200, { location: `/${name}` });
    throw new S3Error(409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', { BucketName: name });
  }
  const ownership = headerOf(ctx, 'x-amz-object-ownership') ?? 'BucketOwnerEnforced';
  if (!(OWNERSHIPS as readonly string[]).includes(ownership)) {
    throw new S3Error(400, 'InvalidArgument', 'Invalid x-amz-object-ownership header', { ArgumentName: 'x-amz-object-ownership', ArgumentValue: ownership });
  }
  const acl = headerOf(ctx, 'x-amz-acl');
  if (ownership === 'BucketOwnerEnforced' && acl !== undefined && acl !== 'private' && acl !== 'bucket-owner-full-control') {
    throw new S3Error(400, 'InvalidBucketAclWithObjectOwnership', "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
  }
  const bucket = ctx.account.addBucket(name, target, 'self');
  bucket.objectOwnership = ownership as (typeof OWNERSHIPS)[number];
  const location = target === 'us-east-1' ? `/${name}` : `http://${name}.s3.amazonaws.com/`;
  return s3Answer(200, { location, 'x-amz-bucket-region': target });
};

const deleteBucket: S3Handler = (ctx) => {
  const bucket = bucketOf(ctx);
  if (bucket.objects.size > 0) {
    throw new S3Error(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', { BucketName: bucket.name });
  }
  ctx.account.buckets.delete(bucket.name);
  return s3Answer(204, regionHeader(ctx));
};

const headBucket: S3Handler = (ctx) => s3Answer(200, { ...regionHeader(ctx), 'x-amz-access-point-alias': 'false' });

const getBucketLocation: S3Handler = (ctx) => {
  const region = bucketOf(ctx).region;
  return s3Answer(200, regionHeader(ctx), el('LocationConstraint', { xmlns: S3_XMLNS }, region === 'us-east-1' ? undefined : region));
};

const listBuckets: S3Handler = (ctx) => {
  const own = [...ctx.account.buckets.values()].filter((b) => b.owner === 'self').sort((a, b) => (a.name < b.name ? -1 : 1));
  return s3Answer(
    200,
    {},
    el(
      'ListAllMyBucketsResult',
      { xmlns: S3_XMLNS },
      el('Owner', el('ID', ctx.account.canonicalId)),
      el(
        'Buckets',
        own.map((b) => el('Bucket', el('Name', b.name), el('CreationDate', b.createdAt.toISOString()), el('BucketRegion', b.region))),
      ),
    ),
  );
};

const getPublicAccessBlock: S3Handler = (ctx) => {
  const block = bucketOf(ctx).publicAccessBlock;
  if (!block) {
    throw new S3Error(404, 'NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', { BucketName: ctx.bucketName });
  }
  const fields = Object.keys(fullBlock()) as (keyof PublicAccessBlockView)[];
  return s3Answer(200, regionHeader(ctx), el('PublicAccessBlockConfiguration', { xmlns: S3_XMLNS }, fields.map((f) => el(f, block[f]))));
};

const putPublicAccessBlock: S3Handler = (ctx) => {
  const root = parseBody(ctx, 'PublicAccessBlockConfiguration');
  const block = fullBlock();
  for (const field of Object.keys(block) as (keyof PublicAccessBlockView)[]) {
    const text = child(root, field)?.text.trim();
    if (text !== undefined && text !== 'true' && text !== 'false') throw malformedXml();
    block[field] = text === 'true';
  }
  bucketOf(ctx).publicAccessBlock = block;
  return s3Answer(200, regionHeader(ctx));
};

const deletePublicAccessBlock: S3Handler = (ctx) => {
  bucketOf(ctx).publicAccessBlock = undefined;
  return s3Answer(204, regionHeader(ctx));
};

const getOwnershipControls: S3Handler = (ctx) =>
  s3Answer(
    200,
    regionHeader(ctx),
    el('OwnershipControls', { xmlns: S3_XMLNS }, el('Rule', el('ObjectOwnership', bucketOf(ctx).objectOwnership))),
  );

const putOwnershipControls: S3Handler = (ctx) => {
  const rule = child(parseBody(ctx, 'OwnershipControls'), 'Rule');
  const value = rule ? child(rule, 'ObjectOwnership')?.text.trim() : undefined;
  const ownership = OWNERSHIPS.find((o) => o === value);
  if (!ownership) throw malformedXml();
  bucketOf(ctx).objectOwnership = ownership;
  return s3Answer(200, regionHeader(ctx));
};

/** Bucket-level handlers by operation name. */
export const BUCKET_HANDLERS: Record<string, S3Handler> = {
  CreateBucket: createBucket,
  DeleteBucket: deleteBucket,
  HeadBucket: headBucket,
  GetBucketLocation: getBucketLocation,
  ListBuckets: listBuckets,
  GetPublicAccessBlock: getPublicAccessBlock,
  PutPublicAccessBlock: putPublicAccessBlock,
  DeletePublicAccessBlock: deletePublicAccessBlock,
  GetBucketOwnershipControls: getOwnershipControls,
  PutBucketOwnershipControls: putOwnershipControls,
};
