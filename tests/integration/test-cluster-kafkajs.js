// SPDX-License-Identifier: GPL-3.0-or-later
// kafkajs 2.2.4 against a 3-broker Caudal cluster while brokers fail: an
// idempotent producer (acks -1, maxInFlightRequests 1) sends unique values
// to every partition of an RF 3 topic, a consumer group member consumes and
// commits, and everything acknowledged or consumed goes into a JSON
// manifest that test-cluster-kafkajs.py judges.
//
// Started (and told what to do) by test-cluster-kafkajs.py through the
// environment: BOOTSTRAP (comma-separated host:port), TOPIC, GROUP,
// PARTITIONS, STATUS (a JSON file rewritten every 100 ms with counts, for
// the python side to wait on), STOP (a file whose appearance stops the
// producer), MANIFEST (written at the end). Prints "# ..." lines; exits 0
// when the manifest was written, 1 when it could not run at all.

'use strict'

const fs = require('fs')
const { Kafka, logLevel, Partitioners } = require('kafkajs')

const env = name => {
  const v = process.env[name]
  if (!v) {
    console.log(`not ok - setup: ${name} must be set (run test-cluster-kafkajs.py)`)
    process.exit(1)
  }
  return v
}
const brokers = env('BOOTSTRAP').split(',')
const topic = env('TOPIC')
const groupId = env('GROUP')
const partitions = Number(env('PARTITIONS'))
const statusPath = env('STATUS')
const stopPath = env('STOP')
const manifestPath = env('MANIFEST')
const INTERVAL_MS = 20           // pause between two sends of one partition's loop
const DRAIN_MS = 30000           // how long the consumer may take to catch up at the end
const COMMIT_WAIT_MS = 15000     // and its last commit to cover what it processed

const t0 = Date.now()
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))
const since = () => ((Date.now() - t0) / 1000).toFixed(2)

// kafkajs' own warnings and errors go to stderr with a time stamp (the
// python side prints the tail when something failed); counted by message.
const logCounts = {}
const logCreator = () => ({ namespace, level, log }) => {
  const { message, timestamp, logger, ...extra } = log
  const key = `${namespace}: ${message}`
  logCounts[key] = (logCounts[key] || 0) + 1
  process.stderr.write(`${since()} ${level === logLevel.ERROR ? 'ERROR' : 'WARN'} [${namespace}] ${message} ${JSON.stringify(extra)}\n`)
}

const kafka = new Kafka({
  clientId: 'caudal-it-kjs-cluster',
  brokers,
  logLevel: logLevel.WARN,
  logCreator,
  connectionTimeout: 3000,
  requestTimeout: 10000,
  retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
})

const state = {
  sends: [],        // [seq, partition, value]: every send() started
  acked: [],        // [partition, offset, value, seq]: every send() kafkajs resolved
  failed: [],       // [partition, value, seq, error]: every send() kafkajs rejected
  events: [],       // in order: ['m', partition, offset, value] consumed, ['join', memberId],
  //                   ['commit', {partition: offset}] once the coordinator acknowledged it
  consumedValues: new Set(),
  ackedCount: Array(partitions).fill(0),
  commits: 0,
  committedSeen: {},   // partition -> offset of the last acknowledged commit
  maxProcessed: {},    // partition -> highest offset eachMessage returned for
  crashes: [],
  joins: 0,
  phase: 'starting',
}

function writeStatus () {
  const status = {
    phase: state.phase,
    time: since(),
    sent: state.sends.length,
    acked: state.ackedCount,
    failed: state.failed.length,
    consumed: state.events.filter(e => e[0] === 'm').length,
    consumedDistinct: state.consumedValues.size,
    joins: state.joins,
    commits: state.commits,
    crashes: state.crashes.length,
  }
  fs.writeFileSync(statusPath + '.tmp', JSON.stringify(status))
  fs.renameSync(statusPath + '.tmp', statusPath)
}

let seq = 0

async function sendOne (producer, p) {
  const n = seq++
  const value = `kjs-${n}-p${p}`
  state.sends.push([n, p, value])
  try {
    const res = await producer.send({
      topic,
      acks: -1,
      timeout: 10000,
      messages: [{ key: `key-${p}-${n}`, value, partition: p }],
    })
    const meta = res.find(r => r.topicName === topic && r.partition === p)
    if (!meta || meta.errorCode !== 0) throw new Error(`send answered ${JSON.stringify(res)}`)
    state.acked.push([p, Number(meta.baseOffset), value, n])
    state.ackedCount[p]++
  } catch (e) {
    state.failed.push([p, value, n, `${e.name}: ${e.message}`])
    console.log(`# ${since()}s send of ${value} failed: ${e.name}: ${e.message}`)
  }
}

async function producerLoop (producer, p) {
  while (!fs.existsSync(stopPath)) {
    await sendOne(producer, p)
    await sleep(INTERVAL_MS)
  }
}

async function waitFor (predicate, ms, what) {
  const deadline = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > deadline) return `timed out after ${ms}ms waiting for ${what()}`
    await sleep(50)
  }
  return null
}

async function main () {
  const statusTimer = setInterval(writeStatus, 100)
  const admin = kafka.admin()
  await admin.connect()
  const created = await admin.createTopics({
    waitForLeaders: true,
    timeout: 20000,
    topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }],
  })
  console.log(`# ${since()}s createTopics ${topic}: ${created}`)

  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 10000,
    rebalanceTimeout: 15000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 200,
    // kafkajs keeps its member's heartbeats and commits on the coordinator
    // it joined through: when that broker dies they fail (connection
    // refused) until these retries run out; the consumer then crashes,
    // restarts on its own and finds the new coordinator. Few retries keep
    // that short.
    retry: { retries: 6, initialRetryTime: 100, maxRetryTime: 1000 },
  })
  consumer.on(consumer.events.GROUP_JOIN, e => {
    state.joins++
    state.events.push(['join', e.payload.memberId])
    console.log(`# ${since()}s consumer joined: member ${e.payload.memberId}, assignment ${JSON.stringify(e.payload.memberAssignment)}`)
  })
  consumer.on(consumer.events.CRASH, e => {
    state.crashes.push(`${e.payload.error && e.payload.error.name}: ${e.payload.error && e.payload.error.message} (restart ${e.payload.restart})`)
    console.log(`# ${since()}s consumer crashed: ${state.crashes[state.crashes.length - 1]}`)
  })
  consumer.on(consumer.events.COMMIT_OFFSETS, e => {
    state.commits++
    const offsets = {}
    for (const t of e.payload.topics) {
      if (t.topic !== topic) continue
      for (const { partition, offset } of t.partitions) {
        state.committedSeen[partition] = Number(offset)
        offsets[partition] = Number(offset)
      }
    }
    state.events.push(['commit', offsets])
  })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const offset = Number(message.offset)
      const value = message.value.toString()
      state.events.push(['m', partition, offset, value])
      state.consumedValues.add(value)
      if (!(state.maxProcessed[partition] >= offset)) state.maxProcessed[partition] = offset
    },
  })

  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 60, initialRetryTime: 100, maxRetryTime: 1000 },
  })
  await producer.connect()
  // One send first: it fetches the producer id, which concurrent first
  // sends would each fetch for themselves.
  await sendOne(producer, 0)
  state.phase = 'producing'
  console.log(`# ${since()}s producing`)
  await Promise.all([...Array(partitions).keys()].map(p => producerLoop(producer, p)))
  await producer.disconnect()
  state.phase = 'draining'
  console.log(`# ${since()}s producer stopped: ${state.sends.length} sent, ${state.acked.length} acknowledged, ${state.failed.length} failed`)

  const ackedValues = state.acked.map(a => a[2])
  const drain = await waitFor(() => ackedValues.every(v => state.consumedValues.has(v)), DRAIN_MS,
    () => `the group to consume every acknowledged value (missing ${ackedValues.filter(v => !state.consumedValues.has(v)).slice(0, 5)})`)
  // kafkajs commits after each batch: wait for the commit covering the
  // last record processed in every partition.
  const commitWait = drain || await waitFor(() => Object.entries(state.maxProcessed).every(
    ([p, off]) => state.committedSeen[p] >= off + 1), COMMIT_WAIT_MS,
  () => `commits covering the processed offsets (processed ${JSON.stringify(state.maxProcessed)}, committed ${JSON.stringify(state.committedSeen)})`)
  const maxProcessed = { ...state.maxProcessed }
  await sleep(500)        // anything consumed later is a late duplicate, recorded too
  await consumer.disconnect()
  state.phase = 'checking'
  let fetched = null
  let fetchError = null
  try {
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] })
    fetched = {}
    for (const t of offsets) {
      if (t.topic !== topic) continue
      for (const { partition, offset } of t.partitions) fetched[partition] = Number(offset)
    }
  } catch (e) {
    fetchError = `${e.name}: ${e.message}`
  }
  await admin.disconnect()
  clearInterval(statusTimer)
  state.phase = 'done'
  writeStatus()
  fs.writeFileSync(manifestPath, JSON.stringify({
    topic,
    group: groupId,
    sends: state.sends,
    acked: state.acked,
    failed: state.failed,
    events: state.events,
    drainError: drain,
    commitWaitError: commitWait,
    maxProcessedBeforeFinalCommit: maxProcessed,
    committedSeen: state.committedSeen,
    commits: state.commits,
    fetchedOffsets: fetched,
    fetchError,
    crashes: state.crashes,
    joins: state.joins,
    logCounts,
  }))
  console.log(`# ${since()}s manifest written: ${state.events.length} consumer events, ${state.commits} commits, ${state.joins} joins, ${state.crashes.length} crashes`)
}

main().then(
  () => process.exit(0),
  e => {
    console.log(`not ok - setup: ${e && e.stack ? e.stack : e}`)
    try { writeStatus() } catch (_) {}
    process.exit(1)
  })
