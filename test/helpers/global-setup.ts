// The vitest globalSetup: checks that dist/ is built, and runs the suite-wide leak scan once every file is done.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LEAK_LOG_ENV, describeLeaks, readRunLog, scanRuns } from './leaks.js';

export default function setup(): () => void {
  for (const file of ['cli.cjs', 'run.js']) {
    if (!existsSync(resolve(import.meta.dirname, '../../dist', file))) throw new Error(`dist/${file} is missing: run \`npm run build\` (npm test does it for you).`);
  }

  // Every CLI run of every worker appends its output here (test/helpers/cli.ts); the workers inherit the variable.
  const dir = mkdtempSync(join(tmpdir(), 'ib-archive-runs-'));
  process.env[LEAK_LOG_ENV] = dir;

  return () => {
    const records = readRunLog(dir);
    rmSync(dir, { recursive: true, force: true });
    const leaks = scanRuns(records);
    const bytes = records.reduce((n, r) => n + r.stdout.length + r.stderr.length, 0);
    const secrets = new Set(records.flatMap((r) => r.secrets.map((s) => s.value))).size;
    if (leaks.length === 0) {
      console.log(`leak scan: ${records.length} CLI runs, ${bytes} bytes of output, ${secrets} secrets: none printed`);
      return;
    }
    const report = `leak scan: ${leaks.length} secret(s) printed in ${records.length} CLI runs:\n${describeLeaks(leaks)}`;
    console.error(report);
    // vitest reports an error thrown here but still exits 0: set the exit code as well.
    process.exitCode = 1;
    throw new Error(report);
  };
}
