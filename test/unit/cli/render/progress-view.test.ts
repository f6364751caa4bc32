import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PassThrough } from 'node:stream';
import { createProgressView } from '../../../../src/cli/render/progress.ts';
import type { EngineEvent } from '../../../../src/common/events.ts';

type ProgressEvent = Extract<EngineEvent, { type: 'progress' }>;

function lineView(): { view: ReturnType<typeof createProgressView>; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream;
  let text = '';
  (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (text += chunk.toString()));
  const view = createProgressView(stream);
  return { view, text: () => text };
}

const event: ProgressEvent = {
  type: 'progress',
  stage: 'copy',
  records: 1000,
  bytes: 1_000_000,
  totalRecords: 4000,
  ratePerSec: 250,
  bytesPerSec: 256_000,
  etaSeconds: 12,
};

test('a copy the destination throttles says so in its progress line; one it does not, does not', async () => {
  const throttled = lineView();
  throttled.view.update({ ...event, destinationThrottledMs: 4200 });
  throttled.view.stop();
  const plain = lineView();
  plain.view.update(event);
  plain.view.stop();
  await new Promise((resolve) => setImmediate(resolve));
  assert.match(throttled.text(), /, throttled by the destination: 4\.2 s so far/);
  assert.doesNotMatch(plain.text(), /throttled/);
});
