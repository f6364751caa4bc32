// deploy/kubernetes: every object valid for its kind (offline, against the schemas of the package
// kubernetes-models), and the shard Jobs consistent with kreroute: one pod per shard, only options
// the command takes, paths inside the mounted volumes, a shard failed at once on every exit code that
// needs a fix first (derived from ERROR_CODES, so a new code cannot be forgotten) and retried on the others.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { EXIT_SIGNAL, EXIT_USAGE } from '../../src/cli/exit.ts';
import { ERROR_CODES } from '../../src/common/errors.ts';
import { schemaProblems } from '../support/kubernetes-schema.ts';

const DIR = new URL('../../deploy/kubernetes/', import.meta.url);
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

interface Container {
  name: string;
  args?: string[];
  volumeMounts?: { mountPath: string }[];
}
interface Job {
  kind: 'Job';
  metadata: { name: string };
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    maxFailedIndexes?: number;
    backoffLimitPerIndex?: number;
    podReplacementPolicy?: string;
    podFailurePolicy?: {
      rules: { action: string; onExitCodes?: { containerName?: string; operator: string; values: number[] }; onPodConditions?: { type: string }[] }[];
    };
    template: { spec: { restartPolicy?: string; containers: Container[] } };
  };
}

/** As Kubernetes reads it: YAML 1.1 (so `0440` is octal). */
async function loadManifests(): Promise<{ file: string; object: Record<string, unknown> }[]> {
  const files = (await readdir(DIR)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const loaded = await Promise.all(
    files.map(async (file) =>
      parseAllDocuments(await readFile(new URL(file, DIR), 'utf8'), { version: '1.1' }).map((doc) => {
        assert.deepEqual(doc.errors, [], `${file} is not valid YAML`);
        return { file, object: doc.toJS() as Record<string, unknown> };
      }),
    ),
  );
  return loaded.flat().filter(({ object }) => object !== null);
}

const manifests = await loadManifests();
const jobs = manifests.filter(({ object }) => object.kind === 'Job').map(({ file, object }) => ({ file, job: object as unknown as Job }));

function helpOptions(args: string[]): Set<string> {
  const result = spawnSync(process.execPath, [MAIN, ...args, '--help'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 0, result.stderr);
  return new Set([...result.stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z][\w-]*)/gm)].map((m) => m[1] as string));
}

test('deploy/kubernetes holds a copy Job and a verify Job', () => {
  assert.deepEqual(jobs.map(({ job }) => job.spec.template.spec.containers[0]?.args?.[0]).sort(), ['copy', 'verify']);
});

test('every object in deploy/kubernetes is valid for its kind', async () => {
  for (const { file, object } of manifests) assert.deepEqual(await schemaProblems(object), [], `${file}: ${String(object.kind)}`);
});

test('the check fails a broken Job: a wrong enum value, a string for a number, an unknown field', async () => {
  const broken = structuredClone(jobs[0]?.job) as unknown as { spec: Record<string, unknown> };
  broken.spec.completionMode = 'Bogus';
  broken.spec.parallelism = '4';
  broken.spec.paralelism = 4;
  const problems = await schemaProblems(broken as unknown as Record<string, unknown>);
  assert.deepEqual(problems, ['/spec/completionMode must be equal to one of the allowed values (Indexed, NonIndexed)', '/spec/parallelism must be integer']);
  delete broken.spec.parallelism;
  broken.spec.completionMode = 'Indexed';
  assert.deepEqual(await schemaProblems(broken as unknown as Record<string, unknown>), ['/spec/paralelism is not a field of Job']);
  assert.deepEqual(await schemaProblems({ apiVersion: 'batch/v1', kind: 'Jobb' }), ['no schema for batch/v1 Jobb']);
});

test('a shard Job runs one pod per shard, all at once, and gives up on no more shards than it has', () => {
  for (const { file, job } of jobs) {
    const args = job.spec.template.spec.containers[0]?.args ?? [];
    const shard = args[args.indexOf('--shard') + 1] ?? '';
    const [, count] = /^\$\(JOB_COMPLETION_INDEX\)\/(\d+)$/.exec(shard) ?? [];
    assert.ok(count, `${file}: --shard $(JOB_COMPLETION_INDEX)/N, not ${shard}`);
    assert.equal(job.spec.completionMode, 'Indexed', file);
    assert.equal(job.spec.completions, Number(count), `${file}: completions = N of --shard`);
    assert.equal(job.spec.parallelism, Number(count), `${file}: parallelism = N of --shard`);
    assert.ok((job.spec.maxFailedIndexes ?? 0) < Number(count), `${file}: maxFailedIndexes below N`);
  }
});

test('a Job gives kreroute only options its command accepts', () => {
  const global = helpOptions([]);
  for (const { file, job } of jobs) {
    const [command = '', ...rest] = job.spec.template.spec.containers[0]?.args ?? [];
    const accepted = helpOptions([command]);
    for (const option of rest.filter((a) => a.startsWith('--'))) {
      assert.ok(accepted.has(option) || global.has(option), `${file}: kreroute ${command} takes no ${option}`);
    }
  }
});

test("a Job's file arguments lie in the container's volumes", () => {
  for (const { file, job } of jobs) {
    const [container] = job.spec.template.spec.containers;
    const mounts = (container?.volumeMounts ?? []).map((m) => m.mountPath);
    for (const path of (container?.args ?? []).filter((a) => a.startsWith('/'))) {
      assert.ok(
        mounts.some((m) => path === m || path.startsWith(`${m}/`)),
        `${file}: ${path} is in no volume`,
      );
    }
  }
});

/** The exit numbers of kreroute's error codes (and of usage errors and signals), split by whether running again may help. */
function exitsBy(retryable: boolean): number[] {
  const exits = new Set<number>(
    Object.values(ERROR_CODES)
      .filter((c) => c.retryable === retryable)
      .map((c) => c.exit),
  );
  if (retryable) for (const exit of Object.values(EXIT_SIGNAL)) exits.add(exit);
  else exits.add(EXIT_USAGE);
  return [...exits].sort((a, b) => a - b);
}

function exitCodeRules(job: Job, action: string): NonNullable<Job['spec']['podFailurePolicy']>['rules'] {
  return (job.spec.podFailurePolicy?.rules ?? []).filter((r) => r.action === action && r.onExitCodes);
}

test('a Job fails a shard at once on every exit code that needs a fix first, and on no other', () => {
  const fixFirst = exitsBy(false);
  assert.deepEqual(fixFirst, [2, 3, 4, 5, 6, 7, 8, 9, 70]);
  for (const { file, job } of jobs) {
    const container = job.spec.template.spec.containers[0]?.name;
    const rules = exitCodeRules(job, 'FailIndex');
    assert.equal(rules.length, 1, `${file}: one FailIndex rule on exit codes`);
    assert.equal(rules[0]?.onExitCodes?.containerName, container, `${file}: the rule names the container`);
    assert.equal(rules[0]?.onExitCodes?.operator, 'In', file);
    assert.deepEqual(rules[0]?.onExitCodes?.values, fixFirst, `${file}: FailIndex on exactly the fix-first exit codes of ERROR_CODES`);
    assert.equal(exitCodeRules(job, 'FailJob').length, 0, `${file}: no FailJob rule`);
  }
});

test('a Job counts every exit code after which a retry may help, after ignoring a disruption', () => {
  const retryable = exitsBy(true);
  assert.deepEqual(retryable, [10, 11, 12, 13, 14, 130, 143]);
  for (const { file, job } of jobs) {
    const container = job.spec.template.spec.containers[0]?.name;
    const rules = job.spec.podFailurePolicy?.rules ?? [];
    const [count, ...more] = exitCodeRules(job, 'Count');
    assert.equal(more.length, 0, `${file}: one Count rule`);
    assert.equal(count?.onExitCodes?.containerName, container, `${file}: the rule names the container`);
    assert.equal(count?.onExitCodes?.operator, 'In', file);
    assert.deepEqual(count?.onExitCodes?.values, retryable, `${file}: Count on exactly the retryable exit codes of ERROR_CODES`);
    // The first matching rule wins: an evicted pod exits 143 and must be ignored, not counted.
    const ignore = rules.findIndex((r) => r.action === 'Ignore' && r.onPodConditions?.some((c) => c.type === 'DisruptionTarget'));
    assert.ok(ignore >= 0, `${file}: keeps the Ignore rule for DisruptionTarget`);
    assert.ok(ignore < rules.indexOf(count!), `${file}: Ignore DisruptionTarget comes before Count`);
  }
});

test('a Job keeps the rules the API server checks beyond the schema', () => {
  for (const { file, job } of jobs) {
    if (!job.spec.podFailurePolicy) continue;
    assert.equal(job.spec.template.spec.restartPolicy, 'Never', `${file}: podFailurePolicy needs restartPolicy Never`);
    assert.equal(job.spec.podReplacementPolicy ?? 'Failed', 'Failed', `${file}: podFailurePolicy allows only podReplacementPolicy Failed`);
    if (job.spec.podFailurePolicy.rules.some((r) => r.action === 'FailIndex'))
      assert.ok(job.spec.backoffLimitPerIndex !== undefined, `${file}: FailIndex needs backoffLimitPerIndex`);
  }
});
