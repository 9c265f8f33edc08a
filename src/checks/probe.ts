// The probe object: written under <apiKey>/ with the app's key as OpenTok would, read anonymously through the app's URL, always deleted.
import { randomBytes } from 'node:crypto';
import { resolve as urlResolve } from 'node:url';
import { appLink } from '../archives/links.js';
import { awsErrorCode, awsHttpStatus } from '../services/aws.js';
import type { DoctorFacts } from './facts.js';
import { SkipCheck, once, settle } from './runner.js';

export interface ProbeUpload {
  bucket: string;
  key: string;
  /** The object name inside `<apiKey>/`. */
  name: string;
  body: string;
  /** Whose PUT succeeded: the app's key, or (to keep the public-read check accurate) the operator's. */
  by?: 'app' | 'operator';
  appError?: unknown;
  operatorError?: unknown;
  /** A PUT succeeded or ended without an answer: the object must be deleted. */
  mayExist: boolean;
}

export interface FetchResult {
  url: string;
  status?: number;
  body?: string;
  /** S3's error code from an XML error body. */
  code?: string;
  /** Network failure or abort. */
  error?: string;
}

export interface ReadBack {
  /** GET of the app's link to "<apiKey>/<probe>" (url.resolve(S3_COMPOSEDVIDEO_URL, …) or `${BUCKET_URL}/…`), as it links archives. */
  app?: FetchResult;
  /** GET through the bucket's own base URL, made when the app's link fails (tells a bad URL from a private bucket). */
  canonical?: FetchResult;
  canonicalBase?: string;
}

export interface Deletion {
  needed: boolean;
  deleted: boolean;
  error?: string;
}

export const fetchOk = (r: FetchResult | undefined, body: string): boolean => r?.status === 200 && r.body === body;

export function describeFetch(r: FetchResult): string {
  if (r.error) return `failed (${r.error})`;
  return `answered ${r.status}${r.code ? ` ${r.code}` : ''}`;
}

/** Anonymous HTTP request, never throwing: what a browser or player would get. */
export async function anonymousFetch(facts: DoctorFacts, url: string, init: RequestInit = {}): Promise<FetchResult & { headers?: Headers }> {
  const started = facts.services.now();
  try {
    const res = await facts.services.fetch(url, { ...init, signal: facts.signal });
    const body = await res.text();
    facts.services.debug(`anonymous ${init.method ?? 'GET'} ${url} → ${res.status} (${facts.services.now() - started} ms)`);
    return { url, status: res.status, body, code: body.match(/<Code>([^<]+)<\/Code>/)?.[1], headers: res.headers };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const error = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timed out' : e.cause?.code ?? e.message;
    facts.services.debug(`anonymous ${init.method ?? 'GET'} ${url} → ${error}`);
    return { url, error };
  }
}

/** One probe per run: upload → anonymous read-back → deletion, each step awaited by the checks that need it. */
export class Probe {
  constructor(private readonly facts: DoctorFacts) {}

  /** PutObject `<apiKey>/ib-archive-doctor-<random>.txt` with the app's key (the operator's if that fails). */
  readonly upload = once(async (): Promise<ProbeUpload> => {
    const f = this.facts;
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const name = `ib-archive-doctor-${randomBytes(6).toString('hex')}.txt`;
    const up: ProbeUpload = {
      bucket: await f.bucketName(),
      key: `${f.inputs.apiKey}/${name}`,
      name,
      body: `ib-archive doctor probe, safe to delete (${new Date(f.services.now()).toISOString()})\n`,
      mayExist: false,
    };
    const put = (s3: import('@aws-sdk/client-s3').S3Client, Bucket: string) =>
      s3.send(new PutObjectCommand({ Bucket, Key: up.key, Body: up.body, ContentType: 'text/plain' }), { abortSignal: f.signal });
    const noAnswer = (err: unknown) => awsHttpStatus(err) === undefined;
    const [appKey, operator] = await Promise.all([settle(f.appKey()), settle(f.identity())]);
    if (!operator.ok) return { ...up, appError: new SkipCheck('your AWS credentials do not work, so a probe could not be deleted afterwards (aws.identity)') };
    if (appKey.ok) {
      try {
        await f.retryNewKey(() => f.s3Early(put, appKey.value), ['InvalidAccessKeyId']);
        return Object.assign(up, { by: 'app' as const, mayExist: true });
      } catch (err) {
        up.appError = err;
        up.mayExist ||= noAnswer(err);
      }
    } else {
      up.appError = appKey.error;
    }
    const bucket = await settle(f.liveBucket());
    if (!bucket.ok) return up;
    try {
      await put(await f.services.aws.s3(bucket.value.region), up.bucket);
      return Object.assign(up, { by: 'operator' as const, mayExist: true });
    } catch (err) {
      up.operatorError = err;
      up.mayExist ||= noAnswer(err);
      return up;
    }
  });

  /** Fetches the probe anonymously through the app's URL, and through the bucket's own URL when that fails. */
  readonly readBack = once(async (): Promise<ReadBack> => {
    const f = this.facts;
    const up = await this.upload();
    if (!up.by) return {};
    const [vars, type] = await Promise.all([settle(f.vars()), f.appType()]);
    const relative = `${f.inputs.apiKey}/${up.name}`;
    const link = vars.ok ? appLink(vars.value, type.type, relative) : undefined;
    const result: ReadBack = {};
    if (link) result.app = await anonymousFetch(f, link);
    if (fetchOk(result.app, up.body)) return result;
    const canonicalBase = await settle(f.bucketBaseUrl());
    if (!canonicalBase.ok) return result;
    result.canonicalBase = canonicalBase.value;
    const url = urlResolve(canonicalBase.value, relative);
    result.canonical = url === result.app?.url ? result.app : await anonymousFetch(f, url);
    return result;
  });

  /** DeleteObject with the operator's credentials (the app's key has no s3:DeleteObject), after the read-back. */
  readonly cleanup = once(async (): Promise<Deletion> => {
    const f = this.facts;
    await settle(this.readBack());
    const up = await settle(this.upload());
    if (!up.ok || !up.value.mayExist) return { needed: false, deleted: false };
    const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    const bucket = await settle(f.bucket());
    const region = bucket.ok ? bucket.value.region : await f.regionGuess();
    try {
      const s3 = await f.services.aws.s3(region);
      await s3.send(new DeleteObjectCommand({ Bucket: up.value.bucket, Key: up.value.key }), { abortSignal: AbortSignal.timeout(f.inputs.timeoutMs) });
      return { needed: true, deleted: true };
    } catch (err) {
      return { needed: true, deleted: false, error: awsErrorCode(err) };
    }
  });
}
