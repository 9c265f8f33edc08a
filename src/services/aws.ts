// AWS SDK clients (loaded on first use), endpoint overrides, debug logging and error translation.
import type { S3Client } from '@aws-sdk/client-s3';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import { CloudError } from '../errors.js';
import { REQUEST_TIMEOUT_MS } from './retry.js';
import { partitionOfRegion } from '../partitions.js';

export interface AwsKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Custom AWS endpoints (AWS_ENDPOINT_URL_S3…); undefined means AWS itself. */
export interface AwsEndpoints {
  s3?: string;
  iam?: string;
  sts?: string;
}

export interface AwsClientOptions {
  /** The region the run works in: IAM and STS are called in the global region of its partition. */
  region?: string;
  profile?: string;
  /** The operator's static credentials; otherwise the SDK's default chain (with `profile`). */
  credentials?: AwsKey & { sessionToken?: string };
  endpoints: AwsEndpoints;
  /** Called with a one-line summary of every HTTP attempt (for --debug). */
  onRequest?: (line: string) => void;
  /** Time limit of one HTTP attempt (the SDK retries a timed-out attempt). */
  requestTimeoutMs?: number;
}

export interface AwsClients {
  /** S3 client signing for `region` with the operator's credentials (or `key`). */
  s3(region: string, key?: AwsKey): Promise<S3Client>;
  /** IAM; `maxAttempts` 1 for a call that must not be retried blindly (CreateAccessKey). */
  iam(maxAttempts?: number): Promise<IAMClient>;
  /** STS with the operator's credentials, or `key`; `maxAttempts` 1 for polling a new key. */
  sts(key?: AwsKey, maxAttempts?: number): Promise<STSClient>;
}

type AnyClient = S3Client | IAMClient | STSClient;

function addDebugLogging(client: AnyClient, service: string, onRequest?: (line: string) => void): void {
  if (!onRequest) return;
  type Handler = (args: { request: unknown }) => Promise<{ response: unknown; output: unknown }>;
  const stack = client.middlewareStack as unknown as {
    add(mw: (next: Handler, context: { commandName?: string }) => Handler, options: { step: 'deserialize'; name: string }): void;
  };
  stack.add(
    (next, context) => async (args) => {
      const started = Date.now();
      const request = args.request as { method?: string; path?: string } | undefined;
      try {
        const out = await next(args);
        const status = (out.response as { statusCode?: number }).statusCode;
        onRequest(`${service} ${context.commandName} ${request?.method ?? ''} ${request?.path ?? ''} → ${status} (${Date.now() - started} ms)`);
        return out;
      } catch (err) {
        const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
        onRequest(`${service} ${context.commandName} ${request?.method ?? ''} ${request?.path ?? ''} → ${e.$metadata?.httpStatusCode ?? '-'} ${e.name ?? 'error'} (${Date.now() - started} ms)`);
        throw err;
      }
    },
    { step: 'deserialize', name: 'ibArchiveDebugLog' },
  );
}

/** Where a partition's global services (IAM, STS's global endpoint) are, per the SDK's partition table. */
export function globalRegion(region: string | undefined): string {
  return partitionOfRegion(region).globalRegion;
}

/** Lazily built, cached AWS clients configured from the CLI's inputs. */
export function createAwsClients(opts: AwsClientOptions): AwsClients {
  const cache = new Map<string, Promise<AnyClient>>();
  const timeout = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const common = (key?: AwsKey) => ({
    requestHandler: { connectionTimeout: Math.min(timeout, 5_000), requestTimeout: timeout, throwOnRequestTimeout: true },
    ...(key ? { credentials: key } : opts.credentials ? { credentials: opts.credentials } : opts.profile ? { profile: opts.profile } : {}),
  });
  const memo = <T extends AnyClient>(id: string, make: () => Promise<T>): Promise<T> => {
    let hit = cache.get(id);
    if (!hit) {
      hit = make();
      cache.set(id, hit);
    }
    return hit as Promise<T>;
  };
  return {
    s3: (region, key) =>
      memo(`s3:${region}:${key?.accessKeyId ?? ''}`, async () => {
        const { S3Client } = await import('@aws-sdk/client-s3');
        const client = new S3Client({
          region,
          ...common(key),
          ...(opts.endpoints.s3 ? { endpoint: opts.endpoints.s3, forcePathStyle: true } : {}),
        });
        addDebugLogging(client, 'S3', opts.onRequest);
        return client;
      }),
    iam: (maxAttempts) =>
      memo(`iam:${maxAttempts ?? ''}`, async () => {
        const { IAMClient } = await import('@aws-sdk/client-iam');
        const client = new IAMClient({
          region: globalRegion(opts.region),
          ...common(),
          ...(maxAttempts ? { maxAttempts } : {}),
          ...(opts.endpoints.iam ? { endpoint: opts.endpoints.iam } : {}),
        });
        addDebugLogging(client, 'IAM', opts.onRequest);
        return client;
      }),
    sts: (key, maxAttempts) =>
      memo(`sts:${key?.accessKeyId ?? ''}:${maxAttempts ?? ''}`, async () => {
        const { STSClient } = await import('@aws-sdk/client-sts');
        const client = new STSClient({
          region: globalRegion(opts.region),
          ...common(key),
          ...(maxAttempts ? { maxAttempts } : {}),
          ...(opts.endpoints.sts ? { endpoint: opts.endpoints.sts } : {}),
        });
        addDebugLogging(client, 'STS', opts.onRequest);
        return client;
      }),
  };
}

/** The AWS error code (`NoSuchBucket`, `AccessDenied`…) of an SDK error, or its name. */
export function awsErrorCode(err: unknown): string {
  const e = err as { Code?: string; name?: string; code?: string };
  return e?.Code ?? e?.name ?? e?.code ?? 'Error';
}

export function awsHttpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** A response header of a failed SDK call (e.g. x-amz-bucket-region on a 301). */
export function awsErrorHeader(err: unknown, name: string): string | undefined {
  const headers = (err as { $response?: { headers?: Record<string, string> } })?.$response?.headers;
  if (!headers) return undefined;
  const hit = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return hit ? headers[hit] : undefined;
}

export function isAwsError(err: unknown, ...codes: string[]): boolean {
  return codes.includes(awsErrorCode(err));
}

const CREDENTIAL_CODES = ['InvalidClientTokenId', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'UnrecognizedClientException', 'ExpiredToken', 'ExpiredTokenException', 'InvalidToken'];

export function isBadCredentials(err: unknown): boolean {
  return isAwsError(err, ...CREDENTIAL_CODES);
}

export function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET'].includes(code ?? '');
}

/** Turns an unexpected SDK failure of `what` into a CloudError with the AWS code and message. */
export function awsFailure(what: string, err: unknown, fix?: string): CloudError {
  if (err instanceof CloudError) return err;
  const code = awsErrorCode(err);
  const status = awsHttpStatus(err);
  if (code === 'CredentialsProviderError' || /Could not load credentials/i.test(String((err as Error)?.message))) {
    return new CloudError(
      `${what}: no AWS credentials found.`,
      'aws_no_credentials',
      'Configure credentials with `aws configure`, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile <name>.',
      { cause: err },
    );
  }
  if (isBadCredentials(err)) {
    return new CloudError(
      `${what}: AWS rejected the credentials (${code}).`,
      'aws_bad_credentials',
      'Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the --profile you use (`aws sts get-caller-identity` shows whose they are).',
      { cause: err },
    );
  }
  if (isNetworkError(err)) {
    return new CloudError(`${what}: could not reach AWS (${(err as { code?: string }).code}).`, 'aws_unreachable', 'Check your network connection and any AWS_ENDPOINT_URL* settings, then re-run.', { cause: err });
  }
  const message = (err as Error)?.message && (err as Error).message !== code ? `: ${(err as Error).message}` : '';
  return new CloudError(
    `${what} failed: ${code}${status ? ` (HTTP ${status})` : ''}${message}`,
    code === 'AccessDenied' ? 'aws_access_denied' : 'aws_error',
    fix ?? (code === 'AccessDenied' ? 'The AWS credentials in use lack the permission for this call; use an administrator profile (--profile).' : 'Re-run the command; it resumes where it stopped.'),
    { cause: err },
  );
}
