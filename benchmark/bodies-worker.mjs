// The bodies section's measurement, run inside benchmark/worker.mjs (one forked process per transfer):
// one large download or upload through the Tool Proxy by one client, timed, with the peak RSS growth
// over the RSS right before it (after a gc). Every transfer is checked (length, sampled bytes, the
// echo's byte count and SHA-256), so a client that drops or mangles bytes cannot look fast.
import { createRequire } from 'node:module'
import { readFileSync, writeFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { Readable } from 'node:stream'

const require = createRequire(import.meta.url)
const CONNECTION = 'bench'
const IDENTIFIER = 'user_1'
const OCTETS = 'application/octet-stream'
const PERIOD = 251 // byte i of every body here is i % 251, as LocalScalekit's `GET /bytes/{n}` serves it
const CHUNK = PERIOD * 261 // a streamed upload's chunk (about 64 KiB, like fs.createReadStream), phase 0 each
const WARMUP_BYTES = 1024 * 1024
const SAMPLE_MS = 2

const gc = typeof globalThis.gc === 'function' ? () => { globalThis.gc(); globalThis.gc() } : () => {}
const mb = (bytes) => bytes / (1024 * 1024)

function pattern(n) {
  const buf = Buffer.allocUnsafe(n)
  for (let i = 0; i < Math.min(n, PERIOD); i++) buf[i] = i % PERIOD
  for (let filled = Math.min(n, PERIOD); filled < n; filled *= 2) buf.copy(buf, filled, 0, Math.min(filled, n - filled))
  return buf
}

/** A streamed upload's source, as users have one: fresh chunks (as a file stream reads them), n bytes in all. */
function patternStream(n) {
  const template = pattern(CHUNK)
  async function* chunks() {
    for (let left = n; left > 0; left -= CHUNK) {
      const len = Math.min(CHUNK, left)
      const chunk = Buffer.allocUnsafe(len)
      template.copy(chunk, 0, 0, len)
      yield chunk
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 4 * CHUNK })
}

// --- checks --------------------------------------------------------------------------------------

/** Bytes at ~1000 positions spread over the body, plus the last one. */
function checkBytes(label, bytes, n) {
  if (bytes.length !== n) throw new Error(`${label}: ${bytes.length} bytes, expected ${n}`)
  const step = Math.max(1, Math.floor(n / 1000))
  for (let i = 0; i < n; i += step) {
    if (bytes[i] !== i % PERIOD) throw new Error(`${label}: byte ${i} is ${bytes[i]}, expected ${i % PERIOD}`)
  }
  if (n > 0 && bytes[n - 1] !== (n - 1) % PERIOD) throw new Error(`${label}: the last byte is wrong`)
}

/** The official SDK (axios, default responseType) decodes a binary answer as UTF-8 text: no byte of
 * this pattern starts a valid sequence above 0x7f, so each byte is one char, U+FFFD above 0x7f. */
function checkText(label, text, n) {
  if (typeof text !== 'string') throw new Error(`${label}: data is ${typeof text}, expected the text axios makes`)
  if (text.length !== n) throw new Error(`${label}: ${text.length} chars, expected ${n}`)
  const step = Math.max(1, Math.floor(n / 1000))
  for (let i = 0; i < n; i += step) {
    const b = i % PERIOD
    if (text.charCodeAt(i) !== (b < 0x80 ? b : 0xfffd)) throw new Error(`${label}: char ${i} is wrong`)
  }
}

/** A streamed download, consumed chunk by chunk: the first byte of every chunk and the total. */
async function consume(label, iterable, n) {
  let got = 0
  for await (const chunk of iterable) {
    if (chunk.length > 0 && chunk[0] !== got % PERIOD) throw new Error(`${label}: byte ${got} is ${chunk[0]}, expected ${got % PERIOD}`)
    got += chunk.length
  }
  if (got !== n) throw new Error(`${label}: ${got} bytes, expected ${n}`)
}

/** The echo's answer to an upload over 64 KiB: `{ method, bodyBytes, bodySha256 }`. */
function checkEcho(label, status, echo, n, sha256) {
  if (status !== 200) throw new Error(`${label}: status ${status}`)
  if (echo === null || typeof echo !== 'object') throw new Error(`${label}: the echo's answer did not parse (${typeof echo})`)
  if (echo.bodyBytes !== n) throw new Error(`${label}: the echo received ${echo.bodyBytes} bytes, expected ${n}`)
  if (sha256 && echo.bodySha256 !== sha256) throw new Error(`${label}: the echo's SHA-256 ${echo.bodySha256} is not the body's ${sha256}`)
}

// --- the clients -----------------------------------------------------------------------------------

// Each returns { download(n, { stream }), upload(body, n, { stream }) }, resolving once the body is fully read.
const clients = {
  async native(job) {
    const { ScalekitClient } = require(job.nativeModule)
    const client = new ScalekitClient(job.env.url, job.env.clientId, job.env.clientSecret)
    const base = { connectionName: CONNECTION, identifier: IDENTIFIER }
    return {
      async download(n, { stream }) {
        if (stream) {
          const res = await client.actions.request({ ...base, path: `/bytes/${n}`, responseType: 'stream' })
          await consume('native', res.data, n)
        } else {
          const res = await client.actions.request({ ...base, path: `/bytes/${n}`, maxResponseBytes: job.maxResponseBytes })
          return () => checkBytes('native', res.data, n)
        }
      },
      async upload(body, n, { sha256 }) {
        const res = await client.actions.request({ ...base, path: '/upload', method: 'POST', headers: { 'content-type': OCTETS }, body })
        checkEcho('native', res.status, res.data, n, sha256)
      },
    }
  },
  async official(job) {
    const { ScalekitClient } = require('@scalekit-sdk/node')
    const client = new ScalekitClient(job.env.url, job.env.clientId, job.env.clientSecret)
    // actions.request does not fetch a token itself: fetch one first so calls carry `authorization: Bearer …`.
    await client.coreClient.authenticateClient()
    const base = { connectionName: CONNECTION, identifier: IDENTIFIER }
    return {
      async download(n, { stream }) {
        if (stream) throw new Error('the official SDK has no streamed download')
        // As users call it: axios's default responseType turns the bytes into a (lossy) UTF-8 string.
        const res = await client.actions.request({ ...base, path: `/bytes/${n}` })
        return () => checkText('official', res.data, n)
      },
      async upload(body, n, { stream, sha256 }) {
        if (stream) throw new Error('the official SDK is not measured with a streamed upload')
        const res = await client.actions.request({ ...base, path: '/upload', method: 'POST', headers: { 'content-type': OCTETS }, body })
        checkEcho('official', res.status, res.data, n, sha256)
      },
    }
  },
  async fetch(job) {
    const root = job.env.url.replace(/\/$/, '')
    const tokenRes = await fetch(`${root}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: job.env.clientId, client_secret: job.env.clientSecret }).toString(),
    })
    if (tokenRes.status !== 200) throw new Error(`token endpoint answered ${tokenRes.status}: ${await tokenRes.text()}`)
    const { access_token: token } = await tokenRes.json()
    const headers = { authorization: `Bearer ${token}`, connection_name: CONNECTION, identifier: IDENTIFIER }
    return {
      async download(n, { stream }) {
        const res = await fetch(`${root}/proxy/bytes/${n}`, { headers })
        if (res.status !== 200) throw new Error(`fetch: status ${res.status}`)
        if (stream) await consume('fetch', res.body, n)
        else {
          const bytes = new Uint8Array(await res.arrayBuffer())
          return () => checkBytes('fetch', bytes, n)
        }
      },
      async upload(body, n, { stream, sha256 }) {
        const res = await fetch(`${root}/proxy/upload`, {
          method: 'POST',
          headers: { ...headers, 'content-type': OCTETS },
          body,
          // A stream needs duplex: 'half'; redirect: 'error' keeps undici from teeing it (to replay it on a
          // 307/308), which would hold the whole body in memory.
          ...(stream ? { duplex: 'half', redirect: 'error' } : {}),
        })
        checkEcho('fetch', res.status, await res.json(), n, sha256)
      },
    }
  },
}

// --- peak RSS ------------------------------------------------------------------------------------

// The kernel's high-water mark (VmHWM), reset right before the transfer (writing 5 to clear_refs,
// Linux ≥ 4.0), catches a peak the timer cannot see (the main thread busy in one synchronous copy);
// where that is unavailable, the timer's samples alone give the peak.
function resetHighWaterMark() {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    return true
  } catch {
    return false
  }
}
function highWaterMark() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
    return m ? Number(m[1]) * 1024 : NaN
  } catch {
    return NaN
  }
}

// CPU time (user + system, ms) of the emulator process: is it the limit of a transfer?
function serverCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10 // utime, stime in USER_HZ (100) ticks
  } catch {
    return NaN
  }
}

export async function runBodyJob(job) {
  const client = await clients[job.client](job)
  const { op, size, stream } = job

  // Warm-up: the same kind of transfer, small (connection, token, code paths).
  {
    const check = op === 'download'
      ? await client.download(WARMUP_BYTES, { stream })
      : await client.upload(stream ? patternStream(WARMUP_BYTES) : pattern(WARMUP_BYTES), WARMUP_BYTES, { stream })
    check?.()
  }
  // A Buffer upload's body exists before the measurement (the user has it already); a stream's is made as it goes.
  let body = op === 'upload' && !stream ? pattern(size) : undefined
  gc()
  const rssBefore = process.memoryUsage.rss()
  const hwm = resetHighWaterMark()
  let sampledPeak = rssBefore
  const timeline = []
  const t0 = performance.now()
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss()
    if (rss > sampledPeak) sampledPeak = rss
    if (job.timeline) timeline.push([Math.round(performance.now() - t0), Math.round(mb(rss - rssBefore))])
  }, SAMPLE_MS)
  // `repeat` transfers (a Buffer upload takes well under a second: one alone is mostly noise), a gc between
  // them so that each starts from the same heap; the time is their median, the peak the highest of them all.
  const times = []
  const repeat = job.repeat ?? 1
  let cpuUs = 0
  let srvMs = 0
  let check
  for (let i = 0; i < repeat; i++) {
    if (i > 0) {
      check?.()
      check = undefined
      gc()
    }
    const cpu0 = process.cpuUsage()
    const srv0 = serverCpuMs(job.serverPid)
    const t1 = performance.now()
    if (op === 'download') check = await client.download(size, { stream })
    else {
      if (stream) body = patternStream(size)
      await client.upload(body, size, { stream, sha256: job.sha256 })
    }
    times.push(performance.now() - t1)
    const cpu = process.cpuUsage(cpu0)
    cpuUs += cpu.user + cpu.system
    srvMs += serverCpuMs(job.serverPid) - srv0
  }
  clearInterval(sampler)
  const hwmPeak = hwm ? highWaterMark() : NaN
  const peak = Math.max(sampledPeak, Number.isFinite(hwmPeak) ? hwmPeak : 0)
  check?.()
  times.sort((a, b) => a - b)
  const elapsedMs = times[times.length >> 1]
  return {
    elapsedMs,
    mbPerS: mb(size) / (elapsedMs / 1000),
    cpuMs: cpuUs / 1000 / repeat,
    serverCpuMs: srvMs / repeat,
    rssBeforeMb: mb(rssBefore),
    peakGrowthMb: mb(peak - rssBefore),
    sampledPeakGrowthMb: mb(sampledPeak - rssBefore),
    highWaterMark: hwm,
    timeline: job.timeline ? timeline : undefined,
  }
}
