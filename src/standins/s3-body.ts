// S3 request payloads: x-amz-content-sha256 modes, aws-chunked decoding with trailers, checksum and Content-MD5 checks.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { StandInRequest } from './serve.js';
import { invalidRequest, S3Error } from './s3-errors.js';
import { sha256Hex } from './sigv4.js';

/** The decoded payload and the checksums that came with it. */
export interface S3Payload {
  body: Buffer;
  /** Base64 CRC32 sent in a header or a trailer, if any. */
  crc32?: string;
  /** A Content-MD5 or x-amz-checksum-* header (or trailer) was present. */
  hasIntegrity: boolean;
}

/** Decodes and checks the body of a signed or anonymous S3 request. */
export function decodePayload(req: StandInRequest): S3Payload {
  const mode = header(req, 'x-amz-content-sha256');
  let body = req.body;
  const trailers: Record<string, string> = {};
  if (mode?.startsWith('STREAMING-')) {
    ({ body } = decodeAwsChunked(req.body, trailers));
    const declared = header(req, 'x-amz-decoded-content-length');
    if (declared !== undefined && Number(declared) !== body.length) {
      throw new S3Error(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header');
    }
  } else if (mode && /^[0-9a-f]{64}$/.test(mode) && sha256Hex(body) !== mode) {
    throw new S3Error(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", {
      ClientComputedContentSHA256: mode,
      S3ComputedContentSHA256: sha256Hex(body),
    });
  }
  const sent = (name: string): string | undefined => header(req, `x-amz-checksum-${name}`) ?? trailers[`x-amz-checksum-${name}`];
  const crc = sent('crc32');
  for (const [name, label, actual] of [
    ['crc32', 'CRC32', () => crc32Base64(body)],
    ['sha256', 'SHA256', () => createHash('sha256').update(body).digest('base64')],
    ['sha1', 'SHA1', () => createHash('sha1').update(body).digest('base64')],
  ] as const) {
    const given = sent(name);
    if (given !== undefined && given !== actual()) {
      throw new S3Error(400, 'BadDigest', `The ${label} you specified did not match the calculated checksum.`);
    }
  }
  const md5 = header(req, 'content-md5');
  if (md5 !== undefined) {
    if (Buffer.from(md5, 'base64').length !== 16) throw new S3Error(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.');
    if (createHash('md5').update(body).digest('base64') !== md5) {
      throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
  }
  const hasIntegrity =
    md5 !== undefined ||
    Object.keys(req.headers).some((h) => h.startsWith('x-amz-checksum-')) ||
    Object.keys(trailers).some((h) => h.startsWith('x-amz-checksum-'));
  return { body, crc32: crc, hasIntegrity };
}

/** Base64 of the big-endian CRC32 of the data, as the x-amz-checksum-crc32 header carries it. */
export function crc32Base64(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data) >>> 0);
  return out.toString('base64');
}

/** Decodes `hex-size[;chunk-signature=…]\r\n data \r\n … 0\r\n trailer:value\r\n \r\n`. */
export function decodeAwsChunked(raw: Buffer, trailers: Record<string, string>): { body: Buffer } {
  const parts: Buffer[] = [];
  let at = 0;
  const line = (): string => {
    const end = raw.indexOf('\r\n', at);
    if (end < 0) throw incomplete();
    const text = raw.subarray(at, end).toString('latin1');
    at = end + 2;
    return text;
  };
  for (;;) {
    const sizeText = line().split(';')[0] ?? '';
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw incomplete();
    const size = parseInt(sizeText, 16);
    if (size === 0) break;
    if (at + size + 2 > raw.length) throw incomplete();
    parts.push(raw.subarray(at, at + size));
    at += size;
    if (raw.subarray(at, at + 2).toString('latin1') !== '\r\n') throw incomplete();
    at += 2;
  }
  while (at < raw.length) {
    const text = line();
    if (text === '') break;
    const colon = text.indexOf(':');
    if (colon < 0) throw incomplete();
    trailers[text.slice(0, colon).trim().toLowerCase()] = text.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(parts) };
}

function incomplete(): S3Error {
  return invalidRequest('Invalid chunked upload: the aws-chunked body could not be decoded.');
}

function header(req: StandInRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
