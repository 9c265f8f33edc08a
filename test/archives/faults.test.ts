// A rescue whose upload breaks (5xx, reset, hang): reported, no incomplete multipart upload left, and a re-run finishes.
import { describe, expect, it } from 'vitest';
import type { FaultKind } from '../../src/standins/recorder.js';
import { archives, incompleteUploads, keyOf, seededForSuite } from './helpers.js';

describe.each<FaultKind>(['5xx', 'reset', 'hang'])('a rescue whose part uploads meet a %s', (kind) => {
  const t = seededForSuite();

  it('is reported, leaves no incomplete upload and no partial file, and a re-run finishes', async () => {
    t.s.services.recorder.addFault({ match: (r) => r.operation === 'UploadPart', kind, times: 100 });
    const env = { IB_ARCHIVE_REQUEST_TIMEOUT_MS: '700' };
    const first = await archives(t.s, ['--rescue', '--yes'], env);
    expect(first.result.code).toBe(1);
    expect(first.doc.ok).toBe(false);
    const large = first.doc.rescued.find((r) => r.id === t.waitingLarge.id)!;
    expect(large.status).toBe('failed');
    expect(large.detail).toMatch(new RegExp(`Copying archive ${t.waitingLarge.id} to s3://${t.s.bucket}/.* failed \\(.+\\)\\. Nothing was left half-written\\.`));
    expect(first.doc.rescued.find((r) => r.id === t.waitingZip.id)!.status).toBe('created');
    expect(t.s.services.recorder.requests.some((r) => r.operation === 'UploadPart' && r.faulted === kind)).toBe(true);
    const objects = t.s.services.control.bucket(t.s.bucket)!.objects;
    expect(objects.has(keyOf(t.s, t.waitingLarge))).toBe(false);
    expect(await incompleteUploads(t.s)).toEqual([]);

    t.s.services.recorder.clearFaults();
    const again = await archives(t.s, ['--rescue', '--yes'], env);
    expect(again.result.code, again.result.stderr).toBe(0);
    expect(again.doc.rescued.map((r) => [r.id, r.status])).toEqual([[t.waitingLarge.id, 'created']]);
    expect(objects.get(keyOf(t.s, t.waitingLarge))!.body.equals(t.waitingLarge.body!)).toBe(true);
    expect(await incompleteUploads(t.s)).toEqual([]);
  });
});
