import { ERROR_CODES, isKrerouteError } from '../common/errors.ts';

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = ERROR_CODES.INTERNAL.exit;
export const EXIT_SIGNAL: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

export interface Failure {
  /** Exactly one line for stderr. */
  line: string;
  exitCode: number;
  /** For --json. */
  data: { code: string; message: string; exitCode: number; hint?: string };
  /** Printed after the line only with KREROUTE_DEBUG=1. */
  stack?: string;
}

const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, ' ').trim();

export function describeFailure(error: unknown): Failure {
  if (isKrerouteError(error)) {
    const message = oneLine(error.oneLine());
    return {
      line: `kreroute: ${error.code}: ${message}`,
      exitCode: error.exitCode,
      data: { code: error.code, message: oneLine(error.message), exitCode: error.exitCode, ...(error.hint ? { hint: oneLine(error.hint) } : {}) },
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  const message = oneLine(error instanceof Error ? error.message : String(error)) || 'unknown error';
  const stack = error instanceof Error ? error.stack : undefined;
  return {
    line: `kreroute: INTERNAL: unexpected error: ${message} (set KREROUTE_DEBUG=1 for details)`,
    exitCode: EXIT_INTERNAL,
    data: { code: 'INTERNAL', message, exitCode: EXIT_INTERNAL },
    ...(stack ? { stack } : {}),
  };
}

export function usageFailure(message: string, command: string): Failure {
  const text = oneLine(message.replace(/^error:\s*/i, ''));
  const help = command ? `kreroute ${command} --help` : 'kreroute --help';
  return {
    line: `kreroute: usage: ${text} (see ${help})`,
    exitCode: EXIT_USAGE,
    data: { code: 'USAGE', message: text, exitCode: EXIT_USAGE },
  };
}

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['KREROUTE_DEBUG'] === '1';
}
