// `ib-archive demo`: the real wizard and doctor against built-in loopback stand-ins; no cloud account needed.
import type { Deps } from '../context.js';
import { InputError } from '../errors.js';
import type { CommandFlags } from '../inputs/flags.js';
import { herokuTokenSources } from '../services/heroku.js';
import { execute } from './index.js';

/** Variables of the user's shell that must not reach the demo (real accounts, profiles, endpoints). */
const FOREIGN = /^(AWS_|HEROKU_|OPENTOK_|S3_)/;

export async function demo(flags: CommandFlags, deps: Deps): Promise<number> {
  const { out } = deps;
  const latencyMs = Number(flags.latency ?? 0);
  if (!Number.isFinite(latencyMs) || latencyMs < 0 || latencyMs > 10_000) {
    throw new InputError(`--latency must be a number of milliseconds from 0 to 10000, not "${flags.latency}".`, 'invalid_input', [], 'Pass --latency 100 to add 100 ms to every request, or leave it out.');
  }
  const { startLocalServices } = await import('../standins/index.js');
  const services = await startLocalServices({ latencyMs, keyPropagationMs: 2000, opentokStorageReadable: true });
  try {
    const env: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(deps.env)) if (!FOREIGN.test(k)) env[k] = v;
    Object.assign(env, services.env, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    const demoDeps: Deps = { ...deps, env, tokens: herokuTokenSources(env, services.urls.heroku) };
    const { apiKey, apiSecret } = services.opentok;
    out.info(out.c.bold('ib-archive demo: local stand-ins of S3, IAM, STS, Heroku and OpenTok on 127.0.0.1; nothing leaves this machine.'));
    out.info(`OpenTok project ${apiKey}, Heroku app ib-demo (it already has NODE_ENV, which stays untouched).`);
    out.info('');
    const interactive = deps.prompter.interactive;
    const setupCode = await execute('setup', { apiKey, apiSecret, app: 'ib-demo', region: 'eu-west-1', configureOpentok: true, yes: !interactive, nonInteractive: !interactive }, demoDeps);
    if (setupCode !== 0) return setupCode;

    out.result('');
    out.result(out.c.bold('Now the proof: ib-archive doctor checks the whole chain, as the app and OpenTok will use it.'));
    const doctorCode = await execute('doctor', { apiKey, apiSecret, app: 'ib-demo', nonInteractive: true }, demoDeps);
    out.result('');
    out.result(`Requests sent to the stand-ins: ${services.recorder.requests.length}. For a real account: npx ib-archive setup`);
    return doctorCode;
  } finally {
    await services.close();
  }
}
