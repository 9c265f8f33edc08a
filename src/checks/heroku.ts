// Heroku checks: the app's config vars (the source of truth) and whether they fit the bucket (classic's four, ibs's BUCKET_URL).
import { VAR_NAMES } from '../vars.js';
import { bucketOfUrl, composedVideoUrl, composedVideoUrlProblem } from '../s3url.js';

export { bucketOfUrl };
import type { BucketFact, DoctorFacts } from './facts.js';
import { judgeBucketUrl, storageTarget } from './ibs.js';
import { type FixContext, runSetup, setVarsCommand } from './fixes.js';
import { type Check, type Outcome, fail, pass, settle, skip } from './runner.js';

export interface VarsInput {
  vars: Record<string, string | undefined>;
  bucketFlag?: string;
  /** HeadBucket's answer on the bucket under check, when known. */
  bucket?: BucketFact;
  endpoint?: string;
  fix: FixContext;
}

/** Are the four vars there, does S3_COMPOSEDVIDEO_URL end with `/` and address the bucket in its real region, does S3_BUCKET_NAME match. */
export function judgeVars(input: VarsInput): Outcome {
  const { vars, bucketFlag, endpoint } = input;
  const value = (name: string) => vars[name]?.trim() || undefined;
  const problems: string[] = [];
  const sets: Record<string, string> = {};
  let needSetup = false;

  const missing = VAR_NAMES.filter((n) => !value(n));
  if (missing.length > 0) problems.push(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`);
  if (missing.includes('AWS_ACCESS_KEY_ID') || missing.includes('AWS_SECRET_ACCESS_KEY')) needSetup = true;

  const name = value('S3_BUCKET_NAME');
  const url = value('S3_COMPOSEDVIDEO_URL');
  const bucket = bucketFlag ?? name;
  if (bucketFlag && name && name !== bucketFlag) {
    problems.push(`S3_BUCKET_NAME is ${name}, not ${bucketFlag} (--bucket)`);
    sets.S3_BUCKET_NAME = bucketFlag;
  } else if (!name) {
    const fromUrl = url ? bucketOfUrl(url, endpoint) : undefined;
    if (bucket ?? fromUrl) sets.S3_BUCKET_NAME = (bucket ?? fromUrl)!;
    else needSetup = true;
  }
  const real = input.bucket?.exists && !input.bucket.denied && input.bucket.name === bucket ? input.bucket : undefined;
  const wanted = real ? composedVideoUrl(real.name, real.region, endpoint) : undefined;

  if (url && bucket) {
    const urlBucket = bucketOfUrl(url, endpoint);
    if (!bucketFlag && input.bucket && !input.bucket.exists && urlBucket && urlBucket !== bucket) {
      problems.push(`S3_BUCKET_NAME names ${bucket}, which does not exist, while S3_COMPOSEDVIDEO_URL addresses ${urlBucket}`);
      sets.S3_BUCKET_NAME = urlBucket;
    } else if (real) {
      const problem = composedVideoUrlProblem(url, real.name, real.region, endpoint);
      if (problem) {
        problems.push(`S3_COMPOSEDVIDEO_URL ${url} ${problem}`);
        sets.S3_COMPOSEDVIDEO_URL = wanted!;
      }
    } else {
      if (!url.endsWith('/')) {
        problems.push(`S3_COMPOSEDVIDEO_URL ${url} does not end with "/": url.resolve drops the bucket part and archive links break`);
        sets.S3_COMPOSEDVIDEO_URL = `${url}/`;
      }
      if (urlBucket && urlBucket !== bucket) {
        problems.push(`S3_COMPOSEDVIDEO_URL addresses bucket ${urlBucket}, not ${bucket}`);
        needSetup = true;
      }
    }
  } else if (!url) {
    if (wanted) sets.S3_COMPOSEDVIDEO_URL = wanted;
    else needSetup = true;
  }

  if (problems.length === 0) {
    return pass(real ? `all four set; S3_COMPOSEDVIDEO_URL addresses ${real.name} in ${real.region}` : 'all four set');
  }
  const fix = needSetup || Object.keys(sets).length === 0
    ? runSetup({ ...input.fix, bucket: input.fix.bucket ?? bucket }, 'sets all four vars in one release')
    : setVarsCommand(input.fix, sets);
  return fail(problems.join('; '), fix);
}

/** heroku.app — GET /apps/{app}/config-vars with the Heroku token. */
export function herokuAppCheck(f: DoctorFacts): Check {
  return {
    id: 'heroku.app',
    run: async () => {
      const type = await f.appType();
      const what = `${type.type} app: ${type.why}`;
      if (!f.inputs.app) return skip(`--no-heroku: the ${type.type === 'ibs' ? 'values' : 'four values'} come from ${f.inputs.varsFile ?? 'the environment'}; ${what}`);
      const vars = await f.vars();
      return pass(`${f.inputs.app}: ${Object.keys(vars).length} config vars read; ${what}`);
    },
  };
}

/** heroku.vars — the app's config vars (or --no-heroku values) against HeadBucket's region: classic's four, or ibs's BUCKET_URL. */
export function herokuVarsCheck(f: DoctorFacts): Check {
  return {
    id: 'heroku.vars',
    run: async () => {
      const vars = await settle(f.vars());
      if (!vars.ok) return skip("the app's config vars could not be read (heroku.app)");
      const bucket = await settle(f.bucket());
      if ((await f.appType()).type === 'ibs') {
        const storage = await settle(storageTarget(f));
        return judgeBucketUrl({
          vars: vars.value,
          bucketFlag: f.inputs.bucketFlag,
          bucket: bucket.ok ? bucket.value : undefined,
          endpoint: f.inputs.endpoints.s3,
          storageBucket: storage.ok ? storage.value.bucket : undefined,
          fix: f.fix,
        });
      }
      return judgeVars({
        vars: vars.value,
        bucketFlag: f.inputs.bucketFlag,
        bucket: bucket.ok ? bucket.value : undefined,
        endpoint: f.inputs.endpoints.s3,
        fix: f.fix,
      });
    },
  };
}
