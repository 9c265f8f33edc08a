// Every input: flag → environment → prompt → default, resolved and validated before any cloud call.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from './errors.js';
import type { Prompter } from './io/prompter.js';
import {
  apiKeyProblem,
  bucketNameProblem,
  corsOriginProblem,
  defaultBucket,
  defaultIamUser,
  herokuAppProblem,
  iamUserProblem,
  regionProblem,
} from './validate.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Options as commander parses them (shared by setup and doctor). */
export interface CommandFlags {
  apiKey?: string;
  apiSecret?: string;
  bucket?: string;
  region?: string;
  profile?: string;
  iamUser?: string;
  app?: string;
  corsOrigin?: string[];
  /** False with --no-heroku. */
  heroku?: boolean;
  envFile?: string;
  configureOpentok?: boolean;
  sse?: string;
  fallback?: string;
  yes?: boolean;
  nonInteractive?: boolean;
  debug?: boolean;
  dryRun?: boolean;
  json?: boolean;
  showSecrets?: boolean;
}

export interface Endpoints {
  /** Custom S3 endpoint (AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL); undefined means AWS. */
  s3?: string;
  iam?: string;
  sts?: string;
  heroku: string;
  opentok: string;
}

export type RegionSource = 'flag' | 'AWS_REGION' | 'AWS_DEFAULT_REGION' | 'profile' | 'default';

export interface AwsInputs {
  region: string;
  regionSource: RegionSource;
  profile?: string;
  /** Static credentials from the environment (AWS_ACCESS_KEY_ID…), unless --profile names a profile. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  endpoints: Endpoints;
}

export interface SetupInputs extends AwsInputs {
  apiKey: string;
  apiSecret?: string;
  bucket: string;
  iamUser: string;
  corsOrigins: string[];
  /** Heroku app and token; undefined with --no-heroku. */
  heroku?: { app?: string; token: string };
  envFile?: string;
  configureOpentok: boolean;
  sse: 's3' | 'none';
  fallback: 'opentok' | 'none';
  yes: boolean;
  dryRun: boolean;
  showSecrets: boolean;
}

export const IB_CORS_ORIGIN = '*';

/** True when CI is set to anything but `false` or `0`. */
export function inCi(env: Env): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/** True when the run must not ask anything: the flag, CI, or no TTY on stdin or stderr. */
export function isNonInteractive(flags: CommandFlags, env: Env, ttys: { stdin: boolean; stderr: boolean }): boolean {
  return Boolean(flags.nonInteractive) || inCi(env) || !ttys.stdin || !ttys.stderr;
}

/** Custom endpoints the way each ecosystem reads them (CONTRACT "Where the services are"). */
export function resolveEndpoints(env: Env): Endpoints {
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const checkUrl = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    try {
      const u = new URL(value);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    } catch {
      throw new InputError(
        `${name} is not a valid http(s) URL: ${value}`,
        'invalid_endpoint',
        [],
        `Set ${name} to an http(s) URL (like http://localhost:4566), or unset it to use the real service.`,
      );
    }
    return value.replace(/\/+$/, '');
  };
  const herokuHost = env.HEROKU_HOST;
  let heroku = 'https://api.heroku.com';
  if (herokuHost) heroku = /^https?:\/\//.test(herokuHost) ? herokuHost.replace(/\/+$/, '') : `https://api.${herokuHost}`;
  return {
    s3: checkUrl('AWS_ENDPOINT_URL_S3', pick('AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL')),
    iam: checkUrl('AWS_ENDPOINT_URL_IAM', pick('AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL')),
    sts: checkUrl('AWS_ENDPOINT_URL_STS', pick('AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL')),
    heroku: checkUrl('HEROKU_HOST', heroku) ?? heroku,
    opentok: checkUrl('OPENTOK_API_URL', pick('OPENTOK_API_URL')) ?? 'https://api.opentok.com',
  };
}

/** The region named in the AWS config file for a profile, if any. */
export async function profileRegion(env: Env, profile: string | undefined): Promise<string | undefined> {
  const file = env.AWS_CONFIG_FILE || join(env.HOME || homedir(), '.aws', 'config');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const name = profile || 'default';
  const wanted = name === 'default' ? ['default', 'profile default'] : [`profile ${name}`];
  let inSection = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[;#].*$/, '').trim();
    const section = line.match(/^\[\s*(.+?)\s*\]$/);
    if (section) {
      inSection = wanted.includes(section[1]!.replace(/\s+/g, ' '));
      continue;
    }
    const kv = line.match(/^region\s*=\s*(\S+)$/);
    if (inSection && kv) return kv[1];
  }
  return undefined;
}

/** Input problems found so far (all are reported at once), each with what to do about it. */
interface Problems {
  messages: string[];
  fixes: string[];
}

/** What to do about an invalid input, by input. */
const FIXES = {
  apiKey: 'Pass the numeric API key of your OpenTok project (on your Vonage Video API account page) with --api-key <key> or OPENTOK_API_KEY.',
  bucket: 'Choose a name with --bucket <name> (or S3_BUCKET_NAME): 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit; the default is ib-archive-<apiKey>.',
  iamUser: 'Choose a name with --iam-user <name> (up to 64 letters, digits and + = , . @ _ -), or leave it out for ib-archive-<bucket>.',
  app: 'Pass the app name as `heroku apps` lists it, with --app <name> (or HEROKU_APP).',
  cors: 'Pass each origin with --cors-origin as scheme://host[:port] (no path, no trailing slash), or leave it out for * (what Interactive Broadcast needs).',
  region: 'Pass a region name like us-east-1 or eu-west-1 with --region <region> (or fix AWS_REGION, AWS_DEFAULT_REGION or the region of your AWS profile).',
  envFile: 'Pass a file path with --env-file <path>.',
};

function problem(problems: Problems, message: string, fix?: string): void {
  problems.messages.push(message);
  if (fix && !problems.fixes.includes(fix)) problems.fixes.push(fix);
}

function check(problems: Problems, label: string, value: string | undefined, rule: (v: string) => string | undefined, fix: string) {
  if (value === undefined) return;
  const found = rule(value);
  if (found) problem(problems, `${label} "${value}" ${found}.`, fix);
}

function throwProblems(problems: Problems): void {
  if (problems.messages.length === 0) return;
  throw new InputError(problems.messages.join('\n'), 'invalid_input', [], [...problems.fixes, 'Nothing was changed.'].join('\n'));
}

/** Region from flag → AWS_REGION → AWS_DEFAULT_REGION → profile → us-east-1. */
export async function resolveAws(flags: CommandFlags, env: Env): Promise<AwsInputs> {
  const endpoints = resolveEndpoints(env);
  const profile = flags.profile ?? (env.AWS_PROFILE || undefined);
  let region: string | undefined;
  let regionSource: RegionSource = 'default';
  if (flags.region !== undefined) [region, regionSource] = [flags.region, 'flag'];
  else if (env.AWS_REGION) [region, regionSource] = [env.AWS_REGION, 'AWS_REGION'];
  else if (env.AWS_DEFAULT_REGION) [region, regionSource] = [env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION'];
  else {
    const fromProfile = await profileRegion(env, profile);
    if (fromProfile) [region, regionSource] = [fromProfile, 'profile'];
  }
  const credentials =
    flags.profile === undefined && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) }
      : undefined;
  return { region: region ?? 'us-east-1', regionSource, profile, credentials, endpoints };
}

export interface HerokuTokenSources {
  /** `heroku auth:token` when the Heroku CLI is installed; undefined otherwise. */
  cliToken(): Promise<string | undefined>;
  /** The password of `machine api.heroku.com` in ~/.netrc. */
  netrcToken(): Promise<string | undefined>;
}

/** Heroku token: HEROKU_API_KEY → `heroku auth:token` → ~/.netrc → (prompt, by the caller). */
export async function findHerokuToken(env: Env, sources: HerokuTokenSources): Promise<string | undefined> {
  if (env.HEROKU_API_KEY) return env.HEROKU_API_KEY;
  return (await sources.cliToken()) ?? (await sources.netrcToken());
}

export interface SetupResolveDeps {
  env: Env;
  prompter: Prompter;
  tokens: HerokuTokenSources;
}

/** Resolves and validates everything `setup` needs except the Heroku app picker (which needs the network). */
export async function resolveSetupInputs(flags: CommandFlags, deps: SetupResolveDeps): Promise<SetupInputs> {
  const { env, prompter } = deps;
  const interactive = prompter.interactive;
  const problems: Problems = { messages: [], fixes: [] };

  let apiKey = flags.apiKey ?? (env.OPENTOK_API_KEY || undefined);
  let apiSecret = flags.apiSecret ?? (env.OPENTOK_API_SECRET || undefined);
  let bucket = flags.bucket ?? (env.S3_BUCKET_NAME || undefined);
  const app = flags.app ?? (env.HEROKU_APP || undefined);
  const corsOrigins = flags.corsOrigin && flags.corsOrigin.length > 0 ? [...new Set(flags.corsOrigin)] : [IB_CORS_ORIGIN];
  const useHeroku = flags.heroku !== false;

  check(problems, 'API key', apiKey, apiKeyProblem, FIXES.apiKey);
  check(problems, 'Bucket name', bucket, bucketNameProblem, FIXES.bucket);
  check(problems, 'IAM user name', flags.iamUser, iamUserProblem, FIXES.iamUser);
  if (useHeroku) check(problems, 'Heroku app', app, herokuAppProblem, FIXES.app);
  for (const origin of corsOrigins) check(problems, 'CORS origin', origin, corsOriginProblem, FIXES.cors);
  if (flags.sse !== undefined && flags.sse !== 's3' && flags.sse !== 'none') problem(problems, `--sse must be "s3" or "none", not "${flags.sse}".`);
  if (flags.fallback !== undefined && flags.fallback !== 'opentok' && flags.fallback !== 'none') {
    problem(problems, `--fallback must be "opentok" or "none", not "${flags.fallback}".`);
  }
  if (flags.envFile !== undefined && flags.envFile.trim() === '') problem(problems, '--env-file needs a file path.', FIXES.envFile);
  let aws: AwsInputs;
  try {
    aws = await resolveAws(flags, env);
  } catch (err) {
    if (err instanceof InputError) problem(problems, err.message, err.fix);
    throwProblems(problems);
    throw err;
  }
  const regionGiven = aws.regionSource !== 'default';
  if (regionGiven) check(problems, `Region (from ${aws.regionSource === 'flag' ? '--region' : aws.regionSource})`, aws.region, regionProblem, FIXES.region);
  throwProblems(problems);

  // Started now, awaited only where needed: `heroku auth:token` takes over a second and must not delay the first question.
  const tokenLookup = useHeroku ? findHerokuToken(env, deps.tokens) : Promise.resolve(undefined);
  let token: string | undefined;
  const configureOpentok = Boolean(flags.configureOpentok);

  if (!interactive) {
    token = await tokenLookup;
    const missing: string[] = [];
    if (!apiKey) missing.push('--api-key');
    if (configureOpentok && !apiSecret) missing.push('--api-secret');
    if (useHeroku && !app) missing.push('--app');
    if (useHeroku && !token) missing.push('HEROKU_API_KEY');
    if (missing.length > 0) {
      throw new InputError(
        `Missing input for a non-interactive run: ${missing.join(', ')}.`,
        'missing_input',
        missing,
        `Pass ${missing.map((m) => (m.startsWith('--') ? `${m} <value>` : `${m}=<token> in the environment (heroku auth:token prints one)`)).join(' and ')}` +
          (useHeroku && !app ? ' (or --no-heroku to print the config vars instead)' : '') +
          '.',
      );
    }
  } else {
    apiKey ??= await prompter.input({
      message: 'OpenTok API key (the project that records the broadcasts)',
      validate: (v) => apiKeyProblem(v.trim()) ?? true,
    });
    apiKey = apiKey.trim();
    bucket ??= (
      await prompter.input({
        message: 'S3 bucket for the archives',
        default: defaultBucket(apiKey),
        validate: (v) => bucketNameProblem(v.trim()) ?? true,
      })
    ).trim();
    if (!regionGiven) {
      aws.region = (
        await prompter.input({ message: 'AWS region for a new bucket', default: aws.region, validate: (v) => regionProblem(v.trim()) ?? true })
      ).trim();
    }
    if (configureOpentok && !apiSecret) {
      apiSecret = (await prompter.password({ message: 'OpenTok API secret', validate: (v) => (v.trim() ? true : 'The secret is needed to configure the project') })).trim();
    }
    token = await tokenLookup;
    if (useHeroku && !token) {
      token = (await prompter.password({ message: 'Heroku API token (heroku auth:token prints it)', validate: (v) => (v.trim() ? true : 'A token is needed') })).trim();
    }
  }
  if (!regionGiven) check(problems, 'Region', aws.region, regionProblem, FIXES.region);
  throwProblems(problems);

  const key = apiKey!;
  const bucketName = bucket ?? defaultBucket(key);
  return {
    ...aws,
    apiKey: key,
    apiSecret,
    bucket: bucketName,
    iamUser: flags.iamUser ?? defaultIamUser(bucketName),
    corsOrigins,
    heroku: useHeroku ? { app, token: token! } : undefined,
    envFile: flags.envFile,
    configureOpentok,
    sse: (flags.sse as 's3' | 'none' | undefined) ?? 's3',
    fallback: (flags.fallback as 'opentok' | 'none' | undefined) ?? 'opentok',
    yes: Boolean(flags.yes),
    dryRun: Boolean(flags.dryRun),
    showSecrets: Boolean(flags.showSecrets),
  };
}
