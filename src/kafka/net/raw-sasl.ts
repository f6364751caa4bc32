import { AuthenticationError, saslAuthenticateV2, saslHandshakeV1 } from '@platformatic/kafka';
import type { RawConnection, RawRequest } from './raw-connection.ts';
import type { SaslBroker, SaslMechanism } from './sasl-mechanism.ts';

const SASL_HANDSHAKE_API_KEY = 17;
const SASL_HANDSHAKE_VERSION = 1;
const SASL_AUTHENTICATE_API_KEY = 36;
/**
 * v2 (flexible, with session_lifetime_ms): every broker kreroute can copy with has it (SaslAuthenticate
 * v2 came with Kafka 2.5; kreroute needs Fetch v12, Kafka 2.8), so it is not negotiated.
 */
const SASL_AUTHENTICATE_VERSION = 2;

/** How many times kreroute's own connections authenticated and re-authenticated (for tests: proof that the copy went over them). */
export const rawSaslCounts = { authentications: 0, reauthentications: 0 };

/**
 * Authenticates a new raw connection (SaslHandshake, then the mechanism's SaslAuthenticate
 * exchange) before any other request goes over it, and keeps it authenticated: when the broker
 * gives the session a lifetime (KIP-368, `connections.max.reauth.ms`), the connection
 * re-authenticates at a random point between 85 % and 95 % of it, as Kafka's own client does.
 * Re-authentication happens between requests: new requests wait, those in flight are answered,
 * then the exchange runs and the waiting requests go out (RawConnection.exclusive). A failed
 * re-authentication fails the connection; the pool then opens a new one, which authenticates anew.
 */
export async function authenticateRaw(connection: RawConnection, mechanism: SaslMechanism, broker: SaslBroker): Promise<void> {
  const lifetimeMs = await connection.exclusive((send) => exchange(send, mechanism, broker));
  rawSaslCounts.authentications++;
  keepAuthenticated(connection, mechanism, broker, lifetimeMs);
}

function keepAuthenticated(connection: RawConnection, mechanism: SaslMechanism, broker: SaslBroker, lifetimeMs: number): void {
  if (lifetimeMs <= 0) return;
  const timer = setTimeout(
    () => {
      connection
        .exclusive((send) => exchange(send, mechanism, broker))
        .then(
          (next) => {
            rawSaslCounts.reauthentications++;
            keepAuthenticated(connection, mechanism, broker, next);
          },
          // The connection failed with the error; its requests are retried on a new connection.
          () => undefined,
        );
    },
    lifetimeMs * (0.85 + Math.random() * 0.1),
  );
  timer.unref();
  connection.onClose(() => clearTimeout(timer));
}

/** One authentication; resolves with the session lifetime the broker gave (0: none). */
async function exchange(send: RawRequest, mechanism: SaslMechanism, broker: SaslBroker): Promise<number> {
  const handshake = await send(SASL_HANDSHAKE_API_KEY, SASL_HANDSHAKE_VERSION, saslHandshakeV1.createRequest(mechanism.name).buffers, 'legacy');
  try {
    saslHandshakeV1.parseResponse(0, SASL_HANDSHAKE_API_KEY, SASL_HANDSHAKE_VERSION, handshake.reader);
  } catch (error) {
    throw new AuthenticationError(`broker ${broker.host}:${broker.port} does not take SASL mechanism ${mechanism.name}`, { cause: error as Error });
  } finally {
    handshake.release();
  }
  let lifetimeMs = 0;
  await mechanism.authenticate(async (authBytes) => {
    const { reader, release } = await send(SASL_AUTHENTICATE_API_KEY, SASL_AUTHENTICATE_VERSION, saslAuthenticateV2.createRequest(authBytes).buffers);
    try {
      const response = saslAuthenticateV2.parseResponse(0, SASL_AUTHENTICATE_API_KEY, SASL_AUTHENTICATE_VERSION, reader);
      lifetimeMs = Number(response.sessionLifetimeMs);
      // A copy: the response sits in a buffer that goes back to the pool below.
      return { ...response, authBytes: Buffer.from(response.authBytes) };
    } finally {
      release();
    }
  }, broker);
  return lifetimeMs;
}
