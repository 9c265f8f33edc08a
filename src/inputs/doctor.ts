// doctor's options: the common inputs plus where the app's vars come from, the origins to check and the time limit.
import { InputError } from '../errors.js';
import type { DoctorInputs } from '../checks/facts.js';
import { corsOriginProblem } from '../validate.js';
import { VAR_NAMES } from '../vars.js';
import { readVarsFile } from '../vars-file.js';
import type { CommandFlags } from './flags.js';
import { type CommonInputs, FIXES, type ResolveDeps, resolveCommon } from './resolve.js';
import { IB_CORS_ORIGIN } from './setup.js';

/** The app's vars a reader takes from the environment with --no-heroku (classic's four, the IBS backend's one). */
const READ_VARS = [...VAR_NAMES, 'BUCKET_URL', 'S3_BUCKET_NAME_IMAGES'];

/** What a command that reads a finished set-up asks for; the vars come from the app, a --vars-file or the environment. */
export async function resolveReaderInputs(flags: CommandFlags, deps: ResolveDeps, extra: Partial<Parameters<typeof resolveCommon>[2]> = {}): Promise<CommonInputs & { localVars?: Record<string, string | undefined> }> {
  const useHeroku = flags.heroku !== false;
  const common = await resolveCommon(flags, deps, {
    secret: 'optional',
    noHerokuHint: 'to check the values in the environment or a --vars-file',
    apiKeyMessage: 'OpenTok API key of the project',
    appMessage: 'Heroku app to check',
    ...extra,
    validate: async (problems) => {
      if ((flags.varsFile ?? flags.envFile) !== undefined && useHeroku) {
        problems.add('--vars-file is read only with --no-heroku (otherwise the config vars of --app are checked).', 'Leave out --vars-file, or add --no-heroku to check the values in the file.');
      }
      await extra.validate?.(problems);
    },
  });
  if (useHeroku) return common;
  if (!common.varsFile) return { ...common, localVars: Object.fromEntries(READ_VARS.map((n) => [n, deps.env[n]])) };
  const localVars = await readVarsFile(common.varsFile);
  if (!localVars) throw new InputError(`--vars-file ${common.varsFile} does not exist.`, 'invalid_vars_file', [], 'Pass the file setup wrote with --vars-file <path>. Nothing was changed.');
  return { ...common, localVars };
}

/** Resolves and validates doctor's inputs before anything is sent. */
export async function resolveDoctorInputs(flags: CommandFlags, deps: ResolveDeps): Promise<DoctorInputs> {
  const corsOrigins = flags.corsOrigin?.length ? [...new Set(flags.corsOrigin)] : [IB_CORS_ORIGIN];
  const timeout = Number(flags.timeout ?? '10');
  const inputs = await resolveReaderInputs(flags, deps, {
    validate: (problems) => {
      for (const origin of corsOrigins) problems.check('CORS origin', origin, corsOriginProblem, FIXES.cors);
      if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 600) problems.add(`--timeout must be a number of seconds from 0 to 600, not "${flags.timeout}".`, 'Pass --timeout <seconds>, for example --timeout 30.');
    },
  });
  return {
    apiKey: inputs.apiKey,
    apiSecret: inputs.apiSecret,
    app: inputs.heroku?.app,
    token: inputs.heroku?.token,
    localVars: inputs.localVars,
    varsFile: inputs.heroku ? undefined : inputs.varsFile,
    bucketFlag: inputs.bucketFlag,
    iamUser: inputs.iamUserFlag,
    appTypeFlag: inputs.appTypeFlag,
    corsOrigins,
    region: inputs.region,
    regionSource: inputs.regionSource,
    profile: inputs.profile,
    credentials: inputs.credentials,
    endpoints: inputs.endpoints,
    timeoutMs: Math.round(timeout * 1000),
  };
}
