import { readFile } from 'node:fs/promises';
import { type ConfigSite, configError } from './config-error.ts';
import type { PropertyEntry } from './properties-format.ts';

/** The entries of one properties file, with lookups that know how to name a key in an error. */
export class PropertySet {
  readonly file: string;
  readonly #entries: Map<string, PropertyEntry>;

  constructor(file: string, entries: PropertyEntry[]) {
    this.file = file;
    this.#entries = new Map(entries.map((e) => [e.key, e]));
  }

  keys(): string[] {
    return [...this.#entries.keys()];
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** The value with surrounding blanks removed (Kafka trims config values too). */
  get(key: string): string | undefined {
    return this.#entries.get(key)?.value.trim();
  }

  site(key: string): ConfigSite {
    const entry = this.#entries.get(key);
    return entry ? { file: this.file, line: entry.line, key } : { file: this.file, key };
  }

  /** Throws a CONFIG error about `key`. Never pass the value of a secret in `message`. */
  fail(key: string, message: string, hint?: string): never {
    throw configError(this.site(key), message, hint);
  }

  positiveInteger(key: string): number | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
      this.fail(key, `"${value}" is not a positive whole number of milliseconds`, `write e.g. ${key}=30000`);
    }
    return Number(value);
  }

  /** Reads a file a key names; paths are relative to the working folder, as for Kafka's own tools. */
  async readNamedFile(key: string): Promise<Buffer> {
    const path = this.get(key) as string;
    try {
      return await readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      this.fail(key, `cannot read ${path} (${code})`, 'check the path; a relative path is taken from the current folder');
    }
  }
}
