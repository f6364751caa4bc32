import path from 'node:path';
import { measureSteps } from '../steps.ts';
import { type KrerouteDriver, cliArgs, describeCommand, repoRoot } from './kreroute.ts';
import { type Tool, type ToolContext, type ToolResult, copyResult, destinationName, freshDestinationTopic } from './tool.ts';

interface JobOptions {
  /** `library` has no plan or verify command of its own: the job then runs the CLI from source. */
  driver: KrerouteDriver;
  bundle: string | undefined;
  cpuProf: boolean;
}

/** kreroute's whole job as a user runs it: `plan --exact`, `copy`, `verify`, each a CLI process timed by itself. */
export function krerouteJobTool(options: JobOptions): Tool {
  return {
    name: 'kreroute-job',
    summary:
      'kreroute plan --exact, then kreroute copy, then kreroute verify (must pass): each step a CLI process of its own, timed by itself; the figures are their sum',
    run: (context) => runJob(context, options),
  };
}

async function runJob(context: ToolContext, options: JobOptions): Promise<ToolResult> {
  const { profile, source, destination } = context;
  const destinationTopic = await freshDestinationTopic(context, destinationName(context, 'kreroute-job'));
  const driver = options.driver === 'bundle' ? 'bundle' : 'source';
  const cli = cliArgs(driver, options, context.workDir);
  const planFile = path.join(context.workDir, 'plan.json');
  const stateDir = path.join(context.workDir, 'state');
  const commands = {
    plan: [
      ...cli,
      'plan',
      '--source',
      source.bootstrap,
      '--destination',
      destination.bootstrap,
      '--topic',
      context.sourceTopic,
      '--dest-topic',
      destinationTopic,
      '--exact',
      '--out',
      planFile,
      '--json',
    ],
    copy: [...cli, 'copy', planFile, '--state-dir', stateDir, '--json'],
    verify: [...cli, 'verify', planFile, '--state-dir', stateDir, '--json'],
  };
  const step = (name: keyof typeof commands) => ({
    name,
    spec: { command: process.execPath, args: commands[name], cwd: repoRoot, logFile: path.join(context.workDir, `${name}.log`), signal: context.signal },
  });
  const copy = step('copy');
  const progress = { progress: () => destination.endOffsetSum(destinationTopic, profile.partitions), target: profile.records };
  const job = await measureSteps([step('plan'), { ...copy, spec: { ...copy.spec, ...progress } }, step('verify')], context.timeoutMs);
  const details = {
    driver,
    cpuProf: options.cpuProf,
    commands: Object.fromEntries(Object.entries(commands).map(([name, args]) => [name, describeCommand(args)])),
  };
  return { ...(await copyResult(context, destinationTopic, job.measurement, details)), steps: job.steps };
}
