import { type CopyCheckpoint, saveCheckpoint } from '../checkpoint/copy-checkpoint.ts';

/**
 * Saves the checkpoint at most once a second while the copy runs, one write at a time. The
 * in-memory checkpoint only ever holds acknowledged progress, so any snapshot of it is consistent.
 */
export class CheckpointWriter {
  readonly #stateDir: string;
  readonly #checkpoint: CopyCheckpoint;
  #writing: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #failure: unknown;

  readonly #intervalMs: number;

  constructor(stateDir: string, checkpoint: CopyCheckpoint, intervalMs = 1000) {
    this.#stateDir = stateDir;
    this.#checkpoint = checkpoint;
    this.#intervalMs = intervalMs;
  }

  soon(): void {
    if (this.#failure) throw this.#failure;
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#enqueue();
    }, this.#intervalMs);
  }

  #enqueue(): Promise<void> {
    const snapshot = structuredClone(this.#checkpoint);
    this.#writing = this.#writing.then(() => saveCheckpoint(this.#stateDir, snapshot)).catch((error: unknown) => {
      this.#failure = error;
    });
    return this.#writing;
  }

  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#enqueue();
    if (this.#failure) throw this.#failure;
  }
}
