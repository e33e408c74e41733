// One measurement, in its own process (forked by bench.mjs with --expose-gc), so that
// process.cpuUsage() and RSS cover exactly one client. Receives its job as JSON in argv[2],
// sends one result message over IPC and exits. A `mode: 'body'` job is one transfer of the
// bodies section (benchmark/bodies-worker.mjs).
import { createRequire } from 'node:module'
import { readFileSync, readdirSync, readlinkSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

const require = createRequire(import.meta.url)
const job = JSON.parse(process.argv[2])
const { url, clientId, clientSecret } = job.env
const CONNECTION = 'bench'
const IDENTIFIER = 'user_1'
const PATH = '/v1/customers'

const gc = typeof globalThis.gc === 'function' ? () => { globalThis.gc(); globalThis.gc() } : () => {}
const mb = (bytes) => bytes / (1024 * 1024)

// Each factory returns an async function doing one proxied GET and resolving the parsed body's status.
const clients = {
  async native() {
    const { ScalekitClient } = require(job.nativeModule ?? '..')
    const client = new ScalekitClient(url, clientId, clientSecret)
    return async () => {
      const res = await client.actions.request({ connectionName: CONNECTION, identifier: IDENTIFIER, path: PATH })
      return check(res.status, res.data)
    }
  },
  async official() {
    const { ScalekitClient } = require('@scalekit-sdk/node')
    const client = new ScalekitClient(url, clientId, clientSecret)
    // actions.request does not fetch a token itself: fetch one first so calls carry `authorization: Bearer …`.
    await client.coreClient.authenticateClient()
    return async () => {
      const res = await client.actions.request({ connectionName: CONNECTION, identifier: IDENTIFIER, path: PATH })
      return check(res.status, res.data)
    }
  },
  async fetch() {
    const tokenRes = await fetch(`${url.replace(/\/$/, '')}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
    })
    if (tokenRes.status !== 200) throw new Error(`token endpoint answered ${tokenRes.status}: ${await tokenRes.text()}`)
    const { access_token: token } = await tokenRes.json()
    const target = `${url.replace(/\/$/, '')}/proxy${PATH}`
    const headers = { authorization: `Bearer ${token}`, connection_name: CONNECTION, identifier: IDENTIFIER }
    return async () => {
      const res = await fetch(target, { headers })
      const data = await res.json()
      return check(res.status, data)
    }
  },
}

let badBody = 0
function check(status, data) {
  // The echo upstream answers JSON { method, path, query, headers, body }: make sure it was parsed.
  if (data === null || typeof data !== 'object' || data.method !== 'GET') badBody++
  return status
}

// CPU time (user+system, clock ticks → ms) of the emulator process, to see whether it is the bottleneck.
const TICK_MS = 10 // USER_HZ is 100 on Linux
function serverCpuMs() {
  if (!job.serverPid) return NaN
  try {
    const stat = readFileSync(`/proc/${job.serverPid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS // utime, stime (fields 14 and 15)
  } catch {
    return NaN
  }
}

// The worker's established TCP connections to the server (socket inodes): the HTTPS section compares the set at
// the start and at the end of the measured window to show that every client kept its connections alive.
function serverConnections() {
  const port = Number(new URL(url).port)
  const inodes = new Set()
  try {
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))
        if (m) inodes.add(m[1])
      } catch {}
    }
    const open = new Set()
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text
      try { text = readFileSync(table, 'utf8') } catch { continue }
      for (const line of text.split('\n').slice(1)) {
        const f = line.trim().split(/\s+/)
        // f[2] remote address:port (hex), f[3] state (01 = ESTABLISHED), f[9] inode
        if (f.length > 9 && f[3] === '01' && parseInt(f[2].split(':').pop(), 16) === port && inodes.has(f[9])) open.add(f[9])
      }
    }
    return open
  } catch {
    return null
  }
}

let latencies = new Float64Array(1 << 18)
let latCount = 0
function record(ms) {
  if (latCount === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2)
    bigger.set(latencies)
    latencies = bigger
  }
  latencies[latCount++] = ms
}

// Runs `concurrency` loops until the deadline (durationMs) or until `count` calls have started.
async function drive(call, concurrency, { durationMs = Infinity, count = Infinity, recordLatency = false }) {
  const deadline = performance.now() + durationMs
  let started = 0
  let errors = 0
  let firstError
  async function loop() {
    while (started < count && performance.now() < deadline) {
      started++
      const t0 = performance.now()
      try {
        const status = await call()
        if (status !== 200) {
          errors++
          firstError ??= `status ${status}`
        }
      } catch (e) {
        errors++
        firstError ??= String(e?.message ?? e)
      }
      if (recordLatency) record(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  return { calls: started, errors, firstError }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]
}

async function main() {
  // The bodies section (benchmark/bodies.mjs): one large transfer, measured by bodies-worker.mjs.
  if (job.mode === 'body') return (await import('./bodies-worker.mjs')).runBodyJob(job)
  const call = await clients[job.client]()
  // One verified call first (and, for scalekit-native, its token fetch).
  const status = await call()
  if (status !== 200 || badBody) throw new Error(`${job.client}: first call answered ${status}${badBody ? ' with an unexpected body' : ''}`)

  if (job.mode === 'memory') {
    // bench.mjs pins V8's young generation (--min-semi-space-size = --max-semi-space-size) for this run, and the
    // warm-up is long enough to touch all of it: otherwise its growth to full size (~25 MB of RSS over the first
    // ~25 000 calls, and again after a gc shrinks it) would be counted as growth.
    await drive(call, job.concurrency, { count: job.warmupCalls })
    gc()
    const rssBefore = process.memoryUsage().rss
    const heapBefore = process.memoryUsage().heapUsed
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    let peak = rssBefore
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 100)
    // Four quarters, with RSS after a gc at each checkpoint: a plateau is not a leak, a steady slope is.
    const run = { calls: 0, errors: 0, firstError: undefined }
    const checkpoints = []
    for (let q = 1; q <= 4; q++) {
      const part = await drive(call, job.concurrency, { count: Math.round((job.calls * q) / 4) - run.calls })
      run.calls += part.calls
      run.errors += part.errors
      run.firstError ??= part.firstError
      gc()
      checkpoints.push(mb(process.memoryUsage().rss))
    }
    clearInterval(sampler)
    const cpu = process.cpuUsage(cpu0)
    const elapsedMs = performance.now() - t0
    gc()
    const mu = process.memoryUsage()
    peak = Math.max(peak, mu.rss)
    return {
      ...run,
      badBody,
      elapsedMs,
      cpuPerCallUs: (cpu.user + cpu.system) / run.calls,
      rssBeforeMb: mb(rssBefore),
      rssAfterMb: mb(mu.rss),
      rssPeakMb: mb(peak),
      checkpointsMb: checkpoints,
      heapBeforeMb: mb(heapBefore),
      heapAfterMb: mb(mu.heapUsed),
    }
  }

  // Throughput/latency run: warm-up at the same concurrency, then a fixed-duration measured run.
  await drive(call, job.concurrency, { durationMs: job.warmupMs })
  gc()
  const rssBefore = process.memoryUsage().rss
  const conn0 = job.countConnections ? serverConnections() : null
  const srv0 = serverCpuMs()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const run = await drive(call, job.concurrency, { durationMs: job.durationMs, recordLatency: true })
  const elapsedMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const srv1 = serverCpuMs()
  const conn1 = job.countConnections ? serverConnections() : null
  const rssAfter = process.memoryUsage().rss
  const sorted = latencies.subarray(0, latCount).sort()
  const cpuUs = cpu.user + cpu.system
  return {
    ...run,
    badBody,
    elapsedMs,
    rps: (run.calls / elapsedMs) * 1000,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    cpuPerCallUs: cpuUs / run.calls,
    clientCpuPct: (cpuUs / 1000 / elapsedMs) * 100,
    serverCpuPct: ((srv1 - srv0) / elapsedMs) * 100,
    rssBeforeMb: mb(rssBefore),
    rssAfterMb: mb(rssAfter),
    // Connections open at the end of the window, and how many of them were opened during it (0: all kept alive).
    connections: conn1?.size ?? NaN,
    connectionsOpened: conn0 && conn1 ? [...conn1].filter((i) => !conn0.has(i)).length : NaN,
    connectionsClosed: conn0 && conn1 ? [...conn0].filter((i) => !conn1.has(i)).length : NaN,
  }
}

main().then(
  (result) => process.send({ ok: true, result }, () => process.exit(0)),
  (e) => process.send({ ok: false, error: String(e?.stack ?? e) }, () => process.exit(1)),
)
