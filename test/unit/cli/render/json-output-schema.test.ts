import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { Output } from '../../../../src/cli/render/output.ts';
import { ERROR_CODES } from '../../../../src/common/errors.ts';
import { WARNING_CODES } from '../../../../src/common/events.ts';
import { KEEP_CHECK_CODES } from '../../../../src/plan/checks/destination-checks.ts';
import { checkedJsonLines, jsonLineProblem, jsonOutputSchema } from '../../../support/json-output.ts';
import { emptyCopyStats } from '../../../../src/copy/copy-stats.ts';
import { offlinePlan } from '../../../support/offline-plan.ts';

const DOC = readFileSync(new URL('../../../../docs/json-output.md', import.meta.url), 'utf8');

/** The lines an Output in --json mode writes for `write`, parsed. */
async function jsonLinesOf(write: (out: Output) => void): Promise<Array<Record<string, unknown>>> {
  const stdout = new PassThrough();
  let text = '';
  stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const out = new Output({ stdout: stdout as unknown as NodeJS.WriteStream, stderr: new PassThrough() as unknown as NodeJS.WriteStream });
  out.configure({ json: true, progressIntervalMs: 1_000 });
  write(out);
  out.finish();
  await new Promise((resolve) => setImmediate(resolve));
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('the schema lists every warning code and every error code, and docs/json-output.md explains each warning', () => {
  assert.deepEqual(jsonOutputSchema.$defs['warningCode']?.enum, [...WARNING_CODES]);
  assert.deepEqual(new Set(jsonOutputSchema.$defs['errorCode']?.enum), new Set(['USAGE', ...Object.keys(ERROR_CODES)]));
  for (const code of [...WARNING_CODES, ...(jsonOutputSchema.$defs['checkCode']!.enum as string[])]) {
    assert.match(DOC, new RegExp(`\\| \`${code}\` \\|`), `docs/json-output.md has a row for ${code}`);
  }
});

test("the schema lists every code a plan's checks are given", () => {
  const planDir = new URL('../../../../src/plan/', import.meta.url);
  const sources = readdirSync(planDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(new URL(file, planDir), 'utf8'));
  // A check is an object literal with a level and a code.
  const given = sources.flatMap((text) => [...text.matchAll(/level: [^,]+,\s*code: '([A-Z_]+)'/g)].map((m) => m[1]!));
  const codes = new Set([...given, ...Object.values(KEEP_CHECK_CODES)]);
  assert.ok(codes.size >= 10, `found the checks' codes: ${[...codes].join(', ')}`);
  const listed = new Set(jsonOutputSchema.$defs['checkCode']!.enum as string[]);
  assert.deepEqual(
    [...codes].filter((code) => !listed.has(code)),
    [],
    'codes missing from $defs.checkCode',
  );
});

test('every event and the error line, as Output writes them, fit the schema', async () => {
  const lines = await jsonLinesOf((out) => {
    out.event({ type: 'stage', stage: 'copy', message: 'copying' });
    out.event({ type: 'progress', stage: 'copy', records: 1, bytes: 10, totalRecords: 2, ratePerSec: 1, bytesPerSec: 10, etaSeconds: null });
    out.event({
      type: 'progress',
      stage: 'copy',
      records: 2,
      bytes: 20,
      totalRecords: 2,
      ratePerSec: 1,
      bytesPerSec: 10,
      etaSeconds: 0,
      destinationThrottledMs: 40,
    });
    out.note('a note');
    out.say('a line of the demo');
    for (const code of WARNING_CODES) out.warn(code, 'look at this');
    out.event({ type: 'retry', message: 'waiting for the destination: …' });
    out.event({ type: 'retry', message: 'the coordinator failed', code: 'NOT_COORDINATOR' });
    out.event({ type: 'worker', shard: '0/2', status: 'started', message: 'started', pid: 12 });
    out.event({ type: 'worker', shard: '1/2', status: 'failed', message: 'killed', code: 'COPY_FAILED' });
    out.metrics([{ name: 'kreroute_records_total', values: [] }]);
    out.error('kreroute: PLAN_INVALID: …', { code: 'PLAN_INVALID', message: 'bad plan', exitCode: 5, hint: 'plan again' });
  });
  assert.equal(checkedJsonLines(lines.map((l) => JSON.stringify(l)).join('\n')).length, 11 + WARNING_CODES.length);
});

test('drift fails: a field the schema does not know, a missing field, an unknown code or type', () => {
  const time = '2026-12-01T10:00:00.000Z';
  const warning = { time, type: 'warning', code: 'STOPPING', message: 'SIGTERM received' };
  const copy = {
    time,
    type: 'result',
    kind: 'copy',
    planFile: 'b.plan.json',
    summary: {
      records: 5,
      bytes: 50,
      seconds: 1,
      reconciled: 0,
      resumed: false,
      alreadyComplete: false,
      mode: 'exactly-once',
      stats: { ...emptyCopyStats(), forwardedBatches: 1, filteredBatches: 2, filteredRecords: 4, builtCodecs: { lz4: 2 } },
    },
  };
  assert.equal(jsonLineProblem(warning), null);
  assert.equal(jsonLineProblem(copy), null);
  const { code: _code, ...withoutCode } = warning;
  assert.match(jsonLineProblem(withoutCode) ?? '', /required property 'code'/);
  assert.match(jsonLineProblem({ ...warning, code: 'SOMETHING_NEW' }) ?? '', /allowed values/);
  assert.match(jsonLineProblem({ ...warning, severity: 'high' }) ?? '', /additional properties: severity/);
  assert.match(jsonLineProblem({ ...copy, summary: { ...copy.summary, stats: { ...copy.summary.stats, newCounter: 1 } } }) ?? '', /newCounter/);
  const { planFile: _planFile, ...withoutPlanFile } = copy;
  assert.match(jsonLineProblem(withoutPlanFile) ?? '', /required property 'planFile'/);
  assert.match(jsonLineProblem({ ...copy, summary: { ...copy.summary, workers: 2 } }) ?? '', /shards/);
  assert.match(jsonLineProblem({ ...warning, time: '2026-12-01 10:00' }) ?? '', /\/time/);
  assert.match(jsonLineProblem({ time, type: 'debug', message: 'x' }) ?? '', /no line has type "debug"/);
  // A plan whose destination topic fixes a codec says which.
  const plan = offlinePlan();
  const fixed = { ...plan, topics: plan.topics.map((t) => ({ ...t, destinationCompression: 'zstd' })) };
  assert.equal(jsonLineProblem({ time, type: 'result', kind: 'plan', planFile: 'b.plan.json', plan: fixed }), null);
  const brotli = { ...plan, topics: plan.topics.map((t) => ({ ...t, destinationCompression: 'brotli' })) };
  assert.match(jsonLineProblem({ time, type: 'result', kind: 'plan', planFile: 'b.plan.json', plan: brotli }) ?? '', /destinationCompression/);
});
