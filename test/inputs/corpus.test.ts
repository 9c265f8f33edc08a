// Bad-input corpus: every input error exits 2 before any request; every refusal by a cloud exits 1; each message
// names the problem and the fix; no stack trace without --debug; --json carries the same error.
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalServices } from '../../src/standins/index.js';
import type { LocalServices } from '../../src/standins/api.js';
import { runCli } from '../helpers/cli.js';
import { defaultNames, expectNoSecretIn, expectNothingHalfPublic } from '../helpers/end-state.js';
import { issuedSecrets } from '../helpers/hooks.js';

interface BadInput {
  name: string;
  /** Extra args after `setup --api-key <key> --app ib-demo --yes --non-interactive` (see `bare`). */
  args?: (s: LocalServices) => string[];
  /** Replace the whole argument list. */
  bare?: (s: LocalServices) => string[];
  env?: (s: LocalServices) => Record<string, string | undefined>;
  seed?: (s: LocalServices) => void;
  exit: 1 | 2;
  /** The `error.code` of the --json run. */
  code: string;
  /** What went wrong, named in the message. */
  problem: RegExp;
  /** What to do about it. */
  fix: RegExp;
  /** What may be sent: nothing (offline input errors), reads only, or anything (a refusal halfway through). */
  sends: 'nothing' | 'reads' | 'anything';
  /** --json output for commander's usage errors has no `fix`. */
  usage?: boolean;
}

const bucket = (name: string): Pick<BadInput, 'args' | 'exit' | 'code' | 'sends' | 'fix'> => ({
  args: () => ['--bucket', name],
  exit: 2,
  code: 'invalid_input',
  sends: 'nothing',
  fix: /--bucket <name>.*3 to 63 lowercase letters, digits, dots and hyphens/,
});
const BUCKET_FIX = bucket('x').fix;
const region = (value: string, from: 'flag' | 'AWS_REGION' | 'AWS_DEFAULT_REGION' = 'flag'): Pick<BadInput, 'args' | 'env' | 'exit' | 'code' | 'sends' | 'fix' | 'problem'> => ({
  ...(from === 'flag' ? { args: () => ['--region', value] } : { env: () => ({ [from]: value }) }),
  exit: 2,
  code: 'invalid_input',
  sends: 'nothing',
  problem: new RegExp(`"${value}" is not an AWS region name`),
  fix: /region name like us-east-1.*--region <region>/,
});
const origin = (value: string, problem: RegExp): BadInput => ({
  name: `CORS origin ${value}`,
  args: () => ['--cors-origin', value],
  exit: 2,
  code: 'invalid_input',
  sends: 'nothing',
  problem,
  fix: /--cors-origin.*scheme:\/\/host\[:port\]/,
});
const API_KEY_FIX = /--api-key <key>.*OPENTOK_API_KEY/;

const CORPUS: BadInput[] = [
  // S3 bucket naming rules, one by one.
  { name: 'bucket name too short', ...bucket('ab'), problem: /"ab" must be 3 to 63 characters long/ },
  { name: 'bucket name too long', ...bucket('b'.repeat(64)), problem: /must be 3 to 63 characters long \(it has 64\)/ },
  { name: 'bucket name with capitals', ...bucket('My-Archives'), problem: /"My-Archives" must be lowercase/ },
  { name: 'bucket name with an underscore', ...bucket('my_archives'), problem: /may contain only lowercase letters, digits, dots and hyphens \(found "_"\)/ },
  { name: 'bucket name starting with a hyphen', ...bucket('-archives'), problem: /must begin and end with a letter or digit/ },
  { name: 'bucket name ending with a dot', ...bucket('archives.'), problem: /must begin and end with a letter or digit/ },
  { name: 'bucket name with two adjacent dots', ...bucket('my..archives'), problem: /must not contain two adjacent dots/ },
  { name: 'bucket name shaped like an IP address', ...bucket('192.168.10.12'), problem: /must not be formatted as an IP address/ },
  { name: 'bucket name with prefix xn--', ...bucket('xn--archives'), problem: /must not start with "xn--"/ },
  { name: 'bucket name with prefix sthree-', ...bucket('sthree-archives'), problem: /must not start with "sthree-"/ },
  { name: 'bucket name with prefix amzn-s3-demo-', ...bucket('amzn-s3-demo-archives'), problem: /must not start with "amzn-s3-demo-"/ },
  { name: 'bucket name with suffix -s3alias', ...bucket('archives-s3alias'), problem: /must not end with "-s3alias"/ },
  { name: 'bucket name with suffix --ol-s3', ...bucket('archives--ol-s3'), problem: /must not end with "--ol-s3"/ },
  { name: 'bucket name with suffix .mrap', ...bucket('archives.mrap'), problem: /must not end with ".mrap"/ },
  { name: 'bucket name with suffix --x-s3', ...bucket('archives--x-s3'), problem: /must not end with "--x-s3"/ },
  {
    name: 'bucket name from S3_BUCKET_NAME',
    env: () => ({ S3_BUCKET_NAME: 'Bad_Bucket' }),
    exit: 2,
    code: 'invalid_input',
    sends: 'nothing',
    problem: /"Bad_Bucket" must be lowercase/,
    fix: BUCKET_FIX,
  },
  // OpenTok API keys are digits.
  { name: 'API key with letters', bare: () => ['setup', '--api-key', 'abc123', '--app', 'ib-demo', '--yes', '--non-interactive'], exit: 2, code: 'invalid_input', sends: 'nothing', problem: /API key "abc123" must be the numeric OpenTok project API key/, fix: API_KEY_FIX },
  { name: 'API key with a sign', bare: () => ['setup', '--api-key', '-4600', '--app', 'ib-demo', '--yes', '--non-interactive'], exit: 2, code: 'invalid_input', sends: 'nothing', problem: /API key "-4600" must be the numeric/, fix: API_KEY_FIX },
  { name: 'empty API key', bare: () => ['setup', '--api-key', '', '--app', 'ib-demo', '--yes', '--non-interactive'], exit: 2, code: 'invalid_input', sends: 'nothing', problem: /API key "" must be the numeric/, fix: API_KEY_FIX },
  { name: 'API key far too long', bare: () => ['setup', '--api-key', '1'.repeat(21), '--app', 'ib-demo', '--yes', '--non-interactive'], exit: 2, code: 'invalid_input', sends: 'nothing', problem: /is too long for an OpenTok API key/, fix: API_KEY_FIX },
  { name: 'API key from OPENTOK_API_KEY', bare: () => ['setup', '--app', 'ib-demo', '--yes', '--non-interactive'], env: () => ({ OPENTOK_API_KEY: 'key-4600' }), exit: 2, code: 'invalid_input', sends: 'nothing', problem: /API key "key-4600" must be the numeric/, fix: API_KEY_FIX },
  // Regions, checked against the SDK's partition table: known regions and each partition's pattern (so new regions keep working).
  { name: 'unknown region mars-1', ...region('mars-1') },
  { name: 'made-up region moon-central-9', ...region('moon-central-9') },
  { name: 'made-up partition prefix xx-east-1, from AWS_REGION', ...region('xx-east-1', 'AWS_REGION') },
  {
    name: 'China (Beijing), where Vonage cannot upload',
    ...region('cn-north-1'),
    problem: /Region \(from --region\) "cn-north-1" is China \(Beijing\): Vonage cannot upload archives to buckets there/,
  },
  { name: 'region without its number', ...region('us-east') },
  { name: 'region in capitals', ...region('US-EAST-1') },
  { name: 'region with a typo, from AWS_REGION', ...region('eu-west1', 'AWS_REGION') },
  { name: 'region from AWS_DEFAULT_REGION', ...region('useast1', 'AWS_DEFAULT_REGION') },
  // CORS origins.
  origin('https://app.example.com/', /must not end with "\/"/),
  origin('app.example.com', /must be "\*" or an origin like https:\/\/example.com/),
  origin('https://*.*.example.com', /may contain at most one "\*"/),
  origin('ftp://app.example.com', /must be "\*" or an origin like/),
  origin('https://app.example.com:99999', /has an invalid port/),
  origin('https://app.example.com/player', /must be "\*" or an origin like/),
  // Other names.
  { name: 'Heroku app name with an underscore', bare: (s) => ['setup', '--api-key', s.opentok.apiKey, '--app', 'My_App', '--yes', '--non-interactive'], exit: 2, code: 'invalid_input', sends: 'nothing', problem: /Heroku app "My_App" is not a Heroku app name/, fix: /heroku apps.*--app <name>/ },
  { name: 'IAM user name with a space', args: () => ['--iam-user', 'ib archive'], exit: 2, code: 'invalid_input', sends: 'nothing', problem: /IAM user name "ib archive" may contain only/, fix: /--iam-user <name>/ },
  { name: 'IAM user name too long', args: () => ['--iam-user', 'u'.repeat(65)], exit: 2, code: 'invalid_input', sends: 'nothing', problem: /must be 1 to 64 characters long/, fix: /--iam-user <name>/ },
  { name: 'empty --vars-file', args: () => ['--vars-file', ' '], exit: 2, code: 'invalid_input', sends: 'nothing', problem: /--vars-file needs a file path/, fix: /--vars-file <path>/ },
  { name: '--vars-file naming a directory', args: () => ['--vars-file', '/tmp'], exit: 2, code: 'invalid_vars_file', sends: 'reads', problem: /--vars-file \/tmp is a directory/, fix: /--vars-file <path>/ },
  { name: '--env-file naming a file that does not exist', args: () => ['--env-file', '/nonexistent/ib.env'], exit: 2, code: 'invalid_input', sends: 'nothing', problem: /--env-file \/nonexistent\/ib.env does not exist/, fix: /--vars-file <path>/ },
  { name: 'AWS endpoint that is not a URL', env: () => ({ AWS_ENDPOINT_URL_S3: 'localhost:4566' }), exit: 2, code: 'invalid_input', sends: 'nothing', problem: /AWS_ENDPOINT_URL_S3 is not a valid http\(s\) URL: localhost:4566/, fix: /Set AWS_ENDPOINT_URL_S3 to an http\(s\) URL/ },
  { name: 'several problems at once', bare: () => ['setup', '--api-key', 'abc', '--bucket', 'B', '--region', 'nowhere', '--app', 'ib-demo', '--non-interactive'], exit: 2, code: 'invalid_input', sends: 'nothing', problem: /API key "abc"[\s\S]*Bucket name "B"[\s\S]*"nowhere" is not an AWS region/, fix: /--api-key[\s\S]*--bucket[\s\S]*--region/ },
  // Usage errors (commander).
  { name: '--sse with an unknown mode', args: () => ['--sse', 'kms'], exit: 2, code: 'invalid_usage', sends: 'nothing', usage: true, problem: /argument 'kms' is invalid. Allowed choices are s3, none/, fix: /--help/ },
  { name: '--fallback with an unknown target', args: () => ['--fallback', 'azure'], exit: 2, code: 'invalid_usage', sends: 'nothing', usage: true, problem: /argument 'azure' is invalid. Allowed choices are opentok, none/, fix: /--help/ },
  { name: 'an unknown option', args: () => ['--bukket', 'x'], exit: 2, code: 'invalid_usage', sends: 'nothing', usage: true, problem: /unknown option '--bukket'/, fix: /--help|Did you mean/ },
  // Missing inputs in a non-interactive run: all named at once.
  {
    name: 'every required input missing',
    bare: () => ['setup', '--non-interactive'],
    env: () => ({ HEROKU_API_KEY: undefined }),
    exit: 2,
    code: 'missing_input',
    sends: 'nothing',
    problem: /Missing input for a non-interactive run: --api-key, --app, HEROKU_API_KEY/,
    fix: /Pass --api-key <value> and --app <value> and HEROKU_API_KEY=<token>/,
  },
  { name: '--configure-opentok without the secret', args: () => ['--configure-opentok'], exit: 2, code: 'missing_input', sends: 'nothing', problem: /Missing input for a non-interactive run: --api-secret/, fix: /Pass --api-secret <value>/ },
  {
    name: 'no Heroku and nowhere for the new secret',
    bare: (s) => ['setup', '--api-key', s.opentok.apiKey, '--no-heroku', '--yes', '--non-interactive'],
    exit: 2,
    code: 'secret_destination_missing',
    sends: 'reads',
    problem: /AWS shows its secret only once/,
    fix: /--vars-file <path>.*--show-secrets/,
  },
  {
    name: 'consent needed without --yes',
    bare: (s) => ['setup', '--api-key', s.opentok.apiKey, '--app', 'ib-demo', '--non-interactive'],
    exit: 2,
    code: 'confirmation_required',
    sends: 'reads',
    problem: /needs your consent for making .* publicly readable/,
    fix: /--yes/,
  },
  // Refusals by a cloud.
  { name: 'an unknown Heroku app', bare: (s) => ['setup', '--api-key', s.opentok.apiKey, '--app', 'no-such-app', '--yes', '--non-interactive'], exit: 1, code: 'heroku_app_not_found', sends: 'reads', problem: /Heroku app "no-such-app" not found/, fix: /heroku apps.*--app <name>/ },
  {
    name: 'a Heroku app of another account',
    bare: (s) => ['setup', '--api-key', s.opentok.apiKey, '--app', 'their-app', '--yes', '--non-interactive'],
    seed: (s) => s.control.createApp('their-app', {}, 'other'),
    exit: 1,
    code: 'heroku_forbidden',
    sends: 'reads',
    problem: /may not access app "their-app"/,
    fix: /collaborator/,
  },
  { name: 'an invalid Heroku token', env: () => ({ HEROKU_API_KEY: 'HRKU-not-a-valid-token-0000' }), exit: 1, code: 'heroku_unauthorized', sends: 'reads', problem: /Heroku rejected the API token/, fix: /heroku login.*HEROKU_API_KEY/ },
  { name: 'a wrong AWS secret', env: (s) => ({ AWS_SECRET_ACCESS_KEY: `${s.rootKey.secretAccessKey.slice(0, -4)}AAAA` }), exit: 1, code: 'aws_bad_credentials', sends: 'reads', problem: /AWS rejected the credentials \(SignatureDoesNotMatch\)/, fix: /AWS_ACCESS_KEY_ID.*--profile/ },
  { name: 'an unknown AWS access key', env: () => ({ AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }), exit: 1, code: 'aws_bad_credentials', sends: 'reads', problem: /AWS rejected the credentials \(InvalidClientTokenId/, fix: /AWS_ACCESS_KEY_ID.*--profile/ },
  { name: 'no AWS credentials at all', env: () => ({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }), exit: 1, code: 'aws_no_credentials', sends: 'reads', problem: /no AWS credentials found/, fix: /aws configure.*--profile/ },
  {
    name: 'a bucket owned by another account',
    seed: (s) => s.control.createBucket(defaultNames(s).bucket, 'us-east-1', 'other'),
    exit: 1,
    code: 'bucket_not_yours',
    sends: 'reads',
    problem: /belongs to another AWS account/,
    fix: /--bucket <name>/,
  },
  {
    name: 'an IAM user already holding 2 keys',
    seed: (s) => {
      const { iamUser } = defaultNames(s);
      s.control.createUser(iamUser, { 'ib-archive:managed': 'true' });
      s.control.createAccessKey(iamUser);
      s.control.createAccessKey(iamUser);
    },
    exit: 1,
    code: 'iam_key_limit',
    sends: 'reads',
    problem: /already has 2 access keys, the most AWS allows/,
    fix: /aws iam delete-access-key --user-name ib-archive-\S+ --access-key-id/,
  },
  {
    name: 'an account-level public access block',
    seed: (s) => s.control.setAccountPublicAccessBlock({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true }),
    exit: 1,
    code: 'account_public_access_block',
    sends: 'anything',
    problem: /Block Public Access is most likely on for the whole AWS account/,
    fix: /aws s3control put-public-access-block --account-id \d{12}/,
  },
  {
    name: 'a wrong OpenTok secret',
    args: () => ['--api-secret', 'f'.repeat(40), '--configure-opentok'],
    exit: 1,
    code: 'opentok_invalid_credentials',
    sends: 'reads',
    problem: /OpenTok rejected API key \d+ with this secret/,
    fix: /--api-key and --api-secret/,
  },
];

const bareArgs = (s: LocalServices, c: BadInput) => c.bare?.(s) ?? ['setup', '--api-key', s.opentok.apiKey, '--app', 'ib-demo', '--yes', '--non-interactive', ...(c.args?.(s) ?? [])];
const STACK = /\n\s+at .+:\d+:\d+/;
let covered = 0;

describe.concurrent(`bad input corpus (${CORPUS.length} cases)`, () => {
  for (const c of CORPUS) {
    it(c.name, async () => {
      const s = await startLocalServices();
      try {
        c.seed?.(s);
        const args = bareArgs(s, c);
        const env = c.env?.(s);
        const [text, json] = await Promise.all([runCli(args, s, { env }), runCli([...args, '--json'], s, { env })]);

        expect(text.code, text.stderr).toBe(c.exit);
        expect(text.stderr, 'the problem').toMatch(c.problem);
        expect(text.stderr, 'the fix').toMatch(c.fix);
        expect(text.stdout + text.stderr, 'no stack trace without --debug').not.toMatch(STACK);
        expect(text.stderr).not.toMatch(/This is a bug in ib-archive/);
        // Each message is said once: not on its step and again as the error, not twice as a hint.
        const said = (text.stdout + text.stderr).split('\n').map((l) => l.replace(/^[✗✓!~-]\s+/, '').trim()).filter((l) => l.length > 20);
        expect(said.filter((l, i) => said.indexOf(l) !== i), 'a line printed twice').toEqual([]);

        expect(json.code).toBe(c.exit);
        const doc = json.json<{ ok: boolean; error: { code: string; message: string; fix?: string } }>();
        expect(doc.ok).toBe(false);
        expect(doc.error.code).toBe(c.code);
        expect(doc.error.message).toMatch(c.problem);
        if (!c.usage) expect(doc.error.fix, 'the fix, in JSON').toMatch(c.fix);
        expect(json.stderr, 'no stack trace without --debug').not.toMatch(STACK);

        if (c.sends === 'nothing') expect(s.recorder.requests.map((r) => `${r.service} ${r.operation}`)).toEqual([]);
        if (c.sends === 'reads') expect(s.recorder.writes().map((r) => r.operation).filter((op) => op !== 'POST /session/create')).toEqual([]);
        expectNothingHalfPublic(s);
        expectNoSecretIn(text.stdout + text.stderr + json.stdout + json.stderr, [...issuedSecrets(s), s.herokuToken, s.rootKey.secretAccessKey, s.opentok.apiSecret, 'f'.repeat(40)]);
        covered += 1;
      } finally {
        await s.close();
      }
    });
  }
});

afterAll(() => {
  console.log(`bad input corpus: ${covered} of ${CORPUS.length} bad inputs checked (${CORPUS.filter((c) => c.exit === 2).length} input errors, ${CORPUS.filter((c) => c.exit === 1).length} refusals by a cloud)`);
});
