import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniqueName } from '../support/clusters.ts';
import { copyAndVerify, plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { kcatDump } from '../support/kcat.ts';
import type { RecordContent } from '../../src/kafka/wire/record.ts';

const TENANTS = ['acme', 'globex', 'initech'];

function tenantRecords(partition: number): RecordContent[] {
  return Array.from({ length: 300 }, (_, i) => {
    const tenant = TENANTS[(i + partition) % TENANTS.length]!;
    return record(`${tenant}:order-${partition}-${i}`, JSON.stringify({ tenant, order: i, meta: { region: tenant === 'acme' ? 'eu' : 'us' } }), {
      headers: [['tenant', tenant]],
    });
  });
}

async function destinationContent(bootstrap: string, topic: string, partitions: number) {
  const all = [];
  for (let p = 0; p < partitions; p++) all.push(...(await kcatDump(bootstrap, topic, p, 0n, 100_000)));
  return all;
}

for (const [name, filter] of [
  ['header', { kind: 'header', name: 'tenant', value: 'acme' }],
  ['key prefix', { kind: 'key-prefix', prefix: 'acme:' }],
  ['JSON field', { kind: 'json-field', path: 'meta.region', value: 'eu' }],
  ['key regex', { kind: 'key-regex', pattern: '^acme:order-\\d+-\\d+$' }],
] as const) {
  test(`a ${name} filter moves exactly the tenant's records`, async () => {
    const { sourceBootstrap, destinationBootstrap } = sides();
    const topic = uniqueName(`filter-${name.replace(' ', '-')}`);
    await createTopic(sourceBootstrap, topic, 3);
    const seeded = new Map([0, 1, 2].map((p) => [p, tenantRecords(p)]));
    await produce(sourceBootstrap, topic, seeded);
    const acme = [...seeded.values()].flat().filter((r) => r.key!.toString().startsWith('acme:'));

    const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, filter, exact: true, createTopics: true });
    assert.equal(p.estimate.records, acme.length);
    assert.equal(
      p.topics[0]!.partitions.reduce((n, x) => n + x.exact!.otherRecords, 0),
      900 - acme.length,
    );

    const { copied, report } = await copyAndVerify(p, await stateDir('filter'));
    assert.equal(copied.records, acme.length);
    assert.equal(report.passed, true);
    assert.equal(
      report.otherRecords.reduce((n, o) => n + o.count, 0),
      900 - acme.length,
    );

    const copiedKeys = (await destinationContent(destinationBootstrap, topic, 3)).map((r) => r.key).sort();
    assert.deepEqual(copiedKeys, acme.map((r) => r.key!.toString()).sort());
  });
}
