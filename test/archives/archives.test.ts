// `ib-archive archives` and `--rescue` as a process, against the stand-ins: listing, the plan, the copy, a second run.
import { resolve as urlResolve } from 'node:url';
import { describe, expect, it } from 'vitest';
import { onRequest } from '../helpers/hooks.js';
import { runCli } from '../helpers/cli.js';
import { archives, incompleteUploads, keyOf, s3Writes, seededForSuite } from './helpers.js';

describe('ib-archive archives', () => {
  const t = seededForSuite();

  it('lists all six archives newest first, each where its file really is', async () => {
    const { result, doc } = await archives(t.s);
    expect(result.code).toBe(0);
    const expected = [
      [t.recording, 'recording'],
      [t.failed, 'failed'],
      [t.waitingLarge, 'opentok'],
      [t.waitingZip, 'opentok'],
      [t.individualInS3, 's3'],
      [t.composedInS3, 's3'],
    ] as const;
    expect(doc.archives.map((a) => [a.id, a.location])).toEqual(expected.map(([a, where]) => [a.id, where]));
    const composed = doc.archives.find((a) => a.id === t.composedInS3.id)!;
    expect(composed.url).toBe(urlResolve(t.s.url, keyOf(t.s, t.composedInS3)));
    const served = await fetch(composed.url!);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(t.composedInS3.body!)).toBe(true);
    expect(doc.archives.find((a) => a.id === t.individualInS3.id)!.url).toMatch(/archive\.zip$/);
    const waiting = doc.archives.find((a) => a.id === t.waitingLarge.id)!;
    expect(waiting).toMatchObject({ location: 'opentok', url: null, hoursLeft: 61 });
    expect(doc.rescued).toEqual([]);
    expect(s3Writes(t.s)).toEqual([]);
  });

  it('shows a table and the rescue plan in text', async () => {
    const r = await runCli(['archives', '--api-key', t.s.apiKey, '--api-secret', t.s.apiSecret, '--app', t.s.app, '--non-interactive'], t.s.services);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ID\s+NAME\s+CREATED\s+DURATION\s+SIZE\s+STATUS\s+WHERE/);
    expect(r.stdout).toContain(`${t.waitingLarge.id}  keynote`);
    expect(r.stdout).toMatch(/1:02:05\s+12\.6 MB\s+available\s+opentok \(61 h left\)/);
    expect(r.stdout).toMatch(/failed \(session ended before archive started\)/);
    expect(r.stdout).toMatch(/2 archives missed the bucket and wait in the OpenTok cloud, .* the first is deleted in 41 h/);
    expect(r.stdout).toMatch(/re-run with --rescue/);
    expect(r.stdout + r.stderr).not.toContain(t.s.apiSecret);
  });

  it('refuses a rescue without --yes in a script, before any write', async () => {
    const { result, doc } = await archives(t.s, ['--rescue']);
    expect(result.code).toBe(2);
    expect(doc.error).toMatchObject({ code: 'confirmation_required', missing: ['--yes'] });
    expect(s3Writes(t.s)).toEqual([]);
  });

  it('plans the rescue with --dry-run and writes nothing', async () => {
    const { result, doc } = await archives(t.s, ['--rescue', '--dry-run']);
    expect(result.code).toBe(0);
    expect(doc.dryRun).toBe(true);
    expect(doc.rescued.map((r) => [r.id, r.status])).toEqual([
      [t.waitingLarge.id, 'planned'],
      [t.waitingZip.id, 'planned'],
    ]);
    expect(s3Writes(t.s)).toEqual([]);
  });

  it('copies both waiting archives to the keys OpenTok would have used, renewing a link that expired meanwhile', async () => {
    let expired = false;
    const stop = onRequest(t.s.services, (r) => {
      if (!expired && r.operation === 'GET /v2/archive-download/{token}') {
        expired = true;
        t.s.services.control.expireArchiveLinks();
      }
    });
    const { result, doc } = await archives(t.s, ['--rescue', '--yes']);
    stop();
    expect(result.code, result.stderr).toBe(0);
    expect(doc.rescued.map((r) => [r.id, r.status, r.verified])).toEqual([
      [t.waitingLarge.id, 'created', true],
      [t.waitingZip.id, 'created', true],
    ]);
    const downloads = t.s.services.recorder.requests.filter((r) => r.operation === 'GET /v2/archive-download/{token}');
    expect(downloads.map((d) => d.status)).toEqual([403, 200, 200]);
    for (const a of [t.waitingLarge, t.waitingZip]) {
      const stored = t.s.services.control.bucket(t.s.bucket)!.objects.get(keyOf(t.s, a))!;
      expect(stored.body.equals(a.body!)).toBe(true);
      expect(stored.contentType).toBe(a.outputMode === 'individual' ? 'application/zip' : 'video/mp4');
      const link = doc.rescued.find((r) => r.id === a.id)!.url!;
      expect(link).toBe(urlResolve(t.s.url, keyOf(t.s, a)));
      const served = await fetch(link);
      expect(Buffer.from(await served.arrayBuffer()).equals(a.body!)).toBe(true);
    }
    const ops = s3Writes(t.s).map((r) => r.operation);
    expect(ops).toContain('CompleteMultipartUpload');
    expect(ops.filter((o) => o.startsWith('Delete'))).toEqual([]);
    expect(await incompleteUploads(t.s)).toEqual([]);
  });

  it('has nothing to do on a second run', async () => {
    t.s.services.recorder.reset();
    const { result, doc } = await archives(t.s, ['--rescue', '--yes']);
    expect(result.code).toBe(0);
    expect(doc.rescued).toEqual([]);
    expect(doc.archives.filter((a) => a.location === 's3').map((a) => a.id).sort()).toEqual(
      [t.waitingLarge.id, t.waitingZip.id, t.individualInS3.id, t.composedInS3.id].sort(),
    );
    expect(s3Writes(t.s)).toEqual([]);
  });
});
