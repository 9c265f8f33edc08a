// Keeps the local stand-ins running for a second terminal: prints `export K=V` lines, stops on SIGINT/SIGTERM.
import type { LocalServicesOptions } from './api.js';
import { startLocalServices } from './index.js';

/** Starts the stand-ins, prints their environment as shell `export` lines on stdout, and resolves once stopped by a signal. */
export async function runLocalServicesForever(opts: LocalServicesOptions = {}): Promise<void> {
  const services = await startLocalServices(opts);
  for (const [key, value] of Object.entries(services.env)) process.stdout.write(`export ${key}=${shellQuote(value)}\n`);
  process.stderr.write('Local stand-ins are running. Paste the lines above into another shell; press Ctrl-C to stop.\n');
  let stop: () => void = () => {};
  await new Promise<void>((resolve) => {
    stop = resolve;
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await services.close();
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
