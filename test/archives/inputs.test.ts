// Inputs of `ib-archive archives`: what is missing or wrong exits 2 before any request; --limit; an ibs app's links.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { archives, keyOf, seededForSuite } from './helpers.js';

describe('archives inputs', () => {
  const t = seededForSuite();

  it('names every missing input at once and sends nothing', async () => {
    t.s.services.recorder.reset();
    const r = await runCli(['archives', '--json', '--non-interactive'], t.s.services, { env: { HEROKU_API_KEY: undefined } });
    expect(r.code).toBe(2);
    expect(r.json<{ error: { code: string; missing: string[] } }>().error).toMatchObject({ code: 'missing_input', missing: ['--api-key', '--api-secret', '--app', 'HEROKU_API_KEY'] });
    expect(t.s.services.recorder.requests).toEqual([]);
  });

  it.each([
    [['--limit', '0'], /--limit must be a whole number from 1 to 10000, not "0"/],
    [['--bucket', 'Bad_Bucket'], /Bucket name "Bad_Bucket"/],
    [['--app-type', 'django'], /Allowed choices are classic, ibs/],
  ])('refuses %j with exit 2', async (extra, message) => {
    t.s.services.recorder.reset();
    const r = await runCli(['archives', '--api-key', t.s.apiKey, '--app', t.s.app, '--non-interactive', ...extra], t.s.services, { env: { OPENTOK_API_SECRET: t.s.apiSecret } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(t.s.services.recorder.requests).toEqual([]);
  });

  it('reports a wrong OpenTok secret with its fix, exit 1', async () => {
    const r = await runCli(['archives', '--api-key', t.s.apiKey, '--app', t.s.app, '--non-interactive'], t.s.services, { env: { OPENTOK_API_SECRET: 'f'.repeat(40) } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`OpenTok rejected API key ${t.s.apiKey} with this secret: Invalid API key or secret.`);
    expect(r.stderr).toMatch(/pass them with --api-key and --api-secret/);
  });

  it.each([
    ['missing', undefined, /Bucket no-such-archives does not exist\./],
    ["another account's", 'other', /Your AWS credentials may not use bucket no-such-archives\.\n.*--profile/],
  ] as const)('says what to do about a %s bucket, exit 1', async (_name, owner, message) => {
    if (owner) t.s.services.control.createBucket('no-such-archives', 'us-east-1', owner);
    const r = await runCli(['archives', '--api-key', t.s.apiKey, '--app', t.s.app, '--bucket', 'no-such-archives', '--non-interactive'], t.s.services, { env: { OPENTOK_API_SECRET: t.s.apiSecret } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it('lists only the newest --limit archives', async () => {
    const { result, doc } = await archives(t.s, ['--limit', '2']);
    expect(result.code).toBe(0);
    expect(doc.archives.map((a) => a.id)).toEqual([t.recording.id, t.failed.id]);
  });

  it("gives an ibs app's links as ${BUCKET_URL}/<key>, the bucket read from BUCKET_URL", async () => {
    const bucketUrl = `${t.s.services.urls.s3}/${t.s.bucket}`;
    const r = await runCli(['archives', '--api-key', t.s.apiKey, '--no-heroku', '--app-type', 'ibs', '--json', '--non-interactive'], t.s.services, {
      env: { OPENTOK_API_SECRET: t.s.apiSecret, BUCKET_URL: bucketUrl, HEROKU_API_KEY: undefined },
    });
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json<{ archives: { id: string; url: string | null }[] }>();
    const zip = doc.archives.find((a) => a.id === t.individualInS3.id)!;
    expect(zip.url).toBe(`${bucketUrl}/${keyOf(t.s, t.individualInS3)}`);
    expect((await fetch(zip.url!)).status).toBe(200);
  });
});
