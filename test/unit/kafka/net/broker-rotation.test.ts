import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BrokerRotation } from '../../../../src/kafka/net/broker-rotation.ts';

function connectorWithDown(down: Set<number>): { connect: (nodeId: number) => Promise<string>; tried: number[] } {
  const tried: number[] = [];
  return {
    tried,
    connect: async (nodeId) => {
      tried.push(nodeId);
      if (down.has(nodeId)) throw new Error(`broker ${nodeId} is down`);
      return `connection to ${nodeId}`;
    },
  };
}

test('the first broker of the metadata being down, the next one answers', async () => {
  const rotation = new BrokerRotation();
  const { connect, tried } = connectorWithDown(new Set([1]));
  assert.equal(await rotation.first([1, 2, 3], connect), 'connection to 2');
  assert.deepEqual(tried, [1, 2]);
});

test('each look-up starts after the broker used last, so a retry goes elsewhere', async () => {
  const rotation = new BrokerRotation();
  const { connect } = connectorWithDown(new Set());
  const used = [];
  for (let i = 0; i < 4; i++) used.push(await rotation.first([1, 2, 3], connect));
  assert.deepEqual(used, ['connection to 1', 'connection to 2', 'connection to 3', 'connection to 1']);
});

test('with every broker down the look-up fails with the last error, after trying each once', async () => {
  const rotation = new BrokerRotation();
  const { connect, tried } = connectorWithDown(new Set([1, 2, 3]));
  await assert.rejects(rotation.first([1, 2, 3], connect), /broker 3 is down/);
  assert.deepEqual(tried, [1, 2, 3]);
});
