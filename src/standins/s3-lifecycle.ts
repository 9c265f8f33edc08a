// S3 bucket lifecycle configuration: PutBucketLifecycleConfiguration (replaces every rule), Get and DeleteBucketLifecycle.
import { randomUUID } from 'node:crypto';
import type { LifecycleRuleView } from './api.js';
import { parseBody, regionHeader } from './s3-bucket.js';
import { bucketOf, S3_XMLNS, s3Answer, type S3Handler } from './s3-context.js';
import { invalidRequest, malformedXml, S3Error } from './s3-errors.js';
import { child, el, xmlOf, type Xml, type XmlElement } from './xml.js';

const MAX_RULES = 1000;
const MAX_ID_LENGTH = 255;
const ACTIONS = ['Expiration', 'Transition', 'NoncurrentVersionExpiration', 'NoncurrentVersionTransition', 'AbortIncompleteMultipartUpload'];
const FILTER_PARTS = ['Prefix', 'Tag', 'And', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan'];
const EXPIRATION_PARTS = ['Days', 'Date', 'ExpiredObjectDeleteMarker'];
/** S3 answers Put and Get with the default minimum size for transitions (since September 2024). */
const TRANSITION_DEFAULT = { 'x-amz-transition-default-minimum-object-size': 'all_storage_classes_128K' };

/** The rules as sent, to answer GET with every element the stand-in does not model. */
const sentRules = new WeakMap<LifecycleRuleView, XmlElement>();

const putLifecycle: S3Handler = (ctx) => {
  const root = parseBody(ctx, 'LifecycleConfiguration');
  if (root.children.some((c) => c.name !== 'Rule')) throw malformedXml();
  const rules = root.children;
  if (rules.length === 0 || rules.length > MAX_RULES) throw malformedXml();
  const parsed = rules.map(parseRule);
  const ids = new Set<string>();
  for (const rule of parsed) {
    if (ids.has(rule.ID)) throw new S3Error(400, 'InvalidArgument', 'Rule ID must be unique. Found same ID for more than one rule', { ArgumentName: 'ID', ArgumentValue: rule.ID });
    ids.add(rule.ID);
  }
  bucketOf(ctx).lifecycle = parsed;
  return s3Answer(200, { ...regionHeader(ctx), ...TRANSITION_DEFAULT });
};

const getLifecycle: S3Handler = (ctx) => {
  const rules = bucketOf(ctx).lifecycle;
  if (!rules) {
    throw new S3Error(404, 'NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', { BucketName: ctx.bucketName });
  }
  return s3Answer(200, { ...regionHeader(ctx), ...TRANSITION_DEFAULT }, el('LifecycleConfiguration', { xmlns: S3_XMLNS }, rules.map(ruleXml)));
};

const deleteLifecycle: S3Handler = (ctx) => {
  bucketOf(ctx).lifecycle = undefined;
  return s3Answer(204, regionHeader(ctx));
};

/** Lifecycle handlers by operation name. */
export const LIFECYCLE_HANDLERS: Record<string, S3Handler> = {
  PutBucketLifecycleConfiguration: putLifecycle,
  GetBucketLifecycleConfiguration: getLifecycle,
  DeleteBucketLifecycle: deleteLifecycle,
};

/** Validates one `<Rule>` as S3 does (schema errors are MalformedXML, bad values InvalidArgument) and returns its view. */
function parseRule(rule: XmlElement): LifecycleRuleView {
  const status = child(rule, 'Status')?.text.trim();
  if (status !== 'Enabled' && status !== 'Disabled') throw malformedXml();
  const filter = child(rule, 'Filter');
  const legacyPrefix = child(rule, 'Prefix');
  if ((filter === undefined) === (legacyPrefix === undefined)) throw malformedXml();
  const filterParts = filter ? filter.children.filter((c) => FILTER_PARTS.includes(c.name)) : [];
  if (filterParts.length > 1) throw malformedXml();
  const idText = child(rule, 'ID')?.text;
  if (idText !== undefined && idText.length > MAX_ID_LENGTH) {
    throw new S3Error(400, 'InvalidArgument', `ID length should not exceed allowed limit of ${MAX_ID_LENGTH}`, { ArgumentName: 'ID', ArgumentValue: idText });
  }
  if (!rule.children.some((c) => ACTIONS.includes(c.name))) throw invalidRequest('At least one action needs to be specified in a rule');
  const id = idText || Buffer.from(randomUUID()).toString('base64');
  const view: LifecycleRuleView = {
    ID: id,
    Status: status,
    Prefix: legacyPrefix?.text ?? (filterParts.length === 0 ? '' : filterParts[0]?.name === 'Prefix' ? filterParts[0].text : undefined),
    ExpirationDays: expirationDays(child(rule, 'Expiration')),
  };
  sentRules.set(view, idText ? rule : { ...rule, children: [{ name: 'ID', attrs: {}, children: [], text: id }, ...rule.children] });
  return view;
}

function expirationDays(expiration: XmlElement | undefined): number | undefined {
  if (!expiration) return undefined;
  const given = expiration.children.filter((c) => EXPIRATION_PARTS.includes(c.name));
  if (given.length !== 1) throw malformedXml();
  const days = child(expiration, 'Days')?.text.trim();
  if (days === undefined) return undefined;
  if (!/^-?\d+$/.test(days)) throw malformedXml();
  if (Number(days) < 1) throw new S3Error(400, 'InvalidArgument', "'Days' for Expiration action must be a positive integer", { ArgumentName: 'Days', ArgumentValue: days });
  return Number(days);
}

/** A rule as GET answers it: as sent when it came through the API, else built from the view (rules seeded by tests). */
function ruleXml(rule: LifecycleRuleView): Xml {
  const sent = sentRules.get(rule);
  if (sent) return xmlOf(sent);
  return el(
    'Rule',
    el('ID', rule.ID),
    el('Filter', rule.Prefix !== undefined ? el('Prefix', rule.Prefix) : undefined),
    el('Status', rule.Status),
    rule.ExpirationDays !== undefined ? el('Expiration', el('Days', rule.ExpirationDays)) : undefined,
  );
}
