// The commander program: the only place that reads process.argv and exits (src/run.ts reads the rest of the process).
// Start-up path: bundled alone as CommonJS (dist/cli.cjs) with commander and nothing else, so --help, --version and
// usage errors start without the ES module loader, chalk or any SDK. A command imports dist/run.js once it runs.
import { Command, CommanderError, Option } from 'commander';
import type { CommandFlags, CommandName } from './inputs/flags.js';
import type { Env } from './inputs/env.js';
import { errorDocument } from './report.js';
import { VERSION } from './version.js';

const EXAMPLES: Record<string, string[]> = {
  setup: [
    'ib-archive setup                                    # interactive wizard',
    'ib-archive setup --api-key 46000000 --app my-ib --yes',
    'ib-archive setup --api-key 46000000 --bucket my-archives --region eu-west-1 --app my-ib --yes',
    'ib-archive setup --api-key 46000000 --api-secret "$OPENTOK_API_SECRET" --configure-opentok --app my-ib --yes',
    'ib-archive setup --api-key 46000000 --app my-ib --expire-after-days 365 --yes   # archives live a year',
    'ib-archive setup --api-key 46000000 --no-heroku --vars-file ib.env   # no Heroku: write the vars to a file',
    'ib-archive setup --api-key 46000000 --app my-ib --dry-run --json  # plan only, machine-readable',
  ],
  doctor: [
    'ib-archive doctor --app my-ib --api-key 46000000',
    'ib-archive doctor --app my-ib --api-key 46000000 --api-secret "$OPENTOK_API_SECRET" --json',
    'ib-archive doctor --no-heroku --vars-file ib.env --api-key 46000000',
  ],
  'rotate-key': [
    'ib-archive rotate-key --app my-ib --api-key 46000000 --api-secret "$OPENTOK_API_SECRET"',
    'ib-archive rotate-key --app my-ib --api-key 46000000 --api-secret "$OPENTOK_API_SECRET" --keep-old --yes',
    'ib-archive rotate-key --no-heroku --vars-file ib.env --api-key 46000000 --dry-run',
  ],
  teardown: [
    'ib-archive teardown --app my-ib --api-key 46000000 --api-secret "$OPENTOK_API_SECRET"   # plan, then one question',
    'ib-archive teardown --app my-ib --api-key 46000000 --dry-run --json',
    'ib-archive teardown --app my-ib --api-key 46000000 --delete-archives --yes   # archives too (scripts)',
  ],
  archives: [
    'ib-archive archives --api-key 46000000 --api-secret "$OPENTOK_API_SECRET" --app my-ib',
    'ib-archive archives --api-key 46000000 --app my-ib --rescue --dry-run     # what would be copied',
    'ib-archive archives --api-key 46000000 --app my-ib --rescue --yes         # copy them into the bucket',
    'ib-archive archives --api-key 46000000 --no-heroku --vars-file ib.env --limit 200 --json',
  ],
  demo: ['npx ib-archive demo'],
};

const examples = (command: string) => `\nExamples:\n${EXAMPLES[command]!.map((e) => `  $ ${e}`).join('\n')}`;
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Options every command that reads or changes a set-up takes; the help text says what each means there. */
function commonOptions(cmd: Command, changes: boolean): Command {
  return cmd
    .option('--api-key <key>', 'OpenTok project API key (env OPENTOK_API_KEY)')
    .option('--api-secret <secret>', 'OpenTok project API secret (env OPENTOK_API_SECRET)')
    .option('--bucket <name>', changes ? 'S3 bucket (env S3_BUCKET_NAME; default ib-archive-<apiKey>)' : "S3 bucket (default: the app's S3_BUCKET_NAME)")
    .option('--region <region>', changes ? 'AWS region of a new bucket (env AWS_REGION, AWS_DEFAULT_REGION; default us-east-1)' : 'AWS region to look in first (the bucket is found wherever it is)')
    .option('--profile <name>', 'AWS profile (env AWS_PROFILE)')
    .option('--iam-user <name>', "the app's dedicated IAM user (default ib-archive-<app>, or ib-archive-<bucket> with --no-heroku)")
    .option('-a, --app <name>', 'Heroku app (env HEROKU_APP)')
    .option('--no-heroku', changes ? 'do not touch Heroku: print the vars, or write them with --vars-file' : 'take the vars from the environment or --vars-file instead of the Heroku app')
    .option('--vars-file <path>', changes ? 'also write the vars to this file (created with mode 0600, replaced atomically)' : 'with --no-heroku: read the vars from this file')
    .addOption(new Option('--env-file <path>', 'old name of --vars-file, for a file that exists').hideHelp())
    .option('-y, --yes', 'accept every confirmation')
    .option('--non-interactive', 'never prompt (also when CI is set or there is no TTY)')
    .option('--dry-run', 'read only: show what would change')
    .option('--json', 'print one JSON document on stdout')
    .option('--debug', 'request/response summaries on stderr (secrets redacted)')
    .option('--show-secrets', 'print secrets instead of masking them');
}

type Run = (command: CommandName, flags: CommandFlags) => Promise<number>;

function buildProgram(run: Run, exit: { code: number }): Command {
  const program = new Command('ib-archive')
    .description('Set up archiving for Interactive Broadcast: S3 bucket, IAM key, Heroku config vars and the OpenTok storage, in one run.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const action = (name: CommandName) => async (opts: CommandFlags) => {
    exit.code = await run(name, opts);
  };

  commonOptions(program.command('setup').description('create or repair the whole archive set-up (S3 → IAM → Heroku → OpenTok)'), true)
    .option('--cors-origin <origin>', 'CORS origin allowed to GET/POST/PUT (repeatable; default *)', collect)
    .addOption(new Option('--app-type <type>', 'what runs on the app (default: detected from its config vars)').choices(['classic', 'ibs']))
    .option('--expire-after-days <n>', 'delete archives under <apiKey>/ after n days (0 removes the rule)')
    .option('--configure-opentok', "set the OpenTok project's archive storage through the API")
    .addOption(new Option('--sse <mode>', 'server-side encryption OpenTok asks for').choices(['s3', 'none']))
    .addOption(new Option('--fallback <target>', 'where OpenTok keeps an archive it cannot upload').choices(['opentok', 'none']))
    .addHelpText('after', examples('setup'))
    .action(action('setup'));

  commonOptions(program.command('doctor').description('verify a finished set-up end to end and name the fix for every break'), false)
    .option('--timeout <seconds>', 'time limit of the checks, in seconds', '10')
    .option('--cors-origin <origin>', 'origin that must be allowed to GET/POST/PUT (repeatable; default *)', collect)
    .addOption(new Option('--app-type <type>', 'what runs on the app (default: detected from its config vars)').choices(['classic', 'ibs']))
    .addHelpText('after', examples('doctor'))
    .action(action('doctor'));

  commonOptions(program.command('rotate-key').description("replace the app's access key with a new one, with no moment where the app or OpenTok holds a dead key"), false)
    .option('--keep-old', 'deactivate the old key instead of deleting it')
    .addHelpText('after', examples('rotate-key'))
    .action(action('rotate-key'));

  commonOptions(program.command('teardown').description('remove what setup made for this app and project (plan first, then one confirmation); archives stay'), false)
    .option('--delete-archives', "also delete the project's archives (and the bucket, if ib-archive created it and it is then empty)")
    .addHelpText('after', examples('teardown'))
    .action(action('teardown'));

  commonOptions(program.command('archives').description("list the project's recent recordings and where each file really is; --rescue copies the ones left in the OpenTok cloud into the bucket"), false)
    .addOption(new Option('--app-type <type>', 'how the app links archives (default: detected from its vars)').choices(['classic', 'ibs']))
    .option('--limit <n>', 'how many of the newest archives to list', '50')
    .option('--rescue', 'copy every archive waiting in the OpenTok cloud into the bucket, where the app links it')
    .addHelpText('after', examples('archives'))
    .action(action('archives'));

  program
    .command('demo')
    .description('run the real wizard, then doctor, against built-in local stand-ins of S3/IAM/STS, Heroku and OpenTok')
    .option('-y, --yes', 'accept every confirmation')
    .option('--non-interactive', 'never prompt')
    .option('--json', 'print one JSON document on stdout: every command the demo ran, with its own document')
    .option('--debug', 'request/response summaries on stderr (secrets redacted)')
    .option('--dry-run', 'accepted like everywhere; the demo changes only its own stand-ins')
    .option('--latency <ms>', 'added latency per request of the stand-ins', '0')
    .addHelpText('after', examples('demo'))
    .action(action('demo'));

  return program;
}

/** The command a usage error belongs to (the first word that names one). */
function commandOf(argv: string[], program: Command): string {
  const names = program.commands.map((c) => c.name());
  return argv.slice(2).find((a) => names.includes(a)) ?? 'ib-archive';
}

export async function main(argv: string[], env: Env): Promise<number> {
  const exit = { code: 0 };
  const program = buildProgram(async (command, flags) => (await import('./run.js')).runCommand(command, flags, env), exit);
  try {
    await program.parseAsync(argv);
    return exit.code;
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    if (argv.includes('--json')) {
      process.stdout.write(JSON.stringify(errorDocument(commandOf(argv, program), 'invalid_usage', err.message.replace(/^error: /, '')), null, 2) + '\n');
    }
    return 2;
  }
}

// Node 20 is supported; the SDK's one-time notice about it only confuses users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// No top-level await in CommonJS; a rejection stays unhandled, so Node prints it and exits 1 as before.
void main(process.argv, process.env).then((code) => {
  // Keep-alive sockets of the SDKs would hold the process open for seconds: exit once stdout is flushed.
  process.stdout.write('', () => process.exit(code));
});
