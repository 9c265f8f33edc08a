// Where the process says the services are and which AWS account and region to use (CONTRACT "Where the services are").
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { AwsEndpoints } from '../services/aws.js';
import type { CommandFlags } from './flags.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface Endpoints extends AwsEndpoints {
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
