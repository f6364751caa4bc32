import assert from 'node:assert/strict';
import test from 'node:test';
import { describePartitions, filterFlag, filterMatchedNothing } from '../../../src/plan/unmatched-filter.ts';

test('a filter is named by the flag that sets it', () => {
  assert.equal(filterFlag({ kind: 'key-prefix', prefix: 'nobody:' }), '--key-prefix nobody:');
  assert.equal(filterFlag({ kind: 'key-regex', pattern: '^acme:' }), '--key-regex ^acme:');
  assert.equal(filterFlag({ kind: 'header', name: 'tenant', value: 'tenant b' }), '--header "tenant=tenant b"');
  assert.equal(filterFlag({ kind: 'json-field', path: 'customer.tenant', value: 'b' }), '--json-field customer.tenant=b');
});

test('partitions are written as runs', () => {
  assert.equal(describePartitions([{ topic: 'orders', partitions: [3, 0, 1, 2, 4, 5, 6, 7] }]), 'orders[0..7]');
  assert.equal(
    describePartitions([
      { topic: 'orders', partitions: [0, 2, 3, 5] },
      { topic: 'invoices', partitions: [1] },
    ]),
    'orders[0, 2..3, 5], invoices[1]',
  );
});

test('a filter that matched nothing is EMPTY_RANGE in one line: the filter, where, how much was read, what to check', () => {
  const error = filterMatchedNothing(
    { kind: 'key-prefix', prefix: 'nobody:' },
    [{ topic: 'orders', partitions: [0, 1, 2, 3, 4, 5, 6, 7] }],
    149_933,
    'nothing was planned',
  );
  assert.equal(error.code, 'EMPTY_RANGE');
  assert.equal(
    error.oneLine(),
    "--key-prefix nobody: matches no record in the planned range of orders[0..7] (149,933 records read): nothing was planned — check the tenant's key prefix",
  );
});

test('a filter value with a space, a quote, a backslash or a control character is quoted and stays on one line', () => {
  assert.equal(filterFlag({ kind: 'key-prefix', prefix: 'a\nb' }), '--key-prefix "a\\nb"');
  assert.equal(filterFlag({ kind: 'key-prefix', prefix: 'it"s' }), '--key-prefix "it\\"s"');
  assert.equal(filterFlag({ kind: 'key-prefix', prefix: 'tenant b' }), '--key-prefix "tenant b"');
  assert.equal(filterFlag({ kind: 'key-prefix', prefix: 'münchen:' }), '--key-prefix münchen:');
  assert.equal(filterFlag({ kind: 'key-regex', pattern: '^a\\d+' }), '--key-regex "^a\\\\d+"');
  assert.equal(filterFlag({ kind: 'key-prefix', prefix: 'a\u0000' }), '--key-prefix "a\\u0000"');
});
