// The one input resolver: flag → environment → prompt → default for what every command shares, validated at once.
import { CloudError, InputError } from '../errors.js';
import type { Prompter } from '../io/prompter.js';
import { type HerokuTokenSources, createHerokuApi, findHerokuToken } from '../services/heroku.js';
import { createOpenTokApi } from '../services/opentok.js';
import { access } from 'node:fs/promises';
import { apiKeyProblem, bucketNameProblem, herokuAppProblem, iamUserProblem, regionProblem } from '../validate.js';
import { type AwsInputs, type Env, resolveAws } from './env.js';
import type { CommandFlags } from './flags.js';

export type AppType = 'classic' | 'ibs';

/** What every command's inputs have; each command's options extend it. */
export interface CommonInputs extends AwsInputs {
  apiKey: string;
  apiSecret?: string;
  /** Heroku app and token; undefined with --no-heroku. */
  heroku?: { app: string; token: string };
  /** --vars-file (or its alias --env-file). */
  varsFile?: string;
  bucketFlag?: string;
  iamUserFlag?: string;
  appTypeFlag?: AppType;
  yes: boolean;
  dryRun: boolean;
  showSecrets: boolean;
  /** A person is going through the wizard (asked for the API key), not a command line that named the project. */
  wizard: boolean;
}

export interface ResolveDeps {
  env: Env;
  prompter: Prompter;
  tokens: HerokuTokenSources;
  sleep: (ms: number) => Promise<void>;
  requestTimeoutMs?: number;
}

/** What to do about an invalid input, by input. */
export const FIXES = {
  apiKey: 'Pass the numeric API key of your OpenTok project (on your Vonage Video API account page) with --api-key <key> or OPENTOK_API_KEY.',
  bucket: 'Choose a name with --bucket <name> (or S3_BUCKET_NAME): 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit; the default is ib-archive-<apiKey>.',
  iamUser: 'Choose a name with --iam-user <name> (up to 64 letters, digits and + = , . @ _ -), or leave it out for the default.',
  app: 'Pass the app name as `heroku apps` lists it, with --app <name> (or HEROKU_APP).',
  cors: 'Pass each origin with --cors-origin as scheme://host[:port] (no path, no trailing slash), or leave it out for * (what Interactive Broadcast needs).',
  region: 'Pass a region name like us-east-1 or eu-west-1 with --region <region> (or fix AWS_REGION, AWS_DEFAULT_REGION or the region of your AWS profile).',
  varsFile: 'Pass a file path with --vars-file <path>.',
  appType: 'Pass --app-type classic (interactive-broadcast-js) or --app-type ibs (interactive-broadcast-api, the IBS backend).',
};

/** Input problems found so far, each with what to do about it: all are reported at once. */
export class Problems {
  readonly messages: string[] = [];
  readonly fixes: string[] = [];

  add(message: string, fix?: string): void {
    this.messages.push(message);
    if (fix && !this.fixes.includes(fix)) this.fixes.push(fix);
  }

  /** Adds `label "value" <problem>.` when the rule finds one. */
  check(label: string, value: string | undefined, rule: (v: string) => string | undefined, fix: string): void {
    if (value === undefined) return;
    const found = rule(value);
    if (found) this.add(`${label} "${value}" ${found}.`, fix);
  }

  throwIfAny(): void {
    if (this.messages.length === 0) return;
    throw new InputError(this.messages.join('\n'), 'invalid_input', [], [...this.fixes, 'Nothing was changed.'].join('\n'));
  }
}

export interface ResolveSpec {
  /** `required`: a script without it exits 2 and the wizard insists; `ask`: the wizard offers it (Enter skips). */
  secret: 'optional' | 'ask' | 'required';
  /** What --no-heroku means for this command, for the missing-input hint. */
  noHerokuHint: string;
  apiKeyMessage: string;
  appMessage: string;
  /** Command-specific validation, before any prompt or request. */
  validate?: (problems: Problems) => void | Promise<void>;
  /** Command-specific inputs a script must give (named in the one missing-input error). */
  missing?: () => string[];
  /** Command-specific questions asked right after the API key (setup: the bucket and the region). */
  ask?: (apiKey: string, aws: AwsInputs) => Promise<void>;
}

/** Resolves the inputs every command shares; everything is validated before any cloud call. */
export async function resolveCommon(flags: CommandFlags, deps: ResolveDeps, spec: ResolveSpec): Promise<CommonInputs> {
  const { env, prompter } = deps;
  const problems = new Problems();
  let apiKey = flags.apiKey ?? (env.OPENTOK_API_KEY || undefined);
  let apiSecret = flags.apiSecret ?? (env.OPENTOK_API_SECRET || undefined);
  let app = flags.app ?? (env.HEROKU_APP || undefined);
  const useHeroku = flags.heroku !== false;
  problems.check('API key', apiKey, apiKeyProblem, FIXES.apiKey);
  problems.check('Bucket name', flags.bucket, bucketNameProblem, FIXES.bucket);
  problems.check('IAM user name', flags.iamUser, iamUserProblem, FIXES.iamUser);
  if (useHeroku) problems.check('Heroku app', app, herokuAppProblem, FIXES.app);
  if (flags.appType !== undefined && flags.appType !== 'classic' && flags.appType !== 'ibs') {
    problems.add(`--app-type must be "classic" or "ibs", not "${flags.appType}".`, FIXES.appType);
  }
  const varsFile = await varsFileOf(flags, problems);
  await spec.validate?.(problems);
  let aws: AwsInputs | undefined;
  try {
    aws = await resolveAws(flags, env);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    problems.add(err.message, err.fix);
  }
  const regionGiven = aws !== undefined && aws.regionSource !== 'default';
  if (aws && regionGiven) problems.check(`Region (from ${aws.regionSource === 'flag' ? '--region' : aws.regionSource})`, aws.region, regionProblem, FIXES.region);
  problems.throwIfAny();

  // Started now, awaited only where needed: `heroku auth:token` takes over a second and must not delay the first question.
  const tokenLookup = useHeroku ? findHerokuToken(env, deps.tokens) : Promise.resolve(undefined);
  let token: string | undefined;
  let wizard = false;
  if (!prompter.interactive) {
    token = await tokenLookup;
    const missing = [
      ...(!apiKey ? ['--api-key'] : []),
      ...(spec.secret === 'required' && !apiSecret ? ['--api-secret'] : []),
      ...(spec.missing?.() ?? []),
      ...(useHeroku && !app ? ['--app'] : []),
      ...(useHeroku && !token ? ['HEROKU_API_KEY'] : []),
    ];
    if (missing.length > 0) throw missingInputs(missing, useHeroku && !app ? spec.noHerokuHint : undefined);
  } else {
    // The optional secret is offered to a person going through the wizard, not to a command line that named the project.
    wizard = apiKey === undefined;
    apiKey = (apiKey ?? (await prompter.input({ message: spec.apiKeyMessage, validate: (v) => apiKeyProblem(v.trim()) ?? true }))).trim();
    await spec.ask?.(apiKey, aws!);
    if (!apiSecret && (spec.secret === 'required' || (spec.secret === 'ask' && wizard))) {
      const required = spec.secret === 'required';
      const key = apiKey;
      apiSecret = await askChecked(
        (refused) =>
          prompter.password({
            message: `${required ? 'OpenTok API secret' : 'OpenTok API secret (optional, to set the archive storage for you; Enter skips)'}${refused}`,
            validate: (v) => (required && !v.trim() ? 'The secret is needed for this command' : true),
          }),
        // A secret typed here is tried at once (createSession), so a typo is asked again instead of failing later.
        (secret) => createOpenTokApi(key, secret, aws!.endpoints.opentok, { sleep: deps.sleep, requestTimeoutMs: deps.requestTimeoutMs }).verifyCredentials(),
        'opentok_invalid_credentials',
      );
    }
    token = await tokenLookup;
    if (useHeroku && !token) {
      token = await askChecked(
        (refused) => prompter.password({ message: `Heroku API token (heroku auth:token prints it)${refused}`, validate: (v) => (v.trim() ? true : 'A token is needed') }),
        async (typed) => void (await createHerokuApi(typed, aws!.endpoints.heroku, { sleep: deps.sleep, requestTimeoutMs: deps.requestTimeoutMs }).listApps()),
        'heroku_unauthorized',
      );
    }
    if (useHeroku && !app) app = await pickHerokuApp(deps, token!, aws!.endpoints.heroku, spec.appMessage);
  }
  if (aws && !regionGiven) problems.check('Region', aws.region, regionProblem, FIXES.region);
  problems.throwIfAny();
  return {
    ...aws!,
    apiKey: apiKey!,
    apiSecret,
    heroku: useHeroku ? { app: app!, token: token! } : undefined,
    varsFile,
    bucketFlag: flags.bucket,
    iamUserFlag: flags.iamUser,
    appTypeFlag: flags.appType as AppType | undefined,
    yes: Boolean(flags.yes),
    dryRun: Boolean(flags.dryRun),
    showSecrets: Boolean(flags.showSecrets),
    wizard,
  };
}

const TRIES = 3;

/**
 * A credential typed at a prompt, checked at once: refused with `refusedCode`, it is asked again (three tries in
 * all). Never used for a value from a flag or the environment, which is refused like any other input. An empty
 * answer (an optional question skipped) is not checked.
 */
async function askChecked(ask: (refused: string) => Promise<string>, check: (value: string) => Promise<void>, refusedCode: string): Promise<string | undefined> {
  let refused = '';
  for (let tries = 1; ; tries++) {
    const value = (await ask(refused)).trim();
    if (!value) return undefined;
    try {
      await check(value);
      return value;
    } catch (err) {
      if (!(err instanceof CloudError) || err.code !== refusedCode || tries >= TRIES) throw err;
      refused = ` — that one was refused, ${TRIES - tries} ${TRIES - tries === 1 ? 'try' : 'tries'} left`;
    }
  }
}

/** --vars-file, or --env-file (its old name, kept for a file that exists: Node itself claims a missing one). */
async function varsFileOf(flags: CommandFlags, problems: Problems): Promise<string | undefined> {
  const path = flags.varsFile ?? flags.envFile;
  const flag = flags.varsFile !== undefined ? '--vars-file' : '--env-file';
  if (path === undefined) return undefined;
  if (path.trim() === '') {
    problems.add(`${flag} needs a file path.`, FIXES.varsFile);
    return undefined;
  }
  if (flags.varsFile === undefined && !(await access(path).then(() => true, () => false))) {
    problems.add(`--env-file ${path} does not exist; --env-file is only accepted for a file that exists.`, 'Use --vars-file <path> for a new file (Node itself claims --env-file for a file it cannot find).');
  }
  return path;
}

/** The one "missing input" error of a non-interactive run: every missing flag at once, with what to pass. */
export function missingInputs(missing: string[], noHerokuHint?: string): InputError {
  return new InputError(
    `Missing input for a non-interactive run: ${missing.join(', ')}.`,
    'missing_input',
    missing,
    `Pass ${missing.map((m) => (m.startsWith('--') ? `${m} <value>` : `${m}=<token> in the environment (heroku auth:token prints one)`)).join(' and ')}` +
      (noHerokuHint ? ` (or --no-heroku ${noHerokuHint})` : '') +
      '.',
  );
}

/** The wizard's picker over the account's apps. */
async function pickHerokuApp(deps: ResolveDeps, token: string, host: string, message: string): Promise<string> {
  const apps = await createHerokuApi(token, host, { sleep: deps.sleep, requestTimeoutMs: deps.requestTimeoutMs }).listApps();
  if (apps.length === 0) {
    throw new CloudError('This Heroku account has no apps.', 'heroku_no_apps', 'Deploy Interactive Broadcast first (its README has a Deploy to Heroku button), then re-run with --app <name>.');
  }
  return deps.prompter.select({
    message,
    choices: apps.map((a) => ({ name: a.name, value: a.name, description: a.web_url })).sort((a, b) => a.name.localeCompare(b.name)),
  });
}
