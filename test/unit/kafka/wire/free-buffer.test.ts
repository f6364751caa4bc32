import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freeNow } from '../../../../src/kafka/wire/free-buffer.ts';

test('freeNow frees a buffer that owns its memory, and nothing else', () => {
  const owned = Buffer.allocUnsafeSlow(128 * 1024);
  assert.equal(freeNow(owned), true);
  assert.equal(owned.buffer.detached, true);
  assert.equal(owned.length, 0, 'a freed buffer holds no bytes any more');
  assert.equal(freeNow(owned), false, 'twice is harmless');

  const larger = Buffer.allocUnsafeSlow(128 * 1024);
  const view = larger.subarray(0, 64 * 1024);
  assert.equal(freeNow(view), false, 'a view would take the rest of its memory with it');
  assert.equal(freeNow(larger.subarray(1)), false);
  assert.equal(larger.buffer.detached, false);

  const pooled = Buffer.allocUnsafe(100); // a slice of Node's shared 8 KiB pool
  assert.equal(freeNow(pooled), false);
  assert.equal(pooled.buffer.detached, false);

  const wasm = new WebAssembly.Memory({ initial: 1 });
  assert.equal(freeNow(new Uint8Array(wasm.buffer)), false, 'a WebAssembly memory cannot be detached: left alone');
  assert.equal(wasm.buffer.byteLength, 65536);
});
