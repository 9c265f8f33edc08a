// IAM stand-in lookups shared by its action tables: users and keys by name (authorized), names, policies, common errors.
import type { PolicyDocument } from './api.js';
import type { KeyState, UserState } from './aws-account.js';
import { QueryError, required, type QueryAction, type QueryContext } from './aws-query.js';
import { MANAGED_POLICIES } from './policy.js';
import { el, type XmlChild } from './xml.js';

export const MANAGED_ARN_PREFIX = 'arn:aws:iam::aws:policy/';
const NAME_PATTERN = /^[\w+=,.@-]+$/;
const MAX_ITEMS = 1000;

/** A policy that applies to a user, named as the IAM policy simulator names it. */
export interface SourcePolicy {
  id: string;
  type: 'user' | 'aws-managed' | 'none';
  doc: PolicyDocument;
}

/** A read-only action. */
export const read = (run: QueryAction['run']): QueryAction => ({ write: false, run });
/** An action that changes state. */
export const write = (run: QueryAction['run']): QueryAction => ({ write: true, run });

/** The user's inline policies (by name) and attached AWS managed policies. */
export function sourcePolicies(user: UserState): SourcePolicy[] {
  const inline = [...user.policies].map(([id, doc]): SourcePolicy => ({ id, type: 'user', doc }));
  const managed = user.attachedPolicies.flatMap((id): SourcePolicy[] => {
    const doc = MANAGED_POLICIES[id];
    return doc ? [{ id, type: 'aws-managed', doc }] : [];
  });
  return [...inline, ...managed];
}

/** Every policy document that applies to a user: inline ones and attached managed ones. */
export function identityPolicies(user: UserState): PolicyDocument[] {
  return sourcePolicies(user).map((p) => p.doc);
}

/** Checks an IAM name (user, policy) against IAM's length and character rules. */
export function validName(name: string, member: string, max: number): string {
  if (name.length > max) {
    throw new QueryError(400, 'ValidationError', `1 validation error detected: Value '${name}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  }
  if (!NAME_PATTERN.test(name)) {
    throw new QueryError(400, 'ValidationError', `1 validation error detected: Value '${name}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`);
  }
  return name;
}

/** The user of that name, or 404 NoSuchEntity. */
export function userNamed(ctx: QueryContext, name: string): UserState {
  const user = ctx.account.findUser(name);
  if (!user) throw new QueryError(404, 'NoSuchEntity', `The user with name ${name} cannot be found.`);
  return user;
}

/** The user named by UserName (required), after checking the caller may act on it. */
export function authorizedUser(ctx: QueryContext): UserState {
  const name = validName(required(ctx.params, 'UserName'), 'userName', 128);
  ctx.authorize(ctx.account.findUser(name)?.arn ?? `arn:aws:iam::${ctx.account.accountId}:user/${name}`);
  return userNamed(ctx, name);
}

/** The user named by UserName, else the calling IAM user; authorized either way. */
export function targetUser(ctx: QueryContext): UserState {
  if (ctx.params.get('UserName') || ctx.caller.kind === 'root') return authorizedUser(ctx);
  ctx.authorize(ctx.caller.user.arn);
  return ctx.caller.user;
}

/** The user whose keys are meant (the root's own keys are not managed here). */
export function keyOwner(ctx: QueryContext): UserState {
  if (!ctx.params.get('UserName') && ctx.caller.kind === 'root') {
    throw new QueryError(400, 'ValidationError', 'Must specify userName when calling with non-User credentials');
  }
  return targetUser(ctx);
}

/** The key named by AccessKeyId among the target user's keys, or 404 NoSuchEntity. */
export function ownedKey(ctx: QueryContext): { user: UserState; key: KeyState } {
  const id = required(ctx.params, 'AccessKeyId');
  const user = keyOwner(ctx);
  const key = user.keys.find((k) => k.accessKeyId === id);
  if (!key) throw noSuchKey(id);
  return { user, key };
}

/** 404 NoSuchEntity for an access key id. */
export function noSuchKey(id: string): QueryError {
  return new QueryError(404, 'NoSuchEntity', `The Access Key with id ${id} cannot be found.`);
}

/** The original text of a stored policy document. */
export function policyTextOf(ctx: QueryContext, doc: PolicyDocument): string {
  return ctx.account.policyText.get(doc) ?? JSON.stringify(doc);
}

/** One page of a listing by MaxItems (1–1,000, default 100) and Marker, with `<IsTruncated>` and `<Marker>` to answer. */
export function pageOf<T>(ctx: QueryContext, items: T[]): { page: T[]; paging: XmlChild[] } {
  const text = ctx.params.get('MaxItems');
  const max = text === null ? 100 : Number(text);
  if (!Number.isInteger(max) || max < 1 || max > MAX_ITEMS) {
    throw new QueryError(400, 'ValidationError', `1 validation error detected: Value '${text}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_ITEMS}`);
  }
  const start = Number(ctx.params.get('Marker') ?? '0');
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw new QueryError(400, 'InvalidInput', 'Invalid Marker.');
  const truncated = start + max < items.length;
  return { page: items.slice(start, start + max), paging: [el('IsTruncated', truncated), truncated ? el('Marker', String(start + max)) : undefined] };
}
