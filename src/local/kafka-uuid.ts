import { randomBytes } from 'node:crypto';

/** A random Kafka Uuid as Kafka prints it (url-safe base64, 22 chars), usable as a cluster id. */
export function randomKafkaUuid(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    // Kafka's own Uuid.randomUuid() avoids a leading '-', which command lines take for a flag.
    if (!id.startsWith('-')) return id;
  }
}
