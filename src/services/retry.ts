// What every service client shares: the time limit of one request and retries with backoff.
//
// A retry is blind: only idempotent calls may take one. The writes that are not, and how each is made safe:
// - IAM CreateAccessKey: never retried by the SDK; after an error the user's keys are listed and a key whose
//   secret nobody saw is deleted before the call is made again (src/iam-key.ts createKeyOnce).
// - Heroku PATCH /apps/{app}/config-vars: idempotent, but each landing is a release and a restart; after an
//   error the vars are read back and the PATCH is sent again only if it did not land (src/services/heroku.ts).
// - S3 CreateMultipartUpload (a rescue): each call opens an upload; a failed copy aborts its own, and a later run
//   aborts any left under the archive's key first (src/archives/rescue.ts).
// Everything else ib-archive writes (PutBucket*, PutObject, CreateBucket/CreateUser answered "already yours",
// Delete*, TagUser/UntagUser, OpenTok PUT/DELETE storage) lands the same however often it is sent.

/** Time limit of one HTTP request to any service (a hung request is retried). */
export const REQUEST_TIMEOUT_MS = 20_000;

export interface RetryDeps {
  sleep: (ms: number) => Promise<void>;
}

/** Options every service client takes from the command. */
export interface ClientOptions extends RetryDeps {
  /** Called with a one-line summary of every HTTP attempt (for --debug). */
  onRequest?: (line: string) => void;
  /** Time limit of one HTTP attempt; REQUEST_TIMEOUT_MS unless a test shortens it. */
  requestTimeoutMs?: number;
  /** First backoff delay (tests shorten it). */
  retryBaseMs?: number;
}

/** Runs `attempt` until it succeeds or `retryable` says no, with exponential backoff capped by `attempts`. */
export async function withRetries<T>(
  deps: RetryDeps,
  attempt: () => Promise<T>,
  retryable: (err: unknown) => boolean,
  { attempts = 4, baseMs = 500 }: { attempts?: number; baseMs?: number } = {},
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= attempts || !retryable(err)) throw err;
      await deps.sleep(baseMs * 2 ** (i - 1) * (0.75 + Math.random() * 0.5));
    }
  }
}
