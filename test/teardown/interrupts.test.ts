// Ctrl-C (SIGINT) while a teardown write is in flight: exit 130 with the re-run line, and a re-run finishes the job.
import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../src/standins/recorder.js';
import { runCli } from '../helpers/cli.js';
import { onRequest } from '../helpers/hooks.js';
import { correctSetUp } from '../doctor/helpers.js';
import { teardown } from './helpers.js';

const POINTS: [string, (r: RecordedRequest) => boolean][] = [
  ['the OpenTok storage DELETE', (r) => r.service === 'opentok' && r.method === 'DELETE'],
  ['IAM DeleteAccessKey', (r) => r.operation === 'DeleteAccessKey'],
  ['S3 DeleteBucketPolicy', (r) => r.operation === 'DeleteBucketPolicy'],
  ['the Heroku PATCH', (r) => r.service === 'heroku' && r.method === 'PATCH'],
];

describe.concurrent('SIGINT during a teardown', () => {
  for (const [name, match] of POINTS) {
    it(`while ${name} is in flight: exit 130, then a re-run removes the rest`, async () => {
      const s = await correctSetUp();
      try {
        // Each answer takes a while, so the interrupt lands while the request is being applied.
        s.services.recorder.latencyMs = 150;
        let seen = false;
        const first = await runCli(['teardown', '--api-key', s.apiKey, '--api-secret', s.apiSecret, '--app', s.app, '--yes', '--non-interactive'], s.services, {
          onSpawn: (child) => {
            const stop = onRequest(s.services, (r) => {
              if (!seen && match(r)) {
                seen = true;
                stop();
                child.kill('SIGINT');
              }
            });
          },
        });
        expect(seen).toBe(true);
        expect(first.code, first.stderr).toBe(130);
        expect(first.stderr).toMatch(/Re-run the same command/);
        s.services.recorder.latencyMs = 0;
        const again = await teardown(s);
        expect(again.result.code, again.result.stderr).toBe(0);
        expect(s.services.control.user(s.user)).toBeUndefined();
        expect(s.services.control.app(s.app)!.configVars).not.toHaveProperty('S3_BUCKET_NAME');
        expect(s.services.control.opentokStorage(s.apiKey)).toBeUndefined();
        expect(s.services.control.bucket(s.bucket)!.policy).toBeUndefined();
      } finally {
        await s.close();
      }
    }, 60_000);
  }
});
