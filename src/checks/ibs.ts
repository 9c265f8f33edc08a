// Doctor for the IBS backend (interactive-broadcast-api): its one var BUCKET_URL, and the key OpenTok's storage names.
import { parseJson } from '../services/opentok.js';
import { bucketOfUrl, bucketUrl, bucketUrlProblem } from '../s3url.js';
import type { BucketFact, DoctorFacts } from './facts.js';
import { CONFIGURE_OPENTOK, type FixContext, runSetup, setVarsCommand, unsetVarsCommand } from './fixes.js';
import { type Outcome, SkipCheck, fail, pass, warn } from './runner.js';

/** The AWS keys a classic app holds, which the IBS backend never reads. */
const UNUSED_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

export interface BucketUrlInput {
  vars: Record<string, string | undefined>;
  bucketFlag?: string;
  /** HeadBucket's answer on the bucket under check, when known. */
  bucket?: BucketFact;
  endpoint?: string;
  /** The bucket OpenTok's storage uploads to, when it could be read. */
  storageBucket?: string;
  fix: FixContext;
}

/** Is BUCKET_URL there, this bucket in its real region, without a trailing slash; does the app still carry unused AWS keys. */
export function judgeBucketUrl(input: BucketUrlInput): Outcome {
  const { vars, bucketFlag, endpoint, fix } = input;
  const url = vars.BUCKET_URL?.trim() || undefined;
  const urlBucket = url ? bucketOfUrl(url, endpoint) : undefined;
  const bucket = bucketFlag ?? urlBucket;
  const real = input.bucket?.exists && !input.bucket.denied && input.bucket.name === bucket ? input.bucket : undefined;
  const wanted = real ? bucketUrl(real.name, real.region, endpoint) : undefined;
  let fixText = wanted ? setVarsCommand(fix, { BUCKET_URL: wanted }) : runSetup({ ...fix, bucket: fix.bucket ?? bucket }, 'sets BUCKET_URL for the bucket');
  let problem: string | undefined;
  if (!url) problem = 'BUCKET_URL is not set: the IBS backend needs it to link archives';
  else if (bucketFlag && urlBucket !== bucketFlag) problem = `BUCKET_URL ${url} addresses ${urlBucket ? `bucket ${urlBucket}` : 'no S3 bucket'}, not ${bucketFlag} (--bucket)`;
  else if (input.storageBucket && urlBucket && input.storageBucket !== urlBucket) {
    problem = `BUCKET_URL ${url} addresses bucket ${urlBucket}, while OpenTok uploads the archives to ${input.storageBucket} (opentok.storage)`;
    fixText = [
      `If the archives belong in ${input.storageBucket}: ${runSetup({ ...fix, bucket: input.storageBucket, explicitBucket: true }, `sets BUCKET_URL for ${input.storageBucket}`)}`,
      `If they belong in ${urlBucket}: ${runSetup({ ...fix, bucket: urlBucket, explicitBucket: true }, "points the project's archive storage at it", CONFIGURE_OPENTOK)}`,
    ].join('\n');
  } else if (real) {
    const wrong = bucketUrlProblem(url, real.name, real.region, endpoint);
    if (wrong) problem = `BUCKET_URL ${url} ${wrong}`;
  } else if (/\/+$/.test(url)) {
    problem = `BUCKET_URL ${url} ends with "/": the backend joins \`\${BUCKET_URL}/<apiKey>/…\`, and S3 reads the "//" as another key`;
    fixText = setVarsCommand(fix, { BUCKET_URL: url.replace(/\/+$/, '') });
  } else if (!urlBucket) problem = `BUCKET_URL ${url} addresses no S3 bucket`;

  const leftover = UNUSED_KEYS.filter((n) => vars[n]?.trim());
  const unused = leftover.length > 0 ? `the app still carries ${leftover.join(' and ')}, which the IBS backend never reads (only OpenTok writes to the bucket, with its own copy of the key)` : undefined;
  const unset = unsetVarsCommand(fix, leftover);
  if (problem) return fail(unused ? `${problem}; ${unused}` : problem, unused ? `${fixText}\n${unset}` : fixText);
  const fine = real ? `BUCKET_URL ${url} addresses ${real.name} in ${real.region}` : `BUCKET_URL ${url} is set`;
  return unused ? warn(`${fine}; ${unused}`, unset) : pass(fine);
}

/** OpenTok's archive target as the storage reads it back (never its secret). */
export interface StorageTargetView {
  bucket?: string;
  accessKey: string;
  endpoint?: string;
}

/** The key OpenTok's storage names (GET …/archive/storage), or a skip saying why it cannot be known. */
export async function storageTarget(f: DoctorFacts): Promise<StorageTargetView> {
  if (!f.services.opentok) throw new SkipCheck("no API secret: the key under test is the one OpenTok's storage names; pass --api-secret (or OPENTOK_API_SECRET)");
  const answer = await f.storageAnswer();
  if (answer.status === 401 || answer.status === 403) throw new SkipCheck('OpenTok refused the key and secret (opentok.credentials)');
  if (answer.status === 404) throw new SkipCheck(`project ${f.inputs.apiKey} has no archive storage, so no key to check (opentok.storage)`);
  const json = answer.status === 200 ? parseJson(answer.body) : undefined;
  if (!json) throw new SkipCheck(`the OpenTok API does not read the archive storage back (GET answered ${answer.status}), so the key it uses cannot be checked`);
  const config = (json.config ?? {}) as Record<string, unknown>;
  if (json.type !== 's3' || typeof config.accessKey !== 'string' || !config.accessKey) throw new SkipCheck(`the project's archive storage is not Amazon S3 with an access key (opentok.storage)`);
  return {
    accessKey: config.accessKey,
    bucket: typeof config.bucket === 'string' ? config.bucket : undefined,
    endpoint: typeof config.endpoint === 'string' ? config.endpoint : undefined,
  };
}
