// The commander program: the only place that reads process.argv and exits (src/run.ts reads the rest of the process).
// Start-up path: bundled alone as CommonJS (dist/cli.cjs) with commander and nothing else, so --help, --version and
// usage errors start without the ES module loader, chalk or any SDK. A command imports dist/run.js once it runs.
import { Command, CommanderError, Option } from 'commander';
import type { CommandFlags, Env } from './inputs.js';
import type { CommandName } from './run.js';
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

const ARCHIVES_EXAMPLES = `
Examples:
  $ ib-archive archives --api-key 46000000 --api-secret "$OPENTOK_API_SECRET" --app my-ib
  $ ib-archive archives --api-key 46000000 --app my-ib --rescue --dry-run     # what would be copied
  $ ib-archive archives --api-key 46000000 --app my-ib --rescue --yes         # copy them into the bucket
  $ ib-archive archives --api-key 46000000 --no-heroku --vars-file .env --limit 200 --json`;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Options both commands take; the help text says what each means for that command. */
function commonOptions(cmd: Command, command: 'setup' | 'doctor'): Command {
  const setup = command === 'setup';
  return cmd
    .option('--api-key <key>', 'OpenTok project API key (env OPENTOK_API_KEY)')
    .option('--api-secret <secret>', setup ? 'OpenTok project API secret, to verify the key (env OPENTOK_API_SECRET)' : 'OpenTok project API secret, to check the credentials and storage (env OPENTOK_API_SECRET)')
    .option('--bucket <name>', setup ? 'S3 bucket (env S3_BUCKET_NAME; default ib-archive-<apiKey>)' : "S3 bucket to check (default: the app's S3_BUCKET_NAME)")
    .option('--region <region>', setup ? 'AWS region of a new bucket (env AWS_REGION, AWS_DEFAULT_REGION; default us-east-1)' : 'AWS region to look in first (the bucket is found wherever it is)')
    .option('--profile <name>', 'AWS profile (env AWS_PROFILE)')
    .option('--iam-user <name>', setup ? 'IAM user for the app (default ib-archive-<bucket>)' : "the app's dedicated IAM user (default ib-archive-<bucket>)")
    .option('-a, --app <name>', 'Heroku app (env HEROKU_APP)')
    .option('--no-heroku', setup ? 'do not touch Heroku: print the vars, or write them with --env-file' : 'take the four vars from the environment or --env-file instead of the Heroku app')
    .option('--env-file <path>', setup ? 'also write the four vars to this file (mode 0600)' : 'with --no-heroku: read the four vars from this file')
    .option('--non-interactive', 'never prompt (also when CI is set or there is no TTY)')
    .option('--json', 'print one JSON document on stdout')
    .option('--debug', 'request/response summaries on stderr (secrets redacted)')
    .option('--show-secrets', 'print secrets instead of masking them');
}

function buildProgram(run: (command: CommandName, flags: CommandFlags) => Promise<number>): Command {
  const program = new Command('ib-archive')
    .description('Set up archiving for Interactive Broadcast: S3 bucket, IAM key, Heroku config vars and the OpenTok storage, in one run.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  commonOptions(program.command('setup').description('create or repair the whole archive set-up (S3 → IAM → Heroku → TokBox)'), 'setup')
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

  commonOptions(program.command('doctor').description('verify a finished set-up end to end and name the fix for every break'), 'doctor')
    .option('--timeout <seconds>', 'time limit of the checks, in seconds', '10')
    .option('--cors-origin <origin>', 'origin that must be allowed to GET/POST/PUT (repeatable; default *)', collect)
    .addHelpText('after', DOCTOR_EXAMPLES)
    .action(async (opts: CommandFlags) => {
      process.exitCode = await run('doctor', opts);
    });

  program
    .command('archives')
    .description("list the project's recent recordings and where each file really is; --rescue copies the ones left in the OpenTok cloud into the bucket")
    .option('--api-key <key>', 'OpenTok project API key (env OPENTOK_API_KEY)')
    .option('--api-secret <secret>', 'OpenTok project API secret, needed to list archives (env OPENTOK_API_SECRET)')
    .option('--bucket <name>', "S3 bucket OpenTok uploads to (default: the app's S3_BUCKET_NAME or BUCKET_URL)")
    .option('--region <region>', 'AWS region to look in first (the bucket is found wherever it is)')
    .option('--profile <name>', 'AWS profile (env AWS_PROFILE)')
    .option('-a, --app <name>', 'Heroku app whose vars say where archives are linked (env HEROKU_APP)')
    .option('--no-heroku', 'take the vars from the environment or --vars-file instead of the Heroku app')
    .option('--vars-file <path>', "with --no-heroku: read the app's vars from this file")
    .addOption(new Option('--app-type <type>', 'how the app links archives (default: detected from its vars; classic with --no-heroku)').choices(['classic', 'ibs']))
    .addOption(new Option('--env-file <path>', 'alias of --vars-file').hideHelp())
    .option('--limit <n>', 'how many of the newest archives to list', '50')
    .option('--rescue', 'copy every archive waiting in the OpenTok cloud into the bucket, where the app links it')
    .option('-y, --yes', 'accept the confirmation of a rescue')
    .option('--dry-run', 'read only: show what would be copied')
    .option('--non-interactive', 'never prompt (also when CI is set or there is no TTY)')
    .option('--json', 'print one JSON document on stdout')
    .option('--debug', 'request/response summaries on stderr (secrets redacted)')
    .addHelpText('after', ARCHIVES_EXAMPLES)
    .action(async (opts: CommandFlags) => {
      process.exitCode = await run('archives', opts);
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

export async function main(argv: string[], env: Env): Promise<number> {
  const program = buildProgram(async (command, flags) => (await import('./run.js')).runCommand(command, flags, env));
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
// No top-level await in CommonJS; a rejection stays unhandled, so Node prints it and exits 1 as before.
void main(process.argv, process.env).then((code) => {
  // Keep-alive sockets of the SDKs would hold the process open for seconds: exit once stdout is flushed.
  process.stdout.write('', () => process.exit(code));
});
