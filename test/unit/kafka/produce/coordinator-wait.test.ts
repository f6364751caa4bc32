// A transaction coordinator that is not there yet (a fresh cluster creating __transaction_state)
// is told as one "waiting for …" line, again at most every 5 s, never as a failed retry.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import test from 'node:test';
import { Output } from '../../../../src/cli/render/output.ts';
import { retryEvent } from '../../../../src/common/events.ts';
import { CoordinatorWait } from '../../../../src/kafka/produce/coordinator-wait.ts';

function waitAt(times: number[]): { wait: CoordinatorWait; told: string[] } {
  const told: string[] = [];
  let i = 0;
  const wait = new CoordinatorWait(
    'destination b:9092',
    (m) => told.push(m),
    () => times[i++] ?? Number.NaN,
  );
  return { wait, told };
}

test('one line when the wait begins, then one every 5 s while the answers say the coordinator is not there', () => {
  // Answers as a fresh cluster gives them: retries after 0.2, 0.4, 0.8, 1.6, 3.2, 5 s.
  const at = [0, 200, 600, 1400, 3000, 6200, 11_200];
  const { wait, told } = waitAt(at);
  wait.answered(['COORDINATOR_NOT_AVAILABLE']);
  wait.answered(['NOT_COORDINATOR']);
  wait.answered(['NOT_COORDINATOR', 'NOT_COORDINATOR']);
  wait.answered(['NOT_COORDINATOR']);
  wait.answered(['COORDINATOR_LOAD_IN_PROGRESS']);
  wait.answered(['COORDINATOR_LOAD_IN_PROGRESS']);
  wait.answered(['COORDINATOR_LOAD_IN_PROGRESS']);
  assert.deepEqual(told, [
    'waiting for the transaction coordinator of destination b:9092 (a fresh cluster creates it on first use): COORDINATOR_NOT_AVAILABLE (0 s)',
    'waiting for the transaction coordinator of destination b:9092 (a fresh cluster creates it on first use): COORDINATOR_LOAD_IN_PROGRESS (6 s)',
    'waiting for the transaction coordinator of destination b:9092 (a fresh cluster creates it on first use): COORDINATOR_LOAD_IN_PROGRESS (11 s)',
  ]);
});

test('only the answers of a coordinator that is not there count as this wait', () => {
  assert.equal(CoordinatorWait.isNotThere(['COORDINATOR_NOT_AVAILABLE']), true);
  assert.equal(CoordinatorWait.isNotThere(['NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS']), true);
  assert.equal(CoordinatorWait.isNotThere(['NOT_COORDINATOR', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']), false);
  assert.equal(CoordinatorWait.isNotThere(['CONCURRENT_TRANSACTIONS']), false);
  assert.equal(CoordinatorWait.isNotThere([]), false, 'a broken connection is a retry, not this wait');
});

test('the line is rendered as a wait on stderr and, with --json, as a retry event without a code (not counted as a retry)', async () => {
  const capture = () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (d: Buffer) => (text += d.toString()));
    return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
  };
  const { wait, told } = waitAt([0]);
  wait.answered(['COORDINATOR_NOT_AVAILABLE']);
  const event = retryEvent(told[0]!);
  assert.deepEqual(Object.keys(event).sort(), ['message', 'type']);
  const [stdout, stderr, json] = [capture(), capture(), capture()];
  new Output({ stdout: stdout.stream, stderr: stderr.stream }).event(event);
  const jsonOut = new Output({ stdout: json.stream, stderr: capture().stream });
  jsonOut.configure({ json: true });
  jsonOut.event(event);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(stderr.text(), `${told[0]}\n`);
  assert.doesNotMatch(stderr.text(), /retrying|failed/);
  const { time: _time, ...line } = JSON.parse(json.text()) as { time: string };
  assert.deepEqual(line, { type: 'retry', message: told[0] });
});
