// S3 bucket sub-resources holding documents: CORS configuration and the bucket policy (with its public status).
import { regionHeader } from './s3-bucket.js';
import { bucketOf, S3_XMLNS, s3Answer, type S3Handler } from './s3-context.js';
import { corsConfigurationXml, parseCorsConfiguration } from './s3-cors.js';
import { accessDenied, S3Error } from './s3-errors.js';
import { isPublicPolicy, PolicyError, validateBucketPolicy } from './policy.js';
import { el } from './xml.js';

const getBucketCors: S3Handler = (ctx) => {
  const rules = bucketOf(ctx).cors;
  if (!rules) throw new S3Error(404, 'NoSuchCORSConfiguration', 'The CORS configuration does not exist', { BucketName: ctx.bucketName });
  return s3Answer(200, regionHeader(ctx), corsConfigurationXml(rules));
};

const putBucketCors: S3Handler = (ctx) => {
  bucketOf(ctx).cors = parseCorsConfiguration(ctx.payload.body);
  return s3Answer(200, regionHeader(ctx));
};

const deleteBucketCors: S3Handler = (ctx) => {
  bucketOf(ctx).cors = undefined;
  return s3Answer(204, regionHeader(ctx));
};

const getBucketPolicy: S3Handler = (ctx) => {
  const policy = bucketOf(ctx).policy;
  if (!policy) throw noSuchPolicy(ctx.bucketName);
  const text = ctx.account.policyText.get(policy) ?? JSON.stringify(policy);
  return s3Answer(200, { ...regionHeader(ctx), 'content-type': 'application/json' }, text);
};

const putBucketPolicy: S3Handler = (ctx) => {
  const bucket = bucketOf(ctx);
  const text = ctx.payload.body.toString('utf8');
  let doc;
  try {
    doc = validateBucketPolicy(text, bucket.name, (arn) => ctx.account.principalExists(arn));
  } catch (err) {
    if (err instanceof PolicyError) throw new S3Error(400, 'MalformedPolicy', err.message);
    throw err;
  }
  const blocked = bucket.publicAccessBlock?.BlockPublicPolicy || ctx.account.accountPublicAccessBlock?.BlockPublicPolicy;
  if (blocked && isPublicPolicy(doc)) {
    const who = ctx.caller ? ctx.account.callerArn(ctx.caller) : 'anonymous';
    throw accessDenied(
      `User: ${who} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${bucket.name}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
    );
  }
  ctx.account.policyText.set(doc, text);
  bucket.policy = doc;
  return s3Answer(204, regionHeader(ctx));
};

const deleteBucketPolicy: S3Handler = (ctx) => {
  bucketOf(ctx).policy = undefined;
  return s3Answer(204, regionHeader(ctx));
};

const getBucketPolicyStatus: S3Handler = (ctx) => {
  const policy = bucketOf(ctx).policy;
  if (!policy) throw noSuchPolicy(ctx.bucketName);
  return s3Answer(200, regionHeader(ctx), el('PolicyStatus', { xmlns: S3_XMLNS }, el('IsPublic', isPublicPolicy(policy))));
};

function noSuchPolicy(bucket: string): S3Error {
  return new S3Error(404, 'NoSuchBucketPolicy', 'The bucket policy does not exist', { BucketName: bucket });
}

/** CORS and policy handlers by operation name. */
export const CONFIG_HANDLERS: Record<string, S3Handler> = {
  GetBucketCors: getBucketCors,
  PutBucketCors: putBucketCors,
  DeleteBucketCors: deleteBucketCors,
  GetBucketPolicy: getBucketPolicy,
  PutBucketPolicy: putBucketPolicy,
  DeleteBucketPolicy: deleteBucketPolicy,
  GetBucketPolicyStatus: getBucketPolicyStatus,
};
