// S3 bucket tagging: PutBucketTagging (replaces every tag), GetBucketTagging and DeleteBucketTagging.
import { parseBody, regionHeader } from './s3-bucket.js';
import { bucketOf, S3_XMLNS, s3Answer, type S3Handler } from './s3-context.js';
import { malformedXml, S3Error } from './s3-errors.js';
import { child, children, el } from './xml.js';

const MAX_TAGS = 50;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;
/** Letters, digits, spaces and `_ . : / = + - @`, in any script. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

const putTagging: S3Handler = (ctx) => {
  const tagSet = child(parseBody(ctx, 'Tagging'), 'TagSet');
  if (!tagSet) throw malformedXml();
  const tags: Record<string, string> = {};
  for (const tag of children(tagSet, 'Tag')) {
    const key = child(tag, 'Key')?.text;
    const value = child(tag, 'Value')?.text;
    if (key === undefined || value === undefined) throw malformedXml();
    if (Object.hasOwn(tags, key)) throw invalidTag('Cannot provide multiple Tags with the same key', { TagKey: key });
    if (key.length === 0 || key.length > MAX_KEY_LENGTH || !TAG_TEXT.test(key)) throw invalidTag('The TagKey you have provided is invalid', { TagKey: key });
    if (value.length > MAX_VALUE_LENGTH || !TAG_TEXT.test(value)) {
      throw invalidTag('The TagValue you have provided is invalid', { TagKey: key, TagValue: value });
    }
    if (key.toLowerCase().startsWith('aws:')) throw invalidTag('System tags cannot be added/updated by requester', { TagKey: key });
    tags[key] = value;
  }
  if (Object.keys(tags).length > MAX_TAGS) throw new S3Error(400, 'BadRequest', `Bucket tag count cannot be greater than ${MAX_TAGS}`);
  bucketOf(ctx).tags = Object.keys(tags).length > 0 ? tags : undefined;
  return s3Answer(204, regionHeader(ctx));
};

const getTagging: S3Handler = (ctx) => {
  const tags = bucketOf(ctx).tags;
  if (!tags) throw new S3Error(404, 'NoSuchTagSet', 'The TagSet does not exist', { BucketName: ctx.bucketName });
  const tagSet = Object.entries(tags).map(([k, v]) => el('Tag', el('Key', k), el('Value', v)));
  return s3Answer(200, regionHeader(ctx), el('Tagging', { xmlns: S3_XMLNS }, el('TagSet', tagSet)));
};

const deleteTagging: S3Handler = (ctx) => {
  bucketOf(ctx).tags = undefined;
  return s3Answer(204, regionHeader(ctx));
};

function invalidTag(message: string, details: Record<string, string>): S3Error {
  return new S3Error(400, 'InvalidTag', message, details);
}

/** Bucket tagging handlers by operation name. */
export const TAGGING_HANDLERS: Record<string, S3Handler> = {
  PutBucketTagging: putTagging,
  GetBucketTagging: getTagging,
  DeleteBucketTagging: deleteTagging,
};
