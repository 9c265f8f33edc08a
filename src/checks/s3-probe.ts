// S3 checks through the probe object: the app's key can write under <apiKey>/, and anyone can read it through the app's URL.
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import { bucketArn, parsePolicy, policyAllowsPublic } from '../policy.js';
import { awsErrorCode, awsHttpStatus, isAwsError } from '../services/aws.js';
import type { DoctorFacts } from './facts.js';
import { type FixContext, newKeyFix, runSetup, setVarsCommand } from './fixes.js';
import { type Deletion, type FetchResult, type Probe, type ProbeUpload, describeFetch, fetchOk } from './probe.js';
import { type Check, type Outcome, SkipCheck, fail, pass, settle, skip, warn } from './runner.js';

/** Verdict on the PUT made with the app's key. */
export function judgeUpload(up: ProbeUpload, bucketExists: boolean | undefined, appKeyId: string | undefined, fix: FixContext): Outcome {
  const where = `s3://${up.bucket}/${up.key}`;
  if (up.by === 'app') return pass(`the app's key ${appKeyId} wrote ${where}, as OpenTok does`);
  const err = up.appError;
  if (err instanceof SkipCheck) return skip(err.message);
  if (bucketExists === false || isAwsError(err, 'NoSuchBucket')) return skip(`bucket ${up.bucket} does not exist (s3.bucket)`);
  if (isAwsError(err, 'InvalidAccessKeyId')) return fail(`S3 does not know the app's key ${appKeyId} (InvalidAccessKeyId): it was deleted or deactivated`, newKeyFix(fix));
  if (isAwsError(err, 'SignatureDoesNotMatch')) return fail(`the app's AWS_SECRET_ACCESS_KEY is not the secret of ${appKeyId} (SignatureDoesNotMatch)`, newKeyFix(fix));
  if (isAwsError(err, 'AccessDenied') || awsHttpStatus(err) === 403) {
    return fail(`the app's key ${appKeyId} may not write to s3://${up.bucket}/${fix.apiKey}/ (AccessDenied)`, runSetup(fix, `restores the key's policy (s3:PutObject on ${up.bucket})`));
  }
  const status = awsHttpStatus(err);
  return fail(`uploading with the app's key failed: ${awsErrorCode(err)}${status ? ` (HTTP ${status})` : ''}`, 'Re-run ib-archive doctor; --debug shows the request and answer.');
}

export interface PublicReadInput {
  up: ProbeUpload;
  app?: FetchResult;
  canonical?: FetchResult;
  /** The bucket's own base URL (what S3_COMPOSEDVIDEO_URL should be; BUCKET_URL without the "/"). */
  canonicalBase?: string;
  /** The var the app links archives with: S3_COMPOSEDVIDEO_URL (classic, the default) or BUCKET_URL (ibs). */
  linkVar?: 'S3_COMPOSEDVIDEO_URL' | 'BUCKET_URL';
  /** Does the bucket policy let anyone GET the probe? undefined: unknown. */
  policyAllows?: boolean;
  /** Bucket-level Block Public Access makes a public policy ineffective (RestrictPublicBuckets). */
  blockRestricts?: boolean;
  accountId?: string;
  profile?: string;
}

/** Verdict on the anonymous GETs of the probe. */
export function judgePublicRead(i: PublicReadInput, fix: FixContext): Outcome {
  const { up, app, canonical } = i;
  const linkVar = i.linkVar ?? 'S3_COMPOSEDVIDEO_URL';
  const via = up.by !== 'operator' ? '' : linkVar === 'BUCKET_URL' ? ' (probe written with your credentials)' : " (probe written with your credentials, as the app's key could not)";
  if (fetchOk(app, up.body)) return pass(`anyone can read ${up.key} at ${app!.url}${via}`);
  if (fetchOk(canonical, up.body) && i.canonicalBase) {
    const base = linkVar === 'BUCKET_URL' ? i.canonicalBase.replace(/\/$/, '') : i.canonicalBase;
    const setUrl = setVarsCommand(fix, { [linkVar]: base });
    if (!app) return fail(`${linkVar} is not set, so the app cannot link archives (the bucket serves them at ${base})`, setUrl);
    return fail(`archive links break: ${app.url} ${describeFetch(app)}, while ${canonical!.url} serves the archive`, setUrl);
  }
  const r = canonical ?? app;
  if (!r) return skip(`no URL to read the probe from: ${linkVar} is not set and the bucket is unknown`);
  const failed = `anonymous GET ${r.url} ${describeFetch(r)}${via}`;
  if (r.status === 403) {
    if (i.policyAllows === false) {
      return fail(`${failed}: the bucket policy has no public-read statement for ${fix.apiKey}/*${i.blockRestricts ? ', and Block Public Access is on' : ''}`, runSetup(fix, `makes ${fix.apiKey}/* (only) publicly readable`));
    }
    if (i.blockRestricts) {
      return fail(
        `${failed}: Block Public Access is on for the bucket (RestrictPublicBuckets), so its public-read statement is ignored`,
        `aws s3api put-public-access-block --bucket ${up.bucket}${i.profile ? ` --profile ${i.profile}` : ''} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false`,
      );
    }
    if (i.policyAllows) {
      return fail(
        `${failed}: the bucket allows it, so Block Public Access is most likely on for the whole account`,
        `aws s3control put-public-access-block --account-id ${i.accountId ?? '<account-id>'}${i.profile ? ` --profile ${i.profile}` : ''} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false (or S3 console → Block Public Access settings for this account)`,
      );
    }
    return fail(failed, runSetup(fix, `makes ${fix.apiKey}/* (only) publicly readable`));
  }
  if (app && i.canonicalBase && !fetchOk(canonical, up.body) && canonical !== app) {
    return fail(`${failed}; the app's link ${app.url} ${describeFetch(app)}`, runSetup(fix, `repairs the bucket and ${linkVar}`));
  }
  return fail(failed, runSetup(fix, `repairs public read and ${linkVar}`));
}

/** Adds the probe's failed deletion to an outcome (it must never stay in the bucket unnoticed). */
export function withDeletion(o: Outcome, d: Deletion, up: ProbeUpload): Outcome {
  if (!d.needed || d.deleted) return o;
  const rm = `aws s3 rm s3://${up.bucket}/${up.key}`;
  const note = `; the probe could not be deleted (${d.error ?? 'unknown error'})`;
  if (o.status === 'fail' || o.status === 'warn') return { ...o, detail: o.detail + note, fix: `${o.fix}\nThen delete the probe: ${rm}` };
  return warn(o.detail + note, `Delete it: ${rm}`);
}

/** s3.upload for an ibs app (it holds no key): the probe PUT with the operator's credentials, or why it could not be made. */
async function judgeOperatorUpload(f: DoctorFacts, up: ProbeUpload): Promise<Outcome> {
  if (up.by) return pass(`wrote s3://${up.bucket}/${up.key} with your credentials (an ibs app holds no AWS key; iam.key checks the key OpenTok uploads with)`);
  if (up.operatorError === undefined) {
    const b = await settle(f.liveBucket());
    return skip(b.ok ? (up.appError as Error).message : (b.error as Error).message);
  }
  return f.operatorFailure(up.operatorError, `write s3://${up.bucket}/${f.inputs.apiKey}/ (s3:PutObject)`);
}

/** s3.upload — PutObject `<apiKey>/ib-archive-doctor-<random>.txt` with the app's key (an ibs app's: the operator's). */
export function uploadCheck(f: DoctorFacts, probe: Probe): Check {
  return {
    id: 's3.upload',
    run: async () => {
      const up = await probe.upload();
      if ((await f.appType()).type === 'ibs') return judgeOperatorUpload(f, up);
      const [bucket, key] = await Promise.all([settle(f.bucket()), settle(f.appKey())]);
      return judgeUpload(up, bucket.ok ? bucket.value.exists : undefined, key.ok ? key.value.accessKeyId : undefined, f.fix);
    },
  };
}

/** s3.public-read — anonymous GET of the app's link to "<apiKey>/<probe>" (S3_COMPOSEDVIDEO_URL or BUCKET_URL); then the probe is deleted. */
export function publicReadCheck(f: DoctorFacts, probe: Probe): Check {
  return {
    id: 's3.public-read',
    run: async () => {
      const up = await probe.upload();
      if (!up.by) {
        const b = await settle(f.liveBucket());
        return skip(b.ok ? 'no probe could be uploaded to read back (s3.upload)' : (b.error as Error).message);
      }
      const read = await probe.readBack();
      const ibs = (await f.appType()).type === 'ibs';
      const input: PublicReadInput = { up, ...read, profile: f.inputs.profile, linkVar: ibs ? 'BUCKET_URL' : 'S3_COMPOSEDVIDEO_URL' };
      if (!fetchOk(read.app, up.body) && !fetchOk(read.canonical, up.body)) Object.assign(input, await diagnosePublicRead(f, up));
      return withDeletion(judgePublicRead(input, f.fix), await probe.cleanup(), up);
    },
  };
}

/** Why anonymous reads are refused: the bucket policy and Block Public Access (operator reads, only on failure). */
async function diagnosePublicRead(f: DoctorFacts, up: ProbeUpload): Promise<Partial<PublicReadInput>> {
  const { GetBucketPolicyCommand, GetPublicAccessBlockCommand } = await import('@aws-sdk/client-s3');
  const [policy, block, id] = await Promise.all([
    settle(
      f.s3Read('read the bucket policy (s3:GetBucketPolicy)', async (s3, b) => {
        try {
          const text = (await s3.send(new GetBucketPolicyCommand({ Bucket: b.name }), { abortSignal: f.signal })).Policy;
          return policyAllowsPublic(text ? parsePolicy(text) : undefined, 's3:GetObject', `${bucketArn(b.name, b.region)}/${up.key}`);
        } catch (err) {
          if (isAwsError(err, 'NoSuchBucketPolicy')) return false;
          throw err;
        }
      }),
    ),
    settle(
      f.s3Read('read Block Public Access (s3:GetBucketPublicAccessBlock)', async (s3, b) => {
        try {
          return (await s3.send(new GetPublicAccessBlockCommand({ Bucket: b.name }), { abortSignal: f.signal })).PublicAccessBlockConfiguration;
        } catch (err) {
          if (isAwsError(err, 'NoSuchPublicAccessBlockConfiguration')) return undefined;
          throw err;
        }
      }),
    ),
    settle(f.identity()),
  ]);
  const pab: PublicAccessBlockConfiguration | undefined = block.ok ? block.value : undefined;
  return {
    policyAllows: policy.ok ? policy.value : undefined,
    blockRestricts: block.ok ? Boolean(pab?.RestrictPublicBuckets) : undefined,
    accountId: id.ok ? id.value.account : undefined,
  };
}
