// Stage 1, S3, public read: the bucket's Block Public Access relaxed for policies only, and the statement that lets
// anyone read `<apiKey>/*` — asked for before anything changes.
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import { CloudError } from '../errors.js';
import type { Consent, PlannedStep } from '../plan.js';
import { type PolicyDocument, mergePublicRead } from '../policy.js';
import { type AwsClients, awsErrorCode, awsFailure } from '../services/aws.js';
import { withRetries } from '../services/retry.js';

/** What a bucket made by AWS today has: every public-access block on. */
export const FULL_BLOCK: PublicAccessBlockConfiguration = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

export interface PublicReadPlan {
  aws: AwsClients;
  sleep: (ms: number) => Promise<void>;
  bucket: string;
  region: string;
  apiKey: string;
  accountId: string;
  /** The bucket's block as read (a new bucket: FULL_BLOCK). */
  block?: PublicAccessBlockConfiguration;
  policy?: PolicyDocument;
}

/** The s3.public-access-block and s3.policy steps; the consent rides on the first change. */
export function publicReadSteps(p: PublicReadPlan): PlannedStep[] {
  const { aws, bucket: Bucket, region, apiKey } = p;
  const blocksPolicy = Boolean(p.block?.BlockPublicPolicy || p.block?.RestrictPublicBuckets);
  const policy = mergePublicRead(p.policy, Bucket, region, apiKey);
  const consent: Consent = {
    need: `making s3://${Bucket}/${apiKey}/* publicly readable`,
    explain: [`Objects under s3://${Bucket}/${apiKey}/ (the archives) become readable by anyone with the link; the rest of the bucket stays private and it cannot be listed.`],
    question: `Make ${apiKey}/* in ${Bucket} publicly readable (the app links archives there)?`,
    declined: 'Declined: archives must be publicly readable for the app to play them. Nothing was changed.',
  };
  const blockStep: PlannedStep = blocksPolicy
    ? {
        id: 's3.public-access-block',
        after: ['s3.bucket'],
        status: 'updated',
        detail: 'allow a public bucket policy (ACLs stay blocked)',
        consent,
        apply: async () => {
          const { PutPublicAccessBlockCommand } = await import('@aws-sdk/client-s3');
          const config = { BlockPublicAcls: p.block?.BlockPublicAcls ?? true, IgnorePublicAcls: p.block?.IgnorePublicAcls ?? true, BlockPublicPolicy: false, RestrictPublicBuckets: false };
          try {
            await (await aws.s3(region)).send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: config }));
          } catch (err) {
            throw awsFailure('Relaxing Block Public Access on the bucket', err);
          }
        },
      }
    : { id: 's3.public-access-block', after: ['s3.bucket'], status: 'unchanged', detail: 'bucket policies may grant public read' };
  const policyStep: PlannedStep = policy
    ? {
        id: 's3.policy',
        status: p.policy ? 'updated' : 'created',
        detail: `anyone may read ${apiKey}/*${p.policy ? `, ${p.policy.Statement.length} existing statement(s) kept` : ''}`,
        consent: blocksPolicy ? undefined : consent,
        apply: async () => {
          const { PutBucketPolicyCommand } = await import('@aws-sdk/client-s3');
          try {
            const client = await aws.s3(region);
            // Right after the bucket's block is lifted, S3 may still refuse a public policy for a few seconds.
            await withRetries(
              { sleep: p.sleep },
              () => client.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(policy) })),
              (err) => blocksPolicy && awsErrorCode(err) === 'AccessDenied',
              { attempts: 4, baseMs: 1000 },
            );
          } catch (err) {
            throw policyRefused(err, Bucket, p.accountId);
          }
        },
      }
    : { id: 's3.policy', status: 'unchanged', detail: `anyone may read ${apiKey}/*` };
  return [blockStep, policyStep];
}

/** PutBucketPolicy refused: most often S3 Block Public Access set for the whole account. */
function policyRefused(err: unknown, bucket: string, accountId: string): CloudError {
  if (awsErrorCode(err) !== 'AccessDenied') return awsFailure('Adding the public-read statement to the bucket policy', err);
  return new CloudError(
    `S3 refused the public-read policy on ${bucket} (AccessDenied). The bucket's own block is lifted, so Block Public Access is most likely on for the whole AWS account.`,
    'account_public_access_block',
    'Allow public bucket policies at the account level (the ACL blocks can stay on), then re-run ib-archive setup:\n' +
      `  aws s3control put-public-access-block --account-id ${accountId} \\\n` +
      '    --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false\n' +
      '(or S3 console → Block Public Access settings for this account). If it is not that, your credentials lack s3:PutBucketPolicy.',
    { cause: err },
  );
}
