// What a setup run leaves in the stand-ins, normalised so that runs on different instances compare equal.
import { expect } from 'vitest';
import type { LocalServices, PolicyStatement } from '../../src/standins/api.js';

export interface Names {
  apiKey: string;
  bucket: string;
  iamUser: string;
  app: string;
}

export function defaultNames(s: LocalServices, app = 'ib-demo'): Names {
  const apiKey = s.opentok.apiKey;
  const bucket = `ib-archive-${apiKey}`;
  return { apiKey, bucket, iamUser: `ib-archive-${app}`, app };
}

/** Replaces the values that differ between stand-in instances (API key, ports, account id, key ids). */
function normaliser(s: LocalServices, names: Names) {
  const replacements: [string, string][] = [
    [s.urls.s3, '<s3>'],
    [s.accountId, '<account>'],
    [names.apiKey, '<apiKey>'],
  ];
  return (value: unknown): unknown => {
    if (value === undefined) return undefined;
    let text = JSON.stringify(value);
    for (const [from, to] of replacements) text = text.split(from).join(to);
    return JSON.parse(text);
  };
}

/**
 * The end state that matters: the bucket's configuration, the IAM user, its keys (exactly one, Active, the one Heroku
 * holds, with the matching secret), the app's vars and releases, the OpenTok storage, and nothing else created.
 */
export function endState(s: LocalServices, names: Names = defaultNames(s)) {
  const norm = normaliser(s, names);
  const bucket = s.control.bucket(names.bucket);
  const user = s.control.user(names.iamUser);
  const app = s.control.app(names.app);
  const vars = app?.configVars ?? {};
  const keys = user?.keys ?? [];
  const held = keys.find((k) => k.accessKeyId === vars.AWS_ACCESS_KEY_ID);
  const storage = s.control.opentokStorage(names.apiKey) as { config?: { accessKey?: string; secretKey?: string } } | undefined;
  const maskKey = (id: string | undefined, secret: string | undefined) => ({
    accessKey: id === undefined ? undefined : held && id === held.accessKeyId ? "<the user's key>" : `other key ${id}`,
    secret: secret === undefined ? undefined : held && secret === held.secretAccessKey ? '<its secret>' : 'another secret',
  });
  const herokuKey = maskKey(vars.AWS_ACCESS_KEY_ID, vars.AWS_SECRET_ACCESS_KEY);
  return {
    buckets: s.control.buckets().map((b) => norm(b.name)),
    bucket: bucket && norm({
      region: bucket.region,
      owner: bucket.owner,
      cors: bucket.cors,
      policy: bucket.policy,
      publicAccessBlock: bucket.publicAccessBlock,
      objectOwnership: bucket.objectOwnership,
      objects: [...bucket.objects.keys()].sort(),
    }),
    users: s.control.users().map((u) => norm(u.userName)),
    user: user && norm({ tags: user.tags, policies: Object.fromEntries(user.policies), attached: user.attachedPolicies }),
    keys: keys.map((k) => ({ status: k.status, heldByHeroku: k.accessKeyId === vars.AWS_ACCESS_KEY_ID && k.secretAccessKey === vars.AWS_SECRET_ACCESS_KEY })),
    heroku: norm({ ...vars, AWS_ACCESS_KEY_ID: herokuKey.accessKey, AWS_SECRET_ACCESS_KEY: herokuKey.secret }),
    releases: app?.releases,
    opentok: storage && norm({ ...storage, config: { ...storage.config, ...(() => { const m = maskKey(storage.config?.accessKey, storage.config?.secretKey); return { accessKey: m.accessKey, secretKey: m.secret }; })() } }),
  };
}

export type EndState = ReturnType<typeof endState>;

const isPublic = (st: PolicyStatement) =>
  st.Principal === '*' || (typeof st.Principal === 'object' && [st.Principal.AWS].flat().includes('*'));

/** Whatever happened, anonymous access reaches only GetObject on `<apiKey>/*`, and ACLs stay blocked. */
export function expectNothingHalfPublic(s: LocalServices, names: Names = defaultNames(s)): void {
  for (const b of s.control.buckets()) {
    for (const st of b.policy?.Statement ?? []) {
      if (!isPublic(st) || st.Effect !== 'Allow') continue;
      expect([st.Action].flat(), `public actions on ${b.name}`).toEqual(['s3:GetObject']);
      expect([st.Resource].flat(), `public resources on ${b.name}`).toEqual([`arn:aws:s3:::${names.bucket}/${names.apiKey}/*`]);
    }
    if (b.publicAccessBlock) expect(b.publicAccessBlock, `ACL blocks of ${b.name}`).toMatchObject({ BlockPublicAcls: true, IgnorePublicAcls: true });
    expect(b.objectOwnership).toBe('BucketOwnerEnforced');
  }
}

/** Nothing is lost: every key of the user is the one the app (or the env file) holds; none orphaned. */
export function expectNoOrphanKey(s: LocalServices, names: Names = defaultNames(s), held: (string | undefined)[] = [s.control.app(names.app)?.configVars.AWS_ACCESS_KEY_ID]): void {
  const keys = s.control.user(names.iamUser)?.keys ?? [];
  for (const k of keys) expect(held, `key ${k.accessKeyId} of ${names.iamUser} is held by nobody`).toContain(k.accessKeyId);
}

/** Every secret the stand-ins hold or handed out must be absent from `text`. */
export function expectNoSecretIn(text: string, secrets: Iterable<string>, what = 'output'): void {
  for (const secret of secrets) {
    if (secret.length >= 8 && text.includes(secret)) throw new Error(`a secret (${secret.slice(0, 4)}…) appears in the ${what}:\n${text.slice(0, 4000)}`);
  }
}
