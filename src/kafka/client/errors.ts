import { protocolErrors } from '@platformatic/kafka';
import { ERROR_CODES, KrerouteError, isKrerouteError } from '../../common/errors.ts';
import { FIRST_ANSWER_MS, noKafkaAnswer } from '../net/first-answer.ts';
import { ConnectionLostError } from '../net/raw-connection.ts';
import { SaslLoginError } from '../net/sasl/sasl-login-error.ts';

interface LibraryError {
  code?: string;
  apiId?: string;
  errors?: unknown[];
  message?: string;
  canRetry?: boolean;
}

/** How deep to look inside wrapped errors: Admin calls nest MultipleErrors → NetworkError → AuthenticationError → ResponseError → ProtocolError. */
const MAX_DEPTH = 8;

const FENCED_IDS = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']);

const AUTHORIZATION_IDS = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'DELEGATION_TOKEN_AUTHORIZATION_FAILED',
]);

/**
 * Calls `look` on an error and on each error it wraps (depth first: its `errors`, then its
 * `cause`), until `look` answers true; answers whether it did.
 */
function someWrapped(error: unknown, look: (e: LibraryError) => boolean): boolean {
  const visit = (value: unknown, depth: number): boolean => {
    if (!value || typeof value !== 'object' || depth > MAX_DEPTH) return false;
    const e = value as LibraryError;
    if (look(e)) return true;
    if (Array.isArray(e.errors)) for (const inner of e.errors) if (visit(inner, depth + 1)) return true;
    return 'cause' in e && visit((e as { cause?: unknown }).cause, depth + 1);
  };
  return visit(error, 0);
}

/** One string field of an error and of each error it wraps, where it is a string. */
function wrappedStrings(error: unknown, field: 'apiId' | 'code' | 'message'): string[] {
  const values: string[] = [];
  someWrapped(error, (e) => {
    const value = e[field];
    if (typeof value === 'string') values.push(value);
    return false;
  });
  return values;
}

/** The Kafka protocol error ids inside a library error (a ResponseError holds several). */
export function protocolErrorIds(error: unknown): string[] {
  return wrappedStrings(error, 'apiId');
}

/** Library error codes (PLT_KFK_…) of an error and the errors it wraps. */
function libraryCodes(error: unknown): string[] {
  return wrappedStrings(error, 'code');
}

/** Messages of the errors (and their causes) inside a library error. */
function libraryMessages(error: unknown): string[] {
  return wrappedStrings(error, 'message');
}

/** A SASL login failure of ours, wherever the library wrapped it. */
function saslLoginError(error: unknown): SaslLoginError | undefined {
  let found: SaslLoginError | undefined;
  someWrapped(error, (e) => e instanceof SaslLoginError && (found = e) !== undefined);
  return found;
}

/** Node's codes (X509_V_ERR_* names) for a broker certificate that does not chain to a trusted CA or is not valid now. */
const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);

/** OpenSSL alerts a broker sends when it does not accept the client's certificate (or its absence). */
const CLIENT_CERTIFICATE_ALERT =
  /^ERR_SSL_.*ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|UNKNOWN_CA|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED)$/;

/**
 * A TLS failure named as such: the broker's certificate is not trusted or not for this address, the
 * broker refused our client certificate, or one side speaks TLS and the other does not. `related`
 * is an error the connection reported on its own (a TLS 1.3 alert arrives after the handshake, and
 * the request then fails only with "Connection closed").
 */
function tlsFailure(error: unknown, what: string, related: unknown): KrerouteError | undefined {
  const codes = [...libraryCodes(error), ...libraryCodes(related)];
  const messages = libraryMessages(error);
  const untrusted = codes.find((c) => UNTRUSTED_CERTIFICATE_CODES.has(c));
  if (untrusted) {
    return new KrerouteError('AUTH', `the broker's TLS certificate is not trusted (${untrusted}) while ${what}`, {
      hint: "set ssl.truststore.type=PEM and ssl.truststore.location to the CA certificate(s) that signed the brokers' certificates",
      cause: error,
    });
  }
  if (codes.includes('ERR_TLS_CERT_ALTNAME_INVALID')) {
    return new KrerouteError('AUTH', `the broker's TLS certificate does not name the address connected to (ERR_TLS_CERT_ALTNAME_INVALID) while ${what}`, {
      hint: 'connect by a host name or IP address the certificate holds, or set ssl.endpoint.identification.algorithm= (empty) to skip the check',
      cause: error,
    });
  }
  const alert = codes.find((c) => CLIENT_CERTIFICATE_ALERT.test(c));
  if (alert) {
    return new KrerouteError('AUTH', `the broker refused the TLS client certificate or its absence (${alert}) while ${what}`, {
      hint: 'give a client certificate the broker trusts: ssl.keystore.type=PEM with ssl.keystore.location, or ssl.keystore.key and ssl.keystore.certificate.chain',
      cause: error,
    });
  }
  if (messages.some((m) => m.startsWith('TLS handshake failed'))) {
    return new KrerouteError('UNREACHABLE', `the broker does not answer TLS (the handshake was cut off) while ${what}`, {
      hint: 'this port may be a plaintext listener: use security.protocol=PLAINTEXT or SASL_PLAINTEXT, or the address of the TLS listener',
      cause: error,
    });
  }
  if (messages.includes('Broker requires TLS.')) {
    return new KrerouteError('UNREACHABLE', `the broker requires TLS while ${what}`, {
      hint: 'set security.protocol=SSL (or SASL_SSL) and ssl.truststore.location in the client .properties file (--source-config / --dest-config)',
      cause: error,
    });
  }
  return undefined;
}

const NETWORK_CODES = new Set(['PLT_KFK_NETWORK', 'PLT_KFK_TIMEOUT']);

function isNetworkFailure(error: unknown): boolean {
  if (error instanceof ConnectionLostError) return true;
  const codes = libraryCodes(error).filter((c) => c.startsWith('PLT_KFK_') && c !== 'PLT_KFK_MULTIPLE');
  return codes.length > 0 && codes.every((c) => NETWORK_CODES.has(c));
}

/** Answers that mean the partition's leader is not where we asked: look it up again before the retry. */
export const STALE_LEADER_ERRORS: ReadonlySet<string> = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'REPLICA_NOT_AVAILABLE',
]);

/**
 * The one table of Kafka error ids worth retrying (Kafka's RetriableException kinds that reach
 * kreroute): for every call (withRetry) and for produce answers (PipelinedProducer).
 */
export const RETRIABLE_ERRORS: ReadonlySet<string> = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'KAFKA_STORAGE_ERROR',
  'CONCURRENT_TRANSACTIONS',
  'THROTTLING_QUOTA_EXCEEDED',
  'OFFSET_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
]);

/**
 * Refusals of our producer's state that Kafka marks final for that producer, but that a new run
 * clears: it starts a new producer and resumes from the checkpoint.
 */
const NEW_PRODUCER_CLEARS: ReadonlySet<string> = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_ID_MAPPING',
]);

/**
 * Whether running the command again may get past these Kafka error ids: Kafka marks each one
 * retriable (its RetriableException kinds, as the client library's table has them), or a new
 * producer clears it. An id the table does not know is given the benefit of the doubt.
 */
export function rerunMayHelp(ids: readonly string[]): boolean {
  return ids.every((id) => NEW_PRODUCER_CLEARS.has(id) || (protocolErrors as Record<string, { canRetry: boolean } | undefined>)[id]?.canRetry !== false);
}

export function isRetriableKafkaError(error: unknown): boolean {
  if (isKrerouteError(error)) return error.retryable;
  const login = saslLoginError(error);
  if (login) return ERROR_CODES[login.code].retryable;
  const e = error as LibraryError;
  if (isNetworkFailure(error)) return true;
  const ids = protocolErrorIds(error);
  if (ids.length === 0) return e?.canRetry === true;
  return ids.every((id) => RETRIABLE_ERRORS.has(id));
}

/**
 * Turns a client-library error into a KrerouteError with one clear line. `what` says what we were
 * doing ("listing offsets of orders on source 127.0.0.1:9092"); `related`, an error a connection
 * reported on its own while this was done. Messages never include credentials: only ids and codes
 * from the broker.
 */
export function toKrerouteError(error: unknown, what: string, related?: unknown): KrerouteError {
  if (isKrerouteError(error)) return error;
  const login = saslLoginError(error);
  if (login) return new KrerouteError(login.code, `${login.message} while ${what}`, { hint: login.hint, cause: error });
  const e = (error ?? {}) as LibraryError;
  const ids = protocolErrorIds(error);
  if (ids.some((id) => AUTHORIZATION_IDS.has(id))) {
    return new KrerouteError('NOT_AUTHORIZED', `not authorized while ${what} (${ids.join(', ')})`, {
      hint: 'grant the principal the ACL this step needs (see docs/configuration.md, Permissions)',
      cause: error,
    });
  }
  if (ids.some((id) => FENCED_IDS.has(id))) {
    return new KrerouteError('FENCED', `another copier took over this job while ${what} (${ids.join(', ')})`, {
      hint: 'only one copier may run a plan at a time',
      cause: error,
    });
  }
  if (ids.includes('SASL_AUTHENTICATION_FAILED') || libraryCodes(error).includes('PLT_KFK_AUTHENTICATION')) {
    return new KrerouteError('AUTH', `authentication failed while ${what}`, {
      hint: 'check sasl.mechanism and the credentials in the client properties file',
      cause: error,
    });
  }
  if (ids.includes('UNKNOWN_TOPIC_OR_PARTITION') || ids.includes('UNKNOWN_TOPIC_ID')) {
    return new KrerouteError('UNKNOWN_TOPIC', `unknown topic or partition while ${what}`, { cause: error });
  }
  if (ids.includes('CORRUPT_MESSAGE')) {
    return new KrerouteError('SOURCE_CORRUPT', `the destination refused a batch as corrupt (its CRC does not match its bytes) while ${what}`, {
      hint: 'the batch was damaged on the source or on its way; read that partition with a Kafka consumer to check',
      cause: error,
    });
  }
  if (ids.includes('MESSAGE_TOO_LARGE') || ids.includes('RECORD_LIST_TOO_LARGE')) {
    return new KrerouteError('RECORD_TOO_LARGE', `the destination refused a batch as too large while ${what}`, {
      hint: "raise the destination topic's max.message.bytes",
      cause: error,
    });
  }
  // The broker refuses the whole batch and names each record of it (UNKNOWN_SERVER_ERROR for the others): one line, not one per record.
  if (ids.includes('INVALID_TIMESTAMP')) {
    return new KrerouteError(
      'DESTINATION_CHECK',
      `the destination refused records for their timestamps (INVALID_TIMESTAMP) while ${what}: they are outside its message.timestamp.before.max.ms / message.timestamp.after.max.ms window`,
      {
        hint: 'raise those settings of the destination topic for the job (kreroute plan names the values needed), then run the same command again',
        cause: error,
      },
    );
  }
  if (ids.includes('INVALID_RECORD')) {
    return new KrerouteError(
      'DESTINATION_CHECK',
      `the destination refused records as invalid (INVALID_RECORD) while ${what}, e.g. records without a key on a compacted topic`,
      {
        hint: "check the destination topic's cleanup.policy (plan --exact counts records without a key), then run the same command again",
        cause: error,
      },
    );
  }
  const tls = tlsFailure(error, what, related);
  if (tls) return tls;
  const silent = noKafkaAnswer(error) ?? noKafkaAnswer(related);
  if (silent) return noKafkaAnswerError(silent.address, what, error);
  if (isNetworkFailure(error)) {
    const reason = libraryCodes(error).find((c) => !c.startsWith('PLT_KFK_'));
    return new KrerouteError('UNREACHABLE', `cannot reach the broker while ${what}${reason ? ` (${reason})` : ''}`, {
      hint: 'check the bootstrap address, the port and the security.protocol',
      cause: error,
    });
  }
  const detail = ids.length > 0 ? countedIds(ids) : (e.message ?? String(error));
  if (!rerunMayHelp(ids)) {
    return new KrerouteError('KAFKA_REFUSED', `the cluster refused the request while ${what}: ${detail}`, {
      hint: 'Kafka marks this answer as final, so running again gets it again: fix its cause first (the broker log says more)',
      cause: error,
    });
  }
  return new KrerouteError('KAFKA', `Kafka error while ${what}: ${detail}`, { cause: error });
}

/** A peer that took the connection but answered nothing: named, with the address (see first-answer.ts). */
export function noKafkaAnswerError(address: string, what: string, cause?: unknown): KrerouteError {
  return new KrerouteError('UNREACHABLE', `no Kafka answer from ${address}`, {
    hint: `is it a Kafka listener? It took the connection but answered nothing within ${FIRST_ANSWER_MS / 1000} s while ${what}; check the address, the port and security.protocol`,
    cause,
  });
}

/** Error ids once each, in order, with how often each came ("UNKNOWN_SERVER_ERROR × 1000"). */
function countedIds(ids: string[]): string {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts].map(([id, n]) => (n > 1 ? `${id} × ${n}` : id)).join(', ');
}
