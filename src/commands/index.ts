// Runs one command with its dependencies: the command returns its exit code or throws, and src/report.ts reports.
import type { Deps } from '../context.js';
import type { CommandFlags, CommandName } from '../inputs/flags.js';
import { reportFailure } from '../report.js';

type Command = (flags: CommandFlags, deps: Deps) => Promise<number>;

/** Each command's module, loaded only when it runs (the start-up path stays small). */
const COMMANDS: Partial<Record<CommandName, () => Promise<Command>>> = {
  setup: async () => (await import('./setup.js')).setup,
  doctor: async () => (await import('./doctor.js')).doctor,
  'rotate-key': async () => (await import('./rotate-key.js')).rotateKey,
  archives: async () => (await import('./archives.js')).archives,
  teardown: async () => (await import('./teardown.js')).teardown,
  demo: async () => (await import('./demo.js')).demo,
};

/** The command's exit code: its own (0, or 1 when doctor finds a failure), or the reporter's for an error. */
export async function execute(name: CommandName, flags: CommandFlags, deps: Deps): Promise<number> {
  try {
    return await (await COMMANDS[name]!())(flags, deps);
  } catch (err) {
    return reportFailure(deps.out, name, err);
  }
}
