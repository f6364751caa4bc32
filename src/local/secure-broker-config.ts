/** SASL/PLAIN with ACLs enforced on the client listener of a local broker (for tests of auth failures). */
export interface LocalSecurity {
  /** PLAIN users the broker accepts: username → password. Must include the super user. */
  saslPlainUsers: Record<string, string>;
  /** The user that brokers talk to each other as, and that may do everything (e.g. "admin"). */
  superUser: string;
  /** SCRAM-SHA-512 users as well: username → password (stored when the broker's storage is formatted). */
  scramUsers?: Record<string, string>;
  /** OAUTHBEARER as well, validated by Kafka's OAuthBearerValidatorCallbackHandler against a JWKS endpoint. */
  oauthBearer?: LocalOAuthBearer;
  /** The broker's connections.max.reauth.ms: sessions must re-authenticate (KIP-368) before this, or before their token expires. */
  maxReauthMs?: number;
}

export interface LocalOAuthBearer {
  jwksEndpointUrl: string;
  expectedAudience: string;
  expectedIssuer?: string;
}

/** The name of the client listener when security is on (its protocol is SASL_PLAINTEXT). */
export const SECURE_LISTENER = 'SASL_PLAINTEXT';

// Kafka's JaasConfig reads option names as StreamTokenizer words.
const USERNAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * server.properties entries (overriding those of brokerConfig) for a single-node KRaft broker whose
 * client listener requires SASL/PLAIN and whose authorizer enforces ACLs with no ACL meaning deny.
 * The controller listener stays PLAINTEXT on 127.0.0.1; its principal, User:ANONYMOUS, is a super
 * user so that the broker half of the process can talk to the controller half.
 */
export function secureBrokerConfig(security: LocalSecurity, ports: { brokerPort: number; controllerPort: number }): Record<string, string> {
  const users = Object.entries(security.saslPlainUsers);
  for (const [name] of users) {
    if (!USERNAME.test(name)) throw new Error(`local broker user "${name}" must match ${USERNAME}`);
  }
  const superPassword = security.saslPlainUsers[security.superUser];
  if (superPassword === undefined) throw new Error(`the super user "${security.superUser}" is not among saslPlainUsers`);
  const jaas = [
    'org.apache.kafka.common.security.plain.PlainLoginModule required',
    `username=${jaasQuote(security.superUser)}`,
    `password=${jaasQuote(superPassword)}`,
    ...users.map(([name, password]) => `user_${name}=${jaasQuote(password)}`),
  ].join(' ');
  const listener = SECURE_LISTENER.toLowerCase();
  const mechanisms = ['PLAIN', ...(security.scramUsers ? ['SCRAM-SHA-512'] : []), ...(security.oauthBearer ? ['OAUTHBEARER'] : [])].join(',');
  const oauth = security.oauthBearer;
  return {
    listeners: `${SECURE_LISTENER}://127.0.0.1:${ports.brokerPort},CONTROLLER://127.0.0.1:${ports.controllerPort}`,
    'advertised.listeners': `${SECURE_LISTENER}://127.0.0.1:${ports.brokerPort}`,
    'listener.security.protocol.map': `${SECURE_LISTENER}:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT`,
    'inter.broker.listener.name': SECURE_LISTENER,
    'sasl.enabled.mechanisms': mechanisms,
    'sasl.mechanism.inter.broker.protocol': 'PLAIN',
    [`listener.name.${listener}.sasl.enabled.mechanisms`]: mechanisms,
    [`listener.name.${listener}.plain.sasl.jaas.config`]: `${jaas};`,
    ...(security.scramUsers
      ? { [`listener.name.${listener}.scram-sha-512.sasl.jaas.config`]: 'org.apache.kafka.common.security.scram.ScramLoginModule required;' }
      : {}),
    ...(oauth
      ? {
          [`listener.name.${listener}.oauthbearer.sasl.jaas.config`]: 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
          [`listener.name.${listener}.oauthbearer.sasl.server.callback.handler.class`]:
            'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
          'sasl.oauthbearer.jwks.endpoint.url': oauth.jwksEndpointUrl,
          'sasl.oauthbearer.expected.audience': oauth.expectedAudience,
          ...(oauth.expectedIssuer ? { 'sasl.oauthbearer.expected.issuer': oauth.expectedIssuer } : {}),
        }
      : {}),
    ...(security.maxReauthMs !== undefined ? { 'connections.max.reauth.ms': String(security.maxReauthMs) } : {}),
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': `User:${security.superUser};User:ANONYMOUS`,
    'allow.everyone.if.no.acl.found': 'false',
  };
}

function jaasQuote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** kafka-storage format arguments that store the SCRAM users' credentials. */
export function securityFormatArgs(security: LocalSecurity | undefined): string[] {
  return Object.entries(security?.scramUsers ?? {}).flatMap(([name, password]) => {
    if (!USERNAME.test(name) || /[\],=]/.test(password))
      throw new Error(`local SCRAM user "${name}": name must match ${USERNAME}, password must not hold ] , or =`);
    return ['--add-scram', `SCRAM-SHA-512=[name=${name},password=${password}]`];
  });
}

/** JVM properties the broker needs: Kafka 4 fetches only OAuth URLs it is told it may. */
export function securitySystemProperties(security: LocalSecurity | undefined): Record<string, string> | undefined {
  const oauth = security?.oauthBearer;
  return oauth ? { 'org.apache.kafka.sasl.oauthbearer.allowed.urls': oauth.jwksEndpointUrl } : undefined;
}
