// SPDX-License-Identifier: GPL-3.0-or-later
// kafkajs 2.2.4 against caudald: admin (createTopics, fetchTopicMetadata,
// fetchTopicOffsets, fetchTopicOffsetsByTimestamp, deleteTopics, listTopics)
// and producer (keys, headers, partitions, acks -1 and 1, gzip, idempotent).
//
// Started by test-kafkajs.py, which runs the broker and passes:
//   BOOTSTRAP  host:port of caudald
//   MANIFEST   file to write what was produced (JSON); the Python side
//              reads it back with another client and compares.
// Prints TAP; exits non-zero when a check failed.
//
// kafkajs' consumer needs a consumer group, which caudald does not have yet
// (issue 4): testConsumerGroupReadBack() is kept for then and is only run
// with `--issue4`; it is not registered with meson.

'use strict'

const fs = require('fs')
const assert = require('assert')
const { Kafka, logLevel, CompressionTypes } = require('kafkajs')

const bootstrap = process.env.BOOTSTRAP
const manifestPath = process.env.MANIFEST
if (!bootstrap || !manifestPath) {
  console.error('BOOTSTRAP and MANIFEST must be set (run test-kafkajs.py)')
  process.exit(2)
}

const kafka = new Kafka({
  clientId: 'caudal-it-kafkajs',
  brokers: [bootstrap],
  logLevel: logLevel.WARN,
  connectionTimeout: 3000,
  requestTimeout: 10000,
  retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
})

const suffix = `${process.pid}-${Math.random().toString(16).slice(2, 10)}`
const topicName = prefix => `${prefix}-${suffix}`
// topic -> partition -> [{offset, key, value, headers}] (base64 strings)
const manifest = {}

function record (topic, partition, offset, message) {
  manifest[topic] = manifest[topic] || {}
  manifest[topic][partition] = manifest[topic][partition] || []
  const headers = Object.entries(message.headers || {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])
  manifest[topic][partition].push({
    offset,
    key: message.key == null ? null : Buffer.from(message.key).toString('base64'),
    value: message.value == null ? null : Buffer.from(message.value).toString('base64'),
    headers,
    timestamp: message.timestamp == null ? null : Number(message.timestamp),
  })
}

// -- tests -----------------------------------------------------------------

async function testAdminTopics (admin) {
  const t1 = topicName('kjs-admin')
  const t2 = topicName('kjs-admin-cfg')
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: t1, numPartitions: 3 },
      { topic: t2, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
    ],
  })
  assert.strictEqual(created, true, 'createTopics should return true for new topics')
  const again = await admin.createTopics({ topics: [{ topic: t1, numPartitions: 3 }] })
  assert.strictEqual(again, false, 'createTopics of an existing topic should return false (TOPIC_ALREADY_EXISTS)')

  const listed = await admin.listTopics()
  assert.ok(listed.includes(t1) && listed.includes(t2), `listTopics lacks new topics: ${JSON.stringify(listed)}`)

  const md = await admin.fetchTopicMetadata({ topics: [t1, t2] })
  const byName = Object.fromEntries(md.topics.map(t => [t.name, t]))
  for (const [name, count] of [[t1, 3], [t2, 1]]) {
    assert.ok(byName[name], `fetchTopicMetadata lacks ${name}`)
    const parts = byName[name].partitions.slice().sort((a, b) => a.partitionId - b.partitionId)
    assert.deepStrictEqual(parts.map(p => p.partitionId), [...Array(count).keys()], `${name} partition ids`)
    for (const p of parts) {
      assert.deepStrictEqual(
        { err: p.partitionErrorCode, leader: p.leader, replicas: p.replicas, isr: p.isr },
        { err: 0, leader: 1, replicas: [1], isr: [1] },
        `${name}[${p.partitionId}] metadata`)
    }
  }

  const offsets = await admin.fetchTopicOffsets(t1)
  assert.deepStrictEqual(
    offsets.sort((a, b) => a.partition - b.partition),
    [0, 1, 2].map(partition => ({ partition, offset: '0', high: '0', low: '0' })),
    'fetchTopicOffsets on an empty topic')

  const cfg = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: 2 /* TOPIC */, name: t2, configNames: ['retention.ms'] }],
  })
  const entries = cfg.resources[0].configEntries
  assert.deepStrictEqual(entries.map(e => [e.configName, e.configValue]), [['retention.ms', '3600000']],
    'describeConfigs retention.ms')

  await admin.deleteTopics({ topics: [t2], timeout: 5000 })
  const after = await admin.listTopics()
  assert.ok(!after.includes(t2), `${t2} still listed after deleteTopics`)
  assert.ok(after.includes(t1), `${t1} vanished after deleting ${t2}`)
}

async function testInvalidTopic (admin) {
  let error = null
  try {
    await admin.createTopics({ topics: [{ topic: 'kjs bad/name', numPartitions: 1 }] })
  } catch (e) {
    error = e
  }
  assert.ok(error, 'createTopics with an invalid name should fail')
  const types = error.errors ? error.errors.map(e => e.type) : [error.type]
  assert.deepStrictEqual(types, ['INVALID_TOPIC_EXCEPTION'], `error types (${error.message})`)
}

async function testProduceAcks (admin) {
  const topic = topicName('kjs-produce')
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2 }] })
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  try {
    const next = { 0: 0, 1: 0 }
    const ts0 = 1660000000000
    for (const acks of [-1, 1]) {
      for (let round = 0; round < 3; round++) {
        const messages = []
        for (let i = 0; i < 5; i++) {
          const partition = (round + i) % 2
          messages.push({
            partition,
            key: `key-${acks}-${round}-${i}`,
            value: Buffer.from(`value-${acks}-${round}-${i}-\u00e9\u0000end`),
            headers: { 'h-acks': String(acks), 'h-bin': Buffer.from([0, 1, 2, 255]) },
            timestamp: String(ts0 + round * 10 + i),
          })
        }
        const result = await producer.send({ topic, acks, messages })
        const perPartition = {}
        for (const r of result) perPartition[r.partition] = r
        for (const partition of [0, 1]) {
          const mine = messages.filter(m => m.partition === partition)
          if (mine.length === 0) continue
          const r = perPartition[partition]
          assert.ok(r, `no result for partition ${partition} (acks ${acks}): ${JSON.stringify(result)}`)
          assert.strictEqual(r.topicName, topic)
          assert.strictEqual(r.errorCode, 0, `errorCode (acks ${acks})`)
          assert.strictEqual(r.baseOffset, String(next[partition]), `baseOffset of partition ${partition} (acks ${acks}, round ${round})`)
          mine.forEach((m, j) => record(topic, partition, next[partition] + j, m))
          next[partition] += mine.length
        }
      }
    }
    const offsets = await admin.fetchTopicOffsets(topic)
    assert.deepStrictEqual(
      offsets.sort((a, b) => a.partition - b.partition).map(o => [o.partition, o.low, o.high]),
      [[0, '0', String(next[0])], [1, '0', String(next[1])]],
      'fetchTopicOffsets after producing')
    const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, ts0 + 20)
    assert.deepStrictEqual(
      byTime.sort((a, b) => a.partition - b.partition).map(o => [o.partition, o.offset]),
      [[0, expectedOffsetAtTime(topic, 0, ts0 + 20)], [1, expectedOffsetAtTime(topic, 1, ts0 + 20)]],
      'fetchTopicOffsetsByTimestamp')
  } finally {
    await producer.disconnect()
  }
}

function expectedOffsetAtTime (topic, partition, ts) {
  const recs = manifest[topic][partition]
  const hit = recs.find(r => r.timestamp >= ts)
  return String(hit ? hit.offset : recs.length)
}

async function testGzipAndIdempotent (admin) {
  const topic = topicName('kjs-idem')
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] })
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
  await producer.connect()
  try {
    let next = 0
    for (let batch = 0; batch < 4; batch++) {
      const messages = []
      for (let i = 0; i < 50; i++) {
        messages.push({ partition: 0, key: null, value: `idem-${batch}-${i} `.repeat(10) })
      }
      const compression = batch % 2 ? CompressionTypes.GZIP : CompressionTypes.None
      const result = await producer.send({ topic, acks: -1, compression, messages })
      assert.strictEqual(result.length, 1)
      assert.strictEqual(result[0].errorCode, 0)
      assert.strictEqual(result[0].baseOffset, String(next), `baseOffset of batch ${batch}`)
      messages.forEach((m, j) => record(topic, 0, next + j, m))
      next += messages.length
    }
  } finally {
    await producer.disconnect()
  }
}

// Issue 4 (consumer groups): read back with kafkajs' own consumer. Not run
// by default and not registered with meson until groups exist.
async function testConsumerGroupReadBack (admin) {
  const topic = topicName('kjs-group')
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] })
  const producer = kafka.producer()
  await producer.connect()
  const values = [...Array(20).keys()].map(i => `g-${i}`)
  await producer.send({ topic, acks: -1, messages: values.map(value => ({ value })) })
  await producer.disconnect()
  const consumer = kafka.consumer({ groupId: topicName('kjs-group-id') })
  await consumer.connect()
  const got = []
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out with ${got.length} of 20`)), 20000)
      consumer.run({
        eachMessage: async ({ message }) => {
          got.push(message.value.toString())
          if (got.length === values.length) { clearTimeout(timer); resolve() }
        },
      }).catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  assert.deepStrictEqual(got, values, 'values read by the group consumer')
}

// -- runner ----------------------------------------------------------------

async function main () {
  const admin = kafka.admin()
  await admin.connect()
  const tests = [testAdminTopics, testInvalidTopic, testProduceAcks, testGzipAndIdempotent]
  if (process.argv.includes('--issue4')) tests.push(testConsumerGroupReadBack)
  let failed = 0
  let n = 0
  for (const test of tests) {
    n++
    const start = Date.now()
    try {
      await Promise.race([
        test(admin),
        new Promise((resolve, reject) => setTimeout(() => reject(new Error('test timed out after 40s')), 40000).unref()),
      ])
      console.log(`ok ${n} - ${test.name} (${(Date.now() - start) / 1000}s)`)
    } catch (e) {
      failed++
      console.log(`not ok ${n} - ${test.name} (${(Date.now() - start) / 1000}s)`)
      for (const line of String(e && e.stack ? e.stack : e).split('\n')) console.log(`#   ${line}`)
      if (e && e.errors) console.log(`#   errors: ${JSON.stringify(e.errors.map(x => [x.type, x.message]))}`)
    }
  }
  await admin.disconnect()
  fs.writeFileSync(manifestPath, JSON.stringify(manifest))
  console.log(`1..${n}`)
  return failed
}

main().then(
  failed => process.exit(failed ? 1 : 0),
  e => { console.log(`not ok - setup: ${e && e.stack ? e.stack : e}`); process.exit(1) })
