// Ctrl-C during each stage (SIGINT while each request of a run is in flight) and at each prompt (a real terminal
// through `script`): exit 130, the re-run line, nothing orphaned or half-public, and a re-run completes.
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalServices } from '../../src/standins/index.js';
import type { LocalServices } from '../../src/standins/api.js';
import { runCli } from '../helpers/cli.js';
import { defaultNames, endState, expectNoOrphanKey, expectNoSecretIn, expectNothingHalfPublic } from '../helpers/end-state.js';
import { baseline, signatureOf } from '../helpers/fault-matrix.js';
import { issuedSecrets, onRequest } from '../helpers/hooks.js';
import { HAS_SCRIPT, KEY, type PtyStep, runInPty } from '../helpers/pty.js';

const RERUN = /Re-run the same command/;

/** Every request the stand-ins received has been answered (or reset): nothing is still being applied. */
async function settled(s: LocalServices): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (s.recorder.requests.some((r) => r.endedAt === undefined)) {
    if (Date.now() > deadline) throw new Error('a request to the stand-ins never finished');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const secretsOf = (s: LocalServices) => [...issuedSecrets(s), s.herokuToken, s.rootKey.secretAccessKey, s.opentok.apiSecret];

const stageArgs = (s: LocalServices) => [
  'setup', '--api-key', s.opentok.apiKey, '--api-secret', s.opentok.apiSecret, '--configure-opentok',
  '--app', 'ib-demo', '--yes', '--non-interactive',
];

const base = await baseline(stageArgs);
const covered = { stages: 0, prompts: 0 };

describe.concurrent(`SIGINT while each request of setup is in flight (${base.points.length} points)`, () => {
  for (const point of base.points) {
    it(`at #${point.index} ${point.signature}${point.occurrence > 1 ? ` (${point.occurrence})` : ''}`, async () => {
      // Each answer takes a while, so the interrupt lands while the request is being applied (as with a real cloud).
      const s = await startLocalServices({ latencyMs: 150 });
      try {
        let seen = 0;
        const first = await runCli(stageArgs(s), s, {
          onSpawn: (child) => {
            const stop = onRequest(s, (r) => {
              if (signatureOf(r, s) === point.signature && ++seen === point.occurrence) {
                stop();
                child.kill('SIGINT');
              }
            });
          },
        });
        expect(seen, 'the request was reached').toBeGreaterThanOrEqual(point.occurrence);
        expect(first.code, first.stderr).toBe(130);
        expect(first.stderr).toMatch(RERUN);
        expect(first.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
        await settled(s);
        expectNothingHalfPublic(s);
        expectNoOrphanKey(s);
        expectNoSecretIn(first.stdout + first.stderr, secretsOf(s), 'interrupted run');

        s.recorder.latencyMs = 0;
        const again = await runCli([...stageArgs(s), '--json'], s);
        expect(again.code, again.stdout).toBe(0);
        expect(endState(s)).toEqual(base.state);
        covered.stages += 1;
      } finally {
        await s.close();
      }
    });
  }
});

interface PromptCase {
  name: string;
  args: (s: LocalServices) => string[];
  /** Answers before the Ctrl-C, then the prompt that gets it. */
  before?: PtyStep[];
  at: string | RegExp;
  env?: (s: LocalServices) => Record<string, string | undefined>;
  seed?: (s: LocalServices) => void;
  /** True when the prompt comes after changes were applied (a new key exists and must be deleted). */
  afterChanges?: boolean;
  /** A re-run that completes (default: the non-interactive command with every flag). */
  rerun?: (s: LocalServices) => Promise<number | null>;
  /** The user's keys after the re-run, when not just the one Heroku holds. */
  keysAfter?: { status: string; heldByHeroku: boolean }[];
}

const fullArgs = (s: LocalServices) => ['setup', '--api-key', s.opentok.apiKey, '--region', 'us-east-1', '--app', 'ib-demo', '--yes', '--non-interactive'];
const key = (s: LocalServices) => s.opentok.apiKey;

const PROMPTS: PromptCase[] = [
  { name: 'the OpenTok API key', args: () => ['setup'], at: 'OpenTok API key' },
  { name: 'the bucket', args: (s) => ['setup', '--api-key', key(s)], at: 'S3 bucket' },
  { name: 'the region', args: (s) => ['setup', '--api-key', key(s), '--bucket', `ib-archive-${key(s)}`], at: 'AWS region' },
  {
    name: 'the OpenTok API secret',
    args: (s) => ['setup', '--api-key', key(s), '--bucket', `ib-archive-${key(s)}`, '--region', 'us-east-1', '--configure-opentok', '--app', 'ib-demo'],
    at: 'OpenTok API secret',
  },
  {
    name: 'the Heroku token',
    args: (s) => ['setup', '--api-key', key(s), '--bucket', `ib-archive-${key(s)}`, '--region', 'us-east-1', '--app', 'ib-demo'],
    env: () => ({ HEROKU_API_KEY: undefined }),
    at: 'Heroku API token',
  },
  {
    name: 'the Heroku app list',
    args: (s) => ['setup', '--api-key', key(s), '--bucket', `ib-archive-${key(s)}`, '--region', 'us-east-1'],
    at: 'Heroku app running Interactive Broadcast',
  },
  {
    name: 'configuring OpenTok through its API',
    args: (s) => ['setup', '--api-key', key(s), '--api-secret', s.opentok.apiSecret, '--bucket', `ib-archive-${key(s)}`, '--region', 'us-east-1', '--app', 'ib-demo'],
    at: "Point the OpenTok project's archive storage",
  },
  {
    name: 'making the folder public',
    args: (s) => ['setup', '--api-key', key(s), '--bucket', `ib-archive-${key(s)}`, '--region', 'us-east-1', '--app', 'ib-demo'],
    at: 'publicly readable',
  },
  {
    name: 'replacing differing config vars',
    args: (s) => ['setup', '--api-key', key(s), '--bucket', `ib-archive-${key(s)}`, '--region', 'us-east-1', '--app', 'ib-demo'],
    seed: (s) => s.control.createApp('ib-demo', { S3_BUCKET_NAME: 'old-bucket' }),
    before: [{ waitFor: 'publicly readable', keys: KEY.enter }],
    at: 'Replace them',
  },
  {
    name: 'choosing a key to delete (user at the 2-key limit)',
    args: (s) => ['setup', '--api-key', key(s), '--bucket', `ib-archive-${key(s)}`, '--region', 'us-east-1', '--app', 'ib-demo', '--yes'],
    seed: (s) => {
      const user = defaultNames(s).iamUser;
      s.control.createUser(user, { 'ib-archive:managed': 'true' });
      s.control.createAccessKey(user);
      s.control.createAccessKey(user);
    },
    at: 'already has 2 access keys',
    rerun: async (s) =>
      (await runInPty(['setup', '--api-key', key(s), '--bucket', `ib-archive-${key(s)}`, '--region', 'us-east-1', '--app', 'ib-demo', '--yes'], s, [
        { waitFor: 'already has 2 access keys', keys: KEY.enter },
      ])).code,
    // The key not picked for deletion stays: it is not ib-archive's to remove.
    keysAfter: [
      { status: 'Active', heldByHeroku: false },
      { status: 'Active', heldByHeroku: true },
    ],
  },
  {
    name: 'what to do when Heroku keeps refusing the vars',
    args: (s) => ['setup', '--api-key', key(s), '--bucket', `ib-archive-${key(s)}`, '--region', 'us-east-1', '--app', 'ib-demo', '--yes'],
    seed: (s) => s.recorder.addFault({ match: (r) => r.operation === 'PATCH /apps/{app}/config-vars', kind: '5xx', times: 4 }),
    at: 'Heroku did not take the config vars',
    afterChanges: true,
  },
  {
    name: 'the file to save the vars to',
    args: (s) => ['setup', '--api-key', key(s), '--bucket', `ib-archive-${key(s)}`, '--region', 'us-east-1', '--app', 'ib-demo', '--yes'],
    seed: (s) => s.recorder.addFault({ match: (r) => r.operation === 'PATCH /apps/{app}/config-vars', kind: '5xx', times: 4 }),
    before: [{ waitFor: 'Heroku did not take the config vars', keys: `${KEY.down}${KEY.enter}` }],
    at: 'File to write',
    afterChanges: true,
  },
];

describe.skipIf(!HAS_SCRIPT)(`Ctrl-C at each prompt, in a terminal (${PROMPTS.length} prompts)`, { concurrent: true }, () => {
  for (const c of PROMPTS) {
    it(`at ${c.name}`, async () => {
      const s = await startLocalServices();
      try {
        c.seed?.(s);
        const run = await runInPty(c.args(s), s, [...(c.before ?? []), { waitFor: c.at, keys: KEY.ctrlC }], { env: c.env?.(s) });
        expect(run.code, run.screen).toBe(130);
        expect(run.screen).toMatch(RERUN);
        expect(run.screen).not.toMatch(/\n\s+at .+:\d+:\d+/);
        await settled(s);
        if (c.afterChanges) {
          expect(run.screen).toMatch(/new access key \S+ was deleted/);
          expect(s.control.user(defaultNames(s).iamUser)?.keys).toEqual([]);
        } else {
          // Creating an OpenTok session is how the key and secret are verified; it changes nothing of the user's.
          expect(s.recorder.writes().map((r) => r.operation).filter((op) => op !== 'POST /session/create')).toEqual([]);
        }
        expectNothingHalfPublic(s);
        expectNoSecretIn(run.screen, secretsOf(s), 'terminal');

        s.recorder.clearFaults();
        const code = c.rerun ? await c.rerun(s) : (await runCli(fullArgs(s), s)).code;
        expect(code).toBe(0);
        expectNothingHalfPublic(s);
        expect(endState(s).keys).toEqual(c.keysAfter ?? [{ status: 'Active', heldByHeroku: true }]);
        covered.prompts += 1;
      } finally {
        await s.close();
      }
    });
  }
});

describe.concurrent('interrupted --json runs and unsized terminals', () => {
  for (const signature of ['s3 HeadBucket', 's3 PutBucketCors', 'sts GetCallerIdentity (new key)']) {
    it(`SIGINT at ${signature} with --json: stdout is still exactly one JSON document`, async () => {
      const s = await startLocalServices({ latencyMs: 150 });
      try {
        const run = await runCli([...stageArgs(s), '--json'], s, {
          onSpawn: (child) => {
            const stop = onRequest(s, (r) => {
              if (signatureOf(r, s) === signature) {
                stop();
                child.kill('SIGINT');
              }
            });
          },
        });
        expect(run.code).toBe(130);
        const doc = run.json<{ ok: boolean; error: { code: string } }>();
        expect(doc).toMatchObject({ ok: false, error: { code: 'interrupted' } });
        expect(run.stderr).toMatch(RERUN);
        await settled(s);
        expectNoOrphanKey(s);
      } finally {
        await s.close();
      }
    });
  }

  it.skipIf(!HAS_SCRIPT)('a terminal that reports no size (docker run -t) neither hangs nor floods: setup completes', async () => {
    const s = await startLocalServices({ keyPropagationMs: 600 });
    try {
      const args = ['setup', '--api-key', key(s), '--bucket', `ib-archive-${key(s)}`, '--region', 'us-east-1', '--app', 'ib-demo', '--yes'];
      const run = await runInPty(args, s, [], { size: null, timeoutMs: 20_000 });
      expect(run.code, run.screen.slice(0, 2000)).toBe(0);
      expect(run.screen.length).toBeLessThan(20_000);
      expect(run.screen).toMatch(/Waiting for AWS to activate the new key/);
    } finally {
      await s.close();
    }
  });
});

afterAll(() => {
  console.log(`interrupts: SIGINT at ${covered.stages} in-flight requests, Ctrl-C at ${covered.prompts} prompts`);
});
