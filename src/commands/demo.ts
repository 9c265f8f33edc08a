// `ib-archive demo`: the real commands against built-in loopback stand-ins; no cloud account needed. A classic app is
// set up and checked, a recording that missed the bucket is rescued, and an IBS backend gets its BUCKET_URL.
import { randomBytes, randomInt } from 'node:crypto';
import type { Deps } from '../context.js';
import { InputError } from '../errors.js';
import type { CommandFlags } from '../inputs/flags.js';
import { herokuTokenSources } from '../services/heroku.js';
import { Output } from '../io/output.js';
import { execute as run } from './index.js';

/** Variables of the user's shell that must not reach the demo (real accounts, profiles, endpoints). */
const FOREIGN = /^(AWS_|HEROKU_|OPENTOK_|S3_)/;

/** The IBS backend's own .env (interactive-broadcast-api), as it runs on Heroku. */
const IBS_BACKEND_VARS = { NODE_ENV: 'production', PORT: '3000', JWT_SECRET: randomBytes(24).toString('hex'), INTERACTIVE_STREAM_LIMIT: '3' };

export async function demo(flags: CommandFlags, deps: Deps): Promise<number> {
  const { out } = deps;
  const latencyMs = Number(flags.latency ?? 0);
  if (!Number.isFinite(latencyMs) || latencyMs < 0 || latencyMs > 10_000) {
    throw new InputError(`--latency must be a number of milliseconds from 0 to 10000, not "${flags.latency}".`, 'invalid_input', [], 'Pass --latency 100 to add 100 ms to every request, or leave it out.');
  }
  const classic = { apiKey: String(randomInt(10_000_000, 100_000_000)), apiSecret: randomBytes(20).toString('hex') };
  const ibs = { apiKey: String(randomInt(10_000_000, 100_000_000)), apiSecret: randomBytes(20).toString('hex') };
  const runs: { command: string; exitCode: number; document?: unknown }[] = [];
  const { startLocalServices } = await import('../standins/index.js');
  const services = await startLocalServices({
    latencyMs,
    keyPropagationMs: 2000,
    opentokStorageReadable: true,
    opentokProjects: { [classic.apiKey]: classic.apiSecret, [ibs.apiKey]: ibs.apiSecret },
    herokuApps: { 'ib-demo': { NODE_ENV: 'production' }, 'ibs-demo': IBS_BACKEND_VARS },
  });
  try {
    const env: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(deps.env)) if (!FOREIGN.test(k)) env[k] = v;
    Object.assign(env, services.env, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    const base: Deps = { ...deps, env, tokens: herokuTokenSources(env, services.urls.heroku) };
    const interactive = deps.prompter.interactive;
    const scripted = { yes: Boolean(flags.yes) || !interactive, nonInteractive: !interactive, debug: flags.debug };
    // With --json every command's document is kept, and the demo prints one document of them all at the end.
    const execute = async (command: Parameters<typeof run>[0], commandFlags: CommandFlags): Promise<number> => {
      if (!out.json) return run(command, commandFlags, base);
      let text = '';
      const captured = new Output({ ...out.opts, stdout: { write: (t: string) => (text += t) } });
      const exitCode = await run(command, { ...commandFlags, json: true }, { ...base, out: captured });
      runs.push({ command, exitCode, document: text.trim() ? JSON.parse(text) : undefined });
      return exitCode;
    };
    const step = (title: string) => {
      out.result('');
      out.result(out.c.bold(title));
    };
    out.info(out.c.bold('ib-archive demo: local stand-ins of S3, IAM, STS, Heroku and OpenTok on 127.0.0.1; nothing leaves this machine.'));
    out.info(`OpenTok project ${classic.apiKey}, Heroku app ib-demo (it already has NODE_ENV, which stays untouched).`);
    out.info('');
    const project = { apiKey: classic.apiKey, apiSecret: classic.apiSecret, app: 'ib-demo' };
    const setupCode = await execute('setup', { ...project, region: 'eu-west-1', configureOpentok: true, ...scripted });
    if (setupCode !== 0) return setupCode;

    step('Now the proof: ib-archive doctor checks the whole chain, as the app and OpenTok will use it.');
    const doctorCode = await execute('doctor', { ...project, nonInteractive: true });
    if (doctorCode !== 0) return doctorCode;

    // A recording whose upload failed: OpenTok's fallback keeps it in its own cloud, and the app's link is dead.
    const bucket = `ib-archive-${classic.apiKey}`;
    services.control.seedArchive({ apiKey: classic.apiKey, name: 'keynote', status: 'uploaded', outputMode: 'composed', size: 180_000, duration: 612, createdAt: Date.now() - 26 * 3_600_000, bucket });
    services.control.seedArchive({ apiKey: classic.apiKey, name: 'rehearsal', status: 'available', outputMode: 'composed', size: 240_000, duration: 845, createdAt: Date.now() - 5 * 3_600_000 });
    step('A recording missed the bucket (its upload failed, so it waits in the OpenTok cloud for 72 h): ib-archive archives --rescue brings it home.');
    const rescueCode = await execute('archives', { ...project, rescue: true, yes: true, nonInteractive: true });
    if (rescueCode !== 0) return rescueCode;

    step('The current IB generation: an IBS backend (interactive-broadcast-api) reads BUCKET_URL alone and no AWS keys.');
    const ibsCode = await execute('setup', { ...ibs, app: 'ibs-demo', bucket, configureOpentok: true, ...scripted });
    out.result('');
    out.result(`Requests sent to the stand-ins: ${services.recorder.requests.length}. For a real account: npx ib-archive setup`);
    return ibsCode;
  } finally {
    await services.close();
    if (out.json) out.jsonDocument({ command: 'demo', ok: runs.every((r) => r.exitCode === 0), runs });
  }
}
