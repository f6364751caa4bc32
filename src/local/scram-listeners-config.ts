import type { LocalTls } from './tls-broker-config.ts';

/**
 * SCRAM listeners next to a local broker's PLAINTEXT client listener (for tests and the benchmark
 * of copies over SASL): SASL_PLAINTEXT, and SASL_SSL when TLS material is given, both taking
 * SCRAM-SHA-256 and SCRAM-SHA-512. No authorizer: an authenticated user may do everything.
 */
export interface LocalScramListeners {
  /** Users (name → password), stored for both SCRAM mechanisms when the node is formatted. */
  users: Record<string, string>;
  /** The SASL_SSL listener's TLS material; without it, SASL_PLAINTEXT only. */
  tls?: LocalTls;
}

/** Listener names (their protocols are SASL_PLAINTEXT and SASL_SSL). */
export const SCRAM_LISTENER = 'SCRAM';
export const SCRAM_TLS_LISTENER = 'SCRAM_TLS';

const MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];
// StorageTool's --add-scram reads name=…,password=… between brackets; keep both to safe characters.
const SAFE = /^[A-Za-z0-9_.-]+$/;

/** The StorageTool format arguments that store the users' SCRAM credentials. */
export function scramFormatArgs(scram: LocalScramListeners): string[] {
  const args: string[] = [];
  for (const [name, password] of Object.entries(scram.users)) {
    if (!SAFE.test(name) || !SAFE.test(password)) throw new Error(`local SCRAM user "${name}": name and password must match ${SAFE}`);
    for (const mechanism of MECHANISMS) args.push('--add-scram', `${mechanism}=[name=${name},password=${password}]`);
  }
  return args;
}

/**
 * server.properties entries (overriding those of brokerConfig) adding the SCRAM listeners on
 * these ports; `base` is brokerConfig's (listeners, advertised listeners, protocol map).
 */
export function scramListenersConfig(
  scram: LocalScramListeners,
  base: Record<string, string>,
  ports: { scramPort: number; scramTlsPort: number },
): Record<string, string> {
  const added = [`${SCRAM_LISTENER}://127.0.0.1:${ports.scramPort}`];
  const protocols = [`${SCRAM_LISTENER}:SASL_PLAINTEXT`];
  if (scram.tls) {
    added.push(`${SCRAM_TLS_LISTENER}://127.0.0.1:${ports.scramTlsPort}`);
    protocols.push(`${SCRAM_TLS_LISTENER}:SASL_SSL`);
  }
  const config: Record<string, string> = {
    listeners: [base.listeners, ...added].join(','),
    'advertised.listeners': [base['advertised.listeners'], ...added].join(','),
    'listener.security.protocol.map': [base['listener.security.protocol.map'], ...protocols].join(','),
  };
  for (const listener of [SCRAM_LISTENER, ...(scram.tls ? [SCRAM_TLS_LISTENER] : [])].map((l) => l.toLowerCase())) {
    config[`listener.name.${listener}.sasl.enabled.mechanisms`] = MECHANISMS.join(',');
    for (const mechanism of MECHANISMS) {
      config[`listener.name.${listener}.${mechanism.toLowerCase()}.sasl.jaas.config`] = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
    }
  }
  if (scram.tls) {
    const prefix = `listener.name.${SCRAM_TLS_LISTENER.toLowerCase()}.`;
    Object.assign(config, {
      [`${prefix}ssl.keystore.type`]: 'PEM',
      [`${prefix}ssl.keystore.certificate.chain`]: scram.tls.certificateChain.trim(),
      [`${prefix}ssl.keystore.key`]: scram.tls.privateKey.trim(),
      [`${prefix}ssl.truststore.type`]: 'PEM',
      [`${prefix}ssl.truststore.certificates`]: scram.tls.trustedCertificates.trim(),
      [`${prefix}ssl.client.auth`]: 'none',
    });
  }
  return config;
}
