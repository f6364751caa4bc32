import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { cacheDir, kafkaPomFile } from './paths.ts';

const run = promisify(execFile);
const MVN_TIMEOUT_MS = 15 * 60_000;

export interface EnsureKafkaJarsOptions {
  /** Folder holding `kafka-<version>/libs`; default cacheDir(). */
  cacheDir?: string;
  log?: (line: string) => void;
}

/** The Kafka version pinned in kafka/pom.xml. */
export async function kafkaVersion(): Promise<string> {
  const pom = await readFile(kafkaPomFile, 'utf8');
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom);
  if (!match?.[1]) throw new Error(`no <kafka.version> in ${kafkaPomFile}`);
  return match[1].trim();
}

/**
 * Returns a folder of jars that runs an Apache Kafka broker and its tools
 * (`java -cp '<dir>/*' kafka.Kafka ...`). Downloads them with Maven on first use.
 * `KREROUTE_KAFKA_LIBS` names a ready folder of jars and skips Maven.
 */
export async function ensureKafkaJars(options: EnsureKafkaJarsOptions = {}): Promise<string> {
  const override = process.env['KREROUTE_KAFKA_LIBS'];
  if (override) {
    const jars = existsSync(override) ? (await readdir(override)).filter((f) => f.endsWith('.jar')) : [];
    if (jars.length === 0) throw new Error(`KREROUTE_KAFKA_LIBS=${override} holds no .jar files`);
    return override;
  }

  const pom = await readFile(kafkaPomFile);
  const pomHash = createHash('sha256').update(pom).digest('hex');
  const home = path.join(options.cacheDir ?? cacheDir(), `kafka-${await kafkaVersion()}`);
  const libs = path.join(home, 'libs');
  // Written last, and holds the pom's hash: a half-done download or an edited pom means fetch again.
  const marker = path.join(home, 'libs.complete');
  if (existsSync(marker) && (await readFile(marker, 'utf8')).trim() === pomHash) return libs;

  const partial = `${libs}.partial-${process.pid}`;
  await mkdir(home, { recursive: true });
  await removeAbandonedPartials(home);
  options.log?.(`fetching Kafka jars with Maven into ${libs}`);
  const started = Date.now();
  try {
    await run('mvn', ['-q', '-B', '-f', kafkaPomFile, 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`], {
      timeout: MVN_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    const e = error as { stdout?: string; stderr?: string; message: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`fetching Kafka jars failed (mvn -f ${kafkaPomFile}): ${e.message}\n${output}`);
  }
  await rm(marker, { force: true });
  await rm(libs, { recursive: true, force: true });
  await rename(partial, libs);
  await writeFile(marker, `${pomHash}\n`);
  options.log?.(`Kafka jars ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return libs;
}

/** Deletes `libs.partial-<pid>` folders left by downloads whose process is gone. */
async function removeAbandonedPartials(home: string): Promise<void> {
  for (const entry of await readdir(home)) {
    const pid = /^libs\.partial-(\d+)$/.exec(entry)?.[1];
    if (pid && (Number(pid) === process.pid || !isAlive(Number(pid)))) {
      await rm(path.join(home, entry), { recursive: true, force: true });
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
