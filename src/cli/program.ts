import { Command } from 'commander';
import { VERSION } from '../common/version.ts';
import { copyCommand } from './commands/copy.ts';
import { demoCommand } from './commands/demo.ts';
import { offsetsCommand } from './commands/offsets.ts';
import { planCommand } from './commands/plan.ts';
import { purgeCommand } from './commands/purge.ts';
import { rerouteCommand } from './commands/reroute.ts';
import { statusCommand } from './commands/status.ts';
import { verifyCommand } from './commands/verify.ts';
import type { CliContext } from './context.ts';
import { docPath } from './doc-path.ts';
import { type OutputFlags, PROGRESS_INTERVAL_HELP, outputOptionsFromFlags } from './options/output-options.ts';

export const COMMAND_NAMES = ['plan', 'copy', 'status', 'verify', 'purge', 'offsets', 'reroute', 'demo'] as const;

/** The commander program; errors surface as exceptions (exitOverride) and are printed by run.ts. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('kreroute')
    .description("Move a tenant's Kafka messages from the cluster they were wrongly sent to, to the right one: plan → copy → verify → purge.")
    .version(VERSION, '-V, --version', 'print the version')
    .option('--json', 'machine-readable output: one JSON object per line on stdout (events and results), nothing else on stdout')
    .option('--quiet', 'errors and one line for the result only (it counts the warnings not shown); with --json: no progress events')
    .option('--progress-interval <duration>', PROGRESS_INTERVAL_HELP)
    .showSuggestionAfterError()
    .exitOverride()
    // Commander's own messages are replaced by one line from run.ts.
    .configureOutput({ outputError: () => undefined, writeErr: () => undefined })
    .hook('preAction', (_program, action) => {
      const flags = action.optsWithGlobals<OutputFlags>();
      // --json and --quiet hold for the error line of a wrong --progress-interval too.
      ctx.out.configure({ json: flags.json, quiet: flags.quiet });
      ctx.out.configure(outputOptionsFromFlags(flags));
    });
  for (const make of [planCommand, copyCommand, statusCommand, verifyCommand, purgeCommand, offsetsCommand, rerouteCommand, demoCommand]) {
    program.addCommand(make(ctx).copyInheritedSettings(program));
  }
  program.addHelpText(
    'after',
    '\nTypical run:\n' +
      '  kreroute plan --source old:9092 --destination new:9092 --topic orders --key-prefix tenant-b: --exact --out b.plan.json\n' +
      '  kreroute copy b.plan.json && kreroute verify b.plan.json && kreroute purge b.plan.json\n' +
      'or all at once, resumable:\n' +
      '  kreroute reroute --source old:9092 --destination new:9092 --topic orders --key-prefix tenant-b: --out b.plan.json\n' +
      `\nExit codes and what to do: ${docPath('errors.md')}`,
  );
  return program;
}
