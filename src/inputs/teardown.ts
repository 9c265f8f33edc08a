// teardown's options: the reader inputs (the app's vars from Heroku, a --vars-file or the environment) and --delete-archives.
import type { CommandFlags } from './flags.js';
import { resolveReaderInputs } from './doctor.js';
import type { CommonInputs, ResolveDeps } from './resolve.js';

export interface TeardownInputs extends CommonInputs {
  /** With --no-heroku: the app's vars, from the vars file or the environment. */
  localVars?: Record<string, string | undefined>;
  deleteArchives: boolean;
}

/** Resolves and validates teardown's inputs before anything is sent. */
export async function resolveTeardownInputs(flags: CommandFlags, deps: ResolveDeps): Promise<TeardownInputs> {
  const inputs = await resolveReaderInputs(flags, deps, {
    noHerokuHint: 'to remove the vars of a --vars-file',
    appMessage: 'Heroku app to tear down',
  });
  return { ...inputs, deleteArchives: Boolean(flags.deleteArchives) };
}
