// S3 checks on the bucket itself: existence and region, CORS (rule and a real preflight), the key folder, anonymous listing, expiry.
import { resolve as urlResolve } from 'node:url';
import { type CorsRule, CORS_METHODS, corsRuleCovers } from '../policy.js';
import { folderExpiry, lifecycleRuleId, readLifecycle } from '../lifecycle.js';
import { isAwsError, awsHttpStatus } from '../services/aws.js';
import type { DoctorFacts } from './facts.js';
import { type FixContext, runSetup, setVarsCommand, setupCommand } from './fixes.js';
import { bucketOfUrl } from './heroku.js';
import { anonymousFetch } from './probe.js';
import { type Check, type Outcome, SkipCheck, fail, pass, settle, skip, warn } from './runner.js';

/** s3.bucket — HeadBucket (operator, ExpectedBucketOwner = the account): exists, is yours, its region. */
export function bucketCheck(f: DoctorFacts): Check {
  return {
    id: 's3.bucket',
    run: async () => {
      const b = await f.bucket();
      const fix: FixContext = { ...f.fix, bucket: b.name };
      if (b.denied) {
        return fail(
          `${b.name} exists but belongs to another AWS account, or your credentials may not use it (HeadBucket 403)`,
          `Bucket names are global: choose your own with \`${setupCommand({ ...fix, bucket: undefined }, ['--bucket <new-name>'])}\`, or run doctor with the credentials of the bucket's account.`,
        );
      }
      if (!b.exists) {
        const vars = await settle(f.vars());
        const url = vars.ok ? vars.value.S3_COMPOSEDVIDEO_URL : undefined;
        const urlBucket = url ? bucketOfUrl(url, f.inputs.endpoints.s3) : undefined;
        const create = runSetup(fix, `creates ${b.name} with everything archiving needs`);
        return fail(
          `${b.name} does not exist`,
          urlBucket && urlBucket !== b.name && !f.inputs.bucketFlag
            ? `If the archives belong in ${urlBucket} (the bucket S3_COMPOSEDVIDEO_URL addresses): ${setVarsCommand(f.fix, { S3_BUCKET_NAME: urlBucket })}. Otherwise: ${create}`
            : create,
        );
      }
      const id = await settle(f.identity());
      return pass(`${b.name} in ${b.region}${id.ok ? `, owned by account ${id.value.account}` : ''}`);
    },
  };
}

export interface Preflight {
  origin: string;
  status?: number;
  allowOrigin?: string | null;
  error?: string;
}

/** The origin a preflight is sent from: a configured origin, or any site when `*` is allowed. */
export function preflightOrigins(origins: string[]): string[] {
  return origins.map((o) => (o === '*' ? 'https://example.com' : o.replace('*', 'app')));
}

/** What an existing rule set lacks for GET/POST/PUT from the origins with any header, in words. */
export function corsGap(rules: CorsRule[], origins: string[]): string {
  const forOrigin = rules.filter((r) => origins.every((o) => (r.AllowedOrigins ?? []).some((a) => a === '*' || a === o)));
  if (forOrigin.length === 0) return `no rule allows the origin${origins.length > 1 ? 's' : ''} ${origins.join(', ')}`;
  const best = forOrigin[0]!;
  const methods = (best.AllowedMethods ?? []).map((m) => m.toUpperCase());
  const lacking = CORS_METHODS.filter((m) => !methods.includes(m));
  if (lacking.length > 0) return `the rule for ${origins.join(', ')} allows ${methods.join('/') || 'no method'} but not ${lacking.join('/')}`;
  return `the rule for ${origins.join(', ')} does not allow every request header (AllowedHeader *)`;
}

/** Verdict on the bucket's CORS rules (undefined: unreadable) and the preflights a browser would send. */
export function judgeCors(rules: CorsRule[] | undefined | 'unreadable', origins: string[], preflights: Preflight[], fix: FixContext): Outcome {
  const originText = origins.join(', ');
  const repair = runSetup(fix, `adds the rule GET/POST/PUT from ${originText} (existing rules are kept)`, origins.includes('*') ? [] : origins.map((o) => `--cors-origin ${o}`));
  if (rules === undefined) return fail('the bucket has no CORS configuration: browsers cannot upload or fetch archives from another origin', repair);
  if (rules !== 'unreadable' && !rules.some((r) => corsRuleCovers(r, origins))) return fail(corsGap(rules, origins), repair);
  const broken = preflights.find((p) => p.status !== 200 || !(p.allowOrigin === '*' || p.allowOrigin === p.origin));
  if (broken) {
    const got = broken.error ? `failed (${broken.error})` : broken.status !== 200 ? `answered ${broken.status}` : `answered without Access-Control-Allow-Origin for ${broken.origin}`;
    return fail(`a preflight OPTIONS (PUT from ${broken.origin}) ${got}`, repair);
  }
  const note = rules === 'unreadable' ? ' (rules unreadable with your credentials; preflight checked)' : '';
  return pass(`GET/POST/PUT allowed from ${originText}; preflight PUT from ${preflights.map((p) => p.origin).join(', ')} → 200${note}`);
}

/** s3.cors — GetBucketCors (operator) and an anonymous preflight OPTIONS to `<bucket URL>/<apiKey>/…`. */
export function corsCheck(f: DoctorFacts): Check {
  return {
    id: 's3.cors',
    run: async () => {
      const base = await f.bucketBaseUrl();
      const target = urlResolve(base, `${f.inputs.apiKey}/ib-archive-doctor-preflight.mp4`);
      const { GetBucketCorsCommand } = await import('@aws-sdk/client-s3');
      const readRules = f
        .s3Read('read the CORS configuration (s3:GetBucketCORS)', async (s3, b) => {
          try {
            return (await s3.send(new GetBucketCorsCommand({ Bucket: b.name }), { abortSignal: f.signal })).CORSRules as CorsRule[] | undefined;
          } catch (err) {
            if (isAwsError(err, 'NoSuchCORSConfiguration')) return undefined;
            throw err;
          }
        })
        .catch((err: unknown) => {
          if (err instanceof SkipCheck) return 'unreadable' as const;
          throw err;
        });
      const preflight = async (origin: string): Promise<Preflight> => {
        const r = await anonymousFetch(f, target, {
          method: 'OPTIONS',
          headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type' },
        });
        return { origin, status: r.status, allowOrigin: r.headers?.get('access-control-allow-origin'), error: r.error };
      };
      const [rules, preflights] = await Promise.all([readRules, Promise.all(preflightOrigins(f.inputs.corsOrigins).map(preflight))]);
      return judgeCors(rules, f.inputs.corsOrigins, preflights, f.fix);
    },
  };
}

/** s3.folder — HeadObject `<apiKey>/` (operator). */
export function folderCheck(f: DoctorFacts): Check {
  return {
    id: 's3.folder',
    run: async () => {
      const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
      const key = `${f.inputs.apiKey}/`;
      const found = await f.s3Read(`read ${key} (s3:GetObject)`, async (s3, b) => {
        try {
          await s3.send(new HeadObjectCommand({ Bucket: b.name, Key: key }), { abortSignal: f.signal });
          return true;
        } catch (err) {
          if (awsHttpStatus(err) === 404 || isAwsError(err, 'NotFound', 'NoSuchKey')) return false;
          throw err;
        }
      });
      const b = await f.liveBucket();
      if (found) return pass(`s3://${b.name}/${key} exists`);
      return fail(
        `the folder ${key} is missing in ${b.name}`,
        `${runSetup(f.fix, `creates ${key}`)} Or: aws s3api put-object --bucket ${b.name} --key ${key}`,
      );
    },
  };
}

/** s3.not-listable — anonymous GET `<bucket URL>?list-type=2` must be refused. */
export function notListableCheck(f: DoctorFacts): Check {
  return {
    id: 's3.not-listable',
    run: async () => {
      const base = await f.bucketBaseUrl();
      const b = await f.liveBucket();
      const r = await anonymousFetch(f, `${base}?list-type=2&max-keys=1`);
      if (r.status === 403) return pass('anonymous listing is refused (403)');
      if (r.status === 200) {
        return warn(
          'anyone can list the bucket, and so every archive link',
          `Remove the statement that grants s3:ListBucket to "*" from the bucket policy: aws s3api get-bucket-policy --bucket ${b.name} --query Policy --output text > policy.json, edit it, then aws s3api put-bucket-policy --bucket ${b.name} --policy file://policy.json`,
        );
      }
      return skip(`could not tell: anonymous listing ${r.error ? `failed (${r.error})` : `answered ${r.status}${r.code ? ` ${r.code}` : ''}`}`);
    },
  };
}

/** Verdict on the bucket's lifecycle rules for `<apiKey>/`: both answers pass, saying how long archives stay. */
export function judgeLifecycle(rules: Parameters<typeof folderExpiry>[0], apiKey: string): Outcome {
  const expiry = folderExpiry(rules, apiKey);
  if (!expiry) return pass(`archives are kept until deleted (no lifecycle rule expires ${apiKey}/)`);
  const rule = expiry.ruleId === lifecycleRuleId(apiKey) ? `ib-archive's rule ${expiry.ruleId}` : `the bucket's rule ${expiry.ruleId ?? '(unnamed)'}`;
  return pass(`archives expire after ${expiry.days} day${expiry.days === 1 ? '' : 's'} (${rule})`);
}

/** s3.lifecycle — GetBucketLifecycleConfiguration (operator): how long the archives under `<apiKey>/` stay. */
export function lifecycleCheck(f: DoctorFacts): Check {
  return {
    id: 's3.lifecycle',
    run: async () => {
      const rules = await f.s3Read('read the lifecycle rules (s3:GetLifecycleConfiguration)', (_s3, b) => readLifecycle(f.services.aws, b.name, b.region, f.signal));
      return judgeLifecycle(rules, f.inputs.apiKey);
    },
  };
}
