// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Drives kafkajs 2.2.4 (tests/clients/node_modules) against BOOTSTRAP.
//
// Usage: node kafkajs-capture.js BOOTSTRAP
//
// 1. producer: for each codec (none, gzip: the codecs kafkajs has built in)
//    3 records k1..k3 = "caudal fixture CODEC n", header h=v, to topic
//    fx-kjs-CODEC;
// 2. consumer in group caudal-fx-kjs with eachMessage over both topics,
//    checks the payloads, stays ~1.5 s for heartbeats, disconnects;
// 3. admin: fetchTopicMetadata and listTopics.
// Everything is bounded by timers; the capture script also runs this under
// timeout(1).

'use strict';

const path = require('path');
const { createRequire } = require('module');

const clientsRequire = createRequire(
  path.resolve(__dirname, '..', '..', 'clients', 'package.json'));
const { Kafka, CompressionTypes, logLevel, Partitioners } =
  clientsRequire('kafkajs');

const GROUP = 'caudal-fx-kjs';
const PREFIX = 'fx-kjs-';
const CODECS = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP };

function expected (codec) {
  return [1, 2, 3].map((n) => ({
    key: `k${n}`,
    value: `caudal fixture ${codec} ${n}`,
    headers: { h: 'v' }
  }));
}

function sleep (ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout (what, ms, promise) {
  let timer;
  const limit = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out`)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function produce (kafka) {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner
  });
  await producer.connect();
  for (const [codec, compression] of Object.entries(CODECS)) {
    await producer.send({
      topic: PREFIX + codec,
      compression,
      messages: expected(codec)
    });
  }
  await producer.disconnect();
}

async function consume (kafka) {
  const topics = Object.keys(CODECS).map((c) => PREFIX + c);
  const got = Object.fromEntries(topics.map((t) => [t, []]));
  const consumer = kafka.consumer({
    groupId: GROUP,
    heartbeatInterval: 500,
    sessionTimeout: 10000,
    maxWaitTimeInMs: 200
  });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let done;
  const all = new Promise((resolve) => { done = resolve; });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      got[topic].push({
        key: message.key.toString(),
        value: message.value.toString(),
        headers: Object.fromEntries(Object.entries(message.headers)
          .map(([k, v]) => [k, v.toString()]))
      });
      if (topics.every((t) => got[t].length >= 3)) done();
    }
  });
  await withTimeout('consume', 30000, all);
  // Stay in the group a little so heartbeats and a commit go out.
  await sleep(1500);
  await consumer.disconnect();
  for (const t of topics) {
    const want = JSON.stringify(expected(t.slice(PREFIX.length)));
    if (JSON.stringify(got[t]) !== want) {
      throw new Error(`${t}: got ${JSON.stringify(got[t])}, want ${want}`);
    }
  }
}

async function admin (kafka) {
  const a = kafka.admin();
  await a.connect();
  const topics = Object.keys(CODECS).map((c) => PREFIX + c);
  const md = await a.fetchTopicMetadata({ topics });
  if (md.topics.length !== topics.length) {
    throw new Error(`fetchTopicMetadata: ${JSON.stringify(md)}`);
  }
  await a.listTopics();
  await a.disconnect();
}

async function main () {
  const bootstrap = process.argv[2];
  if (!bootstrap) {
    console.error('usage: node kafkajs-capture.js BOOTSTRAP');
    process.exit(2);
  }
  const kafka = new Kafka({
    clientId: 'kafkajs',
    brokers: [bootstrap],
    logLevel: logLevel.WARN,
    connectionTimeout: 5000,
    requestTimeout: 10000,
    retry: { retries: 3 }
  });
  await withTimeout('produce', 30000, produce(kafka));
  await withTimeout('consume', 45000, consume(kafka));
  await withTimeout('admin', 20000, admin(kafka));
}

main().then(() => process.exit(0), (err) => {
  console.error(`kafkajs-capture: ${err.stack || err}`);
  process.exit(1);
});
