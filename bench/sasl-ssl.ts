import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientSettings } from '../src/index.ts';
import type { LocalScramListeners } from '../src/local/scram-listeners-config.ts';

/**
 * The SASL_SSL listener of the benchmark's brokers (profiles with `listener: 'SASL_SSL'`):
 * SCRAM-SHA-512 over TLS, as managed clusters commonly ask. The TLS material is the test fixture
 * (test/fixtures/tls-broker: a certificate for 127.0.0.1 and its CA); the password is new each
 * benchmark run. Loading, counting and topic chores stay on the PLAINTEXT listener.
 */
export interface SaslSslAccess {
  bootstrap: string;
  username: string;
  password: string;
  /** The CA certificate (PEM) that signed the brokers' certificate. */
  caFile: string;
}

const FIXTURES = fileURLToPath(new URL('../test/fixtures/tls-broker/', import.meta.url));
export const CA_FILE = path.join(FIXTURES, 'ca.pem');
const USER = 'bench';

/** The password of this benchmark run (the same on both brokers). */
export const benchPassword = `bench-${randomBytes(12).toString('hex')}`;

/** The brokers' SCRAM listeners: the user, and TLS for the SASL_SSL one. */
export async function benchScramListeners(): Promise<LocalScramListeners> {
  const read = (name: string) => readFile(path.join(FIXTURES, name), 'utf8');
  return {
    users: { [USER]: benchPassword },
    tls: { certificateChain: await read('broker.pem'), privateKey: await read('broker.key'), trustedCertificates: await read('ca.pem') },
  };
}

export function saslSslAccess(bootstrap: string): SaslSslAccess {
  return { bootstrap, username: USER, password: benchPassword, caFile: CA_FILE };
}

/** For kreroute's library calls (the untimed plan). */
export async function saslSslSettings(access: SaslSslAccess): Promise<ClientSettings> {
  return {
    bootstrap: [access.bootstrap],
    tls: { ca: await readFile(access.caFile, 'utf8') },
    sasl: { mechanism: 'SCRAM-SHA-512', username: access.username, password: access.password },
  };
}

/** A Kafka client .properties file for kreroute's --source-config / --dest-config; returns its path. */
export async function writeKrerouteProperties(file: string, access: SaslSslAccess): Promise<string> {
  const lines = [
    'security.protocol=SASL_SSL',
    'sasl.mechanism=SCRAM-SHA-512',
    `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${access.username}" password="${access.password}";`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${access.caFile}`,
  ];
  await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

/** A librdkafka properties file for `kcat -F`; returns its path. */
export async function writeKcatConfig(file: string, access: SaslSslAccess): Promise<string> {
  const lines = [
    'security.protocol=SASL_SSL',
    'sasl.mechanisms=SCRAM-SHA-512',
    `sasl.username=${access.username}`,
    `sasl.password=${access.password}`,
    `ssl.ca.location=${access.caFile}`,
  ];
  await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}
