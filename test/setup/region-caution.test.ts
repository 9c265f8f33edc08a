// Regions Vonage documents no support for: China (Beijing) is refused before any request, other China regions warned about.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

const setup = (region: string, extra: string[] = []) =>
  runCli(['setup', '--api-key', services.opentok.apiKey, '--app', 'ib-demo', '--region', region, '--yes', '--non-interactive', ...extra], services);

describe('setup and China regions', () => {
  it('refuses cn-north-1 with the reason, sending nothing', async () => {
    const r = await setup('cn-north-1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"cn-north-1" is China \(Beijing\): Vonage cannot upload archives to buckets there/);
    expect(services.recorder.requests).toEqual([]);
  });

  // A dry run: the stand-ins' bucket policies know the aws partition's ARNs only.
  it('plans cn-northwest-1 with a warning that Vonage documents no support there', async () => {
    const r = await setup('cn-northwest-1', ['--json', '--dry-run']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toMatch(/Vonage documents no support for buckets in China: archive uploads to cn-northwest-1 may fail/);
    expect(r.json<{ ok: boolean; steps: { id: string; detail: string }[] }>().ok).toBe(true);
  });

  it('says nothing of the kind for an ordinary region', async () => {
    const r = await setup('eu-west-1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).not.toMatch(/Vonage documents no support|not among the regions/);
  });
});
