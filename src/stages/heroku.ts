// Stage 3, Heroku: the four config vars in one PATCH (one release), and/or the vars file; with --no-heroku a printout.
import { isKnownError } from '../errors.js';
import type { Deps } from '../context.js';
import type { PlannedStep } from '../plan.js';
import type { HerokuApi } from '../services/heroku.js';
import { composedVideoUrl } from '../s3url.js';
import { type ConfigVars, VAR_NAMES, type VarMap, describeChanges, desiredVars, diffVars } from '../vars.js';
import { writeVarsFile } from '../vars-file.js';
import type { SetupContext } from './context.js';
import type { Stage } from './stage.js';

type HerokuContext = Pick<SetupContext, 'deps' | 'inputs' | 'heroku' | 'key' | 'reads'>;

export interface HerokuState {
  current?: VarMap;
  /** What the vars file holds now (undefined: no file, or not yet). */
  inFile?: VarMap;
  /** The bucket's real region (the URL follows it). */
  region: string;
  /** The app keeps its key: the vars are known now, secret included. */
  keyReused: boolean;
}

/** The vars the app gets, with the key as it stands (the placeholder until a new key exists). */
export function finalVars(ctx: Pick<SetupContext, 'inputs' | 'key'>, region: string): ConfigVars {
  return desiredVars(ctx.key.current, ctx.inputs.bucket, composedVideoUrl(ctx.inputs.bucket, region, ctx.inputs.endpoints.s3));
}

/** Heroku: GET /apps/{app}/config-vars → one PATCH of the vars that differ (asked first when one is replaced). */
export const herokuStage: Stage<HerokuContext, HerokuState> = {
  readStep: 'heroku.config-vars',
  inspect: async (ctx) => {
    const [current, bucket, iam, inFile] = await Promise.all([ctx.reads.appVars(), ctx.reads.bucket(), ctx.reads.iam(), ctx.reads.fileVars()]);
    return { current, inFile, region: bucket.region, keyReused: Boolean(iam.choice.reuse) };
  },
  plan: (ctx, state) => [configVarsStep(ctx, state)],
};

function configVarsStep(ctx: HerokuContext, state: HerokuState): PlannedStep {
  const { deps, inputs, heroku, key } = ctx;
  const app = inputs.heroku?.app;
  const file = inputs.varsFile;
  const after: PlannedStep['after'] = ['s3.bucket', 's3.cors', 's3.folder', 's3.public-access-block', 's3.policy', 'iam.user', 'iam.policy', 'iam.access-key'];
  const vars = () => finalVars(ctx, state.region);
  const saveFile = async () => {
    if (!file) return;
    ctx.key.assertUsable();
    await writeVarsFile(file, vars());
    // The file has the secret now: if Heroku then fails, the key is kept for a re-run with the same --vars-file.
    key.stored();
    deps.out.result(`  wrote the four vars to ${file} (mode 0600)`);
  };
  const fileChanges = file ? diffVars(state.inFile ?? {}, vars()).changes : [];
  const fileNote = file ? (fileChanges.length ? `; written to ${file}` : `; ${file} has them`) : '';
  if (!heroku || !app) {
    if (!file) return { id: 'heroku.config-vars', after, status: 'skipped', detail: '--no-heroku: printed below' };
    const detail = `--no-heroku: the four vars ${fileChanges.length ? 'written to' : 'already in'} ${file}`;
    if (fileChanges.length === 0) return { id: 'heroku.config-vars', after, status: 'unchanged', detail };
    return { id: 'heroku.config-vars', after, status: state.inFile ? 'updated' : 'created', detail, apply: saveFile };
  }
  const { changes, replaced } = diffVars(state.current ?? {}, vars());
  if (changes.length === 0 && fileChanges.length === 0) return { id: 'heroku.config-vars', after, status: 'unchanged', detail: `${app} has all four vars${fileNote}` };
  return {
    id: 'heroku.config-vars',
    after,
    status: VAR_NAMES.some((n) => state.current?.[n]) || changes.length === 0 ? 'updated' : 'created',
    detail: changes.length === 0 ? `${app} has all four vars${fileNote}` : `${app}: ${changes.map((c) => c.name).join(', ')} (one release)${fileNote}`,
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
      if (changes.length > 0) await patchVars(deps, heroku, app, vars, ctx);
    },
  };
}

/** One PATCH of the vars; interactive runs may retry or save the values to a file when Heroku keeps failing. */
async function patchVars(deps: Deps, heroku: HerokuApi, app: string, vars: () => ConfigVars, ctx: Pick<SetupContext, 'key'>): Promise<void> {
  for (;;) {
    ctx.key.assertUsable();
    try {
      await ctx.key.storing(heroku.patchConfigVars(app, vars()));
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
