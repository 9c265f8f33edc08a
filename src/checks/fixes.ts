// The commands doctor proposes as fixes: `ib-archive setup` with the right flags, or setting one config var.
import type { AppType } from '../inputs/resolve.js';
import { defaultBucket } from '../validate.js';

/** What a fix command needs to name: the project, where the vars live, and non-default names. */
export interface FixContext {
  apiKey: string;
  /** Heroku app; undefined with --no-heroku. */
  app?: string;
  /** The env file the vars come from with --no-heroku. */
  varsFile?: string;
  bucket?: string;
  iamUser?: string;
  profile?: string;
  /** --app-type as given (setup detects the type itself otherwise). */
  appType?: AppType;
  /** Name the bucket even when it is the default one (setup would otherwise take the one the app's vars name). */
  explicitBucket?: boolean;
}

const shellQuote = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

/** `ib-archive setup …` for this set-up: it repairs everything idempotently. */
export function setupCommand(ctx: FixContext, extra: string[] = []): string {
  const parts = ['ib-archive setup', `--api-key ${ctx.apiKey}`];
  if (ctx.app) parts.push(`--app ${ctx.app}`);
  else parts.push(`--no-heroku --vars-file ${shellQuote(ctx.varsFile ?? '.env')}`);
  if (ctx.bucket && (ctx.explicitBucket || ctx.bucket !== defaultBucket(ctx.apiKey))) parts.push(`--bucket ${ctx.bucket}`);
  if (ctx.iamUser) parts.push(`--iam-user ${ctx.iamUser}`);
  if (ctx.appType) parts.push(`--app-type ${ctx.appType}`);
  if (ctx.profile) parts.push(`--profile ${shellQuote(ctx.profile)}`);
  parts.push(...extra, '--yes');
  return parts.join(' ');
}

/** "Run `ib-archive setup …`: it <what>." */
export function runSetup(ctx: FixContext, what: string, extra: string[] = []): string {
  return `Run \`${setupCommand(ctx, extra)}\`: it ${what}.`;
}

/** Flags that let setup point the OpenTok project at the key (the secret from the environment, never printed). */
export const CONFIGURE_OPENTOK = ['--api-secret "$OPENTOK_API_SECRET"', '--configure-opentok'];

/** Setup that replaces the app's key: the OpenTok project must get the new key too, or archives stop. */
export function newKeyFix(ctx: FixContext, what = 'creates a new key for the dedicated IAM user and stores both halves in the app'): string {
  return runSetup(ctx, `${what}, and gives the OpenTok project the same key`, CONFIGURE_OPENTOK);
}

/** One command that sets config vars (one Heroku release), or where to change them with --no-heroku. */
export function setVarsCommand(ctx: FixContext, vars: Record<string, string>): string {
  const assignments = Object.entries(vars).map(([k, v]) => `${k}=${shellQuote(v)}`);
  if (ctx.app) return `heroku config:set ${assignments.join(' ')} -a ${ctx.app}`;
  return `set ${assignments.join(' ')} in ${ctx.varsFile ?? 'the environment of the app'}`;
}

/** One command that removes config vars (one Heroku release), or where to remove them with --no-heroku. */
export function unsetVarsCommand(ctx: FixContext, names: string[]): string {
  if (ctx.app) return `heroku config:unset ${names.join(' ')} -a ${ctx.app}`;
  return `remove ${names.join(' and ')} from ${ctx.varsFile ?? 'the environment of the app'}`;
}
