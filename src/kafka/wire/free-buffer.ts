/**
 * Frees a buffer's memory now instead of at V8's next full garbage collection, when the buffer
 * owns all of it (not a view into a larger allocation, which would take others' bytes with it).
 * Transferring the memory away detaches the buffer: V8 hands the memory back at once and stops
 * counting it as external memory. Such memory piling up is what makes V8 run full collections:
 * decoding 524 MB of lz4 blocks into buffers lz4-napi returns, one per block, took 22 full
 * collections and 440-520 ms; freeing each block's buffer once copied, none and 240-320 ms.
 * Nothing may use the buffer afterwards: a view that did would fail (out of bounds), not read
 * stale bytes. Returns whether it was freed.
 */
export function freeNow(buffer: Uint8Array): boolean {
  const memory = buffer.buffer;
  if (!(memory instanceof ArrayBuffer) || buffer.byteOffset !== 0 || memory.byteLength !== buffer.byteLength || memory.detached) return false;
  try {
    memory.transfer(0);
    return true;
  } catch {
    return false; // not detachable (a WebAssembly memory's, say): left to the collector
  }
}
