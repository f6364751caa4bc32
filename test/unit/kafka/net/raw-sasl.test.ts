import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import type { SASLOptions } from '@platformatic/kafka';
import { DataLinks } from '../../../../src/kafka/net/data-links.ts';
import { toKrerouteError } from '../../../../src/kafka/client/errors.ts';
import { librarySaslOptions } from '../../../../src/kafka/net/sasl/library-sasl.ts';
import { rawSaslCounts } from '../../../../src/kafka/net/raw-sasl.ts';
import { saslMechanism } from '../../../../src/kafka/net/sasl-mechanism.ts';
import { isKrerouteError } from '../../../../src/common/errors.ts';
import { ScriptedBroker } from '../../../support/scripted-broker.ts';
import { batchOf, scriptedCluster } from '../../../support/scripted-cluster.ts';

/**
 * SASL on kreroute's own connections against a scripted broker: the handshake and PLAIN exchange
 * come before any other request, a refusal is AUTH, and a session lifetime (KIP-368) is renewed
 * between requests: requests made meanwhile wait and keep their order, none is in flight at the
 * broker when the re-authentication starts, and the broker (which closes a connection whose
 * session expired) never has to close one.
 */

const TOPIC = 'orders';
const PASSWORD = 'pw-5ecret-for-the-test';

function saslCluster(broker: () => ScriptedBroker, password: string) {
  const sasl = { mechanism: 'PLAIN' as const, username: 'alice', password };
  const cluster = scriptedCluster(broker);
  return { ...cluster, settings: { ...cluster.settings, sasl }, sasl: librarySaslOptions(sasl) };
}

async function produce(links: DataLinks, partition: number, value: string): Promise<void> {
  const link = await links.forPartition(TOPIC, partition, false);
  const response = await link.produce(null, -1, 30_000, [{ topic: TOPIC, partitions: [{ partition, batch: batchOf(value) }] }]);
  assert.equal(response.responses[0]?.partitionResponses[0]?.errorCode, 0);
}

test('a connection authenticates (SaslHandshake, SaslAuthenticate) before anything else goes over it', async () => {
  const broker = await ScriptedBroker.start({
    script: (batches) => ({ answers: batches.map(() => ({ errorCode: 0 })) }),
    sasl: { password: PASSWORD, sessionLifetimeMs: 0 },
  });
  const links = new DataLinks(
    saslCluster(() => broker, PASSWORD),
    1,
  );
  const before = rawSaslCounts.authentications;
  try {
    await produce(links, 0, 'a');
    await produce(links, 0, 'b');
    assert.deepEqual(
      broker.events.map((e) => e.api),
      ['sasl-handshake', 'sasl-authenticate', 'api-versions', 'produce', 'produce'],
    );
    assert.equal(rawSaslCounts.authentications - before, 1);
  } finally {
    links.close();
    await broker.stop();
  }
});

test('a refused password fails with AUTH in one line that names no password', async () => {
  const broker = await ScriptedBroker.start({
    script: (batches) => ({ answers: batches.map(() => ({ errorCode: 0 })) }),
    sasl: { password: PASSWORD, sessionLifetimeMs: 0 },
  });
  const wrong = 'wrong-pw-not-to-be-printed';
  const links = new DataLinks(
    saslCluster(() => broker, wrong),
    1,
  );
  try {
    const error = await produce(links, 0, 'a').then(
      () => assert.fail('produce succeeded'),
      (e: unknown) => e,
    );
    const mapped = toKrerouteError(error, 'producing to orders');
    assert.equal(mapped.code, 'AUTH', mapped.oneLine());
    assert.equal(mapped.retryable, false);
    assert.ok(!mapped.oneLine().includes('\n'));
    const printed = `${mapped.oneLine()}\n${inspect(mapped, { depth: 20 })}`;
    assert.ok(!printed.includes(wrong) && !printed.includes(PASSWORD), 'no password printed');
    assert.ok(!broker.events.some((e) => e.api === 'produce'), 'nothing sent before authentication');
  } finally {
    links.close();
    await broker.stop();
  }
});

test('a session lifetime is renewed between requests: pipelined produce requests pause, drain, re-authenticate and resume in order', async () => {
  const broker = await ScriptedBroker.start({
    // Slow answers, so that requests are in flight whenever the renewal comes due.
    script: async (batches) => {
      await new Promise((resolve) => setTimeout(resolve, 15));
      return { answers: batches.map(() => ({ errorCode: 0 })) };
    },
    // The grace: a timer on a busy test machine may fire that much late (a broker has none).
    sasl: { password: PASSWORD, sessionLifetimeMs: 400, graceMs: 300 },
  });
  const links = new DataLinks(
    saslCluster(() => broker, PASSWORD),
    1,
  );
  const before = rawSaslCounts.reauthentications;
  try {
    const sent: string[] = [];
    const deadline = Date.now() + 2_000;
    for (let round = 0; Date.now() < deadline; round++) {
      // Four requests in flight at once on the one connection, as the pipelined producer sends them.
      const values = [0, 1, 2, 3].map((i) => `v${round}-${i}`);
      sent.push(...values);
      await Promise.all(values.map((value) => produce(links, 0, value)));
    }
    const renewals = rawSaslCounts.reauthentications - before;
    assert.ok(renewals >= 3, `re-authenticated ${renewals} times in 2 s with a 400 ms session`);
    assert.deepEqual(new Set(broker.events.map((e) => e.connection)), new Set([1]), 'one connection throughout: the broker never closed it');
    const handshakes = broker.events.filter((e) => e.api === 'sasl-handshake');
    assert.equal(handshakes.length, renewals + 1);
    assert.deepEqual(
      handshakes.map((e) => e.inFlight),
      handshakes.map(() => 0),
      'no produce request in flight when a re-authentication starts',
    );
    assert.deepEqual(
      broker.requests.flat().map((b) => b.value),
      sent,
      'every request once, in the order it was made',
    );
  } finally {
    links.close();
    await broker.stop();
  }
});

test('kreroute’s own connections log in with every mechanism the library’s do: PLAIN, SCRAM, OAUTHBEARER, AWS_MSK_IAM', () => {
  const linksFor = (sasl: SASLOptions) => new DataLinks({ ...scriptedCluster(() => assert.fail('no broker needed')), sasl }, 1);
  for (const sasl of [
    { mechanism: 'PLAIN', username: 'u', password: 'p' },
    { mechanism: 'SCRAM-SHA-256', username: 'u', password: 'p' },
    { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' },
    librarySaslOptions({
      mechanism: 'OAUTHBEARER',
      oauth: { tokenEndpointUrl: 'http://127.0.0.1:1/token', clientId: 'c', clientSecret: 's', refreshWindowFactor: 0.8 },
    }),
    librarySaslOptions({ mechanism: 'AWS_MSK_IAM', aws: {} }),
  ] as SASLOptions[]) {
    assert.ok(saslMechanism(sasl), sasl.mechanism);
    linksFor(sasl).close();
  }
  // As the library: GSSAPI only with a custom authenticator (config/ refuses GSSAPI before this).
  assert.throws(
    () => linksFor({ mechanism: 'GSSAPI' }),
    (error: unknown) => isKrerouteError(error) && error.code === 'UNSUPPORTED',
  );
});
