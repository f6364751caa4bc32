import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Root of the kreroute checkout or installed package (this file lives in src/local/ or dist/local/). */
export const repoRoot: string = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Where downloaded Kafka jars and local brokers' logs go: the user's cache folder, not the
 * installed package (which an upgrade or `npm ci` replaces, and which may be read-only).
 * KREROUTE_CACHE_DIR, else $XDG_CACHE_HOME/kreroute, else ~/.cache/kreroute. A checkout's scripts
 * (scripts/env.sh, bootstrap.sh) set KREROUTE_CACHE_DIR to its git-ignored .cache.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const own = env['KREROUTE_CACHE_DIR'];
  if (own) return path.resolve(own);
  // The XDG spec: a relative path is invalid and ignored.
  const xdg = env['XDG_CACHE_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.cache'), 'kreroute');
}

export const kafkaPomFile: string = path.join(repoRoot, 'kafka', 'pom.xml');
export const kafkaLog4jConfig: string = path.join(repoRoot, 'kafka', 'log4j2.xml');

/** `java` from JAVA_HOME when set, else from PATH. */
export function javaExecutable(): string {
  const home = process.env['JAVA_HOME'];
  return home ? path.join(home, 'bin', 'java') : 'java';
}
