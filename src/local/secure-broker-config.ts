/** SASL/PLAIN with ACLs enforced on the client listener of a local broker (for tests of auth failures). */
export interface LocalSecurity {
  /** PLAIN users the broker accepts: username → password. Must include the super user. */
  saslPlainUsers: Record<string, string>;
  /** The user that brokers talk to each other as, and that may do everything (e.g. "admin"). */
  superUser: string;
}

/** The name of the client listener when security is on (its protocol is SASL_PLAINTEXT). */
export const SECURE_LISTENER = "SASL_PLAINTEXT";

// Kafka's JaasConfig reads option names as StreamTokenizer words.
const USERNAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * server.properties entries (overriding those of brokerConfig) for a single-node KRaft broker whose
 * client listener requires SASL/PLAIN and whose authorizer enforces ACLs with no ACL meaning deny.
 * The controller listener stays PLAINTEXT on 127.0.0.1; its principal, User:ANONYMOUS, is a super
 * user so that the broker half of the process can talk to the controller half.
 */
export function secureBrokerConfig(
  security: LocalSecurity,
  ports: { brokerPort: number; controllerPort: number },
): Record<string, string> {
  const users = Object.entries(security.saslPlainUsers);
  for (const [name] of users) {
    if (!USERNAME.test(name)) throw new Error(`local broker user "${name}" must match ${USERNAME}`);
  }
  const superPassword = security.saslPlainUsers[security.superUser];
  if (superPassword === undefined) throw new Error(`the super user "${security.superUser}" is not among saslPlainUsers`);
  const jaas = [
    "org.apache.kafka.common.security.plain.PlainLoginModule required",
    `username=${jaasQuote(security.superUser)}`,
    `password=${jaasQuote(superPassword)}`,
    ...users.map(([name, password]) => `user_${name}=${jaasQuote(password)}`),
  ].join(" ");
  const listener = SECURE_LISTENER.toLowerCase();
  return {
    listeners: `${SECURE_LISTENER}://127.0.0.1:${ports.brokerPort},CONTROLLER://127.0.0.1:${ports.controllerPort}`,
    "advertised.listeners": `${SECURE_LISTENER}://127.0.0.1:${ports.brokerPort}`,
    "listener.security.protocol.map": `${SECURE_LISTENER}:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT`,
    "inter.broker.listener.name": SECURE_LISTENER,
    "sasl.enabled.mechanisms": "PLAIN",
    "sasl.mechanism.inter.broker.protocol": "PLAIN",
    [`listener.name.${listener}.sasl.enabled.mechanisms`]: "PLAIN",
    [`listener.name.${listener}.plain.sasl.jaas.config`]: `${jaas};`,
    "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    "super.users": `User:${security.superUser};User:ANONYMOUS`,
    "allow.everyone.if.no.acl.found": "false",
  };
}

function jaasQuote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
