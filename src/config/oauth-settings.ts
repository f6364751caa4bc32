import type { OAuthClientCredentials } from '../kafka/client/client-settings.ts';
import { loginModuleEntry, refuseUnknownOptions } from './jaas-entry.ts';
import type { PropertySet } from './property-set.ts';

const MODULE = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule';
const EXAMPLE = `sasl.jaas.config=${MODULE} required clientId="…" clientSecret="…" scope="…";`;
const URL_KEY = 'sasl.oauthbearer.token.endpoint.url';
const ID_KEY = 'sasl.oauthbearer.client.credentials.client.id';
const SECRET_KEY = 'sasl.oauthbearer.client.credentials.client.secret';
const SCOPE_KEY = 'sasl.oauthbearer.scope';
const FACTOR_KEY = 'sasl.login.refresh.window.factor';
/** Kafka's retrievers that fetch a token with the client credentials grant. */
const CLIENT_CREDENTIALS_RETRIEVERS = [
  'org.apache.kafka.common.security.oauthbearer.DefaultJwtRetriever',
  'org.apache.kafka.common.security.oauthbearer.ClientCredentialsJwtRetriever',
];

/**
 * OAUTHBEARER with the OIDC client credentials grant, from Kafka's own keys: the token endpoint,
 * and the client id, secret and scope from sasl.oauthbearer.client.credentials.* /
 * sasl.oauthbearer.scope (Kafka 4.x) or, as Kafka 3.x wrote them, the JAAS options.
 */
export function oauthFromProperties(props: PropertySet): OAuthClientCredentials {
  const url = props.get(URL_KEY);
  if (url === undefined || url === '') {
    props.fail(
      URL_KEY,
      'is not set; kreroute fetches OAUTHBEARER tokens from an OIDC token endpoint with the client credentials grant (unsecured tokens are out of scope)',
      `set ${URL_KEY}=https://…/token and the client id and secret in sasl.jaas.config`,
    );
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed?.protocol === 'file:')
    props.fail(URL_KEY, 'is a file: URL; reading a token from a file is not supported', 'give the https:// URL of the token endpoint');
  if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:'))
    props.fail(URL_KEY, 'is not an http(s) URL', 'give the https:// URL of the token endpoint');

  const retriever = props.get('sasl.oauthbearer.jwt.retriever.class');
  if (retriever && !CLIENT_CREDENTIALS_RETRIEVERS.includes(retriever)) {
    props.fail(
      'sasl.oauthbearer.jwt.retriever.class',
      'names a token retriever kreroute cannot use; it fetches tokens with the client credentials grant only',
      'remove the key',
    );
  }
  const assertion = props.keys().find((k) => k.startsWith('sasl.oauthbearer.assertion.'));
  if (assertion)
    props.fail(
      assertion,
      'is for client assertions (jwt-bearer), which kreroute does not support',
      'authenticate with a client secret: set clientSecret in sasl.jaas.config or sasl.oauthbearer.client.credentials.client.secret',
    );

  const entry = loginModuleEntry(props, 'OAUTHBEARER', [MODULE], EXAMPLE);
  if ([...entry.options.keys()].some((name) => name.startsWith('unsecuredLogin'))) {
    props.fail('sasl.jaas.config', 'asks for unsecured tokens (unsecuredLogin…), which are out of scope', `fetch tokens from ${URL_KEY} with ${EXAMPLE}`);
  }
  refuseUnknownOptions(props, entry, ['clientId', 'clientSecret', 'scope'], `write it as ${EXAMPLE} (SASL extensions as extension_NAME="value")`, 'extension_');

  const clientId = props.get(ID_KEY) || entry.options.get('clientId');
  const clientSecret = props.get(SECRET_KEY) || entry.options.get('clientSecret');
  const scope = props.get(SCOPE_KEY) || entry.options.get('scope');
  if (!clientId) props.fail('sasl.jaas.config', `has no clientId="…" option (nor is ${ID_KEY} set)`, `write it as ${EXAMPLE}`);
  if (!clientSecret) props.fail('sasl.jaas.config', `has no clientSecret="…" option (nor is ${SECRET_KEY} set)`, `write it as ${EXAMPLE}`);

  const extensions = Object.fromEntries(
    [...entry.options].filter(([name]) => name.startsWith('extension_')).map(([name, value]) => [name.slice('extension_'.length), value]),
  );
  const result: OAuthClientCredentials = { tokenEndpointUrl: parsed.href, clientId, clientSecret, refreshWindowFactor: refreshWindowFactor(props) };
  if (scope) result.scope = scope;
  if (Object.keys(extensions).length > 0) result.extensions = extensions;
  const urlencode = props.get('sasl.oauthbearer.header.urlencode')?.toLowerCase();
  if (urlencode !== undefined && urlencode !== '' && urlencode !== 'true' && urlencode !== 'false')
    props.fail('sasl.oauthbearer.header.urlencode', 'is not true or false', 'write sasl.oauthbearer.header.urlencode=false (the default) or true');
  if (urlencode === 'true') result.headerUrlencode = true;
  const timeouts = [props.positiveInteger('sasl.login.connect.timeout.ms'), props.positiveInteger('sasl.login.read.timeout.ms')].filter((t) => t !== undefined);
  if (timeouts.length > 0) result.requestTimeoutMs = timeouts.reduce((a, b) => a + b, 0);
  return result;
}

function refreshWindowFactor(props: PropertySet): number {
  const text = props.get(FACTOR_KEY);
  if (text === undefined || text === '') return 0.8;
  const value = Number(text);
  // Kafka's own bounds for this key.
  if (!/^\d*\.?\d+$/.test(text) || value < 0.5 || value > 1) props.fail(FACTOR_KEY, 'is not a number from 0.5 to 1.0', `write e.g. ${FACTOR_KEY}=0.8`);
  return value;
}
