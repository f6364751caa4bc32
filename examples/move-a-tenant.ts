// Moves one tenant's records (those whose key starts with a prefix) from a source to a destination
// cluster with the kreroute library: plan → copy → verify. It leaves the source alone: purge is for
// `kreroute purge <plan>` (a dry run) and `--execute` once you have read the verdict. Run it again after a crash or
// Ctrl-C and it resumes the plan it wrote.
//
//   node examples/move-a-tenant.ts --topic orders --key-prefix tenant-b: [--plan FILE] [--create-topics]
//   (in a checkout of kreroute: node --conditions=kreroute-source examples/move-a-tenant.ts …, see examples/README.md)
//
// Clusters: --source/--destination or KREROUTE_SOURCE_BOOTSTRAP/KREROUTE_DEST_BOOTSTRAP; TLS and
// SASL from the Kafka client .properties files in KREROUTE_SOURCE_CONFIG/KREROUTE_DEST_CONFIG.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type ClientSettings,
  copyPlan,
  createPlan,
  defaultStateDir,
  type EngineEvent,
  KrerouteError,
  type Plan,
  readClientProperties,
  readPlanFile,
  verifyPlan,
  writePlanFile,
} from 'kreroute';

const { values: args } = parseArgs({
  options: {
    source: { type: 'string', default: process.env['KREROUTE_SOURCE_BOOTSTRAP'] },
    destination: { type: 'string', default: process.env['KREROUTE_DEST_BOOTSTRAP'] },
    topic: { type: 'string' },
    'key-prefix': { type: 'string' },
    plan: { type: 'string', default: 'move-a-tenant.plan.json' },
    'create-topics': { type: 'boolean', default: false },
  },
});

/** A cluster's settings: the bootstrap list, plus TLS and SASL from its .properties file if one is given. */
async function cluster(bootstrap: string | undefined, propertiesFile: string | undefined, flag: string): Promise<ClientSettings> {
  if (!bootstrap) throw new KrerouteError('BAD_INPUT', `no ${flag} cluster`, { hint: `pass --${flag} host:port or set its KREROUTE_…_BOOTSTRAP` });
  const security = propertiesFile ? (await readClientProperties(propertiesFile)).settings : {};
  return { ...security, bootstrap: bootstrap.split(',') };
}

/** Progress goes to stderr, results to stdout, as the CLI does. */
function logEvent(event: EngineEvent): void {
  if (event.type === 'stage' || event.type === 'warning') console.error(`${event.type}: ${event.message}`);
}

try {
  const source = await cluster(args.source, process.env['KREROUTE_SOURCE_CONFIG'], 'source');
  const destination = await cluster(args.destination, process.env['KREROUTE_DEST_CONFIG'], 'destination');
  const planFile = args.plan;
  const stateDir = defaultStateDir(planFile); // where the copy keeps its checkpoint: move-a-tenant.plan.state

  let plan: Plan;
  if (existsSync(planFile)) {
    plan = await readPlanFile(planFile); // resume: the same ranges as the first run, never re-planned
    console.log(`plan: resuming ${planFile}`);
  } else {
    if (!args.topic || !args['key-prefix']) throw new KrerouteError('BAD_INPUT', 'no topic or key prefix', { hint: 'pass --topic NAME --key-prefix PREFIX' });
    plan = await createPlan({
      source,
      destination,
      topics: [args.topic],
      from: { kind: 'earliest' },
      to: { kind: 'latest' },
      filter: { kind: 'key-prefix', prefix: args['key-prefix'] },
      exact: true,
      createTopics: args['create-topics'],
      onEvent: logEvent,
    });
    await writePlanFile(planFile, plan);
    console.log(`plan: ${plan.estimate.records} records to move, written to ${planFile}`);
  }

  const copied = await copyPlan(plan, { source, destination, stateDir, onEvent: logEvent });
  console.log(`copy: ${copied.records} records copied (${copied.mode}${copied.alreadyComplete ? ', already complete' : ''})`);

  const report = await verifyPlan(plan, { source, destination, stateDir, onEvent: logEvent });
  for (const p of report.partitions) {
    console.log(
      `verify: ${p.destinationTopic}/${p.destinationPartition} ${p.passed ? 'passed' : 'FAILED'} (${p.sourceCount} source, ${p.destinationCount} copied)`,
    );
  }
  if (!report.passed) throw new KrerouteError('VERIFY_FAILED', 'the copy differs from the source', { hint: `kreroute verify ${planFile} shows where` });
  console.log(`verify: PASSED; to delete the tenant's records from the source: kreroute purge ${planFile} --execute`);
} catch (error) {
  if (!(error instanceof KrerouteError)) throw error;
  // Every refusal and failure carries a stable code (docs/errors.md) and one line saying what to do.
  console.error(`move-a-tenant: ${error.code}: ${error.oneLine()}`);
  process.exitCode = error.exitCode;
}
