import { CommanderError } from 'commander';
import { isKrerouteError } from '../common/errors.ts';
import type { CliContext } from './context.ts';
import { type Failure, debugEnabled, describeFailure, usageFailure } from './exit.ts';
import { Output, type OutputStreams } from './render/output.ts';
import { COMMAND_NAMES, buildProgram } from './program.ts';
import { Interrupts, interruptedError, signalExitCode } from './signals.ts';

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function runCli(
  argv: string[],
  streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const out = new Output(streams);
  const interrupts = new Interrupts();
  const ctx: CliContext = { out, interrupts, env };
  const fail = (failure: Failure): number => {
    out.error(failure.line, failure.data);
    if (debugEnabled(env) && failure.stack) streams.stderr.write(`${failure.stack}\n`);
    return failure.exitCode;
  };
  interrupts.install({
    stopping: (line) => out.warn('STOPPING', line),
    exitNow: (signal, resumable) => {
      const code = signalExitCode(signal);
      const failure = describeFailure(interruptedError(signal, resumable));
      out.error(failure.line, { ...failure.data, exitCode: code });
      process.exit(code);
    },
  });
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    const signal = interrupts.received;
    return signal === null ? 0 : fail({ ...describeFailure(interruptedError(signal, true)), exitCode: signalExitCode(signal) });
  } catch (error) {
    const signal = interrupts.received;
    if (signal !== null) {
      const failure = describeFailure(isKrerouteError(error) && error.code === 'INTERRUPTED' ? error : interruptedError(signal, true));
      const code = signalExitCode(signal);
      return fail({ ...failure, exitCode: code, data: { ...failure.data, exitCode: code } });
    }
    if (error instanceof CommanderError) {
      // `help` exits 0; the implicit help shown when no command is given exits 1.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || (error.code === 'commander.help' && error.exitCode === 0)) return 0;
      if (argv.includes('--json')) out.configure({ json: true });
      return fail(usageFailure(error.code === 'commander.help' ? 'no command given' : error.message, commandIn(argv)));
    }
    return fail(describeFailure(error));
  } finally {
    out.finish();
    interrupts.dispose();
  }
}

function commandIn(argv: string[]): string {
  return argv.find((arg) => (COMMAND_NAMES as readonly string[]).includes(arg)) ?? '';
}
