// Inputs of `ib-archive archives`: the shared resolvers of src/inputs.ts, plus --limit, --rescue and the app's vars.
import type { Deps } from '../context.js';
import { CloudError, InputError } from '../errors.js';
import { type AwsInputs, type CommandFlags, findHerokuToken, resolveAws } from '../inputs.js';
import { createHerokuApi } from '../services/heroku.js';
import { readEnvFile } from '../stages/heroku.js';
import type { AppType } from './links.js';
import { apiKeyProblem, bucketNameProblem, herokuAppProblem, regionProblem } from '../validate.js';

export interface ArchivesFlags extends CommandFlags {
  /** Commander gives a string. */
  limit?: string;
  rescue?: boolean;
  varsFile?: string;
  appType?: string;
}

export interface ArchivesInputs extends AwsInputs {
  apiKey: string;
  apiSecret: string;
  bucketFlag?: string;
  /** Heroku app and token; undefined with --no-heroku. */
  heroku?: { app: string; token: string };
  /** With --no-heroku: the app's vars, from the vars file or the environment. */
  localVars?: Record<string, string | undefined>;
  varsFile?: string;
  /** --app-type; undefined: detected from the Heroku app's vars (classic with --no-heroku). */
  appType?: AppType;
  limit: number;
  rescue: boolean;
  yes: boolean;
  dryRun: boolean;
}

/** The vars that say where the app links archives (classic and ibs). */
export const LINK_VARS = ['S3_BUCKET_NAME', 'S3_COMPOSEDVIDEO_URL', 'BUCKET_URL'];

/** Flag → environment → prompt for every input, validated before any request. */
export async function resolveArchivesInputs(flags: ArchivesFlags, deps: Deps): Promise<ArchivesInputs> {
  const { env, prompter } = deps;
  const problems: string[] = [];
  const check = (label: string, value: string | undefined, rule: (v: string) => string | undefined) => {
    const problem = value === undefined ? undefined : rule(value);
    if (problem) problems.push(`${label} "${value}" ${problem}.`);
  };
  let apiKey = flags.apiKey ?? (env.OPENTOK_API_KEY || undefined);
  let apiSecret = flags.apiSecret ?? (env.OPENTOK_API_SECRET || undefined);
  let app = flags.app ?? (env.HEROKU_APP || undefined);
  const useHeroku = flags.heroku !== false;
  const varsFile = flags.varsFile ?? flags.envFile;
  check('API key', apiKey, apiKeyProblem);
  check('Bucket name', flags.bucket, bucketNameProblem);
  if (useHeroku) check('Heroku app', app, herokuAppProblem);
  const limit = Number(flags.limit ?? '50');
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) problems.push(`--limit must be a whole number from 1 to 10000, not "${flags.limit}".`);
  if (flags.appType !== undefined && flags.appType !== 'classic' && flags.appType !== 'ibs') problems.push(`--app-type must be "classic" or "ibs", not "${flags.appType}".`);
  if (varsFile !== undefined && useHeroku) problems.push('--vars-file is read only with --no-heroku (otherwise the config vars of --app are read).');
  const aws = await resolveAws(flags, env).catch((err: unknown) => {
    if (err instanceof InputError) problems.push(err.message);
    return undefined;
  });
  if (aws && aws.regionSource !== 'default') check(`Region (from ${aws.regionSource === 'flag' ? '--region' : aws.regionSource})`, aws.region, regionProblem);
  if (problems.length > 0 || !aws) throw new InputError(problems.join('\n'), 'invalid_input', [], 'Correct the values above and re-run. Nothing was changed.');

  let localVars: Record<string, string | undefined> | undefined;
  if (!useHeroku && varsFile) {
    localVars = await readEnvFile(varsFile);
    if (!localVars) throw new InputError(`--vars-file ${varsFile} does not exist.`, 'invalid_env_file', [], 'Pass the file that holds the app\'s vars, or leave it out to read them from the environment.');
  } else if (!useHeroku) {
    localVars = Object.fromEntries(LINK_VARS.map((n) => [n, env[n]]));
  }

  let token = useHeroku ? await findHerokuToken(env, deps.tokens) : undefined;
  if (!prompter.interactive) {
    const missing = [...(!apiKey ? ['--api-key'] : []), ...(!apiSecret ? ['--api-secret'] : []), ...(useHeroku && !app ? ['--app'] : []), ...(useHeroku && !token ? ['HEROKU_API_KEY'] : [])];
    if (missing.length > 0) {
      throw new InputError(
        `Missing input for a non-interactive run: ${missing.join(', ')}.`,
        'missing_input',
        missing,
        `Pass ${missing.map((m) => (m.startsWith('--') ? `${m} <value>` : `${m}=<token> in the environment`)).join(' and ')}` +
          (!apiSecret ? ' (the secret may also come from OPENTOK_API_SECRET)' : '') +
          (useHeroku && !app ? ' (or --no-heroku to read the vars from the environment or a --vars-file)' : '') +
          '.',
      );
    }
  } else {
    apiKey ??= (await prompter.input({ message: 'OpenTok API key of the project', validate: (v) => apiKeyProblem(v.trim()) ?? true })).trim();
    apiSecret ??= (await prompter.password({ message: 'OpenTok API secret (archives are listed with it)', validate: (v) => (v.trim() ? true : 'The secret is needed to list archives') })).trim();
    if (useHeroku && !token) {
      token = (await prompter.password({ message: 'Heroku API token (heroku auth:token prints it)', validate: (v) => (v.trim() ? true : 'A token is needed') })).trim();
    }
    if (useHeroku && !app) {
      const apps = await createHerokuApi(token!, aws.endpoints.heroku, { sleep: deps.sleep, requestTimeoutMs: deps.requestTimeoutMs }).listApps();
      if (apps.length === 0) throw new CloudError('This Heroku account has no apps.', 'heroku_no_apps', 'Pass the app with --app <name>.');
      app = await prompter.select({ message: 'Heroku app that links the archives', choices: apps.map((a) => ({ name: a.name, value: a.name })).sort((a, b) => a.name.localeCompare(b.name)) });
    }
  }
  return {
    ...aws,
    apiKey: apiKey!,
    apiSecret: apiSecret!,
    bucketFlag: flags.bucket,
    heroku: useHeroku ? { app: app!, token: token! } : undefined,
    localVars,
    varsFile,
    appType: (flags.appType as AppType | undefined) ?? (useHeroku ? undefined : 'classic'),
    limit,
    rescue: Boolean(flags.rescue),
    yes: Boolean(flags.yes),
    dryRun: Boolean(flags.dryRun),
  };
}
