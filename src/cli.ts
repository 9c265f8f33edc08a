// The commander program: the only place that reads process.argv/env, decides TTY/colour, and exits.
import { Command, CommanderError, Option } from 'commander';
import type { Deps } from './context.js';
import { realSleep } from './context.js';
import { type CommandFlags, type Env, isNonInteractive, resolveEndpoints } from './inputs.js';
import { Output } from './io/output.js';
import { inquirerPrompter, noPrompter } from './io/prompter.js';
import { herokuTokenSources } from './services/heroku.js';
import { VERSION } from './version.js';

const SETUP_EXAMPLES = `
Examples:
  $ ib-archive setup                                    # interactive wizard
  $ ib-archive setup --api-key 46000000 --app my-ib --yes
  $ ib-archive setup --api-key 46000000 --bucket my-archives --region eu-west-1 --app my-ib --yes
  $ ib-archive setup --api-key 46000000 --api-secret "$OPENTOK_API_SECRET" --configure-opentok --app my-ib --yes
  $ ib-archive setup --api-key 46000000 --no-heroku --env-file .env   # no Heroku: write the vars to a file
  $ ib-archive setup --api-key 46000000 --app my-ib --dry-run --json  # plan only, machine-readable`;

const DOCTOR_EXAMPLES = `
Examples:
  $ ib-archive doctor --app my-ib --api-key 46000000
  $ ib-archive doctor --app my-ib --api-key 46000000 --api-secret "$OPENTOK_API_SECRET" --json
  $ ib-archive doctor --no-heroku --env-file .env --api-key 46000000`;

const collect = (value: string, previous: string[] = []) => [...previous, value];

function commonOptions(cmd: Command): Command {
  return cmd
    .option('--api-key <key>', 'OpenTok project API key (env OPENTOK_API_KEY)')
    .option('--api-secret <secret>', 'OpenTok project API secret (env OPENTOK_API_SECRET)')
    .option('--bucket <name>', 'S3 bucket (env S3_BUCKET_NAME; default ib-archive-<apiKey>)')
    .option('--region <region>', 'AWS region of a new bucket (env AWS_REGION, AWS_DEFAULT_REGION; default us-east-1)')
    .option('--profile <name>', 'AWS profile (env AWS_PROFILE)')
    .option('--iam-user <name>', 'IAM user for the app (default ib-archive-<bucket>)')
    .option('-a, --app <name>', 'Heroku app (env HEROKU_APP)')
    .option('--no-heroku', 'do not touch Heroku: print the vars, or write them with --env-file')
    .option('--env-file <path>', 'also write the four vars to this file (mode 0600)')
    .option('--non-interactive', 'never prompt (also when CI is set or there is no TTY)')
    .option('--json', 'print one JSON document on stdout')
    .option('--debug', 'request/response summaries on stderr (secrets redacted)')
    .option('--show-secrets', 'print secrets instead of masking them');
}

function buildProgram(run: (command: 'setup' | 'doctor' | 'demo', flags: CommandFlags) => Promise<number>): Command {
  const program = new Command('ib-archive')
    .description('Set up archiving for Interactive Broadcast: S3 bucket, IAM key, Heroku config vars and the OpenTok storage, in one run.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  commonOptions(program.command('setup').description('create or repair the whole archive set-up (S3 → IAM → Heroku → TokBox)'))
    .option('--cors-origin <origin>', 'CORS origin allowed to GET/POST/PUT (repeatable; default *)', collect)
    .option('--configure-opentok', "set the OpenTok project's archive storage through the API")
    .addOption(new Option('--sse <mode>', 'server-side encryption OpenTok asks for').choices(['s3', 'none']))
    .addOption(new Option('--fallback <target>', 'where OpenTok keeps an archive it cannot upload').choices(['opentok', 'none']))
    .option('-y, --yes', 'accept every confirmation (making the folder public, replacing config vars)')
    .option('--dry-run', 'read only: show what would change')
    .addHelpText('after', SETUP_EXAMPLES)
    .action(async (opts: CommandFlags) => {
      process.exitCode = await run('setup', opts);
    });

  commonOptions(program.command('doctor').description('verify a finished set-up end to end and name the fix for every break'))
    .option('--timeout <seconds>', 'time limit of each check', '10')
    .addHelpText('after', DOCTOR_EXAMPLES)
    .action(async (opts: CommandFlags) => {
      process.exitCode = await run('doctor', opts);
    });

  program
    .command('demo')
    .description('run the real wizard, then doctor, against built-in local stand-ins of S3/IAM/STS, Heroku and OpenTok')
    .option('--non-interactive', 'never prompt')
    .option('--latency <ms>', 'added latency per request of the stand-ins', '0')
    .addHelpText('after', '\nExample:\n  $ npx ib-archive demo')
    .action(async (opts: CommandFlags) => {
      process.exitCode = await run('demo', opts);
    });

  return program;
}

function colorEnabled(env: Env, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY;
}

/** Builds the injected dependencies of a command from the real process. */
export function processDeps(flags: CommandFlags, env: Env): Deps {
  const stderrTTY = Boolean(process.stderr.isTTY);
  const interactive = !isNonInteractive(flags, env, { stdin: Boolean(process.stdin.isTTY), stderr: stderrTTY });
  const ci = Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0';
  const out = new Output({
    stdout: process.stdout,
    stderr: process.stderr,
    color: colorEnabled(env, Boolean(process.stdout.isTTY) && !flags.json),
    spinners: stderrTTY && !ci && !flags.json,
    json: Boolean(flags.json),
    debug: Boolean(flags.debug),
    showSecrets: Boolean(flags.showSecrets),
  });
  let herokuApi = 'https://api.heroku.com';
  try {
    herokuApi = resolveEndpoints(env).heroku;
  } catch {
    // reported by input validation
  }
  return {
    env,
    out,
    prompter: interactive ? inquirerPrompter({ input: process.stdin, output: process.stderr }) : noPrompter,
    tokens: herokuTokenSources(env, herokuApi),
    now: () => Date.now(),
    sleep: realSleep,
    onInterrupt: new Set(),
  };
}

async function runCommand(command: 'setup' | 'doctor' | 'demo', flags: CommandFlags, deps: Deps): Promise<number> {
  if (command === 'setup') return (await import('./commands/setup.js')).runSetup(flags, deps).then((o) => o.exitCode);
  if (command === 'doctor') return (await import('./commands/doctor.js')).runDoctor(flags, deps);
  return (await import('./commands/demo.js')).runDemo(flags, deps);
}

export async function main(argv: string[], env: Env): Promise<number> {
  let active: Deps | undefined;
  const onSigint = async () => {
    const deps = active;
    if (deps) {
      await Promise.race([Promise.allSettled([...deps.onInterrupt].map((f) => f())), realSleep(5000)]);
      deps.out.info('\nInterrupted. Re-run the same command to finish: it resumes where it stopped.');
    }
    process.exit(130);
  };
  process.on('SIGINT', () => void onSigint());
  process.on('SIGTERM', () => void onSigint());

  const program = buildProgram(async (command, flags) => {
    active = processDeps(flags, env);
    return runCommand(command, flags, active);
  });
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      if (argv.includes('--json')) {
        process.stdout.write(JSON.stringify({ ok: false, error: { code: 'invalid_usage', message: err.message.replace(/^error: /, ''), missing: [] } }, null, 2) + '\n');
      }
      return 2;
    }
    throw err;
  }
}

// Node 20 is supported; the SDK's one-time notice about it only confuses users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const code = await main(process.argv, process.env);
// Keep-alive sockets of the SDKs would hold the process open for seconds: exit once stdout is flushed.
process.stdout.write('', () => process.exit(code));
