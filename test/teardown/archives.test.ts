// --delete-archives: the project's objects counted, sized and deleted 1,000 a request; the bucket only when setup made it.
import { describe, expect, it } from 'vitest';
import type { SetUp } from '../doctor/helpers.js';
import { freshSetUps, teardown } from './helpers.js';

function seedArchives(s: SetUp, n: number, bucket = s.bucket): void {
  const objects = s.services.control.bucket(bucket)!.objects;
  for (let i = 0; i < n; i++) objects.set(`${s.apiKey}/archive-${String(i).padStart(5, '0')}/archive.mp4`, { body: Buffer.alloc(10), contentType: 'video/mp4' });
}

describe('teardown --delete-archives', () => {
  const fresh = freshSetUps();

  it('shows the count and size, deletes them in batches of 1,000, then the bucket setup created', async () => {
    const s = await fresh();
    seedArchives(s, 1001);
    const planned = await teardown(s, ['--delete-archives', '--dry-run']);
    expect(planned.writes).toEqual([]);
    expect(planned.doc.steps.find((st) => st.id === 's3.archives')).toMatchObject({ status: 'planned', detail: `1001 objects, 10 kB under ${s.apiKey}/` });
    const run = await teardown(s, ['--delete-archives']);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.status).toMatchObject({ 's3.archives': 'deleted', 's3.bucket': 'deleted' });
    expect(run.writes.filter((w) => w === 's3 DeleteObjects')).toHaveLength(2);
    expect(s.services.control.bucket(s.bucket)).toBeUndefined();
    expect((await teardown(s, ['--delete-archives'])).writes).toEqual([]);
  });

  it("deletes only the project's archives of an adopted (untagged) bucket, and keeps the bucket", async () => {
    const adopted = 'owners-own-bucket';
    const s = await fresh({}, ['--bucket', adopted]);
    // What setup leaves on a bucket it found rather than made: no ib-archive:managed tag.
    delete s.services.control.bucket(adopted)!.tags;
    const bucket = s.services.control.bucket(adopted)!;
    bucket.objects.set('owner/report.pdf', { body: Buffer.from('mine') });
    seedArchives(s, 3, adopted);
    const run = await teardown(s, ['--delete-archives']);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.status).toMatchObject({ 's3.archives': 'deleted', 's3.bucket': 'unchanged' });
    expect(run.doc.steps.find((st) => st.id === 's3.bucket')!.detail).toMatch(/not tagged ib-archive:managed/);
    expect([...s.services.control.bucket(adopted)!.objects.keys()]).toEqual(['owner/report.pdf']);
  });
});
