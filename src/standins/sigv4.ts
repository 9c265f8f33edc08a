// AWS Signature Version 4 (header form) parsing and verification, computed from the request as received.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { StandInRequest } from './serve.js';

export interface ParsedAuthorization {
  accessKeyId: string;
  /** yyyymmdd of the credential scope. */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export type SigV4Problem =
  | { kind: 'malformed'; message: string }
  | { kind: 'mismatch'; message: string; canonicalRequest: string; stringToSign: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** The access key id named by an Authorization header, without checking anything else. */
export function authorizationKeyId(header: string | undefined): string | undefined {
  return header ? /Credential=([^/,\s]+)\//.exec(header)?.[1] : undefined;
}

/** Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`; returns a message when malformed. */
export function parseAuthorization(header: string): ParsedAuthorization | { error: string } {
  if (!header.startsWith(ALGORITHM + ' ')) return { error: `Unsupported Authorization Type` };
  const parts = new Map<string, string>();
  for (const piece of header.slice(ALGORITHM.length + 1).split(',')) {
    const eq = piece.indexOf('=');
    if (eq > 0) parts.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
  }
  const credential = parts.get('Credential');
  const signedHeaders = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    return { error: "the Credential, SignedHeaders and Signature parameters are required" };
  }
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    return { error: `a non-empty Access Key (AKID) must be provided in the credential scope '${credential}'` };
  }
  const [accessKeyId, date, region, service] = scope as [string, string, string, string];
  if (!/^\d{8}$/.test(date)) return { error: `incorrect date format '${date}'. This date in the credential must be in the format "yyyyMMdd".` };
  if (!/^[0-9a-f]{64}$/.test(signature)) return { error: 'the Signature must be 64 hex characters' };
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

/** Options that differ between S3 and the other services. */
export interface VerifyOptions {
  /** S3 signs the path as sent; other services normalise and encode it again. */
  s3PathStyle: boolean;
  /** The hex SHA-256 (or literal like UNSIGNED-PAYLOAD) that goes on the last line of the canonical request. */
  payloadHash: string;
}

/** Recomputes the signature of `req` with `secret` and compares it; undefined when it matches. */
export function verifySignature(
  req: StandInRequest,
  auth: ParsedAuthorization,
  secret: string,
  opts: VerifyOptions,
): SigV4Problem | undefined {
  const amzDate = headerValue(req, 'x-amz-date');
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate)) {
    return { kind: 'malformed', message: 'AWS authentication requires a valid Date or x-amz-date header' };
  }
  if (!auth.signedHeaders.includes('host')) {
    return { kind: 'malformed', message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." };
  }
  if (amzDate.slice(0, 8) !== auth.date) {
    return {
      kind: 'malformed',
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    };
  }
  const canonicalRequest = [
    req.method,
    opts.s3PathStyle ? req.path : normalisedPath(req.path),
    canonicalQuery(req.query),
    ...auth.signedHeaders.map((h) => `${h}:${canonicalHeaderValue(headerValue(req, h) ?? '')}`),
    '',
    auth.signedHeaders.join(';'),
    opts.payloadHash,
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${secret}`, auth.date);
  for (const part of [auth.region, auth.service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length === expected.length && timingSafeEqual(given, expected)) return undefined;
  return {
    kind: 'mismatch',
    message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    canonicalRequest,
    stringToSign,
  };
}

/** Hex SHA-256 of a string or bytes. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** RFC 3986 encoding as SigV4 wants it (everything but unreserved characters). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function headerValue(req: StandInRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function canonicalHeaderValue(value: string): string {
  return value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').trim();
}

function canonicalQuery(query: URLSearchParams): string {
  const pairs: [string, string][] = [];
  for (const [k, v] of query) {
    if (k === 'X-Amz-Signature') continue;
    pairs.push([uriEncode(k), uriEncode(v)]);
  }
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function normalisedPath(path: string): string {
  const segments: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const joined = `/${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return uriEncode(joined).replace(/%2F/g, '/');
}
