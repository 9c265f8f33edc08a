// Final step, TokBox: the dashboard form with every value prefilled, or the API-configured target and its undo.
import type { SetupInputs } from '../inputs.js';
import type { Output } from '../io/output.js';
import type { StorageTarget } from '../services/opentok.js';
import type { ConfigVars } from './heroku.js';

export interface TokboxReport {
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
}

const DASHBOARD = 'https://tokbox.com/account';

export function tokboxReport(inputs: SetupInputs, vars: ConfigVars, app: string | undefined, configured: boolean, target: StorageTarget): TokboxReport {
  const secretSource = app
    ? `heroku config:get AWS_SECRET_ACCESS_KEY -a ${app}`
    : inputs.envFile
      ? `AWS_SECRET_ACCESS_KEY in ${inputs.envFile}`
      : inputs.showSecrets
        ? 'AWS_SECRET_ACCESS_KEY above'
        : 'where you stored AWS_SECRET_ACCESS_KEY';
  const storageUrl = `${inputs.endpoints.opentok}/v2/project/${inputs.apiKey}/archive/storage`;
  return {
    mode: configured ? 'api' : 'dashboard',
    apiKey: inputs.apiKey,
    storage: 'Amazon S3',
    bucket: vars.S3_BUCKET_NAME,
    accessKeyId: vars.AWS_ACCESS_KEY_ID,
    secretSource,
    dashboardUrl: DASHBOARD,
    ...(target.config.endpoint ? { endpoint: target.config.endpoint } : {}),
    ...(configured
      ? {
          sse: target.config.sse,
          fallback: target.fallback,
          undo: `DELETE ${storageUrl} (X-OPENTOK-AUTH: a project JWT), or remove the storage in the dashboard`,
        }
      : {}),
  };
}

export function printTokbox(out: Output, t: TokboxReport): void {
  out.result('');
  if (t.mode === 'api') {
    out.result(out.c.bold(`OpenTok project ${t.apiKey} now archives to s3://${t.bucket} with key ${t.accessKeyId}`) + ` (sse ${t.sse}, fallback ${t.fallback}).`);
    out.result(`Nothing is left to do by hand. To undo: ${t.undo}.`);
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
