// S3 error answers: `<Error><Code/><Message/>…<RequestId/><HostId/></Error>` with S3's request-id headers.
import { randomBytes } from 'node:crypto';
import type { StandInResponse } from './serve.js';
import { el, xmlDocument } from './xml.js';

/** An S3 error; `details` become extra elements (BucketName, Region, …), `headers` extra response headers. */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Headers every S3 answer carries. */
export function s3Headers(): Record<string, string> {
  return {
    'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
    'x-amz-id-2': randomBytes(48).toString('base64'),
    server: 'AmazonS3',
  };
}

/** Renders an S3Error as S3 does. */
export function s3ErrorResponse(err: S3Error): StandInResponse {
  const headers = s3Headers();
  const body = xmlDocument(
    el(
      'Error',
      el('Code', err.code),
      el('Message', err.message),
      Object.entries(err.details).map(([k, v]) => el(k, v)),
      el('RequestId', headers['x-amz-request-id']),
      el('HostId', headers['x-amz-id-2']),
    ),
  );
  return {
    status: err.status,
    headers: { ...headers, ...err.headers, 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) },
    body,
  };
}

/** 404 NoSuchBucket. */
export function noSuchBucket(name: string): S3Error {
  return new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: name });
}

/** 403 AccessDenied with the given message. */
export function accessDenied(message = 'Access Denied'): S3Error {
  return new S3Error(403, 'AccessDenied', message);
}

/** 400 MalformedXML. */
export function malformedXml(): S3Error {
  return new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
}

/** 400 InvalidRequest with a message. */
export function invalidRequest(message: string): S3Error {
  return new S3Error(400, 'InvalidRequest', message);
}
