// setup's options: the common inputs plus the bucket, its CORS origins, expiry and the OpenTok storage settings.
import { corsOriginProblem, bucketNameProblem, defaultBucket, regionProblem } from '../validate.js';
import { type CommonInputs, FIXES, type ResolveDeps, resolveCommon } from './resolve.js';
import type { CommandFlags } from './flags.js';

export const IB_CORS_ORIGIN = '*';

export interface SetupInputs extends CommonInputs {
  bucket: string;
  corsOrigins: string[];
  configureOpentok: boolean;
  sse: 's3' | 'none';
  fallback: 'opentok' | 'none';
  /** Days after which archives under `<apiKey>/` expire; 0 removes the rule; undefined leaves it as it is. */
  expireAfterDays?: number;
}

const MAX_EXPIRY_DAYS = 36_500;

/** Resolves and validates everything `setup` needs, asking the wizard's questions where a flag is missing. */
export async function resolveSetupInputs(flags: CommandFlags, deps: ResolveDeps): Promise<SetupInputs> {
  const { env, prompter } = deps;
  const corsOrigins = flags.corsOrigin && flags.corsOrigin.length > 0 ? [...new Set(flags.corsOrigin)] : [IB_CORS_ORIGIN];
  const configureOpentok = Boolean(flags.configureOpentok);
  let bucket = flags.bucket ?? (env.S3_BUCKET_NAME || undefined);
  let expireAfterDays: number | undefined;
  const common = await resolveCommon({ ...flags, bucket }, deps, {
    secret: configureOpentok ? 'required' : 'ask',
    noHerokuHint: 'to print the config vars instead',
    apiKeyMessage: 'OpenTok API key (the project that records the broadcasts)',
    appMessage: 'Heroku app running Interactive Broadcast',
    validate: (problems) => {
      for (const origin of corsOrigins) problems.check('CORS origin', origin, corsOriginProblem, FIXES.cors);
      if (flags.sse !== undefined && flags.sse !== 's3' && flags.sse !== 'none') problems.add(`--sse must be "s3" or "none", not "${flags.sse}".`);
      if (flags.fallback !== undefined && flags.fallback !== 'opentok' && flags.fallback !== 'none') {
        problems.add(`--fallback must be "opentok" or "none", not "${flags.fallback}".`);
      }
      if (flags.expireAfterDays !== undefined) {
        const days = Number(flags.expireAfterDays);
        if (!/^\d+$/.test(flags.expireAfterDays.trim()) || days > MAX_EXPIRY_DAYS) {
          problems.add(`--expire-after-days must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS} (0 removes the rule), not "${flags.expireAfterDays}".`, 'Pass --expire-after-days 365 to delete archives a year after they were made, or leave it out to keep them.');
        } else expireAfterDays = days;
      }
    },
    ask: async (apiKey, aws) => {
      bucket ??= (
        await prompter.input({ message: 'S3 bucket for the archives', default: defaultBucket(apiKey), validate: (v) => bucketNameProblem(v.trim()) ?? true })
      ).trim();
      if (aws.regionSource === 'default') {
        // The SDK's own region list, searchable; any region its partition data accepts may be typed too.
        const { knownRegions } = await import('../partitions.js');
        aws.region = (
          await prompter.search({
            message: 'AWS region for a new bucket (type to filter)',
            default: aws.region,
            choices: knownRegions().filter((r) => !regionProblem(r.name)).map((r) => ({ name: `${r.name}  ${r.description}`, value: r.name })),
            validate: (v) => regionProblem(v.trim()) ?? true,
          })
        ).trim();
      }
    },
  });
  return {
    ...common,
    bucket: bucket ?? defaultBucket(common.apiKey),
    corsOrigins,
    configureOpentok,
    sse: (flags.sse as 's3' | 'none' | undefined) ?? 's3',
    fallback: (flags.fallback as 'opentok' | 'none' | undefined) ?? 'opentok',
    expireAfterDays,
  };
}
