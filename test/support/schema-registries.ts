import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startLocalSchemaRegistry, type LocalSchemaRegistry } from '../../src/local/schema-registry.ts';
import { cacheDir } from '../../src/local/paths.ts';
import { uniqueName } from './clusters.ts';

/**
 * Two real schema registries (Apicurio, in-memory, built by scripts/build-registry.sh), one for each
 * test cluster, started for the test file that asks (about 20 s) and stopped by it.
 */
export async function startSchemaRegistries(): Promise<{ source: LocalSchemaRegistry; destination: LocalSchemaRegistry; stop(): Promise<void> }> {
  const logDir = path.join(cacheDir(), 'broker-logs');
  await mkdir(logDir, { recursive: true });
  const [source, destination] = await Promise.all(['source', 'destination'].map((name) => startLocalSchemaRegistry({ name, logDir })));
  return {
    source: source!,
    destination: destination!,
    stop: async () => {
      await Promise.all([source!.stop(), destination!.stop()]);
    },
  };
}

/** A side's properties file in `dir` naming its registry (`schema.registry.url`), then `lines`. */
export async function registryProperties(dir: string, name: string, url: string, lines: string[]): Promise<string> {
  const file = path.join(dir, `${uniqueName(name)}.properties`);
  await writeFile(file, `${[`schema.registry.url=${url}`, ...lines].join('\n')}\n`);
  return file;
}
