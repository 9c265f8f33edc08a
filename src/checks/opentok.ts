// OpenTok checks: the key/secret pair works, and the project's archive storage is this bucket with the app's key.
import { type OpenTokApi, type StorageAnswer, parseJson } from '../services/opentok.js';
import type { DoctorFacts } from './facts.js';
import { CONFIGURE_OPENTOK, type FixContext, runSetup } from './fixes.js';
import { type Check, type Outcome, fail, pass, settle, skip } from './runner.js';

const DASHBOARD = 'https://tokbox.com/account';
export const NO_SECRET = 'no API secret: pass --api-secret (or OPENTOK_API_SECRET) to check the OpenTok project too';

/** opentok.credentials — POST /session/create (createSession) with the project's key and secret. */
export function opentokCredentialsCheck(f: DoctorFacts, api: OpenTokApi | undefined): Check {
  return {
    id: 'opentok.credentials',
    run: async () => {
      if (!api) return skip(NO_SECRET);
      await api.verifyCredentials();
      return pass(`project ${f.inputs.apiKey}: the key and secret work (createSession)`);
    },
  };
}

export type { StorageAnswer };

export interface StorageExpectation {
  bucket?: string;
  accessKeyId?: string;
  /** Custom S3 endpoint the project must use; undefined for AWS. */
  endpoint?: string;
}

/** Verdict on GET /v2/project/<apiKey>/archive/storage against the app's bucket and key. */
export function judgeStorage(answer: StorageAnswer, want: StorageExpectation, fix: FixContext): Outcome {
  const repair = runSetup(fix, "points the project's archive storage at the bucket with the app's key", CONFIGURE_OPENTOK);
  const json = parseJson(answer.body);
  if (answer.status === 401 || answer.status === 403) return skip('OpenTok refused the key and secret (opentok.credentials)');
  if (answer.status === 404 && typeof json?.message === 'string') {
    return fail(`project ${fix.apiKey} has no archive storage, so archives stay with OpenTok (${json.message})`, `${repair} Or set it in the dashboard: ${DASHBOARD}`);
  }
  if (answer.status !== 200 || !json) {
    return skip(
      `the OpenTok API does not read the archive storage back (GET answered ${answer.status}${answer.allow ? `, Allow: ${answer.allow}` : ''}); compare it in the dashboard: ${DASHBOARD} → project ${fix.apiKey} → Archiving`,
    );
  }
  const config = (json.config ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (json.type !== 's3') problems.push(`archives go to ${String(json.type)} storage, not Amazon S3`);
  else {
    if (want.bucket && config.bucket !== want.bucket) problems.push(`archives go to bucket ${String(config.bucket)}, not ${want.bucket}`);
    if (want.accessKeyId && config.accessKey !== want.accessKeyId) problems.push(`the project uses key ${String(config.accessKey)}, not the app's ${want.accessKeyId}`);
    const endpoint = typeof config.endpoint === 'string' && config.endpoint ? config.endpoint.replace(/\/+$/, '') : undefined;
    if (want.endpoint && endpoint !== want.endpoint) problems.push(`the project's S3 endpoint is ${endpoint ?? 'AWS'}, not ${want.endpoint}`);
    if (!want.endpoint && endpoint && !/amazonaws\.com/.test(endpoint)) problems.push(`the project uploads to ${endpoint}, not AWS`);
  }
  if (problems.length > 0) return fail(problems.join('; '), repair);
  const fallback = typeof json.fallback === 'string' ? `, fallback ${json.fallback}` : '';
  return pass(`project ${fix.apiKey} archives to s3://${String(config.bucket)} with key ${String(config.accessKey)}${fallback}`);
}

/** opentok.storage — GET /v2/project/<apiKey>/archive/storage, compared with the bucket and the app's key. */
export function opentokStorageCheck(f: DoctorFacts, api: OpenTokApi | undefined): Check {
  return {
    id: 'opentok.storage',
    run: async () => {
      if (!api) return skip(NO_SECRET);
      const [answer, bucket, key] = await Promise.all([f.storageAnswer(), settle(f.bucket()), settle(f.appKey())]);
      const name = bucket.ok ? (bucket.value.exists ? bucket.value.name : undefined) : await f.bucketName().catch(() => undefined);
      return judgeStorage(
        answer,
        { bucket: name, accessKeyId: key.ok ? key.value.accessKeyId : undefined, endpoint: f.inputs.endpoints.s3 },
        f.fix,
      );
    },
  };
}
