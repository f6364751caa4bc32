import assert from 'node:assert/strict';
import test from 'node:test';
import { KrerouteError } from '../../../src/common/errors.ts';
import { overrideEntries, parsePropertyOverride } from '../../../src/config/property-override.ts';

test('-X key=value, source:key=value, dest:key=value and destination:key=value', () => {
  assert.deepEqual(parsePropertyOverride('client.id=mover'), { key: 'client.id', value: 'mover' });
  assert.deepEqual(parsePropertyOverride('source:sasl.jaas.config=a b="c=d";'), { side: 'source', key: 'sasl.jaas.config', value: 'a b="c=d";' });
  assert.deepEqual(parsePropertyOverride('dest:ssl.endpoint.identification.algorithm='), {
    side: 'destination',
    key: 'ssl.endpoint.identification.algorithm',
    value: '',
  });
  assert.deepEqual(parsePropertyOverride('destination:client.id=x'), { side: 'destination', key: 'client.id', value: 'x' });
});

test('a malformed -X is one BAD_INPUT line that quotes none of it', () => {
  for (const text of ['hunter2', 'hunter2:x=1', 'x y=hunter2', 'other:client.id=hunter2', '=hunter2']) {
    assert.throws(
      () => parsePropertyOverride(text),
      (error: unknown) => {
        assert.ok(error instanceof KrerouteError);
        assert.equal(error.code, 'BAD_INPUT');
        assert.match(error.oneLine(), /^-X: .* — write -X key=value/);
        assert.doesNotMatch(error.oneLine(), /hunter2/);
        return true;
      },
    );
  }
});

test("a side's own -X wins over one for both clusters, whatever the order given", () => {
  const overrides = [parsePropertyOverride('source:client.id=own'), parsePropertyOverride('client.id=both'), parsePropertyOverride('dest:client.id=other')];
  const last = (side: 'source' | 'destination') => overrideEntries(overrides, side).at(-1);
  assert.deepEqual(last('source'), { key: 'client.id', value: 'own', line: 0, file: '-X' });
  assert.deepEqual(last('destination'), { key: 'client.id', value: 'other', line: 0, file: '-X' });
  assert.deepEqual(overrideEntries([parsePropertyOverride('client.id=both')], 'source'), [{ key: 'client.id', value: 'both', line: 0, file: '-X' }]);
});
