// iam.key's judges: whose key the app holds, whether its user is the dedicated one, and what its policies allow.
import { describe, expect, it } from 'vitest';
import { type KeyContext, judgeKeyScope, keyScopeOutcome } from '../../src/checks/iam.js';
import { broadGrant, dedicatedNames, missingVonageGrants, notDedicated } from '../../src/checks/key-scope.js';
import { iamUserPolicy } from '../../src/policy.js';

const ACCOUNT = '123456789012';
const userArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const scoped = { attached: [], inline: { 'ib-archive-s3': iamUserPolicy('archives', 'eu-west-1') } };

function context(over: Partial<KeyContext> = {}): KeyContext {
  return {
    keyId: 'AKIAEXAMPLE',
    caller: { account: ACCOUNT, arn: userArn('ib-archive-my-ib') },
    operator: { account: ACCOUNT, arn: userArn('ops') },
    app: 'my-ib',
    bucket: 'archives',
    region: 'eu-west-1',
    apiKey: '46000000',
    reading: { policies: scoped, tags: {} },
    fix: { apiKey: '46000000', app: 'my-ib', bucket: 'archives' },
    ...over,
  };
}

describe('judgeKeyScope', () => {
  it('passes the dedicated user with the policy setup writes', () => {
    expect(judgeKeyScope(context())).toEqual([]);
    expect(keyScopeOutcome(context(), true)).toEqual({ status: 'pass', detail: 'AKIAEXAMPLE is an active key of IAM user ib-archive-my-ib, limited by ib-archive-s3' });
  });
  it('warns on a root key, and on nothing else then', () => {
    const f = judgeKeyScope(context({ caller: { account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root` }, reading: undefined }));
    expect(f).toHaveLength(1);
    expect(f[0]!.detail).toMatch(/root key of account 123456789012/);
    expect(f[0]!.fix).toMatch(/deactivate the root key/);
  });
  it("warns when the app holds the operator's own key", () => {
    const f = judgeKeyScope(context({ caller: { account: ACCOUNT, arn: userArn('ops') }, operator: { account: ACCOUNT, arn: userArn('ops') } }));
    expect(f[0]!.detail).toMatch(/your own identity's key \(arn:aws:iam::123456789012:user\/ops, as aws.identity\)/);
    expect(f[0]!.fix).toMatch(/creates a dedicated IAM user/);
  });
  it('warns on a user that is neither named as the dedicated one nor tagged ib-archive:managed', () => {
    const f = judgeKeyScope(context({ caller: { account: ACCOUNT, arn: userArn('deploy') } }));
    expect(f.map((x) => x.detail)).toEqual([expect.stringMatching(/deploy is not the app's dedicated user: it is not named ib-archive-my-ib or ib-archive-archives .*not tagged ib-archive:managed/)]);
    expect(judgeKeyScope(context({ caller: { account: ACCOUNT, arn: userArn('deploy') }, reading: { policies: scoped, tags: { 'ib-archive:managed': 'true' } } }))).toEqual([]);
  });
  it('with --iam-user, the key must be that user', () => {
    expect(judgeKeyScope(context({ iamUser: 'ib-archive-my-ib' }))).toEqual([]);
    const f = judgeKeyScope(context({ iamUser: 'archiver' }));
    expect(f[0]!.detail).toMatch(/ib-archive-my-ib is not archiver \(--iam-user\)/);
    expect(f[0]!.fix).toMatch(/--iam-user archiver/);
  });
  it('warns on broad policies', () => {
    const admin = judgeKeyScope(context({ reading: { policies: { attached: ['AdministratorAccess'], inline: {} }, tags: {} } }));
    expect(admin.map((x) => x.detail)).toEqual([expect.stringMatching(/has the managed policy AdministratorAccess: a leaked key could do far more/)]);
    const s3 = judgeKeyScope(context({ reading: { policies: { attached: [], inline: { all: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::archives/*' }] } } } } }));
    expect(s3[0]!.detail).toMatch(/inline policy all \(allows s3:\* on arn:aws:s3:::archives\/\*\)/);
  });
  it('warns, with a fix, when the policies cannot be read', () => {
    const f = judgeKeyScope(context({ reading: { unreadable: 'your credentials may not read them: AccessDenied' } }));
    expect(f[0]!.detail).toMatch(/policies of IAM user ib-archive-my-ib could not be read \(your credentials may not read them: AccessDenied\)/);
    expect(f[0]!.fix).toMatch(/--profile <admin>.*aws iam list-user-policies --user-name ib-archive-my-ib/);
  });
  it('warns when the policies lack what Vonage documents, naming each grant', () => {
    const old = { Statement: [{ Effect: 'Allow' as const, Action: ['s3:PutObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::archives', 'arn:aws:s3:::archives/*'] }] };
    const f = judgeKeyScope(context({ reading: { policies: { attached: [], inline: { 'ib-archive-s3': old } }, tags: {} } }));
    expect(f.map((x) => x.detail)).toEqual([expect.stringMatching(/lacks what Vonage documents for archive uploads: s3:ListAllMyBuckets on arn:aws:s3:::\*; OpenTok's "Connect to cloud storage" fails without it$/)]);
    expect(f[0]!.fix).toMatch(/^Run `ib-archive setup .*--iam-user ib-archive-my-ib .*`: it writes the ib-archive-s3 policy/);
    expect(judgeKeyScope(context({ region: undefined, reading: { policies: { attached: [], inline: { 'ib-archive-s3': old } }, tags: {} } }))).toEqual([]);
    const none = judgeKeyScope(context({ reading: { policies: { attached: ['Custom'], inline: {}, managed: { Custom: { Statement: [] } } }, tags: {} } }));
    expect(none[0]!.detail).toMatch(/s3:ListAllMyBuckets on arn:aws:s3:::\*, s3:ListBucket on arn:aws:s3:::archives, s3:PutObject on arn:aws:s3:::archives\/\*;/);
  });
  it('judges attached managed policies by their documents, and warns when one cannot be read', () => {
    const managedGrant = { attached: ['ArchiveWriter'], inline: {}, managed: { ArchiveWriter: iamUserPolicy('archives', 'eu-west-1') } };
    expect(judgeKeyScope(context({ reading: { policies: managedGrant, tags: {} } }))).toEqual([]);
    const wide = { attached: ['Ops'], inline: {}, managed: { Ops: { Statement: [{ Effect: 'Allow' as const, Action: 's3:*', Resource: '*' }] } } };
    expect(judgeKeyScope(context({ reading: { policies: wide, tags: {} } }))[0]!.detail).toMatch(/has the managed policy Ops \(allows s3:\* on \*\)/);
    const unread = judgeKeyScope(context({ reading: { policies: { ...scoped, attached: ['Mystery'], unread: ['Mystery'] }, tags: {} } }));
    expect(unread.map((x) => x.detail)).toEqual([expect.stringMatching(/attached policies Mystery of IAM user ib-archive-my-ib could not be read/)]);
    expect(unread[0]!.fix).toMatch(/iam:GetPolicy, iam:GetPolicyVersion/);
  });
  it('gathers every finding into one warning with each fix once', () => {
    const out = keyScopeOutcome(context({ caller: { account: ACCOUNT, arn: userArn('deploy') }, reading: { policies: { attached: ['AmazonS3FullAccess'], inline: {} } } }), true);
    expect(out.status).toBe('warn');
    expect(out.detail).toMatch(/deploy is not the app's dedicated user.*\(its tags could not be read\); IAM user deploy has the managed policy AmazonS3FullAccess/);
    expect(out.fix!.split('\n')).toHaveLength(1);
  });
});

describe('the pieces', () => {
  it('dedicated names: the default, and the ib-archive-<bucket> that setup has made', () => {
    expect(dedicatedNames('my-ib', 'ib-archive-46000000')).toEqual(['ib-archive-my-ib', 'ib-archive-46000000', 'ib-archive-ib-archive-46000000']);
    expect(dedicatedNames(undefined, 'archives')).toEqual(['ib-archive-archives']);
    expect(notDedicated('ib-archive-ib-archive-46000000', { names: dedicatedNames('my-ib', 'ib-archive-46000000') }, undefined)).toBeUndefined();
  });
  it('broad grants: NotAction allows, iam:* anywhere; a scoped policy is not broad', () => {
    expect(broadGrant({ attached: [], inline: { x: { Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' } as never] } } })).toMatch(/every action except iam:\*/);
    expect(broadGrant({ attached: [], inline: { x: { Statement: [{ Effect: 'Allow', Action: 'IAM:*', Resource: 'arn:aws:iam::1:user/x' }] } } })).toMatch(/IAM:\*/);
    expect(broadGrant(scoped)).toBeUndefined();
  });
  it('missing grants follow the partition and the project folder', () => {
    const cn = { attached: [], inline: { p: iamUserPolicy('archives', 'cn-northwest-1') } };
    expect(missingVonageGrants(cn, 'archives', 'cn-northwest-1', '46000000')).toEqual([]);
    expect(missingVonageGrants(scoped, 'archives', 'cn-northwest-1', '46000000')).toHaveLength(3);
    const oneProject = { attached: [], inline: { p: { Statement: [...iamUserPolicy('archives', 'eu-west-1').Statement.slice(0, 2), { Effect: 'Allow' as const, Action: 's3:PutObject', Resource: 'arn:aws:s3:::archives/46000000/*' }] } } };
    expect(missingVonageGrants(oneProject, 'archives', 'eu-west-1', '46000000')).toEqual([]);
    expect(missingVonageGrants(oneProject, 'archives', 'eu-west-1', '47000000')).toEqual(['s3:PutObject on arn:aws:s3:::archives/*']);
  });
});
