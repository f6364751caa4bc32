import { Command } from 'commander';
import type { DemoReporter } from '../../demo/reporter.ts';
import type { CliContext } from '../context.ts';
import { duration } from '../render/format.ts';
import { renderCopy } from '../render/render-copy.ts';
import { renderPlan } from '../render/render-plan.ts';
import { renderVerify } from '../render/render-verify.ts';
import { renderOutcome } from './reroute.ts';

interface Flags {
  keep?: boolean;
}

export function demoCommand(ctx: CliContext): Command {
  return new Command('demo')
    .summary('move a tenant between two local Kafka clusters, step by step')
    .description(
      'Start two local single-node Kafka clusters, write three tenants\' orders to the "wrong" one, and move tenant-b to the ' +
        '"right" one with plan → copy → verify; show why purge is refused for a shared range, then reroute and purge a topic ' +
        'tenant-b owns alone. Needs Java 17+ (and Maven the first time, to fetch the Kafka jars).',
    )
    .option('--keep', 'leave both clusters running afterwards and keep their data and the plan files')
    .action(async (flags: Flags) => {
      const { runDemo } = await import('../../demo/demo.ts');
      const result = await runDemo({ keep: flags.keep === true, reporter: cliReporter(ctx) });
      ctx.out.result('demo', { ...result }, () => {
        const lines = [''];
        if (result.kept) {
          lines.push('The clusters are still running (--keep):');
          for (const c of result.clusters) lines.push(`  ${c.name}: ${c.bootstrap}  pid ${c.pid}  log ${c.logFile}`);
          lines.push(`  plan files and state: ${result.workDir}`);
        } else {
          lines.push('Clusters stopped and their data removed (use --keep to keep them).');
        }
        lines.push(`Demo finished in ${duration(result.seconds)}.`);
        return lines;
      });
    });
}

function cliReporter(ctx: CliContext): DemoReporter {
  const { out } = ctx;
  let step = 0;
  return {
    step: (title) => {
      step++;
      if (out.json) out.say(`step ${step}: ${title}`);
      else out.say(`\n=== ${step}. ${title}`);
    },
    say: (line) => out.say(line),
    plan: (plan, planFile) => out.result('plan', { planFile, plan }, () => renderPlan(plan, planFile)),
    copy: (summary, planFile) => out.result('copy', { planFile, summary }, () => renderCopy(summary, planFile).filter((l) => !l.startsWith('Next:'))),
    verify: (report, planFile) => out.result('verify', { planFile, report }, () => renderVerify(report, planFile).filter((l) => !l.startsWith('Next:'))),
    refusal: (error) =>
      out.result('refused', { code: error.code, message: error.message, exitCode: error.exitCode }, () => [
        `Refused, as expected: kreroute: ${error.code}: ${error.oneLine()} (exit code ${error.exitCode})`,
      ]),
    rerouteStage: (outcome, planFile) => out.result('reroute-stage', { planFile, ...outcome }, () => renderOutcome(outcome, planFile)),
    onEvent: out.events,
  };
}
