// The interactive wizard, driven through the prompter's injected streams, reaches the same state as a scripted run.
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execute } from '../../src/commands/index.js';
import type { CommandFlags } from '../../src/inputs/flags.js';
import type { Deps } from '../../src/context.js';
import { inquirerPrompter } from '../../src/io/prompter.js';
import { startLocalServices } from '../../src/standins/index.js';
import type { LocalServices } from '../../src/standins/api.js';
import { baseEnv } from '../helpers/cli.js';
import { testDeps } from '../helpers/deps.js';

let services: LocalServices;
beforeEach(async () => {
  services = await startLocalServices();
});
afterEach(async () => {
  await services.close();
});

/** Like a process's stderr, it survives the prompts closing their output. */
class TerminalOutput extends PassThrough {
  override end(): this {
    return this;
  }
}

/** A terminal stand-in: collects what the prompts draw and types answers when a question shows up. */
class Terminal {
  readonly input = new PassThrough();
  readonly output = new TerminalOutput();
  screen = '';
  private consumed = 0;

  constructor() {
    this.output.on('data', (d: Buffer) => (this.screen += d.toString()));
  }

  /** Waits until `text` appears after the last answered question, then types `keys`. */
  async answer(text: string | RegExp, keys: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const rest = this.screen.slice(this.consumed);
      const at = typeof text === 'string' ? rest.indexOf(text) : rest.search(text);
      if (at >= 0) {
        this.consumed += at + 1;
        await new Promise((r) => setTimeout(r, 20));
        this.input.write(keys);
        return;
      }
      if (Date.now() > deadline) throw new Error(`prompt ${String(text)} never appeared; screen:\n${this.screen}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

function interactiveDeps(term: Terminal, env: Record<string, string | undefined>): { deps: Deps; stdout: () => string } {
  const { deps, stdout } = testDeps({ env, prompter: inquirerPrompter({ input: term.input, output: term.output }), stderr: term.output, herokuApi: services.urls.heroku });
  return { deps, stdout };
}

const runSetup = (flags: CommandFlags, deps: Deps) => execute('setup', flags, deps).then((exitCode) => ({ exitCode }));

const ENTER = '\r';
const DOWN = '\x1b[B';

describe('interactive setup', () => {
  it('asks for each missing input, picks the app from a list, asks consent, and converges', async () => {
    services.control.createApp('aaa-first-app', {});
    const term = new Terminal();
    const env = baseEnv(services);
    const { deps, stdout } = interactiveDeps(term, env);
    const key = services.opentok.apiKey;

    const run = runSetup({}, deps);
    await term.answer('OpenTok API key', `${key}${ENTER}`);
    await term.answer('S3 bucket', ENTER); // accept the suggested ib-archive-<key>
    await term.answer('AWS region', 'eu-west-1'); // typed into the searchable list…
    await term.answer('❯ eu-west-1', ENTER); // …which then offers it first
    await term.answer('OpenTok API secret', ENTER); // optional: skipped
    await term.answer('Heroku app', `${DOWN}${ENTER}`); // aaa-first-app, then ib-demo
    await term.answer('What runs on ib-demo', ENTER); // the type found (classic) is right
    await term.answer('publicly readable', ENTER);
    const outcome = await run;

    expect(outcome.exitCode).toBe(0);
    const bucket = services.control.bucket(`ib-archive-${key}`)!;
    expect(bucket.region).toBe('eu-west-1');
    expect(bucket.cors).toHaveLength(1);
    const user = services.control.user(`ib-archive-ib-demo`)!;
    expect(user.keys).toHaveLength(1);
    expect(services.control.app('ib-demo')!.configVars.AWS_ACCESS_KEY_ID).toBe(user.keys[0]!.accessKeyId);
    expect(services.control.app('aaa-first-app')!.configVars).toEqual({});
    expect(stdout()).toContain('Last step, in the TokBox dashboard');
    expect(term.screen + stdout()).not.toContain(user.keys[0]!.secretAccessKey);

    // The same inputs given as flags now find nothing to do.
    services.recorder.reset();
    const term2 = new Terminal();
    const again = await runSetup({ apiKey: key, region: 'eu-west-1', app: 'ib-demo', bucket: `ib-archive-${key}` }, interactiveDeps(term2, env).deps);
    expect(again.exitCode).toBe(0);
    expect(services.recorder.writes()).toEqual([]);
  });

  it('shows the differing vars and asks before replacing them; declining changes nothing', async () => {
    services.control.createApp('ib-old', { S3_BUCKET_NAME: 'old-bucket', AWS_ACCESS_KEY_ID: 'AKIAOLDOLDOLDOLDOLD1', AWS_SECRET_ACCESS_KEY: 'old-secret-old-secret-old-secret-000000' });
    const term = new Terminal();
    const { deps } = interactiveDeps(term, baseEnv(services));
    const run = runSetup({ apiKey: services.opentok.apiKey, app: 'ib-old', region: 'us-east-1' }, deps);
    await term.answer('S3 bucket', ENTER);
    await term.answer('publicly readable', ENTER);
    await term.answer('Replace them', `n${ENTER}`);
    const outcome = await run;
    expect(outcome.exitCode).toBe(2);
    expect(term.screen).toContain('S3_BUCKET_NAME');
    expect(term.screen).toContain('old-bucket →');
    expect(term.screen).not.toContain('old-secret-old-secret');
    expect(services.recorder.writes()).toEqual([]);
  });

  it('asks again for a Heroku token or an OpenTok secret that was refused, at most three times', async () => {
    const term = new Terminal();
    const env = { ...baseEnv(services), HEROKU_API_KEY: undefined };
    const { deps } = interactiveDeps(term, env);
    const run = runSetup({}, deps);
    await term.answer('OpenTok API key', `${services.opentok.apiKey}${ENTER}`);
    await term.answer('S3 bucket', ENTER);
    await term.answer('AWS region', 'eu-west-1');
    await term.answer('❯ eu-west-1', ENTER);
    await term.answer('OpenTok API secret', `${'0'.repeat(40)}${ENTER}`);
    await term.answer('refused, 2 tries', `${services.opentok.apiSecret}${ENTER}`);
    await term.answer('Heroku API token', `not-the-token${ENTER}`);
    await term.answer('refused, 2 tries', `also-wrong${ENTER}`);
    await term.answer('refused, 1 try', `${services.herokuToken}${ENTER}`);
    await term.answer('Heroku app', ENTER);
    await term.answer('archive storage', ENTER);
    await term.answer('What runs on', ENTER);
    await term.answer('publicly readable', ENTER);
    expect((await run).exitCode).toBe(0);
    expect(services.control.opentokStorage(services.opentok.apiKey)).toBeDefined();
    expect(term.screen).not.toContain(services.herokuToken);
    expect(term.screen).not.toContain(services.opentok.apiSecret);
  });

  it('Ctrl-C at a prompt ends with exit 130 and changes nothing', async () => {
    const term = new Terminal();
    const { deps } = interactiveDeps(term, baseEnv(services));
    const run = runSetup({}, deps);
    await term.answer('OpenTok API key', '\x03');
    expect((await run).exitCode).toBe(130);
    expect(services.recorder.requests).toEqual([]);
  });
});
