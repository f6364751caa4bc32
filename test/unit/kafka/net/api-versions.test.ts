import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Reader } from '@platformatic/kafka';
import { isKrerouteError } from '../../../../src/common/errors.ts';
import { parseApiVersions, requireApiVersion } from '../../../../src/kafka/net/api-versions.ts';

test('ApiVersions v3 answers are read with their tagged fields', () => {
  // error 0; 2 keys (compact array length 3): Produce 0–11 with one tagged field, Fetch 4–16; throttle; tags
  const body = Buffer.from([0, 0, 3, 0, 0, 0, 0, 0, 11, 1, 5, 2, 9, 9, 0, 1, 0, 4, 0, 16, 0, 0, 0, 0, 0, 0]);
  const ranges = parseApiVersions(Reader.from(body));
  assert.deepEqual(
    [...ranges],
    [
      [0, { minVersion: 0, maxVersion: 11 }],
      [1, { minVersion: 4, maxVersion: 16 }],
    ],
  );
});

test('a broker that does not know ApiVersions v3 answers UNSUPPORTED_VERSION in the v0 layout, still listing its versions', () => {
  // error 35; int32 count 1: Produce 0–8
  const body = Buffer.from([0, 35, 0, 0, 0, 1, 0, 0, 0, 0, 0, 8]);
  const ranges = parseApiVersions(Reader.from(body));
  assert.throws(
    () => requireApiVersion(ranges, 0, 9, 'b1:9092'),
    (error: unknown) => {
      assert.ok(isKrerouteError(error) && error.code === 'UNSUPPORTED');
      assert.equal(error.message, 'broker b1:9092 supports Produce versions 0 to 8; kreroute needs Produce v9');
      return true;
    },
  );
  assert.throws(() => requireApiVersion(ranges, 1, 12, 'b1:9092'), /does not support Fetch; kreroute needs Fetch v12/);
  requireApiVersion(new Map([[0, { minVersion: 3, maxVersion: 11 }]]), 0, 9, 'b1:9092');
});
