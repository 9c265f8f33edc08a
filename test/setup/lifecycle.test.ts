// setup --expire-after-days: the project's lifecycle rule next to the bucket's own, idempotent, 0 removes only ours.
import { GetBucketLifecycleConfigurationCommand, PutBucketLifecycleConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalServices } from '../../src/standins/api.js';
import { startLocalServices } from '../../src/standins/index.js';
import { runCli } from '../helpers/cli.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let s: LocalServices;
beforeEach(async () => {
  s = await startLocalServices();
});
afterEach(async () => {
  expect(s.recorder.unknown).toEqual([]);
  await s.close();
});

const bucket = () => `ib-archive-${s.opentok.apiKey}`;
const setup = (...extra: string[]) => runCli(['setup', '--api-key', s.opentok.apiKey, '--app', 'ib-demo', '--yes', '--non-interactive', '--json', ...extra], s);
const s3 = () => new S3Client({ region: 'us-east-1', endpoint: s.urls.s3, forcePathStyle: true, credentials: s.rootKey });
const rules = async () => (await s3().send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket() })).catch(() => ({ Rules: [] }))).Rules ?? [];
const theirs = { ID: 'their-logs', Filter: { Prefix: 'logs/' }, Status: 'Enabled' as const, Expiration: { Days: 7 } };

describe('setup --expire-after-days', () => {
  it("adds the rule for <apiKey>/ next to the bucket's own, a re-run sends no write, 0 removes only ours", async () => {
    expect((await setup()).code).toBe(0);
    await s3().send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket(), LifecycleConfiguration: { Rules: [theirs] } }));

    const r = await setup('--expire-after-days', '30');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ steps: { id: string; status: string }[] }>().steps.find((x) => x.id === 's3.lifecycle')?.status).toBe('created');
    const now = await rules();
    expect(now.map((x) => x.ID).sort()).toEqual([`ib-archive-${s.opentok.apiKey}`, 'their-logs']);
    expect(now.find((x) => x.ID === `ib-archive-${s.opentok.apiKey}`)).toMatchObject({ Filter: { Prefix: `${s.opentok.apiKey}/` }, Status: 'Enabled', Expiration: { Days: 30 } });

    s.recorder.reset();
    expect((await setup('--expire-after-days', '30')).code).toBe(0);
    expect(s.recorder.writes().map((w) => w.operation)).toEqual([]);

    const doctor = await runCli(['doctor', '--api-key', s.opentok.apiKey, '--app', 'ib-demo', '--non-interactive', '--json'], s);
    const check = doctor.json<{ checks: { id: string; status: string; detail: string }[] }>().checks.find((c) => c.id === 's3.lifecycle');
    expect(check?.status).toBe('pass');
    expect(check?.detail).toMatch(/expire after 30 days/);

    expect((await setup('--expire-after-days', '0')).code).toBe(0);
    expect((await rules()).map((x) => x.ID)).toEqual(['their-logs']);
  });

  it('refuses a value that is not a whole number of days (exit 2, nothing sent)', async () => {
    for (const bad of ['-1', '1.5', 'soon', '36501']) {
      const r = await setup('--expire-after-days', bad);
      expect(r.code, bad).toBe(2);
      expect(r.json<{ error: { message: string } }>().error.message).toMatch(/--expire-after-days must be a whole number/);
    }
    expect(s.recorder.requests).toEqual([]);
  });
});
