/** TLS on the client listener of a local broker (for tests of TLS settings and certificate failures). */
export interface LocalTls {
  /** The broker's certificate, then any intermediates, in PEM. Must be valid for 127.0.0.1 (an IP SAN). */
  certificateChain: string;
  /** The broker's private key: unencrypted PKCS#8 PEM (-----BEGIN PRIVATE KEY-----). */
  privateKey: string;
  /**
   * CA certificates (PEM) the broker trusts: for client certificates, and for its own connections
   * to the SSL listener (the broker's certificate is also its client certificate).
   */
  trustedCertificates: string;
  /** Whether clients must present a certificate signed by trustedCertificates; default "none". */
  clientAuth?: 'none' | 'requested' | 'required';
}

/** The name of the client listener when TLS is on (its protocol is SSL). */
export const TLS_LISTENER = 'SSL';

/**
 * server.properties entries (overriding those of brokerConfig) for a single-node KRaft broker whose
 * client listener, also used between brokers, is SSL with PEM key material given inline. The
 * controller listener stays PLAINTEXT on 127.0.0.1.
 */
export function tlsBrokerConfig(tls: LocalTls, ports: { brokerPort: number; controllerPort: number }): Record<string, string> {
  if (!/-----BEGIN PRIVATE KEY-----/.test(tls.privateKey)) {
    throw new Error("the local broker's TLS private key must be unencrypted PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)");
  }
  for (const [what, pem] of [
    ['certificateChain', tls.certificateChain],
    ['trustedCertificates', tls.trustedCertificates],
  ] as const) {
    if (!/-----BEGIN CERTIFICATE-----/.test(pem)) throw new Error(`the local broker's TLS ${what} holds no PEM certificate`);
  }
  return {
    listeners: `${TLS_LISTENER}://127.0.0.1:${ports.brokerPort},CONTROLLER://127.0.0.1:${ports.controllerPort}`,
    'advertised.listeners': `${TLS_LISTENER}://127.0.0.1:${ports.brokerPort}`,
    'listener.security.protocol.map': `${TLS_LISTENER}:SSL,CONTROLLER:PLAINTEXT`,
    'inter.broker.listener.name': TLS_LISTENER,
    // Inline PEM: Kafka needs no key password for an unencrypted inline key (a PEM file would).
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.certificate.chain': tls.certificateChain.trim(),
    'ssl.keystore.key': tls.privateKey.trim(),
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.certificates': tls.trustedCertificates.trim(),
    'ssl.client.auth': tls.clientAuth ?? 'none',
    // Kafka's default (https) already checks the broker's own address when it connects to itself.
    'ssl.endpoint.identification.algorithm': 'https',
  };
}
