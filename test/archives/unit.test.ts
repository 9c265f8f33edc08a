// The pure parts of archives: keys, the app's links (classic and ibs), locations, hours left and doctor's verdict.
import { describe, expect, it } from 'vitest';
import { type ArchiveRow, listRecentArchives } from '../../src/archives/inventory.js';
import type { OpenTokApi, OpenTokArchive } from '../../src/services/opentok.js';
import { detectAppType } from '../../src/app-type.js';
import { appLink, archiveKey, hoursLeft, locationOf } from '../../src/archives/links.js';
import { bucketOfUrl } from '../../src/s3url.js';

const appTypeOf = (vars: Record<string, string | undefined>) => detectAppType(vars).type;
import { formatDuration } from '../../src/archives/render.js';
import { judgeArchives } from '../../src/checks/archives.js';

const row = (over: Partial<ArchiveRow>): ArchiveRow => ({
  id: 'a1',
  status: 'uploaded',
  name: '',
  createdAt: 0,
  duration: 60,
  size: 10,
  outputMode: 'composed',
  sessionId: 's',
  reason: '',
  url: null,
  key: '1234/a1/archive.mp4',
  location: 's3',
  ...over,
});

describe('archive links', () => {
  it('names the key OpenTok uploads to, .zip for individual streams', () => {
    expect(archiveKey('1234', { id: 'x', outputMode: 'composed' })).toBe('1234/x/archive.mp4');
    expect(archiveKey('1234', { id: 'x', outputMode: 'individual' })).toBe('1234/x/archive.zip');
  });

  it('joins like each IB generation: url.resolve for classic, a slash for ibs', () => {
    expect(appLink({ S3_COMPOSEDVIDEO_URL: 'https://b.s3.eu-west-1.amazonaws.com/' }, 'classic', '1/x/archive.mp4')).toBe('https://b.s3.eu-west-1.amazonaws.com/1/x/archive.mp4');
    // url.resolve drops the last segment of a base without a trailing slash, as the app does.
    expect(appLink({ S3_COMPOSEDVIDEO_URL: 'https://s3.eu-west-1.amazonaws.com/b' }, 'classic', '1/x/archive.mp4')).toBe('https://s3.eu-west-1.amazonaws.com/1/x/archive.mp4');
    expect(appLink({ BUCKET_URL: 'https://s3.eu-west-1.amazonaws.com/b.c' }, 'ibs', '1/x/archive.zip')).toBe('https://s3.eu-west-1.amazonaws.com/b.c/1/x/archive.zip');
    expect(appLink({}, 'ibs', '1/x/archive.zip')).toBeUndefined();
  });

  it('detects the app type from its vars (CONTRACT "App types")', () => {
    expect(appTypeOf({ BUCKET_URL: 'https://x', JWT_SECRET: 'j' })).toBe('ibs');
    expect(appTypeOf({ BUCKET_URL: 'https://x', S3_COMPOSEDVIDEO_URL: 'https://x/' })).toBe('classic');
    expect(appTypeOf({})).toBe('classic');
  });

  it('reads the bucket out of a virtual-hosted, path-style or custom-endpoint URL', () => {
    expect(bucketOfUrl('https://my-archives.s3.eu-west-1.amazonaws.com')).toBe('my-archives');
    expect(bucketOfUrl('https://my-archives.s3.amazonaws.com/')).toBe('my-archives');
    expect(bucketOfUrl('https://s3.eu-west-1.amazonaws.com/my.archives')).toBe('my.archives');
    expect(bucketOfUrl('http://127.0.0.1:4566/local-bucket', 'http://127.0.0.1:4566')).toBe('local-bucket');
    expect(bucketOfUrl('not a url')).toBeUndefined();
  });

  it('says where a file is from its status and the bucket', () => {
    expect(locationOf('available', false)).toBe('opentok');
    expect(locationOf('available', true)).toBe('s3');
    expect(locationOf('expired', false)).toBe('lost');
    expect(locationOf('uploaded', false)).toBe('lost');
    expect(locationOf('failed', false)).toBe('failed');
    expect(locationOf('paused', false)).toBe('recording');
  });

  it('counts whole hours left of the 72 and formats durations', () => {
    expect(hoursLeft(0, 10 * 3_600_000 + 1)).toBe(61);
    expect(hoursLeft(0, 80 * 3_600_000)).toBe(0);
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(65)).toBe('1:05');
  });
});

describe('judgeArchives', () => {
  const base = { apiKey: '1234', bucket: 'b', causes: [], rescueCommand: 'ib-archive archives --rescue --yes' };

  it('fails on waiting archives, with the soonest deadline and the cause first', () => {
    const o = judgeArchives({ ...base, rows: [row({ id: 'w1', location: 'opentok', status: 'available', hoursLeft: 30 }), row({ id: 'w2', name: 'talk', location: 'opentok', status: 'available', hoursLeft: 5 })], causes: ['s3.upload failed: AccessDenied'] });
    expect(o.status).toBe('fail');
    expect(o.detail).toBe("2 archives missed s3://b and wait in the OpenTok cloud, where the app's links do not point: w1, w2 (talk); the first is deleted in 5 h");
    expect(o.fix).toBe('Their upload failed because s3.upload failed: AccessDenied: fix that first (see above), then run `ib-archive archives --rescue --yes` within 5 h: it copies them into the bucket, at the keys the app links.');
  });

  it('warns on failed ones and on uploaded ones gone from the bucket; skips without archives', () => {
    const o = judgeArchives({ ...base, rows: [row({ id: 'f', status: 'failed', location: 'failed', reason: 'no streams' }), row({ id: 'g', location: 'lost' })] });
    expect(o.status).toBe('warn');
    expect(o.detail).toBe('1 archive failed: f (no streams); 1 uploaded archive is not in s3://b any more: g');
    expect(judgeArchives({ ...base, rows: [] }).status).toBe('skip');
  });

  it('does not warn about uploaded archives a lifecycle rule of the folder has expired', () => {
    const day = 86_400_000;
    const rows = [row({ id: 'new', createdAt: 40 * day }), row({ id: 'old', location: 'lost', createdAt: 5 * day }), row({ id: 'young', location: 'lost', createdAt: 35 * day })];
    const o = judgeArchives({ ...base, rows, newestRead: { url: 'u', status: 200 }, expireAfterDays: 30, now: 41 * day });
    expect(o.status).toBe('warn');
    expect(o.detail).toBe('1 uploaded archive is not in s3://b any more: young');
    const explained = judgeArchives({ ...base, rows: rows.slice(0, 2), newestRead: { url: 'u', status: 200 }, expireAfterDays: 30, now: 41 * day });
    expect(explained).toMatchObject({ status: 'pass', detail: expect.stringMatching(/; 1 older one deleted by the bucket's lifecycle rule \(after 30 days\)$/) });
  });

  it('passes on the newest in the bucket when its link reads, warns when it does not', () => {
    const rows = [row({ id: 'rec', status: 'started', location: 'recording' }), row({ id: 'new', link: 'https://b/1234/new/archive.mp4' }), row({ id: 'old' })];
    expect(judgeArchives({ ...base, rows, newestRead: { url: 'u', status: 200 } })).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^newest recording in the bucket: new of .* read anonymously through the app's link https:\/\/b\/1234\/new\/archive\.mp4$/) });
    expect(judgeArchives({ ...base, rows, newestRead: { url: 'u', status: 403, code: 'AccessDenied' } })).toMatchObject({ status: 'warn', detail: expect.stringContaining('answered 403 AccessDenied') });
  });
});

describe('listRecentArchives', () => {
  it('pages 1,000 at a time up to the limit, newest first, each archive once', async () => {
    const all: OpenTokArchive[] = Array.from({ length: 1500 }, (_, i) => ({ ...row({ id: `a${i}`, createdAt: 1500 - i }) }));
    const pages: [number, number][] = [];
    const api = {
      listArchives: async ({ offset, count }: { offset: number; count: number }) => {
        pages.push([offset, count]);
        // A new archive arrives between the pages: the first item of page two repeats one already seen.
        const shift = offset > 0 ? 1 : 0;
        return { count: all.length, items: all.slice(offset - shift, offset - shift + count) };
      },
    } as unknown as OpenTokApi;
    const got = await listRecentArchives(api, 1200);
    expect(pages).toEqual([
      [0, 1000],
      [1000, 200],
      [1200, 1],
    ]);
    expect(got).toHaveLength(1200);
    expect(new Set(got.map((a) => a.id)).size).toBe(1200);
    expect(got[0]!.id).toBe('a0');
  });
});
