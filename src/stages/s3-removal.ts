// teardown, S3: the project's public-read prefix, lifecycle rule and folder; ib-archive's CORS rule and the Block Public
// Access relaxation once no other project uses the bucket. Archives and the bucket: src/stages/archives-removal.ts.
import type { CORSRule } from '@aws-sdk/client-s3';
import { lifecycleRuleId, mergeExpiry, writeLifecycle } from '../lifecycle.js';
import type { PlannedStep } from '../plan.js';
import { CORS_RULE_ID, type PolicyDocument, isPublicPrincipal, list, publicReadSid } from '../policy.js';
import { awsFailure } from '../services/aws.js';
import { archivesStep, bucketStep } from './archives-removal.js';
import { FULL_BLOCK } from './s3-public.js';
import type { StepId } from '../steps.js';
import type { Stage } from './stage.js';
import { type TeardownContext, type TeardownS3, sharedNote } from './teardown-context.js';

type S3RemovalContext = Pick<TeardownContext, 'aws' | 'inputs' | 'bucket' | 'reads' | 'deps'>;

const S3_REMOVAL_STEPS: StepId[] = ['s3.policy', 's3.public-access-block', 's3.cors', 's3.lifecycle', 's3.folder', 's3.archives', 's3.bucket'];

/** S3: HeadBucket, the bucket's CORS, folder, Block Public Access, policy, lifecycle (+ tags, archives) → the removals. */
export const s3RemovalStage: Stage<S3RemovalContext, TeardownS3> = {
  readStep: 's3.bucket',
  inspect: (ctx) => ctx.reads.s3(),
  plan: (ctx, state) => {
    const region = state.bucket.region;
    const policy = withoutProject(state.policy, ctx.inputs.apiKey);
    if (!state.bucket.exists) return S3_REMOVAL_STEPS.map((id) => ({ id, after: [], status: 'unchanged', detail: `bucket ${ctx.bucket} does not exist` }));
    return [
      policyStep(ctx, region, policy),
      blockStep(ctx, region, state, policy),
      corsStep(ctx, region, state),
      lifecycleStep(ctx, region, state),
      folderStep(ctx, region, state),
      archivesStep(ctx, state),
      bucketStep(ctx, state),
    ];
  },
};

/** The policy without the project's prefix in its public-read statement (which goes when empty); undefined: nothing of ours. */
export function withoutProject(policy: PolicyDocument | undefined, apiKey: string): PolicyDocument | undefined {
  const ours = policy?.Statement.find((s) => s.Sid === publicReadSid(apiKey));
  if (!policy || !ours) return undefined;
  const kept = list(ours.Resource).filter((r) => !r.endsWith(`/${apiKey}/*`));
  const Statement = policy.Statement.flatMap((s) => (s !== ours ? [s] : kept.length ? [{ ...s, Resource: kept.length === 1 ? kept[0]! : kept }] : []));
  return { ...policy, Statement };
}

/** PutBucketPolicy without the project's statement, or DeleteBucketPolicy when no statement remains. */
function policyStep({ aws, bucket: Bucket, inputs }: S3RemovalContext, region: string, next: PolicyDocument | undefined): PlannedStep {
  const what = `public read of ${inputs.apiKey}/*`;
  if (!next) return { id: 's3.policy', after: [], status: 'unchanged', detail: `${what}: none` };
  const left = next.Statement.length;
  return {
    id: 's3.policy',
    after: [],
    status: left === 0 ? 'deleted' : 'updated',
    detail: left === 0 ? `${what} (the bucket policy goes: no statement remains)` : `${what}, ${left} other statement(s) kept`,
    apply: async () => {
      const { DeleteBucketPolicyCommand, PutBucketPolicyCommand } = await import('@aws-sdk/client-s3');
      const s3 = await aws.s3(region);
      try {
        if (left === 0) await s3.send(new DeleteBucketPolicyCommand({ Bucket }));
        else await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(next) }));
      } catch (err) {
        throw awsFailure(`Removing the public-read statement of ${inputs.apiKey} from the policy of ${Bucket}`, err);
      }
    },
  };
}

/** PutPublicAccessBlock with all four flags on, once no other project remains and no public statement is left. */
function blockStep({ aws, bucket: Bucket }: S3RemovalContext, region: string, state: TeardownS3, next: PolicyDocument | undefined): PlannedStep {
  const after: PlannedStep['after'] = ['s3.policy'];
  const block = state.publicAccessBlock;
  const full = block && Object.keys(FULL_BLOCK).every((k) => block[k as keyof typeof FULL_BLOCK] === true);
  if (!block || full) return { id: 's3.public-access-block', after, status: 'unchanged', detail: block ? 'fully on' : 'not set on the bucket (left as it is)' };
  if (state.others.length > 0) return { id: 's3.public-access-block', after, status: 'unchanged', detail: sharedNote(state.others) };
  const remaining = (next ?? state.policy)?.Statement ?? [];
  const publicLeft = remaining.filter((s) => s.Effect === 'Allow' && isPublicPrincipal(s.Principal));
  if (publicLeft.length > 0) return { id: 's3.public-access-block', after, status: 'unchanged', detail: `kept relaxed: ${publicLeft.length} other public statement(s) remain` };
  return {
    id: 's3.public-access-block',
    after,
    status: 'updated',
    detail: 'back to fully on (no public statement remains)',
    apply: async () => {
      const { PutPublicAccessBlockCommand } = await import('@aws-sdk/client-s3');
      try {
        await (await aws.s3(region)).send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: FULL_BLOCK }));
      } catch (err) {
        throw awsFailure(`Restoring Block Public Access on ${Bucket}`, err);
      }
    },
  };
}

/** PutBucketCors without ib-archive's rule (others stay), or DeleteBucketCors when none remains. */
function corsStep({ aws, bucket: Bucket }: S3RemovalContext, region: string, state: TeardownS3): PlannedStep {
  const rules = state.cors ?? [];
  const kept = rules.filter((r) => r.ID !== CORS_RULE_ID);
  if (kept.length === rules.length) return { id: 's3.cors', after: [], status: 'unchanged', detail: `no ${CORS_RULE_ID} rule` };
  if (state.others.length > 0) return { id: 's3.cors', after: [], status: 'unchanged', detail: sharedNote(state.others) };
  return {
    id: 's3.cors',
    after: [],
    status: 'deleted',
    detail: `the ${CORS_RULE_ID} rule${kept.length ? `, ${kept.length} other rule(s) kept` : ' (the CORS configuration goes: no rule remains)'}`,
    apply: async () => {
      const { DeleteBucketCorsCommand, PutBucketCorsCommand } = await import('@aws-sdk/client-s3');
      try {
        const s3 = await aws.s3(region);
        if (kept.length === 0) await s3.send(new DeleteBucketCorsCommand({ Bucket }));
        else await s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: kept as CORSRule[] } }));
      } catch (err) {
        throw awsFailure(`Removing the ${CORS_RULE_ID} CORS rule of ${Bucket}`, err);
      }
    },
  };
}

/** PutBucketLifecycleConfiguration without the project's rule (DeleteBucketLifecycle when none remains). */
function lifecycleStep({ aws, bucket: Bucket, inputs }: S3RemovalContext, region: string, state: TeardownS3): PlannedStep {
  const rules = mergeExpiry(state.lifecycle, inputs.apiKey, 0);
  if (!rules) return { id: 's3.lifecycle', after: [], status: 'unchanged', detail: `no ${lifecycleRuleId(inputs.apiKey)} rule` };
  return {
    id: 's3.lifecycle',
    after: [],
    status: 'deleted',
    detail: `the ${lifecycleRuleId(inputs.apiKey)} rule${rules.length ? `, ${rules.length} other rule(s) kept` : ''}`,
    apply: () => writeLifecycle(aws, Bucket, region, rules),
  };
}

/** DeleteObject `<apiKey>/`: the project's folder marker (its archives are s3.archives' business). */
function folderStep({ aws, bucket: Bucket, inputs }: S3RemovalContext, region: string, state: TeardownS3): PlannedStep {
  const marker = `${inputs.apiKey}/`;
  if (!state.folderExists) return { id: 's3.folder', after: [], status: 'unchanged', detail: `no ${marker} marker` };
  return {
    id: 's3.folder',
    after: [],
    status: 'deleted',
    detail: `the ${marker} marker`,
    apply: async () => {
      const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
      try {
        await (await aws.s3(region)).send(new DeleteObjectCommand({ Bucket, Key: marker }));
      } catch (err) {
        throw awsFailure(`Deleting the folder marker ${marker} of ${Bucket}`, err);
      }
    },
  };
}
