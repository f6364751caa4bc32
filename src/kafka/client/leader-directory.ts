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
  readonly #single = new Map<string, Promise<ClusterMetadata>>();

  constructor(fetch: (topics: string[]) => Promise<ClusterMetadata>) {
    this.#fetch = fetch;
  }

  /** The metadata last read, refreshed first when asked or when it lacks `topic`. */
  async metadataFor(topic: string, refresh: boolean): Promise<ClusterMetadata> {
    const known = this.#metadata;
    if (!refresh && known?.topics.has(topic)) return known;
    this.#topics.add(topic);
    try {
      const metadata = await this.#refresh();
      if (metadata.topics.has(topic)) return metadata;
    } catch (error) {
      if (this.#topics.size <= 1) throw error;
    }
    // One topic's error fails the whole Metadata request (a deleted topic, a partition without a
    // leader yet): then each topic is asked for alone, so the others' leaders are still found.
    return this.#alone(topic);
  }

  #alone(topic: string): Promise<ClusterMetadata> {
    let pending = this.#single.get(topic);
    if (!pending) {
      pending = this.#fetch([topic]);
      this.#single.set(topic, pending);
      pending.then(
        () => this.#single.delete(topic),
        () => {
          this.#single.delete(topic);
          this.#topics.delete(topic);
        },
      );
    }
    return pending;
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
