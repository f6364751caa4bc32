import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Admin } from '@platformatic/kafka';

/**
 * Topic chores on one benchmark cluster: create (and wait for leaders), count, delete, size on
 * disk. A plain Kafka admin client, not kreroute's code: the harness must not change when kreroute does.
 */
export class BenchTopics {
  readonly bootstrap: string;
  readonly #admin: Admin;
  readonly #dataDir: string;

  constructor(bootstrap: string, dataDir: string) {
    this.bootstrap = bootstrap;
    this.#dataDir = dataDir;
    this.#admin = new Admin({ clientId: 'kreroute-bench', bootstrapBrokers: [bootstrap], retries: 2, retryDelay: 500, timeout: 30_000 });
  }

  async create(name: string, partitions: number, configs: Record<string, string>, timeoutMs = 30_000): Promise<void> {
    await this.#admin.createTopics({
      topics: [name],
      partitions,
      replicas: 1,
      configs: Object.entries(configs).map(([configName, value]) => ({ name: configName, value })),
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const topic = (await this.#admin.metadata({ topics: [name], forceUpdate: true })).topics.get(name);
      if (topic && topic.partitions.length === partitions && topic.partitions.every((p) => p && p.leader >= 0)) return;
      await sleep(100);
    }
    throw new Error(`topic ${name} has no leader for every partition after ${timeoutMs} ms`);
  }

  async list(): Promise<string[]> {
    return this.#admin.listTopics({ includeInternals: false });
  }

  /** Sum of the partitions' end offsets (read-uncommitted; transaction markers count too). */
  async endOffsetSum(name: string, partitions: number): Promise<number> {
    const topics = await this.#admin.listOffsets({
      topics: [{ name, partitions: [...Array(partitions).keys()].map((partitionIndex) => ({ partitionIndex, timestamp: -1n })) }],
      isolationLevel: 0,
    });
    return (topics.find((t) => t.name === name)?.partitions ?? []).reduce((sum, p) => sum + Number(p.offset), 0);
  }

  /**
   * Records a read_committed consumer gets from the topic (kcat, one newline per record). Unlike
   * end offsets this leaves out transaction markers and aborted records.
   */
  async countRecords(name: string, timeoutMs: number): Promise<number> {
    const args = ['-C', '-b', this.bootstrap, '-t', name, '-o', 'beginning', '-e', '-q', '-f', '\\n', '-X', 'isolation.level=read_committed'];
    const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let newlines = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
    });
    child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    if (code !== 0) throw new Error(`counting the records of ${name} with kcat failed (exit ${code}): ${stderr.trim()}`);
    return newlines;
  }

  async delete(names: string[]): Promise<void> {
    const existing = new Set(await this.list());
    const wanted = names.filter((n) => existing.has(n));
    if (wanted.length > 0) await this.#admin.deleteTopics({ topics: wanted });
  }

  /** Bytes of the topic's log files on the (local) broker's disk. */
  async bytesOnDisk(name: string): Promise<number> {
    let total = 0;
    for (const entry of await readdir(this.#dataDir)) {
      if (!entry.startsWith(`${name}-`) || !/^\d+$/.test(entry.slice(name.length + 1))) continue;
      const dir = path.join(this.#dataDir, entry);
      for (const file of await readdir(dir)) if (file.endsWith('.log')) total += (await stat(path.join(dir, file))).size;
    }
    return total;
  }

  async close(): Promise<void> {
    await this.#admin.close().catch(() => undefined);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
