/** The TLS keys kreroute reads (tls-settings.ts): a broker's, and a schema registry's under `schema.registry.`. */
export const TLS_KEYS: readonly string[] = [
  'ssl.truststore.type',
  'ssl.truststore.location',
  'ssl.truststore.certificates',
  'ssl.truststore.password',
  'ssl.keystore.type',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
  'ssl.enabled.protocols',
  'ssl.protocol',
];

/**
 * Kafka client keys kreroute reads from a .properties file. Anything else falls into one of the
 * sets below, or is unknown.
 */
export const HANDLED_KEYS = new Set([
  'bootstrap.servers',
  'client.id',
  'request.timeout.ms',
  'socket.connection.setup.timeout.ms',
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'sasl.oauthbearer.token.endpoint.url',
  'sasl.oauthbearer.client.credentials.client.id',
  'sasl.oauthbearer.client.credentials.client.secret',
  'sasl.oauthbearer.scope',
  'sasl.oauthbearer.jwt.retriever.class',
  'sasl.oauthbearer.header.urlencode',
  'sasl.login.refresh.window.factor',
  'sasl.login.connect.timeout.ms',
  'sasl.login.read.timeout.ms',
  ...TLS_KEYS,
]);

/** Producer, consumer, admin and connection tuning: no effect on what kreroute copies or on security. */
export const TUNING_KEYS = new Set([
  // common client
  'auto.include.jmx.reporter',
  'client.dns.lookup',
  'client.rack',
  'connections.max.idle.ms',
  'default.api.timeout.ms',
  'enable.metrics.push',
  'metadata.max.age.ms',
  'metadata.max.idle.ms',
  'metadata.recovery.strategy',
  'metadata.recovery.rebootstrap.trigger.ms',
  'metric.reporters',
  'metrics.num.samples',
  'metrics.recording.level',
  'metrics.sample.window.ms',
  'receive.buffer.bytes',
  'send.buffer.bytes',
  'reconnect.backoff.ms',
  'reconnect.backoff.max.ms',
  'retries',
  'retry.backoff.ms',
  'retry.backoff.max.ms',
  'socket.connection.setup.timeout.max.ms',
  // producer
  'acks',
  'batch.size',
  'buffer.memory',
  'compression.type',
  'compression.gzip.level',
  'compression.lz4.level',
  'compression.zstd.level',
  'delivery.timeout.ms',
  'enable.idempotence',
  'interceptor.classes',
  'key.serializer',
  'value.serializer',
  'linger.ms',
  'max.block.ms',
  'max.in.flight.requests.per.connection',
  'max.request.size',
  'partitioner.class',
  'partitioner.ignore.keys',
  'partitioner.adaptive.partitioning.enable',
  'partitioner.availability.timeout.ms',
  'transaction.timeout.ms',
  'transactional.id',
  // consumer
  'allow.auto.create.topics',
  'auto.commit.interval.ms',
  'auto.offset.reset',
  'check.crcs',
  'enable.auto.commit',
  'exclude.internal.topics',
  'fetch.max.bytes',
  'fetch.max.wait.ms',
  'fetch.min.bytes',
  'group.id',
  'group.instance.id',
  'group.protocol',
  'group.remote.assignor',
  'heartbeat.interval.ms',
  'isolation.level',
  'key.deserializer',
  'value.deserializer',
  'max.partition.fetch.bytes',
  'max.poll.interval.ms',
  'max.poll.records',
  'partition.assignment.strategy',
  'session.timeout.ms',
  'share.acknowledgement.mode',
]);

/**
 * Security keys that only matter for mechanisms kreroute refuses anyway (GSSAPI), for the broker's
 * side of OAUTHBEARER (JWKS, expected audience and issuer), or only tune a login (refresh jitter
 * and bounds, retries): ignoring them changes nothing kreroute does. The OAUTHBEARER keys kreroute
 * reads are handled above; client assertion keys are refused where OAUTHBEARER is read.
 */
export function isInertSecurityKey(key: string): boolean {
  return key.startsWith('sasl.kerberos.') || key.startsWith('sasl.login.refresh.') || key.startsWith('sasl.oauthbearer.') || INERT_LOGIN_KEYS.has(key);
}

const INERT_LOGIN_KEYS = new Set(['sasl.login.retry.backoff.ms', 'sasl.login.retry.backoff.max.ms']);

/** Broker settings sometimes copied into client files; a Kafka client ignores them too. */
export const BROKER_ONLY_KEYS = new Set([
  'ssl.client.auth',
  'ssl.principal.mapping.rules',
  'ssl.allow.dn.changes',
  'ssl.allow.san.changes',
  'sasl.enabled.mechanisms',
  'sasl.mechanism.inter.broker.protocol',
  'sasl.server.callback.handler.class',
  'sasl.server.max.receive.size',
  'security.inter.broker.protocol',
]);

/** Kafka's login handler that fetches OAUTHBEARER tokens from an endpoint (3.1–3.3 and 3.4+ package). */
const OAUTH_LOGIN_HANDLERS = [
  'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler',
  'org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler',
];
const MSK_IAM_CLIENT_HANDLER = 'software.amazon.msk.auth.iam.IAMClientCallbackHandler';

/** Security keys we cannot honour: values that change nothing are accepted, others refused. */
export const REFUSED_UNLESS: ReadonlyMap<string, { accepts: (value: string) => boolean; why: string }> = new Map([
  [
    'ssl.cipher.suites',
    { accepts: (v: string) => v === '', why: "Java cipher suite names do not apply; kreroute uses OpenSSL's default secure ciphers — remove the key" },
  ],
  ['ssl.provider', { accepts: (v: string) => v === '', why: 'a Java security provider cannot be used — remove the key' }],
  [
    'ssl.engine.factory.class',
    {
      accepts: (v: string) => v === '',
      why: 'a custom Java SSL engine cannot be used — remove the key and configure TLS with ssl.truststore.* / ssl.keystore.*',
    },
  ],
  ['ssl.secure.random.implementation', { accepts: (v: string) => v === '', why: "kreroute uses OpenSSL's random source — remove the key" }],
  [
    'ssl.keymanager.algorithm',
    { accepts: (v: string) => ['', 'SunX509', 'NewSunX509', 'PKIX'].includes(v), why: 'only the standard key manager is available — remove the key' },
  ],
  [
    'ssl.trustmanager.algorithm',
    { accepts: (v: string) => ['', 'PKIX', 'SunX509', 'SunPKIX'].includes(v), why: 'only the standard PKIX trust manager is available — remove the key' },
  ],
  ['sasl.login.class', { accepts: (v: string) => v === '', why: 'custom Java login classes cannot be used — use sasl.jaas.config with PLAIN or SCRAM' }],
  [
    'sasl.login.callback.handler.class',
    {
      accepts: (v: string) => ['', ...OAUTH_LOGIN_HANDLERS].includes(v),
      why: "custom Java callback handlers cannot be used — only Kafka's OAuthBearerLoginCallbackHandler (OAUTHBEARER from a token endpoint) is understood",
    },
  ],
  [
    'sasl.client.callback.handler.class',
    {
      accepts: (v: string) => v === '' || v === MSK_IAM_CLIENT_HANDLER,
      why: "custom Java callback handlers cannot be used — only aws-msk-iam-auth's IAMClientCallbackHandler (AWS_MSK_IAM) is understood",
    },
  ],
  ['security.providers', { accepts: (v: string) => v === '', why: 'Java security providers cannot be used — remove the key' }],
  [
    'config.providers',
    { accepts: (v: string) => v === '', why: 'config providers (${file:…}, ${env:…}) are not supported — put the values in the file itself' },
  ],
]);

export const isSecurityKey = (key: string): boolean =>
  key.startsWith('ssl.') || key.startsWith('sasl.') || key.startsWith('security.') || key.startsWith('config.providers');
