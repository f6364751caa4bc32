import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponseBuffers } from '../../src/kafka/response-buffers.ts';

const MiB = 1024 * 1024;

test('a released buffer is handed out again, one still leased never is', () => {
  const buffers = new ResponseBuffers(64 * MiB);
  const first = buffers.take(3 * MiB);
  const second = buffers.take(3 * MiB);
  assert.notEqual(first.buffer.buffer, second.buffer.buffer);
  first.release();
  first.release(); // twice is once
  const third = buffers.take(2 * MiB + 5);
  assert.equal(third.buffer.buffer, first.buffer.buffer);
  assert.equal(third.buffer.length, 2 * MiB + 5);
  const fourth = buffers.take(2 * MiB);
  assert.notEqual(fourth.buffer.buffer, first.buffer.buffer, 'the double release must not hand the same buffer out twice');
  assert.notEqual(fourth.buffer.buffer, second.buffer.buffer);
});

test('small responses and buffers beyond the kept limit are left to the allocator', () => {
  const buffers = new ResponseBuffers(4 * MiB);
  const small = buffers.take(1000);
  small.release();
  const next = buffers.take(1000).buffer;
  assert.ok(next.buffer !== small.buffer.buffer || next.byteOffset !== small.buffer.byteOffset);
  const a = buffers.take(3 * MiB);
  const b = buffers.take(3 * MiB);
  a.release();
  b.release();
  assert.equal(buffers.take(3 * MiB).buffer.buffer, a.buffer.buffer);
  assert.notEqual(buffers.take(3 * MiB).buffer.buffer, b.buffer.buffer, 'only 4 MiB are kept');
});

test('a buffer too small for the response is not handed out', () => {
  const buffers = new ResponseBuffers(64 * MiB);
  const small = buffers.take(MiB);
  small.release();
  const large = buffers.take(5 * MiB);
  assert.notEqual(large.buffer.buffer, small.buffer.buffer);
  assert.equal(large.buffer.length, 5 * MiB);
});
