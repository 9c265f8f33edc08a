// Starts every local stand-in (S3, IAM, STS, Heroku, OpenTok) on loopback with one shared request log.
import type { LocalControl, LocalServices, LocalServicesOptions } from './api.js';
import { createAwsStandIns } from './aws.js';
import { createHerokuStandIn } from './heroku.js';
import { createOpenTokStandIn } from './opentok.js';
import { archiveKey } from './opentok-archives.js';
import { Recorder } from './recorder.js';
import { startStandIn, type RunningServer, type StandIn } from './serve.js';

/** Starts all five stand-ins; `env` points the CLI at them with working credentials, `close()` stops them. */
export async function startLocalServices(opts: LocalServicesOptions = {}): Promise<LocalServices> {
  const recorder = new Recorder();
  recorder.latencyMs = opts.latencyMs ?? 0;
  const aws = createAwsStandIns({ keyPropagationMs: opts.keyPropagationMs ?? 0 });
  const heroku = createHerokuStandIn({ apps: opts.herokuApps });
  const opentok = createOpenTokStandIn({ projects: opts.opentokProjects, storageReadable: opts.opentokStorageReadable });

  const standIns: Record<keyof LocalServices['urls'], StandIn> = {
    s3: aws.s3,
    iam: aws.iam,
    sts: aws.sts,
    heroku: heroku.standIn,
    opentok: opentok.standIn,
  };
  const servers = await startAll(standIns, recorder);
  const urls = {
    s3: servers.s3.url,
    iam: servers.iam.url,
    sts: servers.sts.url,
    heroku: servers.heroku.url,
    opentok: servers.opentok.url,
  };

  const control: LocalControl = {
    bucket: (name) => aws.control.bucket(name),
    buckets: () => aws.control.buckets(),
    createBucket: (name, region, owner) => aws.control.createBucket(name, region, owner),
    setAccountPublicAccessBlock: (block) => aws.control.setAccountPublicAccessBlock(block),
    user: (name) => aws.control.user(name),
    users: () => aws.control.users(),
    createUser: (name, tags) => aws.control.createUser(name, tags),
    createAccessKey: (userName) => aws.control.createAccessKey(userName),
    setKeyPropagationMs: (ms) => aws.control.setKeyPropagationMs(ms),
    app: (name) => heroku.control.app(name),
    createApp: (name, configVars, owner) => heroku.control.createApp(name, configVars, owner),
    opentokStorage: (apiKey) => opentok.control.opentokStorage(apiKey),
    opentokJwtClaims: () => opentok.control.opentokJwtClaims(),
    seedArchive: (seed) => {
      const archive = opentok.control.seedArchive(seed);
      if (seed.bucket && archive.status === 'uploaded' && archive.body) {
        const bucket = aws.control.bucket(seed.bucket);
        if (!bucket) throw new Error(`seedArchive: no bucket ${seed.bucket}`);
        bucket.objects.set(archiveKey(archive), { body: archive.body, contentType: archive.outputMode === 'individual' ? 'application/zip' : 'video/mp4' });
      }
      return archive;
    },
    archives: (apiKey) => opentok.control.archives(apiKey),
    expireArchiveLinks: () => opentok.control.expireArchiveLinks(),
  };

  return {
    env: {
      AWS_ENDPOINT_URL_S3: urls.s3,
      AWS_ENDPOINT_URL_IAM: urls.iam,
      AWS_ENDPOINT_URL_STS: urls.sts,
      AWS_ACCESS_KEY_ID: aws.rootKey.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws.rootKey.secretAccessKey,
      HEROKU_HOST: urls.heroku,
      HEROKU_API_KEY: heroku.token,
      OPENTOK_API_URL: urls.opentok,
    },
    urls,
    recorder,
    rootKey: aws.rootKey,
    accountId: aws.accountId,
    herokuToken: heroku.token,
    opentok: opentok.project,
    control,
    close: () => closeAll(Object.values(servers)),
  };
}

async function startAll<K extends string>(standIns: Record<K, StandIn>, recorder: Recorder): Promise<Record<K, RunningServer>> {
  const entries = Object.entries(standIns) as [K, StandIn][];
  const started = await Promise.allSettled(entries.map(([, standIn]) => startStandIn(standIn, recorder)));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await closeAll(started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
    throw failed.reason;
  }
  const servers = started.map((r) => (r as PromiseFulfilledResult<RunningServer>).value);
  return Object.fromEntries(entries.map(([name], i) => [name, servers[i]])) as Record<K, RunningServer>;
}

async function closeAll(servers: RunningServer[]): Promise<void> {
  await Promise.all(servers.map((s) => s.close()));
}
