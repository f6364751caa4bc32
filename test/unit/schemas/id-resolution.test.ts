import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sameSchema } from '../../../src/schemas/id-resolution.ts';

const avro = (schema: string) => ({ schema, schemaType: 'AVRO', references: [] });

test('sameSchema: the same JSON up to whitespace and key order', () => {
  const a = avro('{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}');
  const b = avro('{ "name": "A", "fields": [ { "type": "int", "name": "x" } ], "type": "record" }');
  assert.ok(sameSchema(a, b));
});

test('sameSchema: another field, field order or type is another schema', () => {
  const a = avro('{"type":"record","name":"A","fields":[{"name":"x","type":"int"},{"name":"y","type":"int"}]}');
  assert.ok(!sameSchema(a, avro('{"type":"record","name":"A","fields":[{"name":"y","type":"int"},{"name":"x","type":"int"}]}')));
  assert.ok(!sameSchema(a, avro('{"type":"record","name":"B","fields":[{"name":"x","type":"int"},{"name":"y","type":"int"}]}')));
  assert.ok(!sameSchema(a, { ...a, schemaType: 'JSON' }));
});
