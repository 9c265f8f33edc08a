// IAM user tags: TagUser (merges), UntagUser, ListUserTags, and the tag rules CreateUser shares (keys case-insensitive).
import { memberList, members, QueryError, type QueryAction, type QueryContext } from './aws-query.js';
import { authorizedUser, pageOf, read, write } from './iam-entities.js';
import { el, type XmlChild } from './xml.js';

const MAX_TAGS = 50;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;
/** Letters, digits, spaces and `_ . : / = + - @`, in any script. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** TagUser, UntagUser and ListUserTags by action name. */
export const TAG_ACTIONS: Record<string, QueryAction> = {
  TagUser: write((ctx) => {
    const user = authorizedUser(ctx);
    const merged = mergeTags(user.tags, tagParams(ctx));
    if (Object.keys(merged).length > MAX_TAGS) throw new QueryError(409, 'LimitExceeded', 'The number of tags has reached the maximum limit.');
    user.tags = merged;
    return null;
  }),
  UntagUser: write((ctx) => {
    const user = authorizedUser(ctx);
    const keys = memberList(ctx.params, 'TagKeys').map((item) => item[''] ?? '');
    if (keys.length > MAX_TAGS) throw tooMany('tagKeys', MAX_TAGS);
    keys.forEach((k, i) => checkLength(k, `tagKeys.${i + 1}.member`, 1, MAX_KEY_LENGTH));
    const drop = new Set(keys.map((k) => k.toLowerCase()));
    user.tags = Object.fromEntries(Object.entries(user.tags).filter(([k]) => !drop.has(k.toLowerCase())));
    return null;
  }),
  ListUserTags: read((ctx) => {
    const user = authorizedUser(ctx);
    const { page, paging } = pageOf(ctx, Object.entries(user.tags));
    return [el('Tags', tagsXml(Object.fromEntries(page))), ...paging];
  }),
};

/** Tags given as `Tags.member.N.Key/Value`, checked as IAM checks them. */
export function tagParams(ctx: QueryContext): Record<string, string> {
  const items = memberList(ctx.params, 'Tags');
  if (items.length > MAX_TAGS) throw tooMany('tags', MAX_TAGS);
  const tags: Record<string, string> = {};
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const key = item.Key;
    const value = item.Value;
    const at = `tags.${i + 1}.member`;
    if (key === undefined) throw validation(`Value null at '${at}.key' failed to satisfy constraint: Member must not be null`);
    if (value === undefined) throw validation(`Value null at '${at}.value' failed to satisfy constraint: Member must not be null`);
    checkLength(key, `${at}.key`, 1, MAX_KEY_LENGTH);
    checkLength(value, `${at}.value`, 0, MAX_VALUE_LENGTH);
    if (!TAG_TEXT.test(key)) throw validation(`Value '${key}' at '${at}.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+`);
    if (!TAG_TEXT.test(value)) throw validation(`Value '${value}' at '${at}.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`);
    if (key.toLowerCase().startsWith('aws:')) throw new QueryError(400, 'InvalidInput', `Tag keys starting with 'aws:' are reserved for AWS use: ${key}`);
    if (seen.has(key.toLowerCase())) throw new QueryError(400, 'InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(key.toLowerCase());
    tags[key] = value;
  });
  return tags;
}

/** `<member><Key/><Value/></member>` per tag. */
export function tagsXml(tags: Record<string, string>): XmlChild[] {
  return members(Object.entries(tags).map(([k, v]) => [el('Key', k), el('Value', v)]));
}

/** New tags replace old ones whose key matches without regard to case. */
function mergeTags(old: Record<string, string>, added: Record<string, string>): Record<string, string> {
  const lower = new Set(Object.keys(added).map((k) => k.toLowerCase()));
  return { ...Object.fromEntries(Object.entries(old).filter(([k]) => !lower.has(k.toLowerCase()))), ...added };
}

function checkLength(text: string, member: string, min: number, max: number): void {
  if (text.length < min) throw validation(`Value '${text}' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`);
  if (text.length > max) throw validation(`Value '${text}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
}

function tooMany(member: string, max: number): QueryError {
  return validation(`Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
}

function validation(detail: string): QueryError {
  return new QueryError(400, 'ValidationError', `1 validation error detected: ${detail}`);
}
