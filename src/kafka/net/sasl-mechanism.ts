import { type Connection, type SASLOptions, saslAuthenticateV2, saslOAuthBearer, saslPlain, saslScramSha } from '@platformatic/kafka';
import { AuthenticationError } from '@platformatic/kafka';

type SASLAuthenticationAPI = typeof saslAuthenticateV2.api;
type SaslAuthenticateResponse = ReturnType<typeof saslAuthenticateV2.parseResponse>;

/** Sends one SaslAuthenticate request with these auth bytes and resolves with the broker's answer (a refusal rejects). */
export type SaslAuthenticate = (authBytes: Buffer) => Promise<SaslAuthenticateResponse>;

/** The broker being authenticated to (AWS_MSK_IAM signs its host). */
export interface SaslBroker {
  host: string;
  port: number;
}

/**
 * A SASL mechanism as kreroute's own connections speak it: the name sent in SaslHandshake, and
 * the exchange of SaslAuthenticate requests that follows (run again at every re-authentication,
 * so a mechanism with expiring credentials asks its provider each time).
 */
export interface SaslMechanism {
  readonly name: string;
  authenticate(send: SaslAuthenticate, broker: SaslBroker): Promise<void>;
}

/**
 * The mechanism of a cluster's SASL login options (KafkaCluster.sasl, from librarySaslOptions) on
 * kreroute's own connections: the same options the client library's connections log in with,
 * run by the library's own implementations (PLAIN, SCRAM-SHA-256/512, OAUTHBEARER with its token
 * provider and answer check, and a custom authenticator such as AWS_MSK_IAM's), so both kinds of
 * connection share one token source and log in alike. Undefined for options the library itself
 * could not log in with (GSSAPI without a custom authenticator; config/ never gives those).
 */
export function saslMechanism(options: SASLOptions): SaslMechanism | undefined {
  const { mechanism, username, password, token } = options;
  let exchange: (api: SASLAuthenticationAPI, connection: Connection) => Promise<SaslAuthenticateResponse>;
  if (options.authenticate) {
    const custom = options.authenticate;
    exchange = (api, connection) =>
      new Promise((resolve, reject) =>
        custom(mechanism, connection, api, username, password, token, (error, response) => (error ? reject(error) : resolve(response!))),
      );
  } else if (mechanism === 'PLAIN') {
    exchange = (api, connection) => saslPlain.authenticate(api, connection, username ?? '', password ?? '');
  } else if (mechanism === 'SCRAM-SHA-256' || mechanism === 'SCRAM-SHA-512') {
    const algorithm = mechanism === 'SCRAM-SHA-256' ? 'SHA-256' : 'SHA-512';
    exchange = (api, connection) => saslScramSha.authenticate(api, connection, algorithm, username ?? '', password ?? '');
  } else if (mechanism === 'OAUTHBEARER' && token !== undefined) {
    exchange = (api, connection) => saslOAuthBearer.authenticate(api, connection, token, options.oauthBearerExtensions ?? {});
  } else {
    return undefined;
  }
  const validate = options.authBytesValidator;
  return {
    name: mechanism,
    authenticate: async (send, broker) => {
      const last = await exchange(libraryApi(send), standIn(broker));
      if (validate) {
        await new Promise<Buffer>((resolve, reject) => validate(last.authBytes, (error, checked) => (error ? reject(error) : resolve(checked!))));
      }
    },
  };
}

/**
 * The client library's SASL code sends each SaslAuthenticate through the API function it is
 * given, passing it the connection it was given; here that function sends over a raw connection,
 * and the "connection" is a stand-in holding what the library's code reads of one: the broker's
 * host and port (a custom authenticator such as AWS_MSK_IAM's signs the host).
 */
function standIn(broker: SaslBroker): Connection {
  return { host: broker.host, port: broker.port } as unknown as Connection;
}

function libraryApi(send: SaslAuthenticate): SASLAuthenticationAPI {
  const api = (_connection: Connection, authBytes: Buffer, callback?: (error: Error | null, response?: SaslAuthenticateResponse) => void): void => {
    send(authBytes).then(
      (response) => callback?.(null, response),
      (error: unknown) => callback?.(error instanceof Error ? error : new AuthenticationError('SASL authentication failed.', { cause: error as Error })),
    );
  };
  return Object.assign(api, { async: (_connection: Connection, authBytes: Buffer) => send(authBytes), key: 36, version: 2 }) as SASLAuthenticationAPI;
}
