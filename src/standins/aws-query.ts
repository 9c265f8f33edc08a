// The awsQuery protocol (form POST `Action=…&Version=…`, XML answers) shared by the IAM and STS stand-ins.
import { randomUUID } from 'node:crypto';
import type { AwsAccount, Caller } from './aws-account.js';
import { checkSignature, identify, isFailure, type AuthFailure } from './aws-auth.js';
import { authorizationKeyId, sha256Hex } from './sigv4.js';
import type { ServiceName } from './recorder.js';
import type { StandIn, StandInRequest, StandInResponse } from './serve.js';
import { el, xmlDocument, type XmlChild } from './xml.js';

/** An error answered in `<ErrorResponse>`. */
export class QueryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

/** What an action handler gets. */
export interface QueryContext {
  params: URLSearchParams;
  caller: Caller;
  account: AwsAccount;
  action: string;
  /** Throws AccessDenied unless the caller may perform `<service>:<action>` on `resource`. */
  authorize(resource: string): void;
}

/** One supported action: whether it writes, and its handler returning the `<XResult>` content (null: no Result element). */
export interface QueryAction {
  write: boolean;
  run(ctx: QueryContext): XmlChild[] | null;
}

export interface QueryServiceDef {
  service: Extract<ServiceName, 'iam' | 'sts'>;
  version: string;
  xmlns: string;
  account: AwsAccount;
  actions: Record<string, QueryAction>;
  /** Error code of an injected 5xx: IAM `ServiceFailure`, STS `InternalFailure`. */
  failureCode: string;
  /** Decides identity-based permission for a user caller (root is always allowed). */
  allowed(caller: Caller, action: string, resource: string): boolean;
}

/** How an action the stand-in does not know is guessed to write (for the log of unknown requests). */
const MUTATING_ACTION = /^(Create|Delete|Put|Update|Attach|Detach|Tag|Untag|Add|Remove|Set|Upload|Enable|Disable|Change|Reset|Resync)/;

/** Builds an awsQuery stand-in from its action table. */
export function createQueryStandIn(def: QueryServiceDef): StandIn {
  const answerError = (err: QueryError): StandInResponse => errorResponse(def.xmlns, err);
  return {
    service: def.service,
    classify(req) {
      const action = queryParams(req).get('Action') ?? 'Unknown';
      const write = def.actions[action]?.write ?? MUTATING_ACTION.test(action);
      return { operation: action, write, accessKeyId: authorizationKeyId(req.headers.authorization) };
    },
    handle(req) {
      try {
        return dispatch(def, req);
      } catch (err) {
        if (err instanceof QueryError) return answerError(err);
        throw err;
      }
    },
    faultResponse(kind) {
      return kind === 'throttle'
        ? answerError(new QueryError(400, 'Throttling', 'Rate exceeded'))
        : answerError(new QueryError(500, def.failureCode, 'An internal error occurred. Please try again.', 'Receiver'));
    },
  };
}

function dispatch(def: QueryServiceDef, req: StandInRequest): StandInResponse {
  const params = queryParams(req);
  const caller = authenticate(def, req);
  const action = params.get('Action');
  const handler = action ? def.actions[action] : undefined;
  if (!action || !handler) {
    throw new QueryError(501, 'NotImplemented', `The ${def.service.toUpperCase()} stand-in does not implement the action ${action ?? '(none)'}.`);
  }
  const version = params.get('Version');
  if (version !== def.version) {
    throw new QueryError(400, 'InvalidAction', `Could not find operation ${action} for version ${version ?? 'NO_VERSION_SPECIFIED'}`);
  }
  const ctx: QueryContext = {
    params,
    caller,
    account: def.account,
    action,
    authorize(resource) {
      if (caller.kind === 'root' || def.allowed(caller, `${def.service}:${action}`, resource)) return;
      throw new QueryError(
        403,
        'AccessDenied',
        `User: ${caller.user.arn} is not authorized to perform: ${def.service}:${action} on resource: ${resource} because no identity-based policy allows the ${def.service}:${action} action`,
      );
    },
  };
  const result = handler.run(ctx);
  const requestId = randomUUID();
  const body = el(
    `${action}Response`,
    { xmlns: def.xmlns },
    result === null ? undefined : el(`${action}Result`, ...result),
    el('ResponseMetadata', el('RequestId', requestId)),
  );
  return xmlAnswer(200, xmlDocument(body), requestId);
}

function authenticate(def: QueryServiceDef, req: StandInRequest): Caller {
  const who = identify(def.account, req, def.service);
  if (who === undefined) throw new QueryError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
  if (isFailure(who)) throw authError(who);
  const failure = checkSignature(def.account, req, who, { s3PathStyle: false, payloadHash: sha256Hex(req.body) });
  if (failure) throw authError(failure);
  return who.caller;
}

function authError(f: AuthFailure): QueryError {
  switch (f.kind) {
    case 'malformed':
      return new QueryError(400, 'IncompleteSignature', f.message);
    case 'unknownKey':
      return new QueryError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    case 'wrongService':
      return new QueryError(403, 'SignatureDoesNotMatch', `Credential should be scoped to correct service: '${f.expected}'. `);
    case 'mismatch':
      return new QueryError(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
  }
}

/** Parameters of an awsQuery request: the query string, then a form-encoded body. */
export function queryParams(req: StandInRequest): URLSearchParams {
  const params = new URLSearchParams(req.query);
  const type = String(req.headers['content-type'] ?? '');
  if (req.body.length > 0 && (type === '' || type.startsWith('application/x-www-form-urlencoded'))) {
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) params.append(k, v);
  }
  return params;
}

/** A required parameter, or IAM's ValidationError naming it (camelCase, as AWS does). */
export function required(params: URLSearchParams, name: string): string {
  const v = params.get(name);
  if (v === null || v === '') {
    const member = name.charAt(0).toLowerCase() + name.slice(1);
    throw new QueryError(400, 'ValidationError', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  return v;
}

/** Reads a `Prefix.member.N[.Field]` list into objects (or strings when no fields are given). */
export function memberList(params: URLSearchParams, prefix: string): Record<string, string>[] {
  const items = new Map<number, Record<string, string>>();
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.member\\.(\\d+)(?:\\.(\\w+))?$`);
  for (const [k, v] of params) {
    const m = re.exec(k);
    if (!m) continue;
    const n = Number(m[1]);
    const item = items.get(n) ?? {};
    item[m[2] ?? ''] = v;
    items.set(n, item);
  }
  return [...items.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
}

/** Wraps each item in `<member>`. */
export function members(items: XmlChild[][]): XmlChild[] {
  return items.map((children) => el('member', ...children));
}

function errorResponse(xmlns: string, err: QueryError): StandInResponse {
  const requestId = randomUUID();
  const body = el(
    'ErrorResponse',
    { xmlns },
    el('Error', el('Type', err.type), el('Code', err.code), el('Message', err.message)),
    el('RequestId', requestId),
  );
  return xmlAnswer(err.status, xmlDocument(body), requestId);
}

function xmlAnswer(status: number, body: string, requestId: string): StandInResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(body) },
    body,
  };
}
