import type { ClusterMetadata } from '@platformatic/kafka';

/**
 * The partition leaders a cluster's metadata names, looked up for all topics at once. Every
 * refresh asks one Metadata request for every topic asked about so far; the requests made while
 * one is being prepared or is in flight share the next one. So 1,000 partitions whose writes fail
 * together cost one or two Metadata requests, not 1,000 (Kafka's clients, too, keep one metadata
 * request outstanding and mark it "needs update" meanwhile).
 */
export class LeaderDirectory {
  readonly #fetch: (topics: string[]) => Promise<ClusterMetadata>;
  readonly #topics = new Set<string>();
  #metadata: ClusterMetadata | undefined;
  #inFlight: Promise<ClusterMetadata> | undefined;
  #queued: Promise<ClusterMetadata> | undefined;

  constructor(fetch: (topics: string[]) => Promise<ClusterMetadata>) {
    this.#fetch = fetch;
  }

  /** The metadata last read, refreshed first when asked or when it lacks `topic`. */
  async metadataFor(topic: string, refresh: boolean): Promise<ClusterMetadata> {
    const known = this.#metadata;
    if (!refresh && known?.topics.has(topic)) return known;
    this.#topics.add(topic);
    const metadata = await this.#refresh();
    // A topic added after the shared request went out: ask once more for it.
    return metadata.topics.has(topic) || !this.#topics.has(topic) ? metadata : this.#refresh();
  }

  /** Takes metadata read elsewhere (it may name fresher leaders). */
  remember(metadata: ClusterMetadata): void {
    this.#metadata = metadata;
  }

  #refresh(): Promise<ClusterMetadata> {
    if (this.#queued) return this.#queued;
    const previous = this.#inFlight ?? Promise.resolve();
    // Waits for the request in flight and one turn of the event loop, so that every refresh
    // asked for meanwhile joins this one.
    const next = previous
      .catch(() => undefined)
      .then(() => new Promise((resolve) => setImmediate(resolve)))
      .then(() => {
        if (this.#queued === next) this.#queued = undefined;
        this.#inFlight = next;
        return this.#fetch([...this.#topics]);
      })
      .then((metadata) => {
        this.#metadata = metadata;
        return metadata;
      })
      .finally(() => {
        if (this.#inFlight === next) this.#inFlight = undefined;
      });
    this.#queued = next;
    return next;
  }
}
