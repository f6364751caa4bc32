/**
 * Picks the broker for a cluster-wide request (InitProducerId, FindCoordinator): any live one.
 * Each call starts at the broker after the one used last, and a broker that cannot be reached
 * is passed over for the next; only when none answers does the call fail, with the last error.
 */
export class BrokerRotation {
  #next = 0;

  async first<T>(brokers: number[], connect: (nodeId: number) => Promise<T>): Promise<T> {
    if (brokers.length === 0) throw new Error('no brokers known');
    let lastError: unknown;
    const start = this.#next % brokers.length;
    for (let i = 0; i < brokers.length; i++) {
      const at = (start + i) % brokers.length;
      try {
        const connection = await connect(brokers[at]!);
        this.#next = at + 1;
        return connection;
      } catch (error) {
        lastError = error;
      }
    }
    this.#next = start + 1;
    throw lastError;
  }
}
