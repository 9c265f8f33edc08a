// The control surface of the local stand-ins, used by the demo and the tests.
import type { ArchiveSeed, ArchiveView } from './opentok-archives.js';
import type { Recorder } from './recorder.js';

export interface AwsKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface LocalServicesOptions {
  /** Milliseconds added to every request (default 0). */
  latencyMs?: number;
  /** How long a newly created IAM access key is rejected (InvalidAccessKeyId / InvalidClientTokenId). Default 0. */
  keyPropagationMs?: number;
  /** OpenTok projects known to the stand-in: apiKey → apiSecret. Default: one project. */
  opentokProjects?: Record<string, string>;
  /** Whether GET /v2/project/<key>/archive/storage answers (the public docs only list PUT and DELETE). Default false. */
  opentokStorageReadable?: boolean;
  /** Heroku apps the token can see: name → config vars. Default: one empty app `ib-demo`. */
  herokuApps?: Record<string, Record<string, string>>;
}

/** What one instance of the stand-ins serves, and the levers the tests pull. */
export interface LocalServices {
  /** Environment that points the CLI at these stand-ins (CONTRACT: "Where the services are") and holds working credentials. */
  env: Record<string, string>;
  urls: { s3: string; iam: string; sts: string; heroku: string; opentok: string };
  recorder: Recorder;
  /** Root credentials of the account (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY of env). */
  rootKey: AwsKey;
  accountId: string;
  herokuToken: string;
  opentok: { apiKey: string; apiSecret: string };
  control: LocalControl;
  close(): Promise<void>;
}

export interface StoredObject {
  body: Buffer;
  contentType?: string;
}

export interface BucketView {
  name: string;
  region: string;
  owner: 'self' | 'other';
  cors?: CorsRuleView[];
  /** Parsed bucket policy, undefined when none. */
  policy?: PolicyDocument;
  publicAccessBlock?: PublicAccessBlockView;
  objectOwnership: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';
  objects: Map<string, StoredObject>;
  /** Lifecycle rules as last PUT, undefined when the bucket has no lifecycle configuration. */
  lifecycle?: LifecycleRuleView[];
  /** Bucket tags as last PUT, undefined when the bucket has none. */
  tags?: Record<string, string>;
}

/** One lifecycle rule, as the stand-in stored it (S3 fills in a missing ID). */
export interface LifecycleRuleView {
  ID: string;
  Status: 'Enabled' | 'Disabled';
  /** `Filter.Prefix` or the legacy `Rule.Prefix`; undefined for a filter on tags or sizes. */
  Prefix?: string;
  /** `Expiration.Days`, when the rule expires objects by age. */
  ExpirationDays?: number;
}

export interface CorsRuleView {
  ID?: string;
  AllowedOrigins: string[];
  AllowedMethods: string[];
  AllowedHeaders?: string[];
  ExposeHeaders?: string[];
  MaxAgeSeconds?: number;
}

export interface PublicAccessBlockView {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | Record<string, string | string[]>;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}

export interface IamUserView {
  userName: string;
  userId: string;
  arn: string;
  tags: Record<string, string>;
  /** Inline policies: name → document. */
  policies: Map<string, PolicyDocument>;
  /** Names of attached managed policies, e.g. AdministratorAccess. */
  attachedPolicies: string[];
  keys: IamKeyView[];
  /** What else keeps DeleteUser from deleting the user, by kind (ids; ib-archive makes none, tests seed them). */
  attachments?: Partial<Record<UserAttachmentKind, string[]>>;
}

/** A password (`loginProfile`, one id), MFA devices (serial numbers), certificates, SSH keys, service credentials, groups. */
export type UserAttachmentKind = 'loginProfile' | 'mfaDevices' | 'signingCertificates' | 'sshPublicKeys' | 'serviceSpecificCredentials' | 'groups';

export interface IamKeyView {
  accessKeyId: string;
  secretAccessKey: string;
  status: 'Active' | 'Inactive';
  createdAt: Date;
  /** Last request the key signed (any AWS service), undefined for a key never used. */
  lastUsed?: { date: Date; service: string; region: string };
}

/** Direct access to the stand-ins' state, for seeding scenarios and asserting outcomes. */
export interface LocalControl {
  bucket(name: string): BucketView | undefined;
  buckets(): BucketView[];
  /** Seed a bucket (owner 'self' unless given); new buckets get Block Public Access on and BucketOwnerEnforced, like AWS. */
  createBucket(name: string, region: string, owner?: 'self' | 'other'): BucketView;
  /** Account-level Block Public Access (s3control). */
  setAccountPublicAccessBlock(block: PublicAccessBlockView | undefined): void;
  user(name: string): IamUserView | undefined;
  users(): IamUserView[];
  createUser(name: string, tags?: Record<string, string>): IamUserView;
  /** Creates a key for a user (immediately valid, no propagation delay). */
  createAccessKey(userName: string): IamKeyView;
  setKeyPropagationMs(ms: number): void;
  /** Heroku apps visible to the token; `owner: 'other'` makes the app answer 403. */
  app(name: string): { name: string; configVars: Record<string, string>; releases: number } | undefined;
  createApp(name: string, configVars?: Record<string, string>, owner?: 'self' | 'other'): void;
  /** Archive storage target per OpenTok project, as last PUT (undefined after DELETE). */
  opentokStorage(apiKey: string): unknown;
  /** Decoded claims of every X-OPENTOK-AUTH JWT received. */
  opentokJwtClaims(): Record<string, unknown>[];
  /** Adds an OpenTok archive; an `uploaded` one with `bucket` also lands in that bucket at `<apiKey>/<id>/archive.mp4|zip`. */
  seedArchive(seed: ArchiveSeed): ArchiveView;
  /** A project's archives (default: the first project), newest first. */
  archives(apiKey?: string): ArchiveView[];
  /** Every download link handed out so far expires now (a new list or get gives fresh ones). */
  expireArchiveLinks(): void;
}
