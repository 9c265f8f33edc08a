// What an S3 operation handler receives, and helpers to build its answer.
import type { StoredObject } from './api.js';
import type { AwsAccount, BucketState, Caller } from './aws-account.js';
import type { S3Payload } from './s3-body.js';
import { s3Headers } from './s3-errors.js';
import type { StandInRequest, StandInResponse } from './serve.js';
import { xmlDocument, type Xml } from './xml.js';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** A stored object with the metadata S3 keeps beside the bytes (all optional so seeded objects work too). */
export interface S3Object extends StoredObject {
  lastModified?: Date;
  metadata?: Record<string, string>;
  acl?: string;
}

/** One authenticated (or anonymous) S3 request, routed and checked, ready for its handler. */
export interface S3Context {
  req: StandInRequest;
  /** Operation name (`PutObject`). */
  op: string;
  account: AwsAccount;
  /** Undefined for anonymous requests. */
  caller: Caller | undefined;
  /** Region from the credential scope; undefined for anonymous requests. */
  signingRegion: string | undefined;
  bucketName: string;
  bucket: BucketState | undefined;
  key: string;
  payload: S3Payload;
}

export type S3Handler = (ctx: S3Context) => StandInResponse;

/** A successful S3 answer with S3's request-id headers; XML bodies get the declaration and content type. */
export function s3Answer(status: number, headers: Record<string, string | number> = {}, body?: Xml | string | Buffer): StandInResponse {
  const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : xmlDocument(body);
  const out: Record<string, string | number> = { ...s3Headers(), ...headers };
  if (payload !== undefined) {
    if (out['content-type'] === undefined) out['content-type'] = 'application/xml';
    if (out['content-length'] === undefined) out['content-length'] = Buffer.byteLength(payload);
  } else if (out['content-length'] === undefined && status !== 204 && status !== 304) {
    out['content-length'] = 0;
  }
  return { status, headers: out, body: payload };
}

/** The bucket of a bucket- or object-level request (the dispatcher has already answered NoSuchBucket). */
export function bucketOf(ctx: S3Context): BucketState {
  if (!ctx.bucket) throw new Error(`no bucket for ${ctx.req.method} ${ctx.req.path}`);
  return ctx.bucket;
}

/** Reads one request header as a string. */
export function headerOf(ctx: S3Context, name: string): string | undefined {
  const v = ctx.req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
