/**
 * librdkafka's (and so kcat's) names for settings the Java client spells differently. Keys whose
 * Java twin carries security or says where to connect are refused: running without the TLS or SASL
 * the user meant, or against another cluster, is worse than stopping. Tuning keys are ignored with a
 * warning, as kreroute ignores their Java twins too. Messages name keys, never values.
 */
export interface LibrdkafkaKey {
  /** What to write instead, in the Java client's terms (no value of the user's in it). */
  java: string;
  refuse: boolean;
  /** Values that change nothing and are accepted silently (e.g. librdkafka's default). */
  harmless?: (value: string) => boolean;
}

const PLAIN_JAAS =
  'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="…" password="…"; ' +
  '(for SCRAM: org.apache.kafka.common.security.scram.ScramLoginModule)';
const OAUTH_JAAS = 'sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="…" clientSecret="…";';

const refuse = (java: string, harmless?: (value: string) => boolean): LibrdkafkaKey => (harmless ? { java, refuse: true, harmless } : { java, refuse: true });
const warn = (java: string): LibrdkafkaKey => ({ java, refuse: false });
const empty = (v: string) => v === '';

export const LIBRDKAFKA_KEYS: ReadonlyMap<string, LibrdkafkaKey> = new Map([
  ['metadata.broker.list', refuse('bootstrap.servers=host:port,… (or --source / --destination)')],
  ['sasl.mechanisms', refuse('sasl.mechanism (singular)')],
  ['sasl.username', refuse(PLAIN_JAAS)],
  ['sasl.password', refuse(PLAIN_JAAS)],
  ['sasl.oauthbearer.method', refuse(`sasl.oauthbearer.token.endpoint.url=https://… with ${OAUTH_JAAS}`, (v) => ['', 'oidc'].includes(v.toLowerCase()))],
  ['sasl.oauthbearer.client.id', refuse(`sasl.oauthbearer.client.credentials.client.id, or clientId in ${OAUTH_JAAS}`)],
  ['sasl.oauthbearer.client.secret', refuse(`sasl.oauthbearer.client.credentials.client.secret, or clientSecret in ${OAUTH_JAAS}`)],
  ['sasl.oauthbearer.extensions', refuse('extension_NAME="value" options in sasl.jaas.config', empty)],
  ['sasl.oauthbearer.config', refuse('sasl.oauthbearer.token.endpoint.url and the client credentials (unsecured tokens are not supported)', empty)],
  ['ssl.ca.location', refuse('ssl.truststore.location=<file> with ssl.truststore.type=PEM')],
  ['ssl.ca.pem', refuse('ssl.truststore.certificates=<PEM> with ssl.truststore.type=PEM')],
  ['ssl.ca.certificate.stores', refuse('ssl.truststore.location=<PEM file of the CA> with ssl.truststore.type=PEM', empty)],
  [
    'ssl.certificate.location',
    refuse('ssl.keystore.location=<one PEM file with the key and the certificate> with ssl.keystore.type=PEM, or ssl.keystore.certificate.chain=<PEM>'),
  ],
  ['ssl.certificate.pem', refuse('ssl.keystore.certificate.chain=<PEM> with ssl.keystore.type=PEM')],
  ['ssl.key.location', refuse('ssl.keystore.location=<one PEM file with the key and the certificate> with ssl.keystore.type=PEM, or ssl.keystore.key=<PEM>')],
  ['ssl.key.pem', refuse('ssl.keystore.key=<PEM> with ssl.keystore.type=PEM')],
  [
    'enable.ssl.certificate.verification',
    refuse(
      'ssl.endpoint.identification.algorithm= (empty) to skip the host name check; kreroute still verifies the CA, so give it with ssl.truststore.location',
      (v) => v.toLowerCase() === 'true',
    ),
  ],
  ['ssl.crl.location', refuse('nothing: certificate revocation lists are not checked — remove the key', empty)],
  ['ssl.curves.list', refuse("nothing: kreroute uses OpenSSL's default curves — remove the key", empty)],
  ['ssl.sigalgs.list', refuse("nothing: kreroute uses OpenSSL's default signature algorithms — remove the key", empty)],
  ['ssl.engine.location', refuse('nothing: OpenSSL engines cannot be loaded — remove the key', empty)],
  ['ssl.engine.id', refuse('nothing: OpenSSL engines cannot be loaded — remove the key', empty)],
  ['ssl.providers', refuse('nothing: OpenSSL providers cannot be loaded — remove the key', empty)],
  ['socket.timeout.ms', warn('request.timeout.ms')],
  ['api.version.request', warn('nothing (Kafka clients always ask for API versions)')],
  ['broker.version.fallback', warn('nothing (Kafka clients always ask for API versions)')],
  ['socket.keepalive.enable', warn('nothing')],
  ['debug', warn('nothing (set KREROUTE_DEBUG=1 for stack traces)')],
  ['statistics.interval.ms', warn('nothing (see --metrics-port)')],
  ['topic.metadata.refresh.interval.ms', warn('metadata.max.age.ms')],
  ['message.max.bytes', warn('max.request.size')],
  ['message.timeout.ms', warn('delivery.timeout.ms')],
  ['request.required.acks', warn('acks')],
  ['queue.buffering.max.ms', warn('linger.ms')],
  ['queue.buffering.max.kbytes', warn('buffer.memory')],
  ['queue.buffering.max.messages', warn('buffer.memory')],
  ['batch.num.messages', warn('batch.size')],
  ['compression.codec', warn('compression.type')],
  ['fetch.wait.max.ms', warn('fetch.max.wait.ms')],
  ['fetch.message.max.bytes', warn('max.partition.fetch.bytes')],
  ['queued.min.messages', warn('fetch.min.bytes')],
  ['enable.partition.eof', warn('nothing')],
  ['broker.address.family', warn('client.dns.lookup')],
]);

/** What to say about a librdkafka key, after its name: the message and what to write instead. */
export function librdkafkaAdvice(entry: LibrdkafkaKey): { message: string; hint: string } {
  return {
    message: "is librdkafka's (kcat's) name, which the Java client and kreroute do not read",
    hint: entry.java.startsWith('nothing') ? `the Java client has ${entry.java}` : `write ${entry.java}`,
  };
}
