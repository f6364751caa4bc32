import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAbOptions } from '../../../bench/ab/options.ts';

test('bench:ab takes variants as NAME=DIR with environment settings, the first the reference', () => {
  const options = parseAbOptions(['--variant', 'base=../old', '--variant', 'tuned=.,MALLOC_ARENA_MAX=1,NODE_OPTIONS=--max-semi-space-size=8']);
  assert.ok(options !== 'help');
  assert.deepEqual(options.variants, [
    { name: 'base', tree: '../old', env: {} },
    { name: 'tuned', tree: '.', env: { MALLOC_ARENA_MAX: '1', NODE_OPTIONS: '--max-semi-space-size=8' } },
  ]);
  assert.deepEqual(options.profiles, ['1kib']);
  assert.equal(options.rounds, 8);
});

test('bench:ab refuses fewer than two variants, a name given twice, a malformed variant, an unknown profile', () => {
  assert.throws(() => parseAbOptions(['--variant', 'a=.']), /at least two builds/);
  assert.throws(() => parseAbOptions(['--variant', 'a=.', '--variant', 'a=../old']), /"a" is given twice/);
  assert.throws(() => parseAbOptions(['--variant', '=.', '--variant', 'b=.']), /is not NAME=DIR/);
  assert.throws(() => parseAbOptions(['--variant', 'a=.,NOEQUALS', '--variant', 'b=.']), /"NOEQUALS" is not ENV=VALUE/);
  assert.throws(() => parseAbOptions(['--variant', 'a=.', '--variant', 'b=.', '--profiles', 'huge']), /--profiles: unknown huge/);
  assert.throws(() => parseAbOptions(['--variant', 'a=.', '--variant', 'b=.', '--rounds', '0']), /--rounds: "0"/);
});
