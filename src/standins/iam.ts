// IAM stand-in (awsQuery, version 2010-05-08): users, tags, inline and managed policies, access keys.
import type { PolicyDocument } from './api.js';
import { isoSeconds, type AwsAccount, type UserState } from './aws-account.js';
import { createQueryStandIn, members, QueryError, required, type QueryAction } from './aws-query.js';
import { attachmentConflict, ATTACHMENT_ACTIONS } from './iam-attachments.js';
import {
  authorizedUser, identityPolicies, keyOwner, MANAGED_ARN_PREFIX, noSuchKey, ownedKey, policyTextOf, read, targetUser, validName, write,
} from './iam-entities.js';
import { SIMULATE_ACTIONS } from './iam-simulate.js';
import { tagParams, tagsXml, TAG_ACTIONS } from './iam-tags.js';
import { evaluateIdentity, MANAGED_POLICIES, PolicyError, policySize, validateIdentityPolicy } from './policy.js';
import type { StandIn } from './serve.js';
import { el, type XmlChild } from './xml.js';

const XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const MAX_KEYS_PER_USER = 2;
const MAX_INLINE_POLICY_BYTES = 2048;

/** Creates the IAM stand-in over the shared account. */
export function createIamStandIn(account: AwsAccount): StandIn {
  return createQueryStandIn({
    service: 'iam',
    version: '2010-05-08',
    xmlns: XMLNS,
    account,
    actions: IAM_ACTIONS,
    failureCode: 'ServiceFailure',
    allowed: (caller, action, resource) => caller.kind === 'root' || evaluateIdentity(identityPolicies(caller.user), action, resource) === 'allow',
  });
}

const IAM_ACTIONS: Record<string, QueryAction> = {
  ...TAG_ACTIONS,
  ...SIMULATE_ACTIONS,
  ...ATTACHMENT_ACTIONS,
  CreateUser: write((ctx) => {
    const name = validName(required(ctx.params, 'UserName'), 'userName', 64);
    const path = ctx.params.get('Path') ?? '/';
    if (!/^(\/|\/[\u0021-\u007e]+\/)$/.test(path) || path.length > 512) {
      throw new QueryError(400, 'ValidationError', `The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`);
    }
    ctx.authorize(`arn:aws:iam::${ctx.account.accountId}:user${path}${name}`);
    if (ctx.account.findUser(name)) throw new QueryError(409, 'EntityAlreadyExists', `User with name ${name} already exists.`);
    const user = ctx.account.addUser(name, path, tagParams(ctx), true);
    return [el('User', userXml(user, true))];
  }),
  GetUser: read((ctx) => {
    const name = ctx.params.get('UserName');
    if (!name && ctx.caller.kind === 'root') {
      const a = ctx.account;
      return [el('User', el('UserId', a.accountId), el('Arn', a.rootArn()), el('CreateDate', isoSeconds(a.rootCreateDate)))];
    }
    return [el('User', userXml(targetUser(ctx), true))];
  }),
  ListUsers: read((ctx) => {
    const prefix = ctx.params.get('PathPrefix') ?? '/';
    ctx.authorize(`arn:aws:iam::${ctx.account.accountId}:user/*`);
    const users = [...ctx.account.users.values()].filter((u) => u.path.startsWith(prefix));
    users.sort((a, b) => a.userName.localeCompare(b.userName));
    return [el('Users', members(users.map((u) => userXml(u, false)))), el('IsTruncated', false)];
  }),
  DeleteUser: write((ctx) => {
    const user = authorizedUser(ctx);
    if (user.keys.length > 0) throw deleteConflict('must delete access keys first.');
    if (user.policies.size > 0) throw deleteConflict('must delete policies first.');
    if (user.attachedPolicies.length > 0) throw deleteConflict('must detach all policies first.');
    const other = attachmentConflict(user);
    if (other) throw deleteConflict(other);
    ctx.account.users.delete(user.userName);
    return null;
  }),
  PutUserPolicy: write((ctx) => {
    const user = authorizedUser(ctx);
    const policyName = validName(required(ctx.params, 'PolicyName'), 'policyName', 128);
    const text = required(ctx.params, 'PolicyDocument');
    let doc: PolicyDocument;
    try {
      doc = validateIdentityPolicy(text);
    } catch (err) {
      if (err instanceof PolicyError) throw new QueryError(400, 'MalformedPolicyDocument', err.message);
      throw err;
    }
    let total = policySize(text);
    for (const [name, other] of user.policies) if (name !== policyName) total += policySize(policyTextOf(ctx, other));
    if (total > MAX_INLINE_POLICY_BYTES) {
      throw new QueryError(409, 'LimitExceeded', `Maximum policy size of ${MAX_INLINE_POLICY_BYTES} bytes exceeded for user ${user.userName}`);
    }
    ctx.account.policyText.set(doc, text);
    user.policies.set(policyName, doc);
    return null;
  }),
  GetUserPolicy: read((ctx) => {
    const user = authorizedUser(ctx);
    const policyName = required(ctx.params, 'PolicyName');
    const doc = user.policies.get(policyName);
    if (!doc) throw new QueryError(404, 'NoSuchEntity', `The user policy with name ${policyName} cannot be found.`);
    return [
      el('UserName', user.userName),
      el('PolicyName', policyName),
      el('PolicyDocument', encodeURIComponent(policyTextOf(ctx, doc))),
    ];
  }),
  ListUserPolicies: read((ctx) => {
    const user = authorizedUser(ctx);
    const names = [...user.policies.keys()].sort();
    return [el('PolicyNames', names.map((n) => el('member', n))), el('IsTruncated', false)];
  }),
  DeleteUserPolicy: write((ctx) => {
    const user = authorizedUser(ctx);
    const policyName = required(ctx.params, 'PolicyName');
    if (!user.policies.delete(policyName)) {
      throw new QueryError(404, 'NoSuchEntity', `The user policy with name ${policyName} cannot be found.`);
    }
    return null;
  }),
  AttachUserPolicy: write((ctx) => {
    const user = authorizedUser(ctx);
    const name = managedPolicyName(required(ctx.params, 'PolicyArn'));
    if (!user.attachedPolicies.includes(name)) user.attachedPolicies.push(name);
    return null;
  }),
  DetachUserPolicy: write((ctx) => {
    const user = authorizedUser(ctx);
    const arn = required(ctx.params, 'PolicyArn');
    const at = user.attachedPolicies.indexOf(arn.startsWith(MANAGED_ARN_PREFIX) ? arn.slice(MANAGED_ARN_PREFIX.length) : '');
    if (at < 0) throw new QueryError(404, 'NoSuchEntity', `Policy ${arn} was not found.`);
    user.attachedPolicies.splice(at, 1);
    return null;
  }),
  ListAttachedUserPolicies: read((ctx) => {
    const user = authorizedUser(ctx);
    const items = user.attachedPolicies.map((n) => [el('PolicyName', n), el('PolicyArn', MANAGED_ARN_PREFIX + n)]);
    return [el('AttachedPolicies', members(items)), el('IsTruncated', false)];
  }),
  CreateAccessKey: write((ctx) => {
    const user = keyOwner(ctx);
    if (user.keys.length >= MAX_KEYS_PER_USER) {
      throw new QueryError(409, 'LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS_PER_USER}`);
    }
    const key = ctx.account.addKey(user, true);
    return [
      el(
        'AccessKey',
        el('UserName', user.userName),
        el('AccessKeyId', key.accessKeyId),
        el('Status', key.status),
        el('SecretAccessKey', key.secretAccessKey),
        el('CreateDate', isoSeconds(key.createdAt)),
      ),
    ];
  }),
  ListAccessKeys: read((ctx) => {
    if (!ctx.params.get('UserName') && ctx.caller.kind === 'root') {
      const a = ctx.account;
      const items = a.rootKeys.map((k) => [el('AccessKeyId', k.accessKeyId), el('Status', 'Active'), el('CreateDate', isoSeconds(a.rootCreateDate))]);
      return [el('AccessKeyMetadata', members(items)), el('IsTruncated', false)];
    }
    const user = keyOwner(ctx);
    const items = user.keys.map((k) => [
      el('UserName', user.userName),
      el('AccessKeyId', k.accessKeyId),
      el('Status', k.status),
      el('CreateDate', isoSeconds(k.createdAt)),
    ]);
    return [el('AccessKeyMetadata', members(items)), el('IsTruncated', false)];
  }),
  UpdateAccessKey: write((ctx) => {
    const { key } = ownedKey(ctx);
    const status = required(ctx.params, 'Status');
    if (status !== 'Active' && status !== 'Inactive') {
      throw new QueryError(400, 'ValidationError', `1 validation error detected: Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`);
    }
    key.status = status;
    return null;
  }),
  DeleteAccessKey: write((ctx) => {
    const { user, key } = ownedKey(ctx);
    user.keys.splice(user.keys.indexOf(key), 1);
    return null;
  }),
  GetAccessKeyLastUsed: read((ctx) => {
    const id = required(ctx.params, 'AccessKeyId');
    const owner = [...ctx.account.users.values()].find((u) => u.keys.some((k) => k.accessKeyId === id));
    const key = owner?.keys.find((k) => k.accessKeyId === id);
    if (!owner || !key) throw noSuchKey(id);
    ctx.authorize(owner.arn);
    const used = key.lastUsed;
    return [
      el('UserName', owner.userName),
      el(
        'AccessKeyLastUsed',
        used ? el('LastUsedDate', isoSeconds(used.date)) : undefined,
        el('ServiceName', used?.service ?? 'N/A'),
        el('Region', used?.region ?? 'N/A'),
      ),
    ];
  }),
};

function userXml(u: UserState, withTags: boolean): XmlChild[] {
  return [
    el('Path', u.path),
    el('UserName', u.userName),
    el('UserId', u.userId),
    el('Arn', u.arn),
    el('CreateDate', isoSeconds(u.createDate)),
    withTags && Object.keys(u.tags).length > 0 ? el('Tags', tagsXml(u.tags)) : undefined,
  ];
}

function managedPolicyName(arn: string): string {
  const name = arn.startsWith(MANAGED_ARN_PREFIX) ? arn.slice(MANAGED_ARN_PREFIX.length) : '';
  if (!MANAGED_POLICIES[name]) throw new QueryError(404, 'NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
  return name;
}

function deleteConflict(what: string): QueryError {
  return new QueryError(409, 'DeleteConflict', `Cannot delete entity, ${what}`);
}
