import { KrerouteError } from '../../common/errors.ts';
import type { OutputOptions } from '../render/output.ts';
import { parseDuration } from './options.ts';

/** The global flags of what the CLI writes: --json, --quiet, --progress-interval. */
export interface OutputFlags {
  json?: boolean;
  quiet?: boolean;
  progressInterval?: string;
}

export const PROGRESS_INTERVAL_HELP =
  'how often progress is shown (bar, lines or --json events), e.g. 5s or 1m; 0 or off for none; ' +
  'default 1s on a terminal, 30s when stderr is not a terminal or with --json; the last progress of a stage is always shown';

/** `--progress-interval`: milliseconds, 0 for none. */
export function parseProgressInterval(text: string): number {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'off' || /^0+(\.0*)?(ms|s|m|h)?$/.test(trimmed)) return 0;
  try {
    return parseDuration(text, '--progress-interval');
  } catch {
    throw new KrerouteError('BAD_INPUT', `--progress-interval: "${text}" is not a duration of at least 1 s, nor 0 or off`, {
      hint: 'give e.g. --progress-interval 10s, or --progress-interval off for no progress',
    });
  }
}

export function outputOptionsFromFlags(flags: OutputFlags): OutputOptions {
  return {
    json: flags.json,
    quiet: flags.quiet,
    progressIntervalMs: flags.progressInterval === undefined ? undefined : parseProgressInterval(flags.progressInterval),
  };
}
