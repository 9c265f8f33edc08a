// S3 CORS: the CORSConfiguration document (parse, validate, render), preflight OPTIONS, and CORS headers on answers.
import type { CorsRuleView } from './api.js';
import type { BucketState } from './aws-account.js';
import { invalidRequest, malformedXml, S3Error } from './s3-errors.js';
import type { StandInRequest } from './serve.js';
import { child, children, el, parseXml, XmlParseError, type Xml, type XmlElement } from './xml.js';

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'];
const MAX_RULES = 100;
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';
const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

/** Parses and validates a PutBucketCors body; throws S3's MalformedXML / InvalidRequest. */
export function parseCorsConfiguration(body: Buffer): CorsRuleView[] {
  let root: XmlElement;
  try {
    root = parseXml(body.toString('utf8'));
  } catch (err) {
    if (err instanceof XmlParseError) throw malformedXml();
    throw err;
  }
  if (root.name !== 'CORSConfiguration') throw malformedXml();
  const rules = children(root, 'CORSRule').map(parseRule);
  if (rules.length === 0 || rules.length > MAX_RULES) throw malformedXml();
  return rules;
}

function parseRule(node: XmlElement): CorsRuleView {
  const texts = (name: string): string[] => children(node, name).map((c) => c.text.trim());
  const rule: CorsRuleView = { AllowedOrigins: texts('AllowedOrigin'), AllowedMethods: texts('AllowedMethod') };
  if (rule.AllowedOrigins.length === 0 || rule.AllowedMethods.length === 0) throw malformedXml();
  const id = child(node, 'ID')?.text.trim();
  if (id !== undefined) {
    if (id.length > 255) throw invalidRequest('The ID of a CORSRule must be no more than 255 characters.');
    rule.ID = id;
  }
  const headers = texts('AllowedHeader');
  if (headers.length > 0) rule.AllowedHeaders = headers;
  const expose = texts('ExposeHeader');
  if (expose.length > 0) rule.ExposeHeaders = expose;
  const maxAge = child(node, 'MaxAgeSeconds')?.text.trim();
  if (maxAge !== undefined) {
    if (!/^-?\d+$/.test(maxAge)) throw malformedXml();
    rule.MaxAgeSeconds = Number(maxAge);
  }
  for (const method of rule.AllowedMethods) {
    if (!METHODS.includes(method)) throw invalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${method}`);
  }
  for (const origin of rule.AllowedOrigins) {
    if (wildcards(origin) > 1) throw invalidRequest(`AllowedOrigin "${origin}" can not have more than one wildcard.`);
  }
  for (const h of rule.AllowedHeaders ?? []) {
    if (wildcards(h) > 1) throw invalidRequest(`AllowedHeader "${h}" can not have more than one wildcard.`);
  }
  for (const h of rule.ExposeHeaders ?? []) {
    if (h.includes('*')) throw invalidRequest(`ExposeHeader "${h}" contains wildcard. We currently do not support wildcard for ExposeHeader.`);
  }
  return rule;
}

/** Renders rules as GetBucketCors answers them. */
export function corsConfigurationXml(rules: CorsRuleView[]): Xml {
  return el(
    'CORSConfiguration',
    { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
    rules.map((rule) =>
      el(
        'CORSRule',
        rule.ID !== undefined ? el('ID', rule.ID) : undefined,
        (rule.AllowedHeaders ?? []).map((h) => el('AllowedHeader', h)),
        rule.AllowedMethods.map((m) => el('AllowedMethod', m)),
        rule.AllowedOrigins.map((o) => el('AllowedOrigin', o)),
        (rule.ExposeHeaders ?? []).map((h) => el('ExposeHeader', h)),
        rule.MaxAgeSeconds !== undefined ? el('MaxAgeSeconds', rule.MaxAgeSeconds) : undefined,
      ),
    ),
  );
}

/** Answers a preflight `OPTIONS` for a bucket (or undefined when it does not exist) and resource type. */
export function preflight(req: StandInRequest, bucket: BucketState | undefined, resourceType: 'BUCKET' | 'OBJECT'): Record<string, string> {
  const origin = header(req, 'origin');
  if (origin === undefined) throw new S3Error(400, 'BadRequest', 'Insufficient information. Origin request header needed.');
  const method = header(req, 'access-control-request-method');
  if (method === undefined || !METHODS.includes(method)) {
    throw new S3Error(400, 'BadRequest', `Invalid Access-Control-Request-Method: ${method ?? 'null'}`);
  }
  const details = { Method: method, ResourceType: resourceType };
  if (!bucket) throw new S3Error(403, 'AccessForbidden', 'CORSResponse: Bucket not found', details);
  if (!bucket.cors) throw new S3Error(403, 'AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.', details);
  const requested = (header(req, 'access-control-request-headers') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  for (const rule of bucket.cors) {
    const matchedOrigin = rule.AllowedOrigins.find((o) => globMatch(o, origin));
    if (matchedOrigin === undefined || !rule.AllowedMethods.includes(method)) continue;
    const allowedHeaders = (rule.AllowedHeaders ?? []).map((h) => h.toLowerCase());
    if (!requested.every((h) => allowedHeaders.some((a) => globMatch(a, h)))) continue;
    return {
      ...allowHeaders(rule, matchedOrigin, origin),
      ...(requested.length > 0 ? { 'access-control-allow-headers': requested.join(', ') } : {}),
    };
  }
  throw new S3Error(403, 'AccessForbidden', NOT_ALLOWED, details);
}

/** CORS headers for an ordinary answer to a request carrying `Origin`, when a rule allows its method. */
export function corsResponseHeaders(req: StandInRequest, bucket: BucketState | undefined): Record<string, string> {
  const origin = header(req, 'origin');
  if (origin === undefined || !bucket?.cors) return {};
  for (const rule of bucket.cors) {
    const matchedOrigin = rule.AllowedOrigins.find((o) => globMatch(o, origin));
    if (matchedOrigin !== undefined && rule.AllowedMethods.includes(req.method)) return allowHeaders(rule, matchedOrigin, origin);
  }
  return {};
}

function allowHeaders(rule: CorsRuleView, matchedOrigin: string, origin: string): Record<string, string> {
  const out: Record<string, string> = {
    'access-control-allow-origin': matchedOrigin === '*' ? '*' : origin,
    'access-control-allow-methods': rule.AllowedMethods.join(', '),
    vary: VARY,
  };
  if (matchedOrigin !== '*') out['access-control-allow-credentials'] = 'true';
  if (rule.ExposeHeaders?.length) out['access-control-expose-headers'] = rule.ExposeHeaders.join(', ');
  if (rule.MaxAgeSeconds !== undefined) out['access-control-max-age'] = String(rule.MaxAgeSeconds);
  return out;
}

/** `*` matches anything; one `*` inside a pattern matches any run of characters. */
function globMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

function wildcards(s: string): number {
  return s.split('*').length - 1;
}

function header(req: StandInRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
