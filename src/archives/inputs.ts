// Inputs of `ib-archive archives`: the shared reader inputs (the secret required), plus --limit and --rescue.
import type { Deps } from '../context.js';
import { resolveReaderInputs } from '../inputs/doctor.js';
import type { CommandFlags } from '../inputs/flags.js';
import type { CommonInputs } from '../inputs/resolve.js';

export interface ArchivesInputs extends CommonInputs {
  apiSecret: string;
  /** With --no-heroku: the app's vars, from the vars file or the environment. */
  localVars?: Record<string, string | undefined>;
  limit: number;
  rescue: boolean;
}

/** Flag → environment → prompt for every input, validated before any request. */
export async function resolveArchivesInputs(flags: CommandFlags, deps: Deps): Promise<ArchivesInputs> {
  const limit = Number(flags.limit ?? '50');
  const inputs = await resolveReaderInputs(flags, deps, {
    secret: 'required',
    appMessage: 'Heroku app that links the archives',
    validate: (problems) => {
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) problems.add(`--limit must be a whole number from 1 to 10000, not "${flags.limit}".`, 'Pass --limit <n>, for example --limit 200.');
    },
  });
  return { ...inputs, apiSecret: inputs.apiSecret!, limit, rescue: Boolean(flags.rescue) };
}
