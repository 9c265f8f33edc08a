// The shared in-memory AWS account behind the S3, IAM and STS stand-ins: keys, users, buckets and their control surface.
import { randomBytes, randomInt } from 'node:crypto';
import type { AwsKey, BucketView, IamKeyView, IamUserView, LocalControl, PolicyDocument, PublicAccessBlockView } from './api.js';

/** An IAM key as stored: the view plus whether it waits for propagation. */
export interface KeyState extends IamKeyView {
  /** Created through the API: rejected until keyPropagationMs have passed. */
  propagates: boolean;
}

/** An IAM user as stored: the view plus path and creation date. */
export interface UserState extends IamUserView {
  path: string;
  createDate: Date;
  keys: KeyState[];
  /** Created through the API: unknown to other services (e.g. as a policy principal) until propagated. */
  propagates: boolean;
}

/** A bucket as stored: the view plus its creation date. */
export interface BucketState extends BucketView {
  createdAt: Date;
}

/** Who signed a request, once the key is known. */
export type Caller = { kind: 'root'; key: AwsKey } | { kind: 'user'; user: UserState; key: KeyState };

export type KeyLookup = { ok: true; caller: Caller; secret: string } | { ok: false };

export type AwsControl = Pick<
  LocalControl,
  'bucket' | 'buckets' | 'createBucket' | 'setAccountPublicAccessBlock' | 'user' | 'users' | 'createUser' | 'createAccessKey' | 'setKeyPropagationMs'
>;

const ALNUM_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Random string over an alphabet. */
export function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A new key pair in AWS's shapes: `AKIA` + 16 uppercase alphanumerics, 40-character secret. */
export function newKeyPair(): AwsKey {
  return { accessKeyId: 'AKIA' + randomString(ALNUM_UPPER, 16), secretAccessKey: randomString(BASE64, 40) };
}

/** An ISO-8601 timestamp without milliseconds, as IAM and STS print dates. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Default Block Public Access of a new bucket: everything on. */
export function fullBlock(): PublicAccessBlockView {
  return { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
}

/** The account: root credentials, IAM users and keys, S3 buckets (own and another account's). */
export class AwsAccount {
  readonly accountId: string;
  readonly otherAccountId: string;
  readonly rootKeys: AwsKey[];
  readonly rootCreateDate: Date;
  /** Canonical user id (S3 owner id) of the account. */
  readonly canonicalId = randomBytes(32).toString('hex');
  readonly users = new Map<string, UserState>();
  readonly buckets = new Map<string, BucketState>();
  accountPublicAccessBlock: PublicAccessBlockView | undefined;
  keyPropagationMs: number;
  /** Original text of each stored policy document, so answers repeat what was sent. */
  readonly policyText = new WeakMap<PolicyDocument, string>();

  constructor(readonly clock: () => number, keyPropagationMs: number) {
    this.accountId = String(randomInt(100_000, 999_999)) + String(randomInt(100_000, 1_000_000)).padStart(6, '0');
    this.otherAccountId = String(randomInt(100_000, 999_999)) + String(randomInt(100_000, 1_000_000)).padStart(6, '0');
    this.rootKeys = [newKeyPair()];
    this.rootCreateDate = new Date(clock());
    this.keyPropagationMs = keyPropagationMs;
  }

  get rootKey(): AwsKey {
    return this.rootKeys[0] as AwsKey;
  }

  now(): Date {
    return new Date(this.clock());
  }

  rootArn(): string {
    return `arn:aws:iam::${this.accountId}:root`;
  }

  /** ARN of a caller: the root or the user. */
  callerArn(caller: Caller): string {
    return caller.kind === 'root' ? this.rootArn() : caller.user.arn;
  }

  /** Finds a signing key: root, or an Active user key that has propagated. */
  lookupKey(accessKeyId: string): KeyLookup {
    const root = this.rootKeys.find((k) => k.accessKeyId === accessKeyId);
    if (root) return { ok: true, caller: { kind: 'root', key: root }, secret: root.secretAccessKey };
    for (const user of this.users.values()) {
      const key = user.keys.find((k) => k.accessKeyId === accessKeyId);
      if (!key) continue;
      if (key.status !== 'Active' || !this.propagated(key.propagates, key.createdAt)) return { ok: false };
      return { ok: true, caller: { kind: 'user', user, key }, secret: key.secretAccessKey };
    }
    return { ok: false };
  }

  /** True once an entity created through the API at `created` is visible everywhere (keyPropagationMs later). */
  propagated(propagates: boolean, created: Date): boolean {
    return !propagates || this.clock() >= created.getTime() + this.keyPropagationMs;
  }

  /** IAM user names are unique without regard to case. */
  findUser(name: string): UserState | undefined {
    const lower = name.toLowerCase();
    for (const u of this.users.values()) if (u.userName.toLowerCase() === lower) return u;
    return undefined;
  }

  addUser(name: string, path: string, tags: Record<string, string>, propagates: boolean): UserState {
    const user: UserState = {
      userName: name,
      userId: 'AIDA' + randomString(ALNUM_UPPER, 17),
      arn: `arn:aws:iam::${this.accountId}:user${path}${name}`,
      path,
      createDate: this.now(),
      tags: { ...tags },
      policies: new Map(),
      attachedPolicies: [],
      keys: [],
      propagates,
    };
    this.users.set(name, user);
    return user;
  }

  addKey(user: UserState, propagates: boolean): KeyState {
    const key: KeyState = { ...newKeyPair(), status: 'Active', createdAt: this.now(), propagates };
    user.keys.push(key);
    return key;
  }

  addBucket(name: string, region: string, owner: 'self' | 'other'): BucketState {
    const bucket: BucketState = {
      name,
      region,
      owner,
      publicAccessBlock: fullBlock(),
      objectOwnership: 'BucketOwnerEnforced',
      objects: new Map(),
      createdAt: this.now(),
    };
    this.buckets.set(name, bucket);
    return bucket;
  }

  /** True when `arn` names the account, its root, or a user of it that has propagated; other accounts' ARNs pass. */
  principalExists(arn: string): boolean {
    const m = /^arn:aws:iam::(\d{12}):(root|user\/(?:.*\/)?([^/]+))$/.exec(arn);
    if (!m) return false;
    if (m[1] !== this.accountId || m[2] === 'root') return true;
    const user = this.findUser(m[3] ?? '');
    return !!user && user.arn === arn && this.propagated(user.propagates, user.createDate);
  }

  /** The control surface given to tests and the demo. */
  control(): AwsControl {
    return {
      bucket: (name) => this.buckets.get(name),
      buckets: () => [...this.buckets.values()],
      createBucket: (name, region, owner = 'self') => {
        if (this.buckets.has(name)) throw new Error(`bucket ${name} already exists`);
        return this.addBucket(name, region, owner);
      },
      setAccountPublicAccessBlock: (block) => {
        this.accountPublicAccessBlock = block ? { ...block } : undefined;
      },
      user: (name) => this.findUser(name),
      users: () => [...this.users.values()],
      createUser: (name, tags = {}) => {
        if (this.findUser(name)) throw new Error(`IAM user ${name} already exists`);
        return this.addUser(name, '/', tags, false);
      },
      createAccessKey: (userName) => {
        const user = this.findUser(userName);
        if (!user) throw new Error(`no IAM user ${userName}`);
        if (user.keys.length >= 2) throw new Error(`IAM user ${userName} already has 2 access keys`);
        return this.addKey(user, false);
      },
      setKeyPropagationMs: (ms) => {
        this.keyPropagationMs = ms;
      },
    };
  }
}
