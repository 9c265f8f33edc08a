// setup's closing report: where the vars are, the OpenTok step (the dashboard form prefilled, or done through the
// API), and the commands for next time. The `tokbox` object is CONTRACT's JSON field of the same name.
import type { SetupInputs } from './inputs/setup.js';
import type { Output } from './io/output.js';
import type { StorageTarget } from './services/opentok.js';
import type { StepResult } from './steps.js';
import type { AppType } from './inputs/resolve.js';
import { SECRET_VAR } from './vars.js';

export interface OpenTokReport {
  mode: 'dashboard' | 'api';
  apiKey: string;
  storage: 'Amazon S3';
  bucket: string;
  accessKeyId: string;
  /** Where to read the secret from (never the secret itself). */
  secretSource: string;
  dashboardUrl: string;
  endpoint?: string;
  sse?: string;
  fallback?: string;
  undo?: string;
  /** The secret itself, only for --show-secrets with an ibs app (no var holds it); never in JSON under this name. */
  secretShown?: string;
}

const DASHBOARD = 'https://tokbox.com/account';

/** The flags that name this set-up in a follow-up command (doctor, teardown). */
export function setupFlags(inputs: SetupInputs): string {
  const source = inputs.heroku ? ` --app ${inputs.heroku.app}` : ` --no-heroku${inputs.varsFile ? ` --vars-file ${inputs.varsFile}` : ''}`;
  const bucket = inputs.bucket !== `ib-archive-${inputs.apiKey}` ? ` --bucket ${inputs.bucket}` : '';
  return `--api-key ${inputs.apiKey}${source}${bucket}${inputs.profile ? ` --profile ${inputs.profile}` : ''}`;
}

export function opentokReport(inputs: SetupInputs, type: AppType, configured: boolean, target: StorageTarget): OpenTokReport {
  const app = type === 'classic' ? inputs.heroku?.app : undefined;
  const secretSource = app
    ? `heroku config:get ${SECRET_VAR} -a ${app}`
    : inputs.varsFile
      ? `${SECRET_VAR} in ${inputs.varsFile}`
      : inputs.showSecrets
        ? `${SECRET_VAR} above`
        : `where you stored ${SECRET_VAR}`;
  return {
    mode: configured ? 'api' : 'dashboard',
    apiKey: inputs.apiKey,
    storage: 'Amazon S3',
    bucket: target.config.bucket,
    accessKeyId: target.config.accessKey,
    secretSource,
    dashboardUrl: DASHBOARD,
    ...(target.config.endpoint ? { endpoint: target.config.endpoint } : {}),
    ...(type === 'ibs' && inputs.showSecrets ? { secretShown: target.config.secretKey } : {}),
    ...(configured ? { sse: target.config.sse, fallback: target.fallback, undo: `ib-archive teardown ${setupFlags(inputs)} --api-secret "$OPENTOK_API_SECRET"` } : {}),
  };
}

export interface SetupSummary {
  inputs: SetupInputs;
  type: AppType;
  steps: StepResult[];
  /** The app's vars (classic's four, or BUCKET_URL). */
  configVars: Record<string, string>;
  opentok: OpenTokReport;
}

/** The JSON document of a finished setup (the secret redacted unless --show-secrets). */
export function setupDocument(s: SetupSummary): Record<string, unknown> {
  const shown = SECRET_VAR in s.configVars ? { ...s.configVars, [SECRET_VAR]: s.inputs.showSecrets ? s.configVars[SECRET_VAR] : '<redacted>' } : s.configVars;
  const secretAccessKey = s.inputs.showSecrets ? (s.configVars[SECRET_VAR] ?? s.opentok.secretShown) : '<redacted>';
  const { secretShown: _, ...tokbox } = s.opentok;
  return { command: 'setup', ok: true, dryRun: s.inputs.dryRun, appType: s.type, steps: s.steps, configVars: shown, tokbox: { ...tokbox, secretAccessKey } };
}

/** The text after the step lines: the vars, the OpenTok step, and doctor's command. */
export function printSetupSummary(out: Output, s: SetupSummary): void {
  const { inputs, configVars } = s;
  out.result('');
  if (inputs.dryRun) {
    out.result(`Dry run: ${s.steps.filter((r) => r.status === 'planned').length} change(s) planned, nothing changed. Run again without --dry-run to apply.`);
    return;
  }
  out.result(inputs.heroku ? `Heroku app ${inputs.heroku.app} has:` : `The config vars for the app (${s.type === 'ibs' ? 'IBS backend' : 'classic'}):`);
  for (const [name, v] of Object.entries(configVars)) {
    const where = inputs.heroku ? `  (heroku config:get ${name} -a ${inputs.heroku.app})` : inputs.varsFile ? `  (in ${inputs.varsFile})` : '';
    const value = name === SECRET_VAR && !inputs.showSecrets ? `${'*'.repeat(8)}${where}` : v;
    out.result(`  ${name.padEnd(22)} ${value}`);
  }
  if (s.type === 'ibs' && s.opentok.mode === 'dashboard' && inputs.showSecrets && s.opentok.secretShown) {
    out.result(`  (the key for OpenTok: ${s.opentok.accessKeyId} / ${s.opentok.secretShown})`);
  }
  printOpenTok(out, s.opentok);
  out.result('');
  out.result(`Check the whole chain any time: ib-archive doctor ${setupFlags(inputs)}`);
}

function printOpenTok(out: Output, t: OpenTokReport): void {
  out.result('');
  if (t.mode === 'api') {
    out.result(out.c.bold(`OpenTok project ${t.apiKey} now archives to s3://${t.bucket} with key ${t.accessKeyId}`) + ` (sse ${t.sse}, fallback ${t.fallback}).`);
    out.result('Nothing is left to do by hand.');
    out.result(`To undo everything this made (archives are kept): ${t.undo}`);
    return;
  }
  out.result(out.c.bold('Last step, in the TokBox dashboard:'));
  out.result(`  1. Open ${t.dashboardUrl} and select project ${t.apiKey}.`);
  out.result('  2. In Archiving, click "Set up your cloud storage now", then the Amazon S3 logo.');
  out.result(`  3. Access key:         ${t.accessKeyId}`);
  out.result(`     Secret access key:  paste the output of: ${t.secretSource}`);
  out.result(`     Bucket name:        ${t.bucket}`);
  if (t.endpoint) out.result(`     Endpoint:           ${t.endpoint}`);
  out.result('  4. Save.');
  out.result(`Or let ib-archive do it through the OpenTok API: re-run with --configure-opentok --api-secret <secret>.`);
}
