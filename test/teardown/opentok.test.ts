// The project's OpenTok storage: deleted only when it targets this bucket; otherwise teardown says what is left to do.
import generateJwt from 'opentok/lib/generateJwt.js';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { freshSetUps, teardown } from './helpers.js';

describe("teardown and the project's archive storage", () => {
  const fresh = freshSetUps();

  it('when the API cannot read the storage back: nothing is sent to OpenTok, and the output says what is left to do', async () => {
    const s = await fresh({ opentokStorageReadable: false });
    s.services.recorder.reset();
    const r = await runCli(['teardown', '--api-key', s.apiKey, '--api-secret', s.apiSecret, '--app', s.app, '--yes'], s.services);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/OpenTok storage\s+skipped\s+the OpenTok API does not read the storage back/);
    expect(r.stderr.replace(/\s+/g, ' ')).toContain(`Left to do: the OpenTok API does not read the storage back: if project ${s.apiKey} archives to ${s.bucket}, remove that storage`);
    expect(s.services.recorder.writes().filter((w) => w.service === 'opentok')).toEqual([]);
    expect(s.services.control.opentokStorage(s.apiKey)).toBeDefined();
  });

  it('without --api-secret it is not touched, and the step says how to finish', async () => {
    const s = await fresh();
    s.services.recorder.reset();
    const r = await runCli(['teardown', '--api-key', s.apiKey, '--app', s.app, '--yes', '--json'], s.services);
    expect(r.code, r.stderr).toBe(0);
    const step = r.json<{ steps: { id: string; status: string; detail: string }[] }>().steps.find((st) => st.id === 'opentok.storage')!;
    expect(step).toMatchObject({ status: 'skipped', detail: expect.stringContaining('re-run with it') });
    expect(s.services.recorder.requests.filter((q) => q.service === 'opentok')).toEqual([]);
    expect(s.services.control.opentokStorage(s.apiKey)).toBeDefined();
  });

  it('a storage that targets another bucket stays', async () => {
    const s = await fresh();
    const put = await fetch(`${s.services.urls.opentok}/v2/project/${s.apiKey}/archive/storage`, {
      method: 'PUT',
      headers: { 'X-OPENTOK-AUTH': generateJwt({ apiKey: s.apiKey, apiSecret: s.apiSecret, auth: { expire: 300 } }), 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 's3', config: { bucket: 'another-bucket', accessKey: s.keyId, secretKey: s.secret, endpoint: s.services.urls.s3 }, fallback: 'opentok' }),
    });
    expect(put.ok).toBe(true);
    const run = await teardown(s);
    expect(run.status['opentok.storage']).toBe('unchanged');
    expect(run.doc.steps.find((st) => st.id === 'opentok.storage')!.detail).toContain('archives to another-bucket');
    expect(run.writes.filter((w) => w.startsWith('opentok'))).toEqual([]);
    // It writes there with the app's key: the key (and so its user) stays.
    expect(run.status).toMatchObject({ 'iam.access-key': 'unchanged', 'iam.user': 'unchanged' });
    expect(s.services.control.user(s.user)!.keys.map((k) => k.accessKeyId)).toEqual([s.keyId]);
  });
});
