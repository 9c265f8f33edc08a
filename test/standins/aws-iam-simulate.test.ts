import { AttachUserPolicyCommand, CreateUserCommand, PutUserPolicyCommand, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { iamUserPolicy } from '../../src/policy.js';
import { sdkError, useAws, type AwsFixture } from './aws-fixture.js';

let appArn: string;
const f = useAws(async (aws: AwsFixture) => {
  await aws.iam().send(new CreateUserCommand({ UserName: 'app', Path: '/ib/' }));
  await aws.iam().send(new PutUserPolicyCommand({ UserName: 'app', PolicyName: 'ib-archive-s3', PolicyDocument: JSON.stringify(iamUserPolicy('bkt', 'us-east-1')) }));
  appArn = `arn:aws:iam::${aws.aws.accountId}:user/ib/app`;
});

const simulate = (ActionNames: string[], ResourceArns?: string[], extra: Record<string, unknown> = {}) =>
  f.iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: appArn, ActionNames, ResourceArns, ...extra }));

describe('SimulatePrincipalPolicy', () => {
  it("evaluates the user's inline policy: allowed with the matching policy, implicitDeny for what it does not grant", async () => {
    const out = await simulate(['s3:PutObject', 's3:PutLifecycleConfiguration'], ['arn:aws:s3:::bkt/1234/a/archive.mp4']);
    expect(out.IsTruncated).toBe(false);
    const [put, lifecycle] = out.EvaluationResults ?? [];
    expect(put).toMatchObject({
      EvalActionName: 's3:PutObject',
      EvalResourceName: 'arn:aws:s3:::bkt/1234/a/archive.mp4',
      EvalDecision: 'allowed',
      MatchedStatements: [{ SourcePolicyId: 'ib-archive-s3', SourcePolicyType: 'user' }],
    });
    expect(put?.ResourceSpecificResults).toEqual([
      expect.objectContaining({ EvalResourceName: 'arn:aws:s3:::bkt/1234/a/archive.mp4', EvalResourceDecision: 'allowed' }),
    ]);
    expect(lifecycle).toMatchObject({ EvalActionName: 's3:PutLifecycleConfiguration', EvalDecision: 'implicitDeny' });
    expect(lifecycle?.MatchedStatements ?? []).toEqual([]);
  });

  it('answers one result per action, with the most restrictive decision on top and each resource below', async () => {
    const [result] = (await simulate(['s3:PutObject'], ['arn:aws:s3:::bkt/1234/x', 'arn:aws:s3:::other-bucket/x'])).EvaluationResults ?? [];
    expect(result?.EvalDecision).toBe('implicitDeny');
    expect(result?.EvalResourceName).toBe('arn:aws:s3:::other-bucket/x');
    expect(result?.ResourceSpecificResults?.map((r) => [r.EvalResourceName, r.EvalResourceDecision])).toEqual([
      ['arn:aws:s3:::bkt/1234/x', 'allowed'],
      ['arn:aws:s3:::other-bucket/x', 'implicitDeny'],
    ]);
  });

  it('an explicit Deny wins over an attached managed Allow; without ResourceArns the resource is *', async () => {
    await f.iam().send(new AttachUserPolicyCommand({ UserName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' }));
    const before = (await simulate(['s3:DeleteBucket'])).EvaluationResults?.[0];
    expect(before).toMatchObject({ EvalResourceName: '*', EvalDecision: 'allowed', MatchedStatements: [{ SourcePolicyId: 'AmazonS3FullAccess', SourcePolicyType: 'aws-managed' }] });
    expect(before?.ResourceSpecificResults).toBeUndefined();
    const deny = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:Delete*', Resource: '*' }] });
    await f.iam().send(new PutUserPolicyCommand({ UserName: 'app', PolicyName: 'no-deletes', PolicyDocument: deny }));
    const after = (await simulate(['s3:DeleteBucket'])).EvaluationResults?.[0];
    expect(after).toMatchObject({ EvalDecision: 'explicitDeny', MatchedStatements: [{ SourcePolicyId: 'no-deletes', SourcePolicyType: 'user' }] });
  });

  it('adds the policies of PolicyInputList, and refuses a malformed one', async () => {
    const extra = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetBucketTagging', Resource: 'arn:aws:s3:::bkt' }] });
    const out = await simulate(['s3:GetBucketTagging'], ['arn:aws:s3:::bkt'], { PolicyInputList: [extra] });
    expect(out.EvaluationResults?.[0]).toMatchObject({ EvalDecision: 'allowed', MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'none' }] });
    const bad = await sdkError(simulate(['s3:GetObject'], undefined, { PolicyInputList: ['{"Statement": ['] }));
    expect(bad.name).toBe('MalformedPolicyDocumentException');
  });

  it('pages the results with MaxItems and Marker', async () => {
    const actions = ['s3:GetObject', 's3:PutObject', 's3:ListBucket'];
    const first = await simulate(actions, undefined, { MaxItems: 2 });
    expect(first.IsTruncated).toBe(true);
    const rest = await simulate(actions, undefined, { MaxItems: 2, Marker: first.Marker });
    expect([...(first.EvaluationResults ?? []), ...(rest.EvaluationResults ?? [])].map((r) => r.EvalActionName)).toEqual(actions);
    expect(rest.IsTruncated).toBe(false);
  });

  it.each<[string, string, string, number]>([
    ['an unknown user', 'arn:aws:iam::ACCOUNT:user/nobody', 'NoSuchEntityException', 404],
    ['a user ARN with the wrong path', 'arn:aws:iam::ACCOUNT:user/app', 'NoSuchEntityException', 404],
    ['a role (none exist here)', 'arn:aws:iam::ACCOUNT:role/r', 'NoSuchEntityException', 404],
    ['something that is not an IAM ARN', 'arn:aws:s3:::bkt', 'InvalidInputException', 400],
  ])('refuses %s', async (_, arn, name, status) => {
    const err = await sdkError(f.iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: arn.replace('ACCOUNT', f.aws.accountId), ActionNames: ['s3:GetObject'] })));
    expect(err.name).toBe(name);
    expect(err.$metadata.httpStatusCode).toBe(status);
  });

  it('needs iam:SimulatePrincipalPolicy on the user, like any other call', async () => {
    await f.iam().send(new CreateUserCommand({ UserName: 'auditor' }));
    const key = f.aws.control.createAccessKey('auditor');
    const call = () => f.iam(key).send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: appArn, ActionNames: ['s3:PutObject'] }));
    const denied = await sdkError(call());
    expect(denied.name).toBe('AccessDenied');
    expect(denied.message).toContain(`is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${appArn}`);
    const grant = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: appArn }] });
    await f.iam().send(new PutUserPolicyCommand({ UserName: 'auditor', PolicyName: 'simulate', PolicyDocument: grant }));
    expect((await call()).EvaluationResults?.[0]?.EvalDecision).toBe('implicitDeny');
    expect(f.recorder.requests.at(-1)).toMatchObject({ operation: 'SimulatePrincipalPolicy', write: false });
  });
});
