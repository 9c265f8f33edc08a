// Listeners on the stand-ins' request log (the stand-ins run in the test process): see each request as it arrives.
import type { LocalServices } from '../../src/standins/api.js';
import type { RecordedRequest, Recorder } from '../../src/standins/recorder.js';

type Listener = (r: RecordedRequest) => void;

const listeners = new WeakMap<Recorder, Set<Listener>>();

/** Calls `fn` with every request the moment the stand-in records it (before it is answered); returns the unsubscribe. */
export function onRequest(services: LocalServices, fn: Listener): () => void {
  const recorder = services.recorder;
  let set = listeners.get(recorder);
  if (!set) {
    const registered = new Set<Listener>();
    set = registered;
    listeners.set(recorder, registered);
    const record = recorder.record.bind(recorder);
    recorder.record = (r) => {
      const result = record(r);
      for (const l of registered) l(result.entry);
      return result;
    };
  }
  set.add(fn);
  return () => set.delete(fn);
}

const issued = new WeakMap<LocalServices, Set<string>>();

/**
 * Every secret access key the IAM stand-in holds or held, including keys deleted since (the leak scan needs them):
 * a DeleteAccessKey is seen here before it is handled, while its key still exists.
 */
export function issuedSecrets(services: LocalServices): Set<string> {
  let secrets = issued.get(services);
  if (!secrets) {
    const found = new Set<string>();
    secrets = found;
    issued.set(services, found);
    onRequest(services, (r) => {
      if (r.service === 'iam' && (r.operation === 'DeleteAccessKey' || r.operation === 'DeleteUser')) snapshotSecrets(services, found);
    });
  }
  snapshotSecrets(services, secrets);
  return secrets;
}

function snapshotSecrets(services: LocalServices, into: Set<string>): void {
  for (const u of services.control.users()) for (const k of u.keys) into.add(k.secretAccessKey);
}
