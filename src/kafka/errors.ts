import { KrerouteError, isKrerouteError } from '../errors.ts';

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

/** The Kafka protocol error ids inside a library error (a ResponseError holds several). */
export function protocolErrorIds(error: unknown): string[] {
  const ids: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (!value || typeof value !== 'object' || depth > MAX_DEPTH) return;
    const e = value as LibraryError;
    if (typeof e.apiId === 'string') ids.push(e.apiId);
    if (Array.isArray(e.errors)) for (const inner of e.errors) visit(inner, depth + 1);
    if ('cause' in e) visit((e as { cause?: unknown }).cause, depth + 1);
  };
  visit(error, 0);
  return ids;
}

/** Library error codes (PLT_KFK_…) of an error and the errors it wraps. */
function libraryCodes(error: unknown): string[] {
  const codes: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (!value || typeof value !== 'object' || depth > MAX_DEPTH) return;
    const e = value as LibraryError;
    if (typeof e.code === 'string') codes.push(e.code);
    if (Array.isArray(e.errors)) for (const inner of e.errors) visit(inner, depth + 1);
    if ('cause' in e) visit((e as { cause?: unknown }).cause, depth + 1);
  };
  visit(error, 0);
  return codes;
}

const NETWORK_CODES = new Set(['PLT_KFK_NETWORK', 'PLT_KFK_TIMEOUT']);

function isNetworkFailure(error: unknown): boolean {
  const codes = libraryCodes(error).filter((c) => c.startsWith('PLT_KFK_') && c !== 'PLT_KFK_MULTIPLE');
  return codes.length > 0 && codes.every((c) => NETWORK_CODES.has(c));
}

export function isRetriableKafkaError(error: unknown): boolean {
  if (isKrerouteError(error)) return error.retryable;
  const e = error as LibraryError;
  if (isNetworkFailure(error)) return true;
  const ids = protocolErrorIds(error);
  if (ids.length === 0) return e?.canRetry === true;
  return ids.every((id) => RETRIABLE_IDS.has(id));
}

const RETRIABLE_IDS = new Set([
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
 * Turns a client-library error into a KrerouteError with one clear line. `what` says what we were
 * doing ("listing offsets of orders on source 127.0.0.1:9092"). Messages never include
 * credentials: only ids and codes from the broker.
 */
export function toKrerouteError(error: unknown, what: string): KrerouteError {
  if (isKrerouteError(error)) return error;
  const e = (error ?? {}) as LibraryError;
  const ids = protocolErrorIds(error);
  if (ids.some((id) => AUTHORIZATION_IDS.has(id))) {
    return new KrerouteError('NOT_AUTHORIZED', `not authorized while ${what} (${ids.join(', ')})`, {
      hint: 'grant the principal the ACL this step needs (see docs/permissions in the README)',
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
  if (ids.includes('MESSAGE_TOO_LARGE') || ids.includes('RECORD_LIST_TOO_LARGE')) {
    return new KrerouteError('RECORD_TOO_LARGE', `the destination refused a batch as too large while ${what}`, {
      hint: "raise the destination topic's max.message.bytes",
      cause: error,
    });
  }
  if (isNetworkFailure(error)) {
    const reason = libraryCodes(error).find((c) => !c.startsWith('PLT_KFK_'));
    return new KrerouteError('UNREACHABLE', `cannot reach the broker while ${what}${reason ? ` (${reason})` : ''}`, {
      hint: 'check the bootstrap address, the port and the security.protocol',
      cause: error,
    });
  }
  const detail = ids.length > 0 ? ids.join(', ') : (e.message ?? String(error));
  return new KrerouteError('KAFKA', `Kafka error while ${what}: ${detail}`, { cause: error });
}
