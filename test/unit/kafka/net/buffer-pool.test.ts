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
