import type { PasswordSasl, SaslSettings } from '../kafka/client/client-settings.ts';
import { awsIamFromProperties } from './aws-iam-settings.ts';
import { loginModuleEntry } from './jaas-entry.ts';
import { oauthFromProperties } from './oauth-settings.ts';
import type { PropertySet } from './property-set.ts';

type PasswordMechanism = PasswordSasl['mechanism'];
const PASSWORD_MECHANISMS: PasswordMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];
const LOGIN_MODULES: Record<PasswordMechanism, string> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
};
const JAAS_EXAMPLE = (mechanism: PasswordMechanism) => `sasl.jaas.config=${LOGIN_MODULES[mechanism]} required username="…" password="…";`;
const SUPPORTED = 'PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or AWS_MSK_IAM';

/** The SASL settings of a properties file whose security.protocol is SASL_PLAINTEXT or SASL_SSL. */
export function saslFromProperties(props: PropertySet): SaslSettings {
  const mechanism = props.get('sasl.mechanism');
  if (mechanism === undefined || mechanism === '') {
    props.fail(
      'sasl.mechanism',
      "is not set, so Kafka's default GSSAPI (Kerberos) would apply, which kreroute does not support",
      `set sasl.mechanism to ${SUPPORTED}`,
    );
  }
  if (mechanism === 'GSSAPI') props.fail('sasl.mechanism', 'GSSAPI (Kerberos) is not supported', `use ${SUPPORTED}`);
  if (mechanism === 'OAUTHBEARER') return { mechanism, oauth: oauthFromProperties(props) };
  if (mechanism === 'AWS_MSK_IAM') return { mechanism, aws: awsIamFromProperties(props) };
  if (!PASSWORD_MECHANISMS.includes(mechanism as PasswordMechanism)) {
    props.fail('sasl.mechanism', 'is not a mechanism kreroute supports', `use ${SUPPORTED} (upper case, as Kafka spells them)`);
  }
  const known = mechanism as PasswordMechanism;
  return { mechanism: known, ...credentials(props, known) };
}

function credentials(props: PropertySet, mechanism: PasswordMechanism): { username: string; password: string } {
  const example = JAAS_EXAMPLE(mechanism);
  const entry = loginModuleEntry(
    props,
    mechanism,
    [...new Set([LOGIN_MODULES[mechanism], ...Object.values(LOGIN_MODULES)])],
    example,
    `the ${mechanism} credentials`,
  );
  const username = entry.options.get('username');
  const password = entry.options.get('password');
  if (username === undefined || username === '') props.fail('sasl.jaas.config', 'has no username="…" option', `write it as ${example}`);
  if (password === undefined) props.fail('sasl.jaas.config', 'has no password="…" option', `write it as ${example}`);
  return { username, password };
}
