// The life of the app's access key in one run: reused, or created → stored | abandoned → deleted. The secret of a
// new key exists only in this process until a consumer (Heroku, the vars file, the printed report) holds it.
import { InterruptedError } from './errors.js';
import type { AwsKey } from './services/aws.js';

export type KeyState = 'none' | 'reused' | 'creating' | 'unsaved' | 'stored' | 'abandoned' | 'deleted';

/** Placeholder shown in plans until the new key exists. */
export const PENDING_KEY: AwsKey = { accessKeyId: '(new key)', secretAccessKey: '(new secret)' };

export class AppKey {
  state: KeyState = 'none';
  pair?: AwsKey;
  /** Settles once the call in flight that decides the state (CreateAccessKey, the PATCH that stores it) is answered. */
  private inFlight?: Promise<unknown>;

  /** The key the app keeps: nothing is created. */
  reuse(pair: AwsKey): void {
    this.pair = pair;
    this.state = 'reused';
  }

  /** CreateAccessKey is on its way; its answer makes the key unsaved (the secret only in memory). */
  creating(created: Promise<AwsKey>): Promise<AwsKey> {
    this.state = 'creating';
    const held = created.then((pair) => {
      this.pair = pair;
      if (this.state === 'creating') this.state = 'unsaved';
      return pair;
    });
    this.inFlight = held.catch(() => undefined);
    return held;
  }

  /** A consumer is about to receive the secret (e.g. the PATCH is on its way): once `storing` lands, it is stored. */
  storing<T>(storing: Promise<T>): Promise<T> {
    this.inFlight = storing.then(
      () => this.stored(),
      () => undefined,
    );
    return storing;
  }

  /** A consumer holds the secret now: nothing would be lost any more. */
  stored(): void {
    if (this.state === 'unsaved' || this.state === 'creating') this.state = 'stored';
  }

  /** The secret exists only in this process. */
  get unsaved(): boolean {
    return this.state === 'unsaved';
  }

  /** The key being made or stored right now, if any, once its call is answered (at most `limitMs`). */
  async settled(sleep: (ms: number) => Promise<void>, limitMs = 3000): Promise<void> {
    if (this.inFlight) await Promise.race([this.inFlight, sleep(limitMs)]);
  }

  /** The unsaved key is given up (interrupt, failure): nothing may store or use it any more. */
  abandon(): AwsKey | undefined {
    if (this.state !== 'unsaved' || !this.pair) return undefined;
    this.state = 'abandoned';
    return this.pair;
  }

  deleted(): void {
    this.state = 'deleted';
  }

  /** Throws when the key was abandoned meanwhile (the run is being interrupted). */
  assertUsable(): void {
    if (this.state === 'abandoned' || this.state === 'deleted') throw new InterruptedError();
  }

  /** The pair once known, else the placeholder of plans. */
  get current(): AwsKey {
    return this.pair ?? PENDING_KEY;
  }
}
