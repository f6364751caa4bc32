import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceProgress } from '../../../src/copy/source-progress.ts';

interface Ack {
  promise: Promise<unknown>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function ack(): Ack {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function tracker(): { progress: SourceProgress; advanced: bigint[] } {
  const advanced: bigint[] = [];
  return { progress: new SourceProgress((next) => advanced.push(next)), advanced };
}

test('a step counts only once all its acks are in', async () => {
  const { progress, advanced } = tracker();
  const [a, b] = [ack(), ack()];
  progress.add(10n, [a.promise, b.promise], 10, 100);
  a.resolve();
  await settle();
  assert.deepEqual(advanced, []);
  b.resolve();
  await settle();
  assert.deepEqual(advanced, [10n]);
  assert.equal(progress.pending, 0);
});

test('a step whose acks are in waits for every earlier step, then both count in order', async () => {
  const { progress, advanced } = tracker();
  const [first, second] = [ack(), ack()];
  progress.add(10n, [first.promise], 10, 100);
  progress.add(20n, [second.promise], 10, 100);
  second.resolve();
  await settle();
  assert.deepEqual(advanced, []);
  first.resolve();
  await settle();
  assert.deepEqual(advanced, [10n, 20n]);
});

test('a failed ack stops progress at the step before it, for good', async () => {
  const { progress, advanced } = tracker();
  const [first, failing, other, later] = [ack(), ack(), ack(), ack()];
  progress.add(10n, [first.promise], 10, 100);
  progress.add(20n, [failing.promise, other.promise], 10, 100);
  progress.add(30n, [later.promise], 10, 100);
  first.resolve();
  failing.reject(new Error('write failed'));
  other.resolve();
  later.resolve();
  await settle();
  assert.deepEqual(advanced, [10n]);
  assert.equal(progress.pending, 2);
});

test('a step without writes (all filtered out) counts at once when nothing is before it', async () => {
  const { progress, advanced } = tracker();
  progress.add(5n, [], 0, 0);
  assert.deepEqual(advanced, [5n]);
});
