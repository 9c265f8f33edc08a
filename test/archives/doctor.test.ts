// doctor's opentok.archives against the stand-ins: fails on recordings waiting in the OpenTok cloud, passes once they are home.
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correctSetUp, doctor, expectReport, type SetUp } from '../doctor/helpers.js';
import { archives, keyOf, seededForSuite } from './helpers.js';

describe('doctor opentok.archives with archives of every status', () => {
  const t = seededForSuite();

  it('fails naming the two waiting archives, the hours left and the rescue', async () => {
    const report = await doctor(t.s);
    expectReport(t.s, report, { 'opentok.archives': ['fail', new RegExp(`2 archives missed s3://${t.s.bucket} .*${t.waitingLarge.id} \\(keynote\\), ${t.waitingZip.id} \\(panel\\); the first is deleted in 41 h`)] });
    expect(report.byId['opentok.archives']!.fix).toBe(
      `Run \`ib-archive archives --rescue --api-key ${t.s.apiKey} --app ${t.s.app} --api-secret "$OPENTOK_API_SECRET" --yes\` within 41 h: it copies them into the bucket, at the keys the app links.`,
    );
  });

  it('skips without the secret', async () => {
    const report = await doctor(t.s, [], { withSecret: false });
    expectReport(t.s, report, { 'opentok.credentials': 'skip', 'opentok.storage': 'skip', 'opentok.archives': ['skip', /no API secret/] });
  });

  it('no longer fails after the rescue: only the failed recording is left to warn about', async () => {
    const rescue = await archives(t.s, ['--rescue', '--yes']);
    expect(rescue.result.code).toBe(0);
    const report = await doctor(t.s);
    expectReport(t.s, report, { 'opentok.archives': ['warn', new RegExp(`^1 archive failed: ${t.failed.id} \\(session ended before archive started\\)$`)] });
  });

  it('warns when an uploaded archive is gone from the bucket', async () => {
    await t.s.s3.send(new DeleteObjectCommand({ Bucket: t.s.bucket, Key: keyOf(t.s, t.composedInS3) }));
    t.s.services.recorder.reset();
    const report = await doctor(t.s);
    const check = report.byId['opentok.archives']!;
    expect(check.status).toBe('warn');
    expect(check.detail).toMatch(new RegExp(`1 uploaded archive is not in s3://${t.s.bucket} any more: ${t.composedInS3.id} \\(welcome\\)`));
    expect(check.fix).toMatch(/lifecycle rule or by hand/);
    expect(report.result.code).toBe(0);
    // The check asks for the bucket's lifecycle rules (they may explain the deletion); the S3 stand-in models
    // GetBucketLifecycleConfiguration in its own change, so until then that one request is the only unknown.
    expect(t.s.services.recorder.unknown.map((r) => r.operation).filter((op) => op !== 'Unknown(GET bucket?lifecycle)')).toEqual([]);
  });
});

describe('doctor opentok.archives on a healthy project', () => {
  let s: SetUp;
  beforeAll(async () => {
    s = await correctSetUp();
  });
  afterAll(() => s.close());

  it('skips while the project has no archives', async () => {
    expectReport(s, await doctor(s), { 'opentok.archives': ['skip', /has no archives yet/] });
  });

  it('passes naming the newest recording in the bucket, read through the app’s link', async () => {
    s.services.control.seedArchive({ status: 'uploaded', name: 'older', bucket: s.bucket, createdAt: Date.now() - 7_200_000 });
    const newest = s.services.control.seedArchive({ status: 'uploaded', name: 'newest', outputMode: 'individual', bucket: s.bucket });
    const report = await doctor(s);
    const link = `${s.url}${s.apiKey}/${newest.id}/archive.zip`;
    expectReport(s, report, { 'opentok.archives': ['pass', new RegExp(`^newest recording in the bucket: ${newest.id} \\(newest\\) of .* UTC, read anonymously through the app's link ${link.replace(/[.?]/g, '\\$&')}$`)] });
    expect(s.services.recorder.requests.some((r) => r.method === 'HEAD' && r.path.endsWith(`${newest.id}/archive.zip`) && r.headers.authorization === undefined)).toBe(true);
  });

  it('names the cause another check found when an upload fell back to OpenTok', async () => {
    const waiting = s.services.control.seedArchive({ status: 'available', name: 'after the key rotation' });
    const user = s.services.control.user(s.user)!;
    user.policies.clear();
    const report = await doctor(s);
    const check = report.byId['opentok.archives']!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(waiting.id);
    expect(check.fix).toMatch(/^Their upload failed because .*s3\.upload failed: .*fix that first \(see above\), then run `ib-archive archives --rescue/);
  });
});
