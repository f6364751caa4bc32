import { readFile } from 'node:fs/promises';
import { type ConfigSite, configError } from './config-error.ts';
import type { PropertyEntry } from './properties-format.ts';

/** The entries of one properties file, with lookups that know how to name a key in an error. */
export class PropertySet {
  readonly file: string;
  readonly #entries: Map<string, PropertyEntry>;
  readonly #shownPrefix: string;

  /**
   * `shownPrefix`: the entries are a prefixed group's with the prefix taken off (the schema
   * registry's `schema.registry.ssl.*` read as Kafka's `ssl.*`); errors name the keys with it.
   */
  constructor(file: string, entries: PropertyEntry[], shownPrefix = '') {
    this.file = file;
    this.#entries = new Map(entries.map((e) => [e.key, e]));
    this.#shownPrefix = shownPrefix;
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

  /** The file (or -X) the entry of `key` came from. */
  origin(key: string): string {
    return this.#entries.get(key)?.file ?? this.file;
  }

  site(key: string): ConfigSite {
    const entry = this.#entries.get(key);
    const shown = this.#shownPrefix + key;
    if (entry === undefined) return { file: this.file, key: shown };
    return entry.line > 0 ? { file: this.origin(key), line: entry.line, key: shown } : { file: this.origin(key), key: shown };
  }

  /** Throws a CONFIG error about `key`. Never put a value in `message`: any value may be a secret. */
  fail(key: string, message: string, hint?: string): never {
    throw configError(this.site(key), this.#shown(message), hint === undefined ? undefined : this.#shown(hint));
  }

  /** A message's mentions of keys of the group (`ssl.…` for `schema.registry.ssl.…`) as the file writes them. */
  #shown(text: string): string {
    if (this.#shownPrefix === '') return text;
    const heads = new Set([...this.#entries.keys()].map((key) => key.split('.')[0]!));
    return text.replace(/(?<![\w.])([a-z]+)\.(?=[a-z])/g, (mention, head: string) => (heads.has(head) ? this.#shownPrefix + mention : mention));
  }

  positiveInteger(key: string): number | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
      this.fail(key, 'is not a positive whole number of milliseconds', `write e.g. ${key}=30000`);
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
      // The path is not quoted: a value put under the wrong key may be a secret.
      this.fail(key, `cannot read the file it names (${code})`, `check the path; a relative path is taken from the current folder (${process.cwd()})`);
    }
  }
}
