import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import '../../../src/cli/lazy-validators.ts';

const schema = { type: 'object', properties: { timeout: { type: 'integer', minimum: 0 } }, required: ['timeout'], additionalProperties: false };

test('a validator compiled on first use accepts and rejects as before, with the same errors', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const validate = ajv.compile(schema);
  assert.equal(validate({ timeout: 5 }), true);
  assert.equal(validate.errors, null);
  assert.equal(validate({ timeout: -1, extra: 1 }), false);
  assert.equal(ajv.errorsText(validate.errors), 'data must NOT have additional properties, data/timeout must be >= 0');
  assert.equal(validate({ timeout: 1 }), true);
  assert.equal(validate.errors, null);
});

test('compiling is deferred: a bad schema fails at its first use, not when compiled', () => {
  const ajv = new Ajv2020({ strict: true });
  const validate = ajv.compile({ type: 'no-such-type' });
  assert.throws(() => validate({}), /type/);
});
