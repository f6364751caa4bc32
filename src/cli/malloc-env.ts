/**
 * glibc's malloc settings a long copy, plan or verify runs with (Linux): one arena, and a fixed
 * threshold above which memory is mapped and unmapped on its own, and free memory at the top of
 * the heap returned. With glibc's defaults the mapping threshold rises each time a large block is
 * freed (up to 32 MB) and every thread gets arenas of its own, so Node's native memory (buffers
 * freed by V8, socket and thread-pool work) fragments over hours: measured on a copy of 11M
 * records of 100 B, RSS beyond V8's heap and buffers rose from 94 to 134 MB by the end with the
 * defaults, and stayed at 92 MB with these.
 */
export const MALLOC_SETTINGS: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '1',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

/**
 * V8's young generation, capped at 8 MB a semi-space (V8 grows it up to 16 MB when much survives
 * a scavenge): measured on copies of 100M records of 100 B, V8 doubled it half-way (heap 42 → 56 MB,
 * used 17–29 MB), which was the copy's only growth beyond its memory budget; with the cap the heap
 * stayed at 44 MB and the copy took no longer (41.5 s against 48.9 s, one run each).
 */
export const V8_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/** V8_FLAGS the process does not already have from its command line or NODE_OPTIONS. */
export function missingV8Flags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  return V8_FLAGS.filter((flag) => {
    const name = flag.split('=')[0]!;
    return !given.some((arg) => {
      const normal = arg.replace(/_/g, '-'); // node accepts both spellings
      return normal === name || normal.startsWith(`${name}=`);
    });
  });
}

/** Set in the environment once the process runs with MALLOC_SETTINGS (or to 0, to keep glibc's defaults). */
export const MALLOC_MARK = 'KREROUTE_MALLOC_TUNED';

/** The commands that read or write records for long: the others start and end too soon to matter. */
const LONG_COMMANDS = new Set(['plan', 'copy', 'verify', 'purge', 'reroute']);

/**
 * The environment to run again with, or null to run on as is: not on Linux, a short command,
 * already done (or turned off with KREROUTE_MALLOC_TUNED=0), or the user set malloc's knobs
 * themselves (any MALLOC_*_ or GLIBC_TUNABLES).
 */
export function tunedMallocEnvironment(env: NodeJS.ProcessEnv, platform: string, args: readonly string[]): NodeJS.ProcessEnv | null {
  if (platform !== 'linux' || env[MALLOC_MARK] !== undefined) return null;
  if (!args.some((arg) => LONG_COMMANDS.has(arg))) return null;
  if (env['GLIBC_TUNABLES'] !== undefined || Object.keys(env).some((name) => name.startsWith('MALLOC_'))) return null;
  return { ...env, ...MALLOC_SETTINGS, [MALLOC_MARK]: '1' };
}

/**
 * Replaces this process by the same command with MALLOC_SETTINGS (see tunedMallocEnvironment) and V8_FLAGS:
 * glibc reads them only when a process starts. Call before anything is loaded or written; a Node
 * without process.execve (before 22.15) runs on with the defaults.
 */
export function runWithTunedMalloc(): void {
  const env = tunedMallocEnvironment(process.env, process.platform, process.argv.slice(2));
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (env === null || typeof execve !== 'function') return;
  const v8Flags = missingV8Flags(process.execArgv, env['NODE_OPTIONS']);
  execve.call(process, process.execPath, [process.execPath, ...v8Flags, ...process.execArgv, ...process.argv.slice(1)], env);
}
