import { killAllTools } from './measure.ts';

/**
 * A bench entry point's options, or the exit code to end with at once: 0 after --help (the usage
 * on stdout), 2 after a mistake (the mistake and the usage on stderr, through `log`).
 */
export function optionsOrExitCode<T>(parse: (argv: string[]) => T | 'help', usage: string, log: (line: string) => void): T | number {
  let options: T | 'help';
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    log((error as Error).message);
    log(usage);
    return 2;
  }
  if (options === 'help') {
    console.log(usage);
    return 0;
  }
  return options;
}

/** Aborted on SIGINT or SIGTERM, which also kill the running tools' process groups. */
export function abortedOnSignals(log: (line: string) => void): AbortController {
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      controller.abort();
      killAllTools();
    });
  }
  return controller;
}
