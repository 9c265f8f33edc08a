// Options as commander parses them, for every command (each command reads the ones its help lists).

export type CommandName = 'setup' | 'doctor' | 'rotate-key' | 'teardown' | 'archives' | 'demo';

export interface CommandFlags {
  apiKey?: string;
  apiSecret?: string;
  bucket?: string;
  region?: string;
  profile?: string;
  iamUser?: string;
  app?: string;
  appType?: string;
  corsOrigin?: string[];
  /** False with --no-heroku. */
  heroku?: boolean;
  varsFile?: string;
  /** The old name of --vars-file, accepted for a file that exists. */
  envFile?: string;
  configureOpentok?: boolean;
  sse?: string;
  fallback?: string;
  expireAfterDays?: string;
  keepOld?: boolean;
  deleteArchives?: boolean;
  limit?: string;
  rescue?: boolean;
  /** doctor: seconds the checks may take. */
  timeout?: string;
  /** demo: milliseconds added to every request of the stand-ins. */
  latency?: string;
  yes?: boolean;
  nonInteractive?: boolean;
  debug?: boolean;
  dryRun?: boolean;
  json?: boolean;
  showSecrets?: boolean;
}
