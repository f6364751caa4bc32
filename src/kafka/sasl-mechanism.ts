import { type Connection, saslAuthenticateV2, saslOAuthBearer, saslPlain, saslScramSha } from '@platformatic/kafka';
import type { ClientSettings } from './client-settings.ts';

/** Sends one SaslAuthenticate request with these auth bytes and resolves with the broker's answer (a refusal rejects). */
export type SaslAuthenticate = (authBytes: Buffer) => Promise<SaslAuthenticateResponse>;

/**
 * A SASL mechanism as kreroute's own connections speak it: the name sent in SaslHandshake, and
 * the exchange of SaslAuthenticate requests that follows (run again at every re-authentication,
 * so a mechanism with expiring credentials asks its provider each time). Another mechanism is
 * one more implementation of this, returned by `saslMechanism`.
 */
export interface SaslMechanism {
  readonly name: string;
  authenticate(send: SaslAuthenticate): Promise<void>;
}

type Sasl = NonNullable<ClientSettings['sasl']>;
type SASLAuthenticationAPI = typeof saslAuthenticateV2.api;
type SaslAuthenticateResponse = ReturnType<typeof saslAuthenticateV2.parseResponse>;

/**
 * The mechanism of these settings on kreroute's own connections, or undefined for one they cannot
 * speak (its copies then go through the client library's connections, see DataLinks). PLAIN,
 * SCRAM-SHA-256/512 and OAUTHBEARER run the client library's own implementations of the exchange.
 */
export function saslMechanism(sasl: Sasl): SaslMechanism | undefined {
  const { mechanism, username = '', password = '' } = sasl;
  switch (mechanism) {
    case 'PLAIN':
      return { name: mechanism, authenticate: (send) => saslPlain.authenticate(libraryApi(send), NO_CONNECTION, username, password).then(() => undefined) };
    case 'SCRAM-SHA-256':
    case 'SCRAM-SHA-512': {
      const algorithm = mechanism === 'SCRAM-SHA-256' ? 'SHA-256' : 'SHA-512';
      return { name: mechanism, authenticate: (send) => saslScramSha.authenticate(libraryApi(send), NO_CONNECTION, algorithm, username, password).then(() => undefined) };
    }
    case 'OAUTHBEARER': {
      const { token } = sasl;
      if (token === undefined) return undefined;
      return { name: mechanism, authenticate: (send) => saslOAuthBearer.authenticate(libraryApi(send), NO_CONNECTION, token, {}).then(() => undefined) };
    }
    default:
      return undefined;
  }
}

/**
 * The client library's mechanisms send each SaslAuthenticate through the API function they are
 * given, passing it the connection they were given and nothing else of it; here that function
 * sends over a raw connection, so the library's connection is never needed.
 */
const NO_CONNECTION = undefined as unknown as Connection;

function libraryApi(send: SaslAuthenticate): SASLAuthenticationAPI {
  const api = (_connection: Connection, authBytes: Buffer, callback?: (error: Error | null, response?: SaslAuthenticateResponse) => void): void => {
    send(authBytes).then(
      (response) => callback?.(null, response),
      (error: unknown) => callback?.(error instanceof Error ? error : new Error(String(error))),
    );
  };
  return Object.assign(api, { async: (_connection: Connection, authBytes: Buffer) => send(authBytes), key: 36, version: 2 }) as SASLAuthenticationAPI;
}
