/**
 * Reads the varints of stored records in place. A position held in a field rather than returned
 * with each value: the filter reads several per record, millions of times, without allocating.
 */
export class RecordCursor {
  buffer: Buffer;
  position: number;
  /** Of the record last entered (see enterRecord). */
  timestampDelta = 0;
  offsetDelta = 0;

  constructor(buffer: Buffer, position = 0) {
    this.buffer = buffer;
    this.position = position;
  }

  varInt(): number {
    const buffer = this.buffer;
    let raw = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = buffer[this.position++]!;
      raw |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80 && shift < 35);
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** A varlong as a double: exact for timestamps and their deltas (below 2^53). */
  varLong(): number {
    const buffer = this.buffer;
    let raw = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = buffer[this.position++]!;
      raw += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80 && scale < 2 ** 63);
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /**
   * Moves from the start of a stored record past its length, attributes, timestamp delta and
   * offset delta (kept in the fields of those names) to its key; returns where the record ends.
   */
  enterRecord(): number {
    const length = this.varInt();
    const end = this.position + length;
    this.position++; // record attributes: unused in v2
    this.timestampDelta = this.varLong();
    this.offsetDelta = this.varInt();
    return end;
  }

  /** A length-prefixed field (key, value, header name or value) as a view; null for length -1. */
  bytes(): Buffer | null {
    const length = this.varInt();
    if (length < 0) return null;
    const bytes = this.buffer.subarray(this.position, this.position + length);
    this.position += length;
    return bytes;
  }

  /** Skips a length-prefixed field (key, value, header name or value); returns its length, -1 for null. */
  skipBytes(): number {
    const length = this.varInt();
    if (length > 0) this.position += length;
    return length;
  }

  /** Whether the length-prefixed field here equals `bytes` (null never does); moves past it. */
  bytesEqual(bytes: Buffer): boolean {
    const length = this.varInt();
    if (length < 0) return false;
    const start = this.position;
    this.position += length;
    if (length !== bytes.length) return false;
    for (let i = 0; i < length; i++) if (this.buffer[start + i] !== bytes[i]) return false;
    return true;
  }
}
