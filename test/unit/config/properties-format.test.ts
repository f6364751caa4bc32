import assert from 'node:assert/strict';
import test from 'node:test';
import { PropertiesSyntaxError, parseClientProperties, parseProperties } from '../../../src/config/properties-format.ts';

const asObject = (text: string) => Object.fromEntries(parseProperties(text).map((e) => [e.key, e.value]));

test('key=value, key: value and key value', () => {
  assert.deepEqual(asObject('a=1\nb: 2\nc 3\nd\t=\t4\ne   :five'), { a: '1', b: '2', c: '3', d: '4', e: 'five' });
});

test('comments with # and ! and blank lines are skipped', () => {
  assert.deepEqual(asObject('# comment\n  ! another\n\n   \nkey=value\n'), { key: 'value' });
});

test('a value keeps = and : after the separator', () => {
  assert.deepEqual(asObject('url=http://host:8080/a=b'), { url: 'http://host:8080/a=b' });
});

test('a key without value is empty', () => {
  assert.deepEqual(asObject('ssl.endpoint.identification.algorithm=\nflag'), { 'ssl.endpoint.identification.algorithm': '', flag: '' });
});

test('backslash continuation joins lines and drops leading blanks of the next', () => {
  const text = 'sasl.jaas.config=org.Module required \\\n    username="u" \\\n    password="p";\nnext=1';
  assert.deepEqual(asObject(text), { 'sasl.jaas.config': 'org.Module required username="u" password="p";', next: '1' });
});

test('an even number of trailing backslashes does not continue the line', () => {
  assert.deepEqual(asObject('path=C:\\\\dir\\\\\nother=2'), { path: 'C:\\dir\\', other: '2' });
});

test('a comment line ending in a backslash does not continue', () => {
  assert.deepEqual(asObject('# comment \\\nkey=value'), { key: 'value' });
});

test('a continued line may start with # without being a comment', () => {
  assert.deepEqual(asObject('key=a\\\n#b'), { key: 'a#b' });
});

test('escapes: \\t \\n \\uXXXX, escaped separators in keys, other escaped chars', () => {
  assert.deepEqual(asObject('my\\=key\\:x=v\\tw\\nz\nu=\\u00e9t\\u00E9\nq=\\q\\#'), { 'my=key:x': 'v\tw\nz', u: 'été', q: 'q#' });
});

test('CRLF and CR line ends, and a BOM', () => {
  assert.deepEqual(asObject('\uFEFFa=1\r\nb=2\rc=3'), { a: '1', b: '2', c: '3' });
});

test('a repeated key keeps its last value and line', () => {
  const entries = parseProperties('a=1\nb=2\na=3');
  assert.deepEqual(
    entries.find((e) => e.key === 'a'),
    { key: 'a', value: '3', line: 3 },
  );
});

test('entries know their starting line', () => {
  const entries = parseProperties('# c\n\na=1\nb=x\\\n  y\nc=2');
  assert.deepEqual(
    entries.map((e) => [e.key, e.line]),
    [
      ['a', 3],
      ['b', 4],
      ['c', 6],
    ],
  );
});

test('a malformed \\u escape is a syntax error with its line', () => {
  assert.throws(
    () => parseProperties('a=1\nb=\\u12'),
    (error: unknown) => error instanceof PropertiesSyntaxError && error.line === 2,
  );
});

test('client properties: every line key=value, key: value or key value, with a Kafka key', () => {
  assert.deepEqual(
    parseClientProperties('a.b=1\nc-d: 2\ne_f 3\nssl.keystore.key=-----BEGIN PRIVATE KEY----- \\\n  MIIB \\\n  -----END PRIVATE KEY-----\n').map((e) => e.key),
    ['a.b', 'c-d', 'e_f', 'ssl.keystore.key'],
  );
  const refusedAt = (text: string, line: number) =>
    assert.throws(
      () => parseClientProperties(text),
      (error: unknown) => error instanceof PropertiesSyntaxError && error.line === line && !error.message.includes('hunter2'),
    );
  refusedAt('a=1\nhunter2\n', 2);
  refusedAt('a=1\n\n-----BEGIN PRIVATE KEY-----\nMIIEvhunter2\n', 3);
  refusedAt('{\n  "private_key": "hunter2"\n}\n', 1);
  refusedAt('a=1\n"password": "hunter2"\n', 2);
  refusedAt('1abc=hunter2\n', 1);
  // Java's parser takes all of these: kreroute's strictness is its own.
  assert.equal(parseProperties('hunter2\n-----BEGIN X-----\n').length, 2);
});
