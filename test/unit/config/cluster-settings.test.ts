import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { parseBootstrap } from '../../../src/config/bootstrap.ts';
import { clusterSettings } from '../../../src/config/cluster-settings.ts';
import { KrerouteError } from '../../../src/common/errors.ts';

const dir = await mkdtemp(join(tmpdir(), 'kreroute-cluster-settings-'));
test.after(() => rm(dir, { recursive: true, force: true }));

const fails = (code: string, pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof KrerouteError, `a KrerouteError, got ${String(error)}`);
  assert.equal(error.code, code);
  assert.ok(!error.oneLine().includes('\n'));
  assert.match(error.oneLine(), pattern);
  return true;
};

test('bootstrap lists: hosts, IPs, IPv6, blanks', () => {
  assert.deepEqual(parseBootstrap('kafka-1:9092, kafka-2.example.com:9093', '--source'), ['kafka-1:9092', 'kafka-2.example.com:9093']);
  assert.deepEqual(parseBootstrap('127.0.0.1:1', '--source'), ['127.0.0.1:1']);
  assert.deepEqual(parseBootstrap('[::1]:9092', '--source'), ['[::1]:9092']);
});

test('bootstrap lists: clear errors naming where they came from', () => {
  assert.throws(() => parseBootstrap('kafka-1', '--source'), fails('BAD_INPUT', /^--source: "kafka-1" has no port — write the bootstrap brokers as host:port/));
  assert.throws(() => parseBootstrap('kafka:0', '--destination'), fails('BAD_INPUT', /--destination: "kafka:0" has no valid port/));
  assert.throws(() => parseBootstrap('kafka:99999', '--source'), fails('BAD_INPUT', /no valid port/));
  assert.throws(() => parseBootstrap('a:1,,b:2', 'KREROUTE_SOURCE_BOOTSTRAP'), fails('BAD_INPUT', /^KREROUTE_SOURCE_BOOTSTRAP: .*empty entry/));
  assert.throws(() => parseBootstrap('SASL_SSL://kafka:9092', '--source'), fails('BAD_INPUT', /has a scheme.*security\.protocol/));
  assert.throws(() => parseBootstrap('::1:9092', '--source'), fails('BAD_INPUT', /IPv6 addresses in brackets/));
  assert.throws(() => parseBootstrap('bad host:9092', '--source'), fails('BAD_INPUT', /"bad host" is not a host name/));
  assert.throws(() => parseBootstrap(' ', '--source'), fails('BAD_INPUT', /no bootstrap broker given/));
});

test('the flag wins over the env var, which wins over the properties file', async () => {
  const file = join(dir, 'source.properties');
  await writeFile(file, 'bootstrap.servers=from-file:9092\nclient.id=mover\n');
  const env = { KREROUTE_SOURCE_BOOTSTRAP: 'from-env:9092', KREROUTE_SOURCE_CONFIG: file };
  assert.deepEqual((await clusterSettings('source', { bootstrap: 'from-flag:9092' }, { env })).settings, { bootstrap: ['from-flag:9092'], clientId: 'mover' });
  assert.deepEqual((await clusterSettings('source', {}, { env })).settings.bootstrap, ['from-env:9092']);
  assert.deepEqual((await clusterSettings('source', { configFile: file }, { env: {} })).settings.bootstrap, ['from-file:9092']);
});

test('the plan address is the last resort', async () => {
  const resolved = await clusterSettings('destination', {}, { env: {}, fallbackBootstrap: { value: 'a:1,b:2', origin: 'the plan' } });
  assert.deepEqual(resolved.settings, { bootstrap: ['a:1', 'b:2'] });
  const file = join(dir, 'dest.properties');
  await writeFile(file, 'bootstrap.servers=c:3\n');
  const withFile = await clusterSettings('destination', {}, { env: { KREROUTE_DEST_CONFIG: file }, fallbackBootstrap: { value: 'a:1', origin: 'the plan' } });
  assert.deepEqual(withFile.settings.bootstrap, ['c:3']);
});

test('destination env vars are KREROUTE_DEST_*', async () => {
  const file = join(dir, 'dest-id.properties');
  await writeFile(file, 'client.id=dest-mover\n');
  const resolved = await clusterSettings(
    'destination',
    {},
    { env: { KREROUTE_DEST_BOOTSTRAP: 'd:9092', KREROUTE_DEST_CONFIG: file, KREROUTE_SOURCE_BOOTSTRAP: 's:9092' } },
  );
  assert.deepEqual(resolved.settings, { bootstrap: ['d:9092'], clientId: 'dest-mover' });
});

test('no bootstrap anywhere is one clear line', async () => {
  await assert.rejects(
    clusterSettings('source', {}, { env: {} }),
    fails('BAD_INPUT', /no source cluster given — give --source host:port \(or set KREROUTE_SOURCE_BOOTSTRAP/),
  );
});

test('a bad bootstrap.servers in the file is a CONFIG error naming file and line', async () => {
  const file = join(dir, 'bad-bootstrap.properties');
  await writeFile(file, '# x\nbootstrap.servers=nohost\n');
  await assert.rejects(
    clusterSettings('source', { configFile: file }, { env: {} }),
    fails('CONFIG', /bad-bootstrap\.properties:2 bootstrap\.servers: entry 1 has no port/),
  );
});

test('warnings of the properties file are passed on', async () => {
  const file = join(dir, 'warn.properties');
  await writeFile(file, 'value.subject.name.strategy=x\n');
  const resolved = await clusterSettings('source', { bootstrap: 'a:1', configFile: file }, { env: {} });
  assert.equal(resolved.warnings.length, 1);
});

test("the side's schema registry comes from its properties, without a warning", async () => {
  const file = join(dir, 'registry.properties');
  await writeFile(file, 'schema.registry.url=http://sr:8081\nbasic.auth.user.info=app:secret\n');
  const resolved = await clusterSettings('destination', { bootstrap: 'a:1', configFile: file }, { env: {} });
  assert.deepEqual(resolved.warnings, []);
  assert.deepEqual(resolved.schemaRegistry, { url: 'http://sr:8081', basicAuthUserInfo: 'app:secret' });
});

test('--command-config under the side file key by key, -X on top of both, a side -X over a both -X', async () => {
  const common = join(dir, 'common.properties');
  const own = join(dir, 'own.properties');
  await writeFile(common, 'bootstrap.servers=common:9092\nclient.id=common\nrequest.timeout.ms=1000\n');
  await writeFile(own, 'client.id=own\nsocket.connection.setup.timeout.ms=2000\n');
  const overrides = [
    { key: 'request.timeout.ms', value: '3000', line: 0, file: '-X' },
    { key: 'request.timeout.ms', value: '4000', line: 0, file: '-X' },
  ];
  const resolved = await clusterSettings('source', { configFile: own, commandConfigFile: common, overrides }, { env: {} });
  assert.deepEqual(resolved.settings, { bootstrap: ['common:9092'], clientId: 'own', requestTimeoutMs: 4000, connectTimeoutMs: 2000 });
  const envFile = await clusterSettings('destination', { commandConfigFile: common }, { env: { KREROUTE_DEST_CONFIG: own } });
  assert.equal(envFile.settings.clientId, 'own', 'the env var is the side file, over --command-config');
  const onlyX = await clusterSettings('source', { overrides: [{ key: 'bootstrap.servers', value: 'x:1', line: 0, file: '-X' }] }, { env: {} });
  assert.deepEqual(onlyX.settings.bootstrap, ['x:1']);
});

test('a mistake in a layered key names the file or -X it came from, never the value', async () => {
  const common = join(dir, 'layer-common.properties');
  await writeFile(common, 'security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n');
  await assert.rejects(
    clusterSettings('source', { commandConfigFile: common, overrides: [{ key: 'sasl.jaas.config', value: 'hunter2', line: 0, file: '-X' }] }, { env: {} }),
    (error: unknown) => {
      assert.ok(error instanceof KrerouteError);
      assert.match(error.oneLine(), /^-X sasl\.jaas\.config: cannot be parsed/);
      assert.doesNotMatch(error.oneLine(), /hunter2/);
      return true;
    },
  );
  const own = join(dir, 'layer-own.properties');
  const shared = join(dir, 'layer-shared.properties');
  await writeFile(own, 'baz.qux=2\n');
  await writeFile(shared, 'foo.bar=1\n');
  const resolved = await clusterSettings(
    'source',
    { configFile: own, commandConfigFile: shared, bootstrap: 'a:1', overrides: [{ key: 'socket.timeout.ms', value: 'hunter2', line: 0, file: '-X' }] },
    { env: {} },
  );
  assert.deepEqual(resolved.warnings, [
    "-X socket.timeout.ms: is librdkafka's (kcat's) name, which the Java client and kreroute do not read; ignored (write request.timeout.ms)",
    `${shared}: unknown keys ignored: foo.bar`,
    `${own}: unknown keys ignored: baz.qux`,
  ]);
});

test('a bootstrap list from a properties file is never quoted back', () => {
  for (const text of ['hunter2', 'a:1,hunter2', 'hunter2:0', 'bad host:1']) {
    assert.throws(
      () => parseBootstrap(text, 'f.properties:1 bootstrap.servers', 'CONFIG'),
      (error: unknown) =>
        error instanceof KrerouteError && error.code === 'CONFIG' && !error.oneLine().includes('hunter2') && !error.oneLine().includes('bad host'),
    );
  }
});
