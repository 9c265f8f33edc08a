// Memoized lazy promises: a read made once, however many stages or checks await it.

/** A memoized lazy promise; its rejection counts as handled (whoever awaits it sees it). */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    if (!p) {
      p = make();
      p.catch(() => undefined);
    }
    return p;
  };
}
