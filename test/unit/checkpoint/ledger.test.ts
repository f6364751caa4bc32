// The checkpoint ledger's rules, on their own (no brokers): positions only move forward, "done"
// follows the position, destination ends only rise, and nothing is settled or published while a
// write is unacknowledged, so a saved destination end never runs ahead of its source positions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CopyCheckpoint } from '../../../src/checkpoint/copy-checkpoint.ts';
import { CheckpointLedger } from '../../../src/checkpoint/ledger.ts';

const plan = {
  topics: [
    {
      source: 'orders',
      partitions: [
        { partition: 0, end: '100' },
        { partition: 1, end: '10' },
      ],
    },
  ],
};

function checkpoint(): CopyCheckpoint {
  return {
    format: 'kreroute-checkpoint',
    version: 1,
    planHash: 'h',
    mode: 'at-least-once',
    producerIds: ['7'],
    sources: {
      'orders/0': { next: '0', copied: 0, skipped: 0, done: false, alreadyWritten: [] },
      'orders/1': { next: '5', copied: 5, skipped: 0, done: false, alreadyWritten: ['6', '8'] },
    },
    destinations: { 'copy/0': { scanFrom: '40', end: null, written: 0, rebuilt: false } },
    complete: false,
    updatedAt: '',
  };
}

test('advancing a source moves its position, counts copied and skipped records, and sets done at the planned end', () => {
  const ledger = new CheckpointLedger(checkpoint(), plan);
  ledger.advanceSource('orders/0', 60n, { copied: 50, skipped: 10 });
  assert.deepEqual(ledger.source('orders/0'), { next: '60', copied: 50, skipped: 10, done: false, alreadyWritten: [] });
  ledger.advanceSource('orders/0', 100n, { copied: 40 });
  assert.deepEqual(ledger.source('orders/0'), { next: '100', copied: 90, skipped: 10, done: true, alreadyWritten: [] });
  assert.equal(ledger.copied(), 95);
});

test('a source position never moves backwards; staying where it is is allowed', () => {
  const ledger = new CheckpointLedger(checkpoint(), plan);
  ledger.advanceSource('orders/0', 30n, { copied: 30 });
  ledger.advanceSource('orders/0', 30n, { copied: 0 });
  assert.throws(() => ledger.advanceSource('orders/0', 29n, { copied: 1 }), /backwards/);
  assert.equal(ledger.source('orders/0').next, '30');
});

test('offsets marked already written are forgotten once the position passes them, and never lie behind it', () => {
  const ledger = new CheckpointLedger(checkpoint(), plan);
  ledger.markWritten('orders/1', [9n]);
  assert.deepEqual(ledger.source('orders/1').alreadyWritten, ['6', '8', '9']);
  ledger.advanceSource('orders/1', 7n, { copied: 2 });
  assert.deepEqual(ledger.source('orders/1').alreadyWritten, ['8', '9']);
  assert.throws(() => ledger.markWritten('orders/1', [6n]), /behind/);
  ledger.advanceSource('orders/1', 10n, { copied: 3 });
  assert.deepEqual(ledger.source('orders/1'), { next: '10', copied: 10, skipped: 0, done: true, alreadyWritten: [] });
});

test('a destination end only rises', () => {
  const ledger = new CheckpointLedger(checkpoint(), plan);
  ledger.raiseDestinationEnd('copy/0', 50n);
  ledger.raiseDestinationEnd('copy/0', 45n);
  assert.equal(ledger.destination('copy/0').end, '50');
  ledger.raiseDestinationEnd('copy/0', 51n);
  assert.equal(ledger.destination('copy/0').end, '51');
});

test('an acknowledged write raises its end (not where the broker gave no offset), counts what it wrote, and a rebuilt batch marks the partition', () => {
  const ledger = new CheckpointLedger(checkpoint(), plan);
  ledger.writeSent('copy/0', { rebuilt: false });
  assert.equal(ledger.destination('copy/0').rebuilt, false);
  ledger.writeSent('copy/0', { rebuilt: true });
  assert.equal(ledger.destination('copy/0').rebuilt, true);
  assert.equal(ledger.inFlight(), 2);
  ledger.writeAcknowledged('copy/0', { records: 5, end: 45n });
  ledger.writeAcknowledged('copy/0', { records: 3, end: null });
  assert.equal(ledger.inFlight(), 0);
  assert.deepEqual(ledger.destination('copy/0'), { scanFrom: '40', end: '45', written: 8, rebuilt: true });
});

test('nothing is settled or published while a write is unacknowledged: a saved end never runs ahead of its source positions', () => {
  const ledger = new CheckpointLedger(checkpoint(), plan);
  ledger.writeSent('copy/0', { rebuilt: false });
  assert.throws(() => ledger.settle(9n, () => 1), /unacknowledged/);
  assert.throws(() => ledger.publish(true), /unacknowledged/);
  ledger.writeAcknowledged('copy/0', { records: 1, end: 41n });
  ledger.settle(9n, (topic, partition) => (topic === 'copy' && partition === 0 ? 1 : -1));
  assert.deepEqual(ledger.destination('copy/0').lastRun, { producerId: '9', records: 1 });
  const published = ledger.publish(true, new Date('2026-01-02T03:04:05Z'));
  assert.equal(published.complete, true);
  assert.equal(published.updatedAt, '2026-01-02T03:04:05.000Z');
});

test('a run registers its producer id once and records where it began', () => {
  const ledger = new CheckpointLedger(checkpoint(), plan);
  ledger.advanceSource('orders/0', 3n, { copied: 3 });
  ledger.beginRun(9n, new Date('2026-01-02T03:04:05Z'));
  ledger.beginRun(9n, new Date('2026-01-02T03:04:05Z'));
  assert.deepEqual(ledger.view.producerIds, ['7', '9']);
  assert.deepEqual(ledger.view.run, { startedAt: '2026-01-02T03:04:05.000Z', copiedBefore: 8 });
});

test('an unknown partition is refused rather than created', () => {
  const ledger = new CheckpointLedger(checkpoint(), plan);
  assert.throws(() => ledger.advanceSource('orders/2', 1n, { copied: 1 }), /orders\/2/);
  assert.throws(() => ledger.raiseDestinationEnd('copy/1', 1n), /copy\/1/);
});
