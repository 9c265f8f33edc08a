import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import Heroku from 'heroku-client';
import OpenTok from 'opentok';
import generateJwt from 'opentok/lib/generateJwt.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServices } from '../../src/standins/api.js';
import { startLocalServices } from '../../src/standins/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

describe('startLocalServices with defaults', () => {
  let services: LocalServices;
  beforeAll(async () => {
    services = await startLocalServices();
  });
  afterAll(() => services.close());

  it('exposes an environment that reaches every stand-in with working credentials', async () => {
    const { env } = services;
    expect(Object.keys(env).sort()).toEqual(
      [
        'AWS_ACCESS_KEY_ID',
        'AWS_ENDPOINT_URL_IAM',
        'AWS_ENDPOINT_URL_S3',
        'AWS_ENDPOINT_URL_STS',
        'AWS_SECRET_ACCESS_KEY',
        'HEROKU_API_KEY',
        'HEROKU_HOST',
        'OPENTOK_API_URL',
      ].sort(),
    );
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL_S3: services.urls.s3,
      AWS_ENDPOINT_URL_IAM: services.urls.iam,
      AWS_ENDPOINT_URL_STS: services.urls.sts,
      AWS_ACCESS_KEY_ID: services.rootKey.accessKeyId,
      AWS_SECRET_ACCESS_KEY: services.rootKey.secretAccessKey,
      HEROKU_HOST: services.urls.heroku,
      HEROKU_API_KEY: services.herokuToken,
      OPENTOK_API_URL: services.urls.opentok,
    });
    expect(new Set(Object.values(services.urls)).size).toBe(5);

    const sts = new STSClient({
      region: 'us-east-1',
      endpoint: env.AWS_ENDPOINT_URL_STS,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' },
    });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe(services.accountId);

    const heroku = new Heroku({ token: env.HEROKU_API_KEY, host: env.HEROKU_HOST });
    expect(await heroku.get('/apps/ib-demo/config-vars')).toEqual({ NODE_ENV: 'production' });

    const ot = new OpenTok(services.opentok.apiKey, services.opentok.apiSecret, { apiUrl: env.OPENTOK_API_URL });
    const session = await new Promise<{ sessionId: string }>((resolve, reject) =>
      ot.createSession({}, (err, s) => (err || !s ? reject(err) : resolve(s))),
    );
    expect(session.sessionId).toMatch(/^1_/);

    expect(services.recorder.requests.map((r) => [r.index, r.service])).toEqual([
      [0, 'sts'],
      [1, 'heroku'],
      [2, 'opentok'],
    ]);
    expect(services.recorder.unknown).toEqual([]);
  });

  it('composes the control surface of every stand-in', () => {
    const { control } = services;
    control.createApp('second', { A: '1' });
    expect(control.app('second')).toEqual({ name: 'second', configVars: { A: '1' }, releases: 0 });
    control.createBucket('seeded-bucket', 'eu-west-1');
    expect(control.bucket('seeded-bucket')?.region).toBe('eu-west-1');
    expect(control.buckets().map((b) => b.name)).toContain('seeded-bucket');
    control.createUser('seeded-user');
    expect(control.createAccessKey('seeded-user').accessKeyId).toBeTruthy();
    expect(control.user('seeded-user')?.keys).toHaveLength(1);
    expect(control.opentokStorage(services.opentok.apiKey)).toBeUndefined();
    expect(control.opentokJwtClaims()[0]).toMatchObject({ iss: services.opentok.apiKey, ist: 'project' });
  });
});

describe('startLocalServices with options', () => {
  it('passes latency, Heroku apps and OpenTok projects through, and close() stops every server', async () => {
    const services = await startLocalServices({
      latencyMs: 30,
      herokuApps: { shop: {} },
      opentokProjects: { '11112222': 'f'.repeat(40) },
      opentokStorageReadable: true,
    });
    try {
      expect(services.recorder.latencyMs).toBe(30);
      expect(services.control.app('ib-demo')).toBeUndefined();
      expect(services.control.app('shop')).toEqual({ name: 'shop', configVars: {}, releases: 0 });
      expect(services.opentok).toEqual({ apiKey: '11112222', apiSecret: 'f'.repeat(40) });
      const jwt = generateJwt({ apiKey: '11112222', apiSecret: 'f'.repeat(40), auth: { expire: 300 } });
      const res = await fetch(`${services.urls.opentok}/v2/project/11112222/archive/storage`, { headers: { 'X-OPENTOK-AUTH': jwt } });
      expect(res.status).toBe(404);
    } finally {
      await services.close();
    }
    for (const url of Object.values(services.urls)) await expect(fetch(url)).rejects.toThrow();
  });
});
