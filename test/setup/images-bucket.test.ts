// A classic app with S3_BUCKET_NAME_IMAGES uploads event images with the same key: setup's policy covers <images>/img/*.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePolicy, policiesAllow } from '../../src/policy.js';
import { startLocalServices } from '../../src/standins/index.js';
import type { LocalServices } from '../../src/standins/api.js';
import { runCli } from '../helpers/cli.js';

let services: LocalServices;
beforeEach(async () => {
  services = await startLocalServices();
});
afterEach(async () => {
  await services.close();
});

const setup = (app: string) => runCli(['setup', '--api-key', services.opentok.apiKey, '--app', app, '--yes', '--non-interactive', '--json'], services);
/** The inline policy of the app's own IAM user (one user per app). */
const policyOf = (app: string) => parsePolicy(JSON.stringify(services.control.user(`ib-archive-${app}`)!.policies.get('ib-archive-s3')));

describe("the app's policy and its images bucket", () => {
  it('grants put, put-ACL and get under img/ of S3_BUCKET_NAME_IMAGES, and a re-run keeps it', async () => {
    services.control.createApp('ib-classic', { S3_BUCKET_NAME_IMAGES: 'ib-event-images' });
    const first = await setup('ib-classic');
    expect(first.code, first.stderr).toBe(0);
    const policy = policyOf('ib-classic');
    for (const action of ['s3:PutObject', 's3:PutObjectAcl', 's3:GetObject']) {
      expect(policiesAllow([policy], action, 'arn:aws:s3:::ib-event-images/img/poster.png'), action).toBe(true);
    }
    expect(policiesAllow([policy], 's3:PutObject', 'arn:aws:s3:::ib-event-images/other.png')).toBe(false);
    expect(policiesAllow([policy], 's3:ListAllMyBuckets', 'arn:aws:s3:::*')).toBe(true);

    const again = await setup('ib-classic');
    expect(again.code, again.stderr).toBe(0);
    const steps = again.json<{ steps: { id: string; status: string }[] }>().steps;
    expect(steps.find((s) => s.id === 'iam.policy')?.status).toBe('unchanged');
  });

  it('grants nothing outside the archive bucket but ListAllMyBuckets when the app has no images bucket', async () => {
    const r = await setup('ib-demo');
    expect(r.code, r.stderr).toBe(0);
    const bucket = r.json<{ configVars: Record<string, string> }>().configVars.S3_BUCKET_NAME!;
    const resources = policyOf('ib-demo').Statement.flatMap((s) => [s.Resource].flat());
    expect(resources.filter((res) => !res.startsWith(`arn:aws:s3:::${bucket}`))).toEqual(['arn:aws:s3:::*']);
  });
});
