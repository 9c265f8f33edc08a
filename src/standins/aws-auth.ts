// Authentication shared by the AWS stand-ins: Authorization header → key → caller, then the signature check.
import type { AwsAccount, Caller } from './aws-account.js';
import type { StandInRequest } from './serve.js';
import { parseAuthorization, verifySignature, type ParsedAuthorization, type VerifyOptions } from './sigv4.js';

/** A request whose key is known (signature not yet checked). */
export interface Identified {
  auth: ParsedAuthorization;
  caller: Caller;
  secret: string;
}

/** Why authentication failed, in service-neutral terms; each service maps these to its own error codes. */
export type AuthFailure =
  | { kind: 'malformed'; message: string }
  | { kind: 'unknownKey'; accessKeyId: string }
  | { kind: 'wrongService'; expected: string; got: string }
  | { kind: 'mismatch'; message: string; accessKeyId: string; canonicalRequest: string; stringToSign: string };

/** Reads the Authorization header and finds its key; undefined when the request is anonymous. */
export function identify(
  account: AwsAccount,
  req: StandInRequest,
  service: string,
): Identified | AuthFailure | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const auth = parseAuthorization(header);
  if ('error' in auth) return { kind: 'malformed', message: auth.error };
  const found = account.lookupKey(auth.accessKeyId);
  if (!found.ok) return { kind: 'unknownKey', accessKeyId: auth.accessKeyId };
  if (auth.service !== service) return { kind: 'wrongService', expected: service, got: auth.service };
  return { auth, caller: found.caller, secret: found.secret };
}

/** Checks the signature and, for an IAM user's key, records its last use. */
export function checkSignature(
  account: AwsAccount,
  req: StandInRequest,
  who: Identified,
  opts: VerifyOptions,
): AuthFailure | undefined {
  const problem = verifySignature(req, who.auth, who.secret, opts);
  if (problem?.kind === 'malformed') return problem;
  if (problem) return { ...problem, accessKeyId: who.auth.accessKeyId };
  if (who.caller.kind === 'user') {
    who.caller.key.lastUsed = { date: account.now(), service: who.auth.service, region: who.auth.region };
  }
  return undefined;
}

/** Type guard separating failures from identified callers. */
export function isFailure(x: Identified | AuthFailure): x is AuthFailure {
  return 'kind' in x;
}
