// Test fixture for the AWS stand-ins: running servers, real SDK clients pointed at them, and raw signed requests.
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, beforeEach, expect } from 'vitest';
import type { AwsKey } from '../../src/standins/api.js';
import { createAwsStandIns, type AwsStandIns } from '../../src/standins/aws.js';
import { Recorder } from '../../src/standins/recorder.js';
import { startStandIn } from '../../src/standins/serve.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface AwsFixture {
  aws: AwsStandIns;
  recorder: Recorder;
  urls: { s3: string; iam: string; sts: string };
  s3(region?: string, credentials?: AwsKey, extra?: Partial<S3ClientConfig>): S3Client;
  iam(credentials?: AwsKey): IAMClient;
  sts(credentials?: AwsKey): STSClient;
  /** Signs with @smithy/signature-v4 (independently of the SDK clients) and sends with node:http. */
  signed(service: 's3' | 'iam' | 'sts', req: SignedRequest): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface RawRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface SignedRequest extends RawRequest {
  region?: string;
  credentials?: AwsKey;
  /** Service named in the credential scope (default: the service addressed). */
  signingService?: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Starts S3, IAM and STS stand-ins sharing one account and one recorder. */
export async function startAws(opts: { keyPropagationMs?: number; clock?: () => number } = {}): Promise<AwsFixture> {
  const recorder = new Recorder();
  const aws = createAwsStandIns(opts);
  const [s3, iam, sts] = await Promise.all([startStandIn(aws.s3, recorder), startStandIn(aws.iam, recorder), startStandIn(aws.sts, recorder)]);
  const clients: { destroy(): void }[] = [];
  const track = <T extends { destroy(): void }>(c: T): T => {
    clients.push(c);
    return c;
  };
  const urls = { s3: s3.url, iam: iam.url, sts: sts.url };
  return {
    aws,
    recorder,
    urls,
    s3: (region = 'us-east-1', credentials = aws.rootKey, extra = {}) =>
      track(new S3Client({ endpoint: urls.s3, forcePathStyle: true, region, credentials, maxAttempts: 1, ...extra })),
    iam: (credentials = aws.rootKey) => track(new IAMClient({ endpoint: urls.iam, region: 'us-east-1', credentials, maxAttempts: 1 })),
    sts: (credentials = aws.rootKey) => track(new STSClient({ endpoint: urls.sts, region: 'us-east-1', credentials, maxAttempts: 1 })),
    signed: (service, req) => signedRequest(urls[service], req.signingService ?? service, req.region ?? 'us-east-1', req.credentials ?? aws.rootKey, req),
    async close() {
      for (const c of clients) c.destroy();
      await Promise.all([s3.close(), iam.close(), sts.close()]);
    },
  };
}

/** Fresh stand-ins for each test of the file (seeded by `seed`), closed after it; no request may go unanswered (501). */
export function useAws(seed: (f: AwsFixture) => unknown = () => undefined): AwsFixture {
  let current: AwsFixture | undefined;
  beforeEach(async () => {
    current = await startAws();
    await seed(current);
  });
  afterEach(async () => {
    expect(current?.recorder.unknown).toEqual([]);
    await current?.close();
  });
  return new Proxy({} as AwsFixture, {
    get(_, name) {
      if (!current) throw new Error('the stand-ins run only inside a test');
      return Reflect.get(current, name);
    },
  });
}

/** Sends a request with node:http (HEAD and arbitrary headers included) and collects the answer. */
export function rawRequest(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const qs = req.query ? '?' + new URLSearchParams(req.query).toString().replace(/\+/g, '%20') : '';
  return new Promise((resolve, reject) => {
    const r = httpRequest(`${baseUrl}${req.path}${qs}`, { method: req.method, headers: req.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

async function signedRequest(baseUrl: string, service: string, region: string, credentials: AwsKey, req: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const signer = new SignatureV4({ credentials, region, service, sha256: NodeSha256, uriEscapePath: service !== 's3' });
  const signed = await signer.sign({
    method: req.method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: req.path,
    query: req.query ?? {},
    headers: { host: url.host, ...req.headers },
    body: req.body,
  });
  return rawRequest(baseUrl, { ...req, headers: signed.headers });
}

/** The error an SDK call rejects with (fails the test when it resolves). */
export async function sdkError(p: Promise<unknown>): Promise<Error & { name: string; $metadata: { httpStatusCode?: number }; $response?: { headers: Record<string, string> } } & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as never;
  }
  throw new Error('expected the call to fail');
}

/** A public-read bucket policy on `<bucket>/<prefix>*`. */
export function publicReadPolicy(bucket: string, prefix: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/${prefix}*` }],
  });
}
