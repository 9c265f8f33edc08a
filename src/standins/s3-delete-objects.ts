// S3 DeleteObjects (POST ?delete): up to 1,000 keys, each authorized as s3:DeleteObject, answered per key.
import { parseBody } from './s3-bucket.js';
import { s3Arn, s3Denial } from './s3-access.js';
import { bucketOf, S3_XMLNS, s3Answer, type S3Handler } from './s3-context.js';
import { malformedXml } from './s3-errors.js';
import { child, children, el, type Xml } from './xml.js';

const MAX_KEYS = 1000;

const deleteObjects: S3Handler = (ctx) => {
  const root = parseBody(ctx, 'Delete');
  const quietText = child(root, 'Quiet')?.text.trim();
  if (quietText !== undefined && quietText !== 'true' && quietText !== 'false') throw malformedXml();
  const objects = children(root, 'Object');
  if (objects.length === 0 || objects.length > MAX_KEYS) throw malformedXml();
  const targets = objects.map((o) => ({ key: child(o, 'Key')?.text, versionId: child(o, 'VersionId')?.text }));
  if (targets.some((t) => t.key === undefined || t.key === '')) throw malformedXml();
  const bucket = bucketOf(ctx);
  const deleted: Xml[] = [];
  const errors: Xml[] = [];
  for (const { key, versionId } of targets as { key: string; versionId?: string }[]) {
    const version = versionId !== undefined ? el('VersionId', versionId) : undefined;
    if (s3Denial(ctx.account, ctx.caller, bucket, 's3:DeleteObject', s3Arn(bucket.name, key))) {
      errors.push(el('Error', el('Key', key), version, el('Code', 'AccessDenied'), el('Message', 'Access Denied')));
    } else if (versionId !== undefined && versionId !== 'null') {
      errors.push(el('Error', el('Key', key), version, el('Code', 'NoSuchVersion'), el('Message', 'The specified version does not exist.')));
    } else {
      bucket.objects.delete(key);
      deleted.push(el('Deleted', el('Key', key), version));
    }
  }
  return s3Answer(200, {}, el('DeleteResult', { xmlns: S3_XMLNS }, quietText === 'true' ? undefined : deleted, errors));
};

/** DeleteObjects by operation name. */
export const DELETE_OBJECTS_HANDLERS: Record<string, S3Handler> = { DeleteObjects: deleteObjects };
