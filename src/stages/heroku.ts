// Stage 3, Heroku: the four config vars in one PATCH (one release), and/or the vars file; with --no-heroku a printout.
import { isKnownError } from '../errors.js';
import type { Deps } from '../context.js';
import type { PlannedStep } from '../plan.js';
import type { HerokuApi } from '../services/heroku.js';
import { bucketUrl, composedVideoUrl } from '../s3url.js';
import type { AppType } from '../inputs/resolve.js';
import { type VarMap, describeChanges, desiredVars, diffVars } from '../vars.js';
import { writeVarsFile } from '../vars-file.js';
import type { SetupContext } from './context.js';
import type { Stage } from './stage.js';

type HerokuContext = Pick<SetupContext, 'deps' | 'inputs' | 'heroku' | 'key' | 'reads'>;

export interface HerokuState {
  type: AppType;
  current?: VarMap;
  /** What the vars file holds now (undefined: no file, or not yet). */
  inFile?: VarMap;
  /** The bucket's real region (the URL follows it). */
  region: string;
  /** The app keeps its key: the vars are known now, secret included. */
  keyReused: boolean;
}

/**
 * The vars the app gets, with the key as it stands (the placeholder until a new key exists): classic's four, or the
 * IBS backend's BUCKET_URL alone (it reads no AWS keys).
 */
export function finalVars(ctx: Pick<SetupContext, 'inputs' | 'key'>, region: string, type: AppType): Record<string, string> {
  const { bucket, endpoints } = ctx.inputs;
  if (type === 'ibs') return { BUCKET_URL: bucketUrl(bucket, region, endpoints.s3) };
  return desiredVars(ctx.key.current, bucket, composedVideoUrl(bucket, region, endpoints.s3));
}

/** What the vars file gets: the app's vars, and for an ibs app also the key (OpenTok's, for the dashboard step). */
export function fileVarsOf(ctx: Pick<SetupContext, 'inputs' | 'key'>, region: string, type: AppType): Record<string, string> {
  const vars = finalVars(ctx, region, type);
  if (type === 'classic') return vars;
  return { AWS_ACCESS_KEY_ID: ctx.key.current.accessKeyId, AWS_SECRET_ACCESS_KEY: ctx.key.current.secretAccessKey, S3_BUCKET_NAME: ctx.inputs.bucket, ...vars };
}

/** Heroku: GET /apps/{app}/config-vars → one PATCH of the vars that differ (asked first when one is replaced). */
export const herokuStage: Stage<HerokuContext, HerokuState> = {
  readStep: 'heroku.config-vars',
  inspect: async (ctx) => {
    const [current, bucket, iam, inFile, type] = await Promise.all([ctx.reads.appVars(), ctx.reads.bucket(), ctx.reads.iam(), ctx.reads.fileVars(), ctx.reads.appType()]);
    return { type: type.type, current, inFile, region: bucket.region, keyReused: Boolean(iam.choice.reuse) };
  },
  plan: (ctx, state) => [configVarsStep(ctx, state)],
};

function configVarsStep(ctx: HerokuContext, state: HerokuState): PlannedStep {
  const { deps, inputs, heroku, key } = ctx;
  const app = inputs.heroku?.app;
  const file = inputs.varsFile;
  const after: PlannedStep['after'] = ['s3.bucket', 's3.cors', 's3.folder', 's3.public-access-block', 's3.policy', 'iam.user', 'iam.policy', 'iam.access-key'];
  const vars = () => finalVars(ctx, state.region, state.type);
  const inFileVars = () => fileVarsOf(ctx, state.region, state.type);
  const names = state.type === 'ibs' ? 'BUCKET_URL' : 'all four vars';
  const saveFile = async () => {
    if (!file) return;
    ctx.key.assertUsable();
    await writeVarsFile(file, inFileVars());
    // The file has the secret now: if Heroku then fails, the key is kept for a re-run with the same --vars-file.
    key.stored();
    deps.out.result(`  wrote the vars to ${file} (mode 0600)`);
  };
  const fileChanges = file ? diffVars(state.inFile ?? {}, inFileVars()).changes : [];
  const fileNote = file ? (fileChanges.length ? `; written to ${file}` : `; ${file} has them`) : '';
  if (!heroku || !app) {
    if (!file) return { id: 'heroku.config-vars', after, status: 'skipped', detail: '--no-heroku: printed below' };
    const detail = `--no-heroku: the vars ${fileChanges.length ? 'written to' : 'already in'} ${file}`;
    if (fileChanges.length === 0) return { id: 'heroku.config-vars', after, status: 'unchanged', detail };
    return { id: 'heroku.config-vars', after, status: state.inFile ? 'updated' : 'created', detail, apply: saveFile };
  }
  const { changes, replaced } = diffVars(state.current ?? {}, vars());
  if (changes.length === 0 && fileChanges.length === 0) return { id: 'heroku.config-vars', after, status: 'unchanged', detail: `${app} has ${names}${fileNote}` };
  return {
    id: 'heroku.config-vars',
    after,
    status: Object.keys(vars()).some((n) => state.current?.[n]) || changes.length === 0 ? 'updated' : 'created',
    detail: changes.length === 0 ? `${app} has ${names}${fileNote}` : `${app}: ${changes.map((c) => c.name).join(', ')} (one release)${fileNote}`,
    consent:
      replaced.length > 0
        ? {
            need: `replacing ${replaced.map((r) => r.name).join(', ')} on Heroku app ${app}`,
            explain: [`These config vars of ${app} have other values now:`, ...describeChanges(replaced)],
            question: 'Replace them (one release restarts the app)?',
            declined: 'Declined: the config vars were left as they are. Nothing was changed.',
          }
        : undefined,
    apply: async () => {
      await saveFile();
      if (changes.length > 0) await patchVars(deps, heroku, app, vars, ctx, state.type === 'classic');
    },
  };
}

/** One PATCH of the vars; interactive runs may retry or save the values to a file when Heroku keeps failing. */
async function patchVars(deps: Deps, heroku: HerokuApi, app: string, vars: () => Record<string, string>, ctx: Pick<SetupContext, 'key'>, carriesKey: boolean): Promise<void> {
  for (;;) {
    ctx.key.assertUsable();
    try {
      const patching = heroku.patchConfigVars(app, vars());
      await (carriesKey ? ctx.key.storing(patching) : patching);
      return;
    } catch (err) {
      if (!deps.prompter.interactive || !isKnownError(err)) throw err;
      const choice = await deps.prompter.select({
        message: `Heroku did not take the config vars (${err.message}). The new secret exists only in this process. What now?`,
        choices: [
          { name: 'Retry', value: 'retry' as const },
          { name: 'Write the four values to a file (mode 0600)', value: 'file' as const },
          { name: 'Give up (the new access key is deleted; re-run later)', value: 'give-up' as const },
        ],
      });
      if (choice === 'retry') continue;
      if (choice === 'file') {
        const path = await deps.prompter.input({ message: 'File to write', default: '.env.ib-archive' });
        await writeVarsFile(path, vars());
        ctx.key.stored();
        deps.out.result(`  wrote the four vars to ${path} (mode 0600); set them with: heroku config:set $(cat ${path}) -a ${app}`);
        return;
      }
      throw err;
    }
  }
}
