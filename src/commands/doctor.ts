// `ib-archive doctor`: every check at once against the app's config vars, one line each, exit 1 when one fails.
import { CloudError, InputError, isKnownError } from '../errors.js';
import type { Deps } from '../context.js';
import { type CommandFlags, IB_CORS_ORIGIN, findHerokuToken, resolveAws } from '../inputs.js';
import { createAwsClients } from '../services/aws.js';
import { createHerokuApi } from '../services/heroku.js';
import { createOpenTokApi } from '../services/opentok.js';
import { VAR_NAMES, readEnvFile } from '../stages/heroku.js';
import { apiKeyProblem, bucketNameProblem, corsOriginProblem, herokuAppProblem, iamUserProblem, regionProblem } from '../validate.js';
import { identityCheck } from '../checks/aws.js';
import { DoctorFacts, type DoctorInputs } from '../checks/facts.js';
import { herokuAppCheck, herokuVarsCheck } from '../checks/heroku.js';
import { iamKeyCheck } from '../checks/iam.js';
import { opentokCredentialsCheck, opentokStorageCheck } from '../checks/opentok.js';
import { Probe } from '../checks/probe.js';
import { CHECK_IDS, type CheckId, type CheckResult, renderResult, renderSummary, runChecks } from '../checks/runner.js';
import { archivesCheck } from '../checks/archives.js';
import { bucketCheck, corsCheck, folderCheck, notListableCheck } from '../checks/s3.js';
import { publicReadCheck, uploadCheck } from '../checks/s3-probe.js';

export interface DoctorFlags extends CommandFlags {
  /** Seconds each check may take (commander gives a string). */
  timeout?: string;
}

interface Resolved {
  inputs: DoctorInputs;
  token?: string;
}

/** Flags → environment → prompt for the doctor's inputs; all validation before anything is sent. */
async function resolveDoctorInputs(flags: DoctorFlags, deps: Deps): Promise<Resolved> {
  const { env, prompter } = deps;
  const problems: string[] = [];
  const check = (label: string, value: string | undefined, rule: (v: string) => string | undefined) => {
    const problem = value === undefined ? undefined : rule(value);
    if (problem) problems.push(`${label} "${value}" ${problem}.`);
  };
  let apiKey = flags.apiKey ?? (env.OPENTOK_API_KEY || undefined);
  const apiSecret = flags.apiSecret ?? (env.OPENTOK_API_SECRET || undefined);
  let app = flags.app ?? (env.HEROKU_APP || undefined);
  const useHeroku = flags.heroku !== false;
  const corsOrigins = flags.corsOrigin?.length ? [...new Set(flags.corsOrigin)] : [IB_CORS_ORIGIN];
  check('API key', apiKey, apiKeyProblem);
  check('Bucket name', flags.bucket, bucketNameProblem);
  check('IAM user name', flags.iamUser, iamUserProblem);
  if (useHeroku) check('Heroku app', app, herokuAppProblem);
  for (const origin of corsOrigins) check('CORS origin', origin, corsOriginProblem);
  const timeout = Number(flags.timeout ?? '10');
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 600) problems.push(`--timeout must be a number of seconds from 0 to 600, not "${flags.timeout}".`);
  if (flags.envFile !== undefined && useHeroku) problems.push('--env-file is read only with --no-heroku (otherwise the config vars of --app are checked).');
  if (flags.envFile !== undefined && flags.envFile.trim() === '') problems.push('--env-file needs a file path.');
  const aws = await resolveAws(flags, env).catch((err: unknown) => {
    if (err instanceof InputError) problems.push(err.message);
    return undefined;
  });
  if (aws && aws.regionSource !== 'default') check(`Region (from ${aws.regionSource === 'flag' ? '--region' : aws.regionSource})`, aws.region, regionProblem);
  if (problems.length > 0 || !aws) throw new InputError(problems.join('\n'), 'invalid_input');

  let localVars: Record<string, string | undefined> | undefined;
  if (!useHeroku && flags.envFile) {
    localVars = await readEnvFile(flags.envFile);
    if (!localVars) throw new InputError(`--env-file ${flags.envFile} does not exist.`, 'invalid_env_file');
  } else if (!useHeroku) {
    localVars = Object.fromEntries(VAR_NAMES.map((n) => [n, env[n]]));
  }

  let token = useHeroku ? await findHerokuToken(env, deps.tokens) : undefined;
  if (!prompter.interactive) {
    const missing = [...(!apiKey ? ['--api-key'] : []), ...(useHeroku && !app ? ['--app'] : []), ...(useHeroku && !token ? ['HEROKU_API_KEY'] : [])];
    if (missing.length > 0) {
      throw new InputError(
        `Missing input for a non-interactive run: ${missing.join(', ')}.`,
        'missing_input',
        missing,
        `Pass ${missing.map((m) => (m.startsWith('--') ? `${m} <value>` : `${m}=<token> in the environment`)).join(' and ')}` +
          (useHeroku && !app ? ' (or --no-heroku to check the values in the environment or an --env-file)' : '') +
          '.',
      );
    }
  } else {
    apiKey ??= (await prompter.input({ message: 'OpenTok API key of the project', validate: (v) => apiKeyProblem(v.trim()) ?? true })).trim();
    if (useHeroku && !token) {
      token = (await prompter.password({ message: 'Heroku API token (heroku auth:token prints it)', validate: (v) => (v.trim() ? true : 'A token is needed') })).trim();
    }
    if (useHeroku && !app) {
      const apps = await createHerokuApi(token!, aws.endpoints.heroku, { sleep: deps.sleep, requestTimeoutMs: deps.requestTimeoutMs }).listApps();
      if (apps.length === 0) throw new CloudError('This Heroku account has no apps.', 'heroku_no_apps', 'Pass the app to check with --app <name>.');
      app = await prompter.select({ message: 'Heroku app to check', choices: apps.map((a) => ({ name: a.name, value: a.name })).sort((a, b) => a.name.localeCompare(b.name)) });
    }
  }
  return {
    token,
    inputs: {
      apiKey: apiKey!,
      apiSecret,
      app: useHeroku ? app : undefined,
      localVars,
      envFile: useHeroku ? undefined : flags.envFile,
      bucketFlag: flags.bucket,
      iamUser: flags.iamUser,
      corsOrigins,
      region: aws.region,
      regionSource: aws.regionSource,
      profile: aws.profile,
      credentials: aws.credentials,
      endpoints: aws.endpoints,
      timeoutMs: Math.round(timeout * 1000),
    },
  };
}

function reportError(deps: Deps, err: unknown): number {
  const { out } = deps;
  const known = isKnownError(err);
  const code = known ? ((err as { code?: string }).code ?? 'interrupted') : 'internal_error';
  const message = err instanceof Error ? err.message : String(err);
  const fix = err instanceof CloudError || err instanceof InputError ? err.fix : undefined;
  if (out.json) {
    out.jsonDocument({ command: 'doctor', ok: false, error: { code, message, ...(fix ? { fix } : {}), missing: err instanceof InputError ? err.missing : [] } });
  } else {
    for (const line of message.split('\n')) out.error(line);
    if (fix) out.info(fix);
    if (!known) out.info(out.c.dim('This is a bug in ib-archive; re-run with --debug for details.'));
  }
  if (!known) out.debug((err as Error)?.stack ?? String(err));
  return known ? err.exitCode : 1;
}

/** Runs every check concurrently and reports them; returns the exit code (0 clean or warnings, 1 a failure, 2 bad input). */
export async function runDoctor(flags: CommandFlags, deps: Deps): Promise<number> {
  const { out } = deps;
  const started = deps.now();
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'HEROKU_API_KEY', 'OPENTOK_API_SECRET', 'AWS_SESSION_TOKEN']) out.addSecret(deps.env[name]);
  out.addSecret(flags.apiSecret);
  let resolved: Resolved;
  try {
    resolved = await resolveDoctorInputs(flags as DoctorFlags, deps);
  } catch (err) {
    return reportError(deps, err);
  }
  const { inputs, token } = resolved;
  out.addSecret(token);
  out.addSecret(inputs.localVars?.AWS_SECRET_ACCESS_KEY);
  const debug = (line: string) => out.debug(line);
  // Warm the S3 SDK while Heroku and STS answer the first requests.
  import('@aws-sdk/client-s3').catch(() => undefined);
  const facts = new DoctorFacts(inputs, {
    aws: createAwsClients({ region: inputs.region, profile: inputs.profile, credentials: inputs.credentials, endpoints: inputs.endpoints, onRequest: debug, requestTimeoutMs: deps.requestTimeoutMs }),
    heroku: inputs.app && token ? createHerokuApi(token, inputs.endpoints.heroku, { sleep: deps.sleep, onRequest: debug, requestTimeoutMs: deps.requestTimeoutMs }) : undefined,
    fetch: (url, init) => fetch(url, init),
    now: deps.now,
    sleep: deps.sleep,
    addSecret: (v) => out.addSecret(v),
    debug,
  });
  const opentok = inputs.apiSecret ? createOpenTokApi(inputs.apiKey, inputs.apiSecret, inputs.endpoints.opentok, { sleep: deps.sleep, onRequest: debug, requestTimeoutMs: deps.requestTimeoutMs }) : undefined;
  const probe = new Probe(facts);
  const cleanup = async () => void (await probe.cleanup());
  deps.onInterrupt.add(cleanup);

  // opentok.archives names the failure of another check as the cause of uploads that fell back to OpenTok.
  const resultById = new Map<CheckId, Promise<CheckResult>>();
  const checks = [
    identityCheck(facts),
    bucketCheck(facts),
    corsCheck(facts),
    folderCheck(facts),
    uploadCheck(facts, probe),
    publicReadCheck(facts, probe),
    notListableCheck(facts),
    iamKeyCheck(facts),
    herokuAppCheck(facts),
    herokuVarsCheck(facts),
    opentokCredentialsCheck(facts, opentok),
    opentokStorageCheck(facts),
    archivesCheck(facts, opentok, (id) => resultById.get(id)),
  ].sort((a, b) => CHECK_IDS.indexOf(a.id) - CHECK_IDS.indexOf(b.id));
  void probe.cleanup();
  const pending = runChecks(checks, inputs.timeoutMs);
  checks.forEach((check, i) => resultById.set(check.id, pending[i]!));

  if (!out.json) {
    const source = inputs.app ? `Heroku app ${inputs.app}` : `the values in ${inputs.envFile ?? 'the environment'} (--no-heroku)`;
    out.result(out.c.bold(`ib-archive doctor: OpenTok project ${inputs.apiKey}, ${source}`));
    for (const p of pending) renderResult(out, await p);
  }
  const results: CheckResult[] = await Promise.all(pending);
  await Promise.race([probe.cleanup(), deps.sleep(inputs.timeoutMs)]);
  deps.onInterrupt.delete(cleanup);

  const ok = !results.some((r) => r.status === 'fail');
  if (out.json) {
    out.jsonDocument({ command: 'doctor', ok, checks: results.map((r) => ({ id: r.id, status: r.status, detail: r.detail, fix: r.fix ?? null })) });
  } else {
    renderSummary(out, results, deps.now() - started);
  }
  return ok ? 0 : 1;
}
