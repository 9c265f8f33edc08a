// teardown, the consumers: the OpenTok project's archive storage (when it targets this bucket), and the app's vars
// (Heroku: one PATCH with nulls; --vars-file: its lines) once no other project uses the bucket.
import { bucketOfUrl } from '../s3url.js';
import type { StorageRead } from '../services/opentok.js';
import type { StepId } from '../steps.js';
import { VAR_NAMES, type VarMap } from '../vars.js';
import { writeVarsFile } from '../vars-file.js';
import type { Stage } from './stage.js';
import { type TeardownContext, sharedNote } from './teardown-context.js';

type AppContext = Pick<TeardownContext, 'inputs' | 'heroku' | 'opentok' | 'bucket' | 'appType' | 'vars' | 'reads'>;

/** Every other step of teardown: the vars go last, so that a stopped run still finds the bucket and the key in them. */
const BEFORE_VARS: StepId[] = ['opentok.storage', 'iam.access-key', 'iam.policy', 'iam.user', 's3.policy', 's3.public-access-block', 's3.cors', 's3.lifecycle', 's3.folder', 's3.archives', 's3.bucket'];

/** The app's vars that point at the bucket: classic's four (when its bucket vars name this bucket), or ibs' BUCKET_URL. */
export function varsToRemove(vars: VarMap, bucket: string, appType: 'classic' | 'ibs', endpoint?: string): string[] {
  const here = (url: string | undefined) => url !== undefined && bucketOfUrl(url, endpoint) === bucket;
  if (appType === 'ibs') return here(vars.BUCKET_URL) ? ['BUCKET_URL'] : [];
  const name = vars.S3_BUCKET_NAME;
  const url = vars.S3_COMPOSEDVIDEO_URL;
  const points = name === bucket || here(url);
  const elsewhere = (name !== undefined && name !== bucket) || (url !== undefined && !here(url));
  return points && !elsewhere ? VAR_NAMES.filter((n) => vars[n] !== undefined) : [];
}

/** Heroku: one PATCH /apps/{app}/config-vars with null for each var that points at the bucket (or the vars file's lines). */
export const herokuRemovalStage: Stage<AppContext, { others: string[] }> = {
  readStep: 'heroku.config-vars',
  inspect: async (ctx) => ({ others: (await ctx.reads.s3()).others }),
  plan: (ctx, { others }) => {
    const { inputs, heroku, vars, bucket } = ctx;
    const app = inputs.heroku?.app;
    const where = app ? `Heroku app ${app}` : inputs.varsFile ?? 'the environment';
    const names = varsToRemove(vars, bucket, ctx.appType, inputs.endpoints.s3);
    const step = { id: 'heroku.config-vars' as const, after: BEFORE_VARS };
    if (names.length === 0) return [{ ...step, status: 'unchanged', detail: `${where} has no var that points at ${bucket}` }];
    if (others.length > 0) return [{ ...step, status: 'unchanged', detail: `${names.join(', ')} of ${where} ${sharedNote(others)}` }];
    const nulls = Object.fromEntries(names.map((n) => [n, null]));
    if (!app && !inputs.varsFile) return [{ ...step, status: 'skipped', detail: `--no-heroku: remove ${names.join(', ')} from where you set them` }];
    return [
      {
        ...step,
        status: 'deleted',
        detail: `${names.join(', ')} from ${where}${app ? ' (one release)' : ''}`,
        apply: async () => {
          if (heroku && app) await heroku.patchConfigVars(app, nulls);
          else await writeVarsFile(inputs.varsFile!, nulls);
        },
      },
    ];
  },
};

/** OpenTok: GET …/archive/storage → DELETE it when it targets this bucket; otherwise what is left to do. */
export const opentokRemovalStage: Stage<AppContext, StorageRead | undefined> = {
  readStep: 'opentok.storage',
  inspect: (ctx) => ctx.reads.storage(),
  plan: ({ inputs, opentok, bucket }, storage) => {
    const step = { id: 'opentok.storage' as const, after: [] };
    const project = `project ${inputs.apiKey}`;
    const dashboard = `if ${project} archives to ${bucket}, remove that storage in your Vonage Video API account (the project's Archiving settings)`;
    if (!opentok || !storage) return [{ ...step, status: 'skipped', detail: `not checked without --api-secret: re-run with it, or ${dashboard}` }];
    if (!storage.readable) return [{ ...step, status: 'skipped', detail: `the OpenTok API does not read the storage back: ${dashboard}` }];
    const target = storage.target?.config?.bucket;
    if (!target) return [{ ...step, status: 'unchanged', detail: `${project} has no archive storage` }];
    if (target !== bucket) return [{ ...step, status: 'unchanged', detail: `${project} archives to ${target}, not ${bucket}: left as it is` }];
    return [{ ...step, status: 'deleted', detail: `${project} no longer archives to ${bucket}`, apply: () => opentok.deleteStorage() }];
  },
};
