/** Kafka's zigzag varints (protobuf style), for record encoding. */

export function varIntSize(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}

export function writeVarInt(buffer: Buffer, position: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buffer[position++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buffer[position++] = v;
  return position;
}

function zigzag64(value: bigint): bigint {
  return BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
}

export function varLongSize(value: bigint): number {
  let v = zigzag64(value);
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

export function writeVarLong(buffer: Buffer, position: number, value: bigint): number {
  if (value >= -0x40000000n && value < 0x40000000n) return writeVarInt(buffer, position, Number(value));
  let v = zigzag64(value);
  while (v >= 0x80n) {
    buffer[position++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buffer[position++] = Number(v);
  return position;
}
