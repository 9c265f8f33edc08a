// S3 stand-in (REST + XML, path-style): routing, SigV4, region checks, authorization, then the operation handlers.
import type { AwsAccount, BucketState, Caller } from './aws-account.js';
import { checkSignature, identify, isFailure, type AuthFailure } from './aws-auth.js';
import { s3Arn, s3Denial, type AclHolder } from './s3-access.js';
import { decodePayload } from './s3-body.js';
import { BUCKET_HANDLERS } from './s3-bucket.js';
import { CONFIG_HANDLERS } from './s3-config.js';
import { s3Answer, type S3Handler } from './s3-context.js';
import { preflight } from './s3-cors.js';
import { accessDenied, invalidRequest, noSuchBucket, S3Error, s3ErrorResponse } from './s3-errors.js';
import { DELETE_OBJECTS_HANDLERS } from './s3-delete-objects.js';
import { LIFECYCLE_HANDLERS } from './s3-lifecycle.js';
import { OBJECT_HANDLERS } from './s3-object.js';
import { MULTIPART_HANDLERS } from './s3-multipart.js';
import { matchRoute, operationName, s3Target, type S3Route } from './s3-routes.js';
import { TAGGING_HANDLERS } from './s3-tagging.js';
import type { StandIn, StandInRequest, StandInResponse } from './serve.js';
import { authorizationKeyId } from './sigv4.js';

const HANDLERS: Record<string, S3Handler> = {
  ...BUCKET_HANDLERS,
  ...CONFIG_HANDLERS,
  ...OBJECT_HANDLERS,
  ...LIFECYCLE_HANDLERS,
  ...TAGGING_HANDLERS,
  ...DELETE_OBJECTS_HANDLERS,
  ...MULTIPART_HANDLERS,
};

/** Operations whose request must carry Content-MD5 or an x-amz-checksum-* (the SDK adds one). */
const INTEGRITY_REQUIRED = new Set([
  'PutBucketCors', 'PutBucketPolicy', 'PutPublicAccessBlock', 'PutBucketOwnershipControls', 'PutObjectAcl',
  'PutBucketLifecycleConfiguration', 'PutBucketTagging', 'DeleteObjects',
]);

/** Creates the S3 stand-in over the shared account. */
export function createS3StandIn(account: AwsAccount): StandIn {
  return {
    service: 's3',
    classify(req) {
      const route = matchRoute(req);
      return {
        operation: operationName(req, route),
        write: route?.write ?? ['PUT', 'POST', 'DELETE', 'PATCH'].includes(req.method),
        accessKeyId: authorizationKeyId(req.headers.authorization),
      };
    },
    handle(req) {
      try {
        return serve(account, req);
      } catch (err) {
        if (err instanceof S3Error) return s3ErrorResponse(err);
        throw err;
      }
    },
    faultResponse(kind) {
      return kind === 'throttle'
        ? s3ErrorResponse(new S3Error(503, 'SlowDown', 'Please reduce your request rate.'))
        : s3ErrorResponse(new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.'));
    },
  };
}

function serve(account: AwsAccount, req: StandInRequest): StandInResponse {
  const route = matchRoute(req);
  if (!route) throw new S3Error(501, 'NotImplemented', 'A header you provided implies functionality that is not implemented');
  const target = s3Target(req.path);
  const bucketName = target.bucket ?? '';
  const bucket = target.bucket !== undefined ? account.buckets.get(target.bucket) : undefined;
  if (route.op === 'PreflightOptions') {
    return s3Answer(200, preflight(req, bucket, target.level === 'object' ? 'OBJECT' : 'BUCKET'));
  }
  const { caller, signingRegion } = authenticate(account, req, route, bucket);
  if (target.level !== 'service' && route.op !== 'CreateBucket') {
    if (!bucket) throw noSuchBucket(bucketName);
    const expected = req.headers['x-amz-expected-bucket-owner'];
    const ownerId = bucket.owner === 'self' ? account.accountId : account.otherAccountId;
    if (expected !== undefined && expected !== ownerId) throw accessDenied();
  }
  const payload = decodePayload(req);
  if (INTEGRITY_REQUIRED.has(route.op) && !payload.hasIntegrity) {
    throw invalidRequest('Missing required header for this request: Content-Md5.');
  }
  const key = target.key ?? '';
  const resource = target.level === 'service' ? 'arn:aws:s3:::*' : s3Arn(bucketName, target.level === 'object' ? key : undefined);
  const object = target.level === 'object' ? (bucket?.objects.get(key) as AclHolder | undefined) : undefined;
  const denial = route.perKey ? undefined : s3Denial(account, caller, route.op === 'CreateBucket' ? undefined : bucket, route.action, resource, object);
  if (denial) {
    if (route.op === 'HeadBucket' && bucket) denial.headers['x-amz-bucket-region'] = bucket.region;
    throw denial;
  }
  const handler = HANDLERS[route.op];
  if (!handler) throw new Error(`no handler for ${route.op}`);
  return handler({ req, op: route.op, account, caller, signingRegion, bucketName, bucket, key, payload });
}

/** Verifies the signature (after the region check, as S3 does); anonymous requests have no caller. */
function authenticate(
  account: AwsAccount,
  req: StandInRequest,
  route: S3Route,
  bucket: BucketState | undefined,
): { caller: Caller | undefined; signingRegion: string | undefined } {
  const who = identify(account, req, 's3');
  if (who === undefined) return { caller: undefined, signingRegion: undefined };
  if (isFailure(who)) throw authError(who);
  if (bucket && route.op !== 'CreateBucket') checkRegion(route, bucket, who.auth.region);
  const mode = req.headers['x-amz-content-sha256'];
  if (typeof mode !== 'string') throw invalidRequest('Missing required header for this request: x-amz-content-sha256');
  const failure = checkSignature(account, req, who, { s3PathStyle: true, payloadHash: mode });
  if (failure) throw authError(failure);
  return { caller: who.caller, signingRegion: who.auth.region };
}

/** A request signed for another region than the bucket's: HeadBucket 301; us-east-1 (the global endpoint) 301; others 400. */
function checkRegion(route: S3Route, bucket: BucketState, signing: string): void {
  if (signing === bucket.region) return;
  const headers = { 'x-amz-bucket-region': bucket.region };
  if (route.op === 'HeadBucket' || signing === 'us-east-1') {
    throw new S3Error(
      301,
      'PermanentRedirect',
      'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      { Endpoint: `${bucket.name}.s3.${bucket.region}.amazonaws.com`, Bucket: bucket.name },
      headers,
    );
  }
  throw new S3Error(
    400,
    'AuthorizationHeaderMalformed',
    `The authorization header is malformed; the region '${signing}' is wrong; expecting '${bucket.region}'`,
    { Region: bucket.region },
    headers,
  );
}

function authError(f: AuthFailure): S3Error {
  switch (f.kind) {
    case 'malformed':
      return new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; ${f.message}`);
    case 'unknownKey':
      return new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: f.accessKeyId });
    case 'wrongService':
      return new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; incorrect service "${f.got}". This endpoint belongs to "${f.expected}".`);
    case 'mismatch':
      return new S3Error(403, 'SignatureDoesNotMatch', f.message, {
        AWSAccessKeyId: f.accessKeyId,
        StringToSign: f.stringToSign,
        CanonicalRequest: f.canonicalRequest,
      });
  }
}
