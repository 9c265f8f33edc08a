// Ctrl-C in the middle of a rescue: exit 130, the multipart upload aborted, and the next run finishes the copy.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { onRequest } from '../helpers/hooks.js';
import { archives, incompleteUploads, keyOf, seededForSuite } from './helpers.js';

describe('SIGINT while a part of a rescue is uploading', () => {
  const t = seededForSuite();

  it('aborts the multipart upload, and a re-run copies the file', async () => {
    t.s.services.recorder.addFault({ match: (r) => r.operation === 'UploadPart', kind: 'hang', times: 100 });
    const r = await runCli(['archives', '--api-key', t.s.apiKey, '--api-secret', t.s.apiSecret, '--app', t.s.app, '--rescue', '--yes', '--non-interactive'], t.s.services, {
      onSpawn: (child) => {
        const stop = onRequest(t.s.services, (req) => {
          if (req.operation === 'UploadPart') {
            stop();
            child.kill('SIGINT');
          }
        });
      },
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Interrupted.');
    expect(t.s.services.recorder.requests.some((q) => q.operation === 'AbortMultipartUpload' && q.status === 204)).toBe(true);
    expect(await incompleteUploads(t.s)).toEqual([]);
    expect(t.s.services.control.bucket(t.s.bucket)!.objects.has(keyOf(t.s, t.waitingLarge))).toBe(false);

    t.s.services.recorder.clearFaults();
    const again = await archives(t.s, ['--rescue', '--yes']);
    expect(again.result.code, again.result.stderr).toBe(0);
    expect(again.doc.rescued.filter((x) => x.status === 'created').map((x) => x.id)).toContain(t.waitingLarge.id);
    expect(t.s.services.control.bucket(t.s.bucket)!.objects.get(keyOf(t.s, t.waitingLarge))!.body.equals(t.waitingLarge.body!)).toBe(true);
  });
});
