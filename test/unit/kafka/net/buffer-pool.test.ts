import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferPool } from '../../../../src/kafka/net/buffer-pool.ts';

const MiB = 1024 * 1024;

test('a released buffer is handed out again, one still leased never is', () => {
  const buffers = new BufferPool(64 * MiB);
  const first = buffers.lease(3 * MiB);
  const second = buffers.lease(3 * MiB);
  assert.notEqual(first.buffer.buffer, second.buffer.buffer);
  first.release();
  first.release(); // twice is once
  const third = buffers.lease(3 * MiB - 5);
  assert.equal(third.buffer.buffer, first.buffer.buffer, 'a buffer of the same size class');
  assert.equal(third.buffer.length, 3 * MiB - 5);
  const fourth = buffers.lease(3 * MiB);
  assert.notEqual(fourth.buffer.buffer, first.buffer.buffer, 'the double release must not hand the same buffer out twice');
  assert.notEqual(fourth.buffer.buffer, second.buffer.buffer);
});

test('small responses, and buffers beyond what the pool may own, are left to the allocator', () => {
  const buffers = new BufferPool(4 * MiB);
  const small = buffers.lease(60_000);
  small.release();
  const next = buffers.lease(60_000).buffer;
  assert.ok(next.buffer !== small.buffer.buffer || next.byteOffset !== small.buffer.byteOffset);
  const a = buffers.lease(3 * MiB);
  const b = buffers.lease(3 * MiB);
  a.release();
  b.release();
  const again = [buffers.lease(3 * MiB).buffer.buffer, buffers.lease(3 * MiB).buffer.buffer];
  const reused = again.filter((memory) => memory === a.buffer.buffer || memory === b.buffer.buffer);
  assert.equal(reused.length, 1, 'the pool owns at most 4 MiB, so only one of the two was kept');
});

test('a buffer too small for the response is not handed out', () => {
  const buffers = new BufferPool(64 * MiB);
  const small = buffers.lease(MiB);
  small.release();
  const large = buffers.lease(5 * MiB);
  assert.notEqual(large.buffer.buffer, small.buffer.buffer);
  assert.equal(large.buffer.length, 5 * MiB);
});

test('only the very buffer handed out releases it: a view of it or a foreign buffer does not', () => {
  const buffers = new BufferPool(64 * MiB);
  const taken = buffers.take(2 * MiB);
  buffers.release(taken.subarray(0, 100));
  buffers.release(Buffer.alloc(2 * MiB));
  assert.notEqual(buffers.take(2 * MiB).buffer, taken.buffer, 'still leased');
  buffers.release(taken);
  assert.equal(buffers.take(2 * MiB).buffer, taken.buffer);
});

test('a kept buffer of another size class serves a smaller request, up to twice its size', () => {
  const buffers = new BufferPool(64 * MiB);
  const eight = buffers.take(8 * MiB);
  buffers.release(eight);
  const five = buffers.take(5 * MiB);
  assert.equal(five.buffer, eight.buffer, 'the 8 MiB buffer serves 5 MiB');
  buffers.release(five);
  const one = buffers.take(MiB);
  assert.notEqual(one.buffer, eight.buffer, 'but not 1 MiB: it would pin eight times what is needed');
});

test('a buffer the pool does not keep is freed at once, not left to the garbage collector', () => {
  const buffers = new BufferPool(4 * MiB);
  const a = buffers.take(3 * MiB);
  const b = buffers.take(3 * MiB);
  assert.equal(buffers.ownedBytes, 6 * MiB);
  buffers.release(a);
  assert.equal(a.buffer.byteLength, 0, 'over the limit: its memory is handed back (detached)');
  assert.throws(() => a.readInt32BE(0), /out of range|outside buffer bounds/i, 'a view used after release fails loudly');
  buffers.release(b);
  assert.equal(b.buffer.byteLength, 3 * MiB, 'within the limit: kept');
  assert.equal(buffers.ownedBytes, 3 * MiB);
});

test('kept buffers that do not fit make room for a new one instead of adding to it', () => {
  const buffers = new BufferPool(8 * MiB);
  const small = buffers.take(MiB);
  buffers.release(small);
  const large = buffers.take(7.5 * MiB);
  assert.equal(small.buffer.byteLength, 0, 'the kept 1 MiB buffer was freed: 1 + 8 MiB would pass the limit');
  assert.equal(buffers.ownedBytes, large.buffer.byteLength);
});

test('what the pool owns stays flat over a long run of varying sizes', () => {
  const max = 32 * MiB;
  const buffers = new BufferPool(max);
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const inUse: Buffer[] = [];
  let highest = 0;
  for (let i = 0; i < 4000; i++) {
    if (inUse.length < 6 && random() < 0.6) inUse.push(buffers.take(64 * 1024 + Math.floor(random() * 4 * MiB)));
    else if (inUse.length > 0) buffers.release(inUse.splice(Math.floor(random() * inUse.length), 1)[0]!);
    const leased = inUse.reduce((sum, b) => sum + b.length, 0);
    // In use: at most 2× (a kept buffer serves up to half its size); kept: within the limit.
    assert.ok(buffers.ownedBytes <= Math.max(max, 2 * leased + 8 * MiB), `owned ${buffers.ownedBytes} at step ${i}`);
    highest = Math.max(highest, buffers.ownedBytes);
  }
  // Six buffers of up to 4 MiB in use never need more than the limit plus one new buffer.
  assert.ok(highest <= max + 5 * MiB, `the pool came to own ${highest} bytes`);
});

test('a cleared pool frees its kept buffers at once, and each leased one when it is released', () => {
  const buffers = new BufferPool(64 * MiB);
  const kept = buffers.lease(4 * MiB);
  const inUse = buffers.lease(4 * MiB);
  kept.release();
  assert.equal(buffers.ownedBytes, 8 * MiB);
  buffers.clear();
  assert.equal(kept.buffer.buffer.byteLength, 0, 'the kept buffer is detached: its memory is freed');
  assert.equal(buffers.ownedBytes, 4 * MiB, 'the one in use is still owned');
  assert.equal(inUse.buffer.buffer.byteLength, 4 * MiB, 'and still readable');
  inUse.release();
  assert.equal(inUse.buffer.buffer.byteLength, 0, 'freed when released, not kept');
  assert.equal(buffers.ownedBytes, 0);
});

test('the bytes in use are those handed out and not yet released, as allocated', () => {
  const buffers = new BufferPool(64 * MiB);
  const a = buffers.lease(3 * MiB);
  const b = buffers.lease(5 * MiB);
  buffers.lease(1000).release(); // small buffers are the allocator's
  assert.equal(buffers.leasedBytes, 8 * MiB);
  a.release();
  a.release();
  assert.equal(buffers.leasedBytes, 5 * MiB);
  b.release();
  assert.equal(buffers.leasedBytes, 0);
});
