// SPDX-License-Identifier: GPL-3.0-or-later
// kafkajs 2.2.4 consumer groups against caudald's group coordinator: a
// two-member group with eachMessage, admin.describeGroups, admin.listGroups,
// admin.fetchOffsets after commits, admin.resetOffsets (earliest) on the
// empty group and a new member re-reading from the beginning.
//
// Started by test-groups-kafkajs.py, which runs the broker and passes
// BOOTSTRAP (host:port of caudald). Prints TAP; exits non-zero when a
// check failed.

'use strict'

const assert = require('assert')
const { Kafka, logLevel, AssignerProtocol } = require('kafkajs')

const bootstrap = process.env.BOOTSTRAP
if (!bootstrap) {
  console.error('BOOTSTRAP must be set (run test-groups-kafkajs.py)')
  process.exit(2)
}

const kafka = new Kafka({
  clientId: 'caudal-it-kjs-groups',
  brokers: [bootstrap],
  logLevel: logLevel.ERROR,
  connectionTimeout: 3000,
  requestTimeout: 10000,
  retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
})

const suffix = `${process.pid}-${Math.random().toString(16).slice(2, 10)}`
const topic = `kjs-grp-${suffix}`
const groupId = `kjs-group-${suffix}`
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))


async function waitFor (predicate, ms, what) {
  const deadline = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms}ms waiting for ${what}`)
    await sleep(50)
  }
}

function newMember (clientId, fromBeginning) {
  const k = new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: logLevel.ERROR,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  })
  const consumer = k.consumer({ groupId, sessionTimeout: 6000, rebalanceTimeout: 10000, heartbeatInterval: 300, maxWaitTimeInMs: 200 })
  const member = { clientId, consumer, records: [], assignment: null, crashed: null }
  consumer.on(consumer.events.GROUP_JOIN, e => {
    member.assignment = (e.payload.memberAssignment[topic] || []).slice().sort()
  })
  consumer.on(consumer.events.CRASH, e => { member.crashed = e.payload.error })
  member.start = async () => {
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning })
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        member.records.push({ partition, offset: Number(message.offset), value: message.value.toString() })
      },
    })
  }
  return member
}

function byPartition (records) {
  const result = {}
  for (const r of records) (result[r.partition] = result[r.partition] || []).push([r.offset, r.value])
  for (const p of Object.keys(result)) result[p].sort((a, b) => a[0] - b[0])
  return result
}

const state = { members: [], sent: { 0: [], 1: [] } }

async function produce (counts, tag) {
  const producer = kafka.producer()
  await producer.connect()
  try {
    for (const [p, n] of Object.entries(counts)) {
      const messages = [...Array(n).keys()].map(i => ({ partition: Number(p), value: `${tag}-p${p}-${i}` }))
      await producer.send({ topic, acks: -1, messages })
      state.sent[p].push(...messages.map(m => m.value))
    }
  } finally {
    await producer.disconnect()
  }
}

// -- tests -----------------------------------------------------------------

async function testTwoMembersEachMessage (admin) {
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2 }] })
  await produce({ 0: 4, 1: 3 }, 'early')
  const a = newMember('kjs-member-a', true)
  state.members.push(a)
  await a.start()
  await waitFor(() => a.records.length === 7, 20000, 'member a alone to read the first 7 records')
  const b = newMember('kjs-member-b', true)
  state.members.push(b)
  await b.start()
  await waitFor(() => a.assignment && b.assignment && a.assignment.length === 1 && b.assignment.length === 1 &&
                a.assignment[0] !== b.assignment[0], 30000,
  `one partition each (a ${JSON.stringify(a.assignment)}, b ${JSON.stringify(b.assignment)})`)
  for (const m of state.members) assert.strictEqual(m.crashed, null, `${m.clientId} crashed: ${m.crashed}`)

  await produce({ 0: 20, 1: 12 }, 'late')
  await waitFor(() => a.records.length + b.records.length >= 39, 20000, '39 records across the group')
  await sleep(500)
  const got = byPartition([...a.records, ...b.records])
  for (const p of [0, 1]) {
    assert.deepStrictEqual(got[p], state.sent[p].map((v, i) => [i, v]), `records of partition ${p} across the group`)
  }
  // b joined after the first 7 records were consumed: it only ever saw its own partition.
  assert.deepStrictEqual([...new Set(b.records.map(r => r.partition))], b.assignment, 'partitions b received records from')
}

async function testDescribeGroupsLive (admin) {
  const { groups } = await admin.describeGroups([groupId])
  assert.strictEqual(groups.length, 1, 'describeGroups results')
  const g = groups[0]
  assert.deepStrictEqual([g.groupId, g.errorCode, g.state, g.protocolType, g.protocol],
    [groupId, 0, 'Stable', 'consumer', 'RoundRobinAssigner'], 'described group')
  const members = g.members.slice().sort((x, y) => x.clientId.localeCompare(y.clientId))
  assert.deepStrictEqual(members.map(m => [m.clientId, m.clientHost]),
    [['kjs-member-a', '/127.0.0.1'], ['kjs-member-b', '/127.0.0.1']], 'described members (client id, host)')
  for (const [m, local] of members.map((m, i) => [m, state.members[i]])) {
    assert.ok(m.memberId.startsWith(m.clientId + '-'), `member id ${m.memberId} should start with the client id`)
    const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment)
    assert.deepStrictEqual(assignment.assignment, { [topic]: local.assignment }, `described assignment of ${m.clientId}`)
    const metadata = AssignerProtocol.MemberMetadata.decode(m.memberMetadata)
    assert.deepStrictEqual(metadata.topics, [topic], `described subscription of ${m.clientId}`)
  }
}

async function testListGroups (admin) {
  const { groups } = await admin.listGroups()
  const mine = groups.filter(g => g.groupId === groupId)
  assert.deepStrictEqual(mine, [{ groupId, protocolType: 'consumer' }], 'listGroups entry of the live group')
}

async function testFetchOffsetsAfterCommit (admin) {
  // disconnect() commits what eachMessage resolved, then leaves the group.
  for (const m of state.members) await m.consumer.disconnect()
  state.members = []
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] })
  assert.strictEqual(offsets.length, 1, 'fetchOffsets topics')
  assert.strictEqual(offsets[0].topic, topic)
  const parts = offsets[0].partitions.slice().sort((x, y) => x.partition - y.partition)
  assert.deepStrictEqual(parts, [{ partition: 0, offset: '24', metadata: null }, { partition: 1, offset: '15', metadata: null }],
    'fetchOffsets after the members committed and left')
  const { groups } = await admin.describeGroups([groupId])
  assert.deepStrictEqual([groups[0].state, groups[0].members], ['Empty', []], 'group state after both members left')
  {
    const listed = (await admin.listGroups()).groups.filter(g => g.groupId === groupId)
    assert.deepStrictEqual(listed, [{ groupId, protocolType: 'consumer' }], 'listGroups entry of the empty group')
  }
}

async function testResetOffsetsEarliest (admin) {
  await admin.resetOffsets({ groupId, topic, earliest: true })
  // kafkajs commits the logical offset -2 (earliest) as is.
  let offsets = await admin.fetchOffsets({ groupId, topics: [topic] })
  assert.deepStrictEqual(offsets[0].partitions.slice().sort((x, y) => x.partition - y.partition).map(p => [p.partition, p.offset]),
    [[0, '-2'], [1, '-2']], 'fetchOffsets after resetOffsets earliest')
  // resolveOffsets: -2 becomes the low watermark and is committed.
  offsets = await admin.fetchOffsets({ groupId, topics: [topic], resolveOffsets: true })
  assert.deepStrictEqual(offsets[0].partitions.slice().sort((x, y) => x.partition - y.partition).map(p => [p.partition, p.offset]),
    [[0, '0'], [1, '0']], 'fetchOffsets with resolveOffsets after resetOffsets earliest')
  offsets = await admin.fetchOffsets({ groupId, topics: [topic] })
  assert.deepStrictEqual(offsets[0].partitions.slice().sort((x, y) => x.partition - y.partition).map(p => [p.partition, p.offset]),
    [[0, '0'], [1, '0']], 'fetchOffsets after the resolved offsets were committed')

  // fromBeginning false: only the committed offsets make it start at 0.
  const c = newMember('kjs-member-c', false)
  state.members.push(c)
  await c.start()
  await waitFor(() => c.records.length >= 39, 30000, `the new member to re-read 39 records (has ${c.records.length})`)
  await sleep(500)
  const got = byPartition(c.records)
  for (const p of [0, 1]) {
    assert.deepStrictEqual(got[p], state.sent[p].map((v, i) => [i, v]), `records of partition ${p} re-read after the reset`)
  }
  await c.consumer.disconnect()
  state.members = []
}

// -- runner ----------------------------------------------------------------

async function main () {
  const admin = kafka.admin()
  await admin.connect()
  const tests = [testTwoMembersEachMessage, testDescribeGroupsLive, testListGroups,
    testFetchOffsetsAfterCommit, testResetOffsetsEarliest]
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
  for (const m of state.members) await m.consumer.disconnect().catch(() => {})
  await admin.disconnect()
  console.log(`1..${n}`)
  return failed
}

main().then(
  failed => process.exit(failed ? 1 : 0),
  e => { console.log(`not ok - setup: ${e && e.stack ? e.stack : e}`); process.exit(1) })
