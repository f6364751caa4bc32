import type { Socket } from 'node:net';

/** A connection whose first request has had no byte back after this long is not taken for a Kafka broker. */
export const FIRST_ANSWER_MS = 10_000;

/**
 * The peer accepted the connection but answered nothing to its first request: a wrong port, a
 * proxy, anything but a Kafka listener. Kafka answers ApiVersions at once, even before SASL.
 */
export class NoKafkaAnswerError extends Error {
  readonly address: string;
  readonly canRetry = true;

  constructor(address: string, waitedMs: number) {
    super(`no Kafka answer from ${address} within ${waitedMs % 1000 === 0 ? `${waitedMs / 1000} s` : `${waitedMs} ms`}`);
    this.name = 'NoKafkaAnswerError';
    this.address = address;
  }
}

/** The NoKafkaAnswerError inside an error (the client library wraps them). */
export function noKafkaAnswer(error: unknown): NoKafkaAnswerError | undefined {
  for (let value = error, depth = 0; value && typeof value === 'object' && depth < 8; depth++) {
    if (value instanceof NoKafkaAnswerError) return value;
    const errors = (value as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      for (const inner of errors) {
        const found = noKafkaAnswer(inner);
        if (found) return found;
      }
    }
    value = (value as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Watches a connected socket of someone else's (the client library's): once something was sent
 * and nothing has come back for `limitMs`, `onSilent` hears of it and the socket is destroyed, so
 * the request waiting on it fails now rather than after its own timeout.
 */
export function watchFirstAnswer(socket: Socket, address: string, onSilent: (error: NoKafkaAnswerError) => void, limitMs = FIRST_ANSWER_MS): void {
  let sentAt: number | undefined;
  const stop = () => clearInterval(timer);
  const timer = setInterval(
    () => {
      if (socket.destroyed) return stop();
      if (socket.bytesWritten === 0) return;
      sentAt ??= Date.now();
      if (Date.now() - sentAt < limitMs) return;
      stop();
      const error = new NoKafkaAnswerError(address, limitMs);
      onSilent(error);
      socket.destroy(error);
    },
    Math.min(500, limitMs),
  );
  timer.unref();
  socket.once('data', stop);
  socket.once('close', stop);
}
