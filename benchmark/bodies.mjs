// The bodies section of `npm run bench` (issue 11): large downloads and uploads through LocalScalekit's
// Tool Proxy (the same server as the GET section), one transfer per forked worker, timed, with peak RSS
// growth. `BENCH_SECTIONS=bodies npm run bench` runs only this section.
import { createHash } from 'node:crypto'

import { median, fmt } from './stats.mjs'

export const BODIES_HEADING = '## Benchmark: large bodies'
const MiB = 1024 * 1024
const PERIOD = 251 // byte i of every body is i % 251 (LocalScalekit's `GET /bytes/{n}`, and the uploads)

const BUFFERED_BYTES = Number(process.env.BENCH_BODY_MB ?? 256) * MiB
const STREAMED_BYTES = Number(process.env.BENCH_STREAM_MB ?? 1024) * MiB
// Three rounds; the Buffer uploads take well under a second each, which on a shared machine is mostly noise:
// five rounds of three uploads each (per round the median of three; the medians' median in the table).
const ROUNDS = Number(process.env.BENCH_BODY_ROUNDS ?? 3)
const SHORT_ROUNDS = Number(process.env.BENCH_BODY_ROUNDS ?? 5)
const SHORT_REPEAT = 3
// BENCH_BODY_TRANSFERS=buffered-upload,streamed-download narrows the section (for profiling); the targets need all four.
const ONLY = process.env.BENCH_BODY_TRANSFERS?.split(',')
// Prints each transfer's RSS growth over time (ms, MB) to stderr: to see what holds the memory.
const TIMELINE = process.env.BENCH_BODY_TIMELINE === '1'
// scalekit-native's default limit for a buffered answer is 128 MiB: the 256 MiB download raises it.
const MAX_RESPONSE_BYTES = BUFFERED_BYTES + 44 * MiB

const sizeLabel = (bytes) => (bytes >= 1024 * MiB ? `${bytes / (1024 * MiB)} GiB` : `${bytes / MiB} MiB`)

const TRANSFERS = [
  { key: 'buffered-download', op: 'download', stream: false, size: BUFFERED_BYTES, clients: ['native', 'official', 'fetch'],
    label: `${sizeLabel(BUFFERED_BYTES)} buffered download` },
  // The same bytes without a content-length (chunked): the client cannot size its buffer up front.
  { key: 'buffered-download-chunked', op: 'download', stream: false, chunked: true, size: BUFFERED_BYTES, clients: ['native', 'official', 'fetch'],
    label: `${sizeLabel(BUFFERED_BYTES)} buffered download, unknown length` },
  { key: 'buffered-upload', op: 'upload', stream: false, size: BUFFERED_BYTES, clients: ['native', 'official', 'fetch'], rounds: SHORT_ROUNDS, repeat: SHORT_REPEAT,
    label: `${sizeLabel(BUFFERED_BYTES)} Buffer upload` },
  { key: 'streamed-download', op: 'download', stream: true, size: STREAMED_BYTES, clients: ['native', 'fetch'],
    label: `${sizeLabel(STREAMED_BYTES)} streamed download` },
  { key: 'streamed-upload', op: 'upload', stream: true, size: STREAMED_BYTES, clients: ['native', 'fetch'],
    label: `${sizeLabel(STREAMED_BYTES)} streamed upload` },
]

const HOW = {
  'buffered-download': {
    native: `\`actions.request({ path: '/bytes/n', maxResponseBytes: ${MAX_RESPONSE_BYTES / MiB} MiB })\` → \`data\` a Buffer`,
    official: "`actions.request({ path: '/bytes/n' })` as users call it → `data` a string (axios's default responseType: UTF-8 text)",
    fetch: '`await (await fetch(…)).arrayBuffer()`',
  },
  'buffered-download-chunked': {
    native: "as above, `path: '/bytes/n?chunked=1'` (no content-length)",
    official: "as above, `path: '/bytes/n?chunked=1'`",
    fetch: 'as above, `/bytes/n?chunked=1`',
  },
  'buffered-upload': {
    native: '`body: buffer`',
    official: '`body: buffer`',
    fetch: '`body: buffer`',
  },
  'streamed-download': {
    native: "`responseType: 'stream'`, `for await (const chunk of res.data)`",
    fetch: '`for await (const chunk of res.body)`',
  },
  'streamed-upload': {
    native: '`body: readable`',
    // Without redirect: 'error', undici's fetch tees a stream body (to replay it on a 307/308) and the
    // unread branch holds all of it: +1 GB of RSS for 1 GiB. The reference is fetch at its best.
    fetch: "`body: readable, duplex: 'half', redirect: 'error'`",
  },
}

/** SHA-256 of the first `n` bytes of the pattern, for each n in `sizes` (one pass). */
export function patternDigests(sizes) {
  const block = Buffer.alloc(PERIOD * 4096)
  for (let i = 0; i < block.length; i++) block[i] = i % PERIOD
  const wanted = [...new Set(sizes)].sort((a, b) => a - b)
  const hash = createHash('sha256')
  const digests = {}
  let pos = 0
  for (const n of wanted) {
    while (pos < n) {
      const phase = pos % block.length // a multiple of PERIOD's phase: block is whole periods
      const len = Math.min(block.length - phase, n - pos)
      hash.update(block.subarray(phase, phase + len))
      pos += len
    }
    digests[n] = hash.copy().digest('hex')
  }
  return digests
}


/**
 * Runs the section; returns its Markdown (a heading, the table, the targets).
 * `ctx`: { runWorker(job, timeoutMs), nativeModule, env, serverPid, clients, labels, progress(text, done), machine, debug }
 */
export async function runBodiesSection(ctx) {
  const started = Date.now()
  const failures = []
  const transfers = TRANSFERS.filter((t) => ONLY === undefined || ONLY.includes(t.key))
    .map((t) => ({ ...t, clients: t.clients.filter((c) => ctx.clients.includes(c)) }))
  ctx.progress(`bodies: SHA-256 of the upload bodies…`, !process.stderr.isTTY)
  const digests = patternDigests([BUFFERED_BYTES, STREAMED_BYTES])
  // results[key][client] = [result per round]
  const results = Object.fromEntries(transfers.map((t) => [t.key, Object.fromEntries(t.clients.map((c) => [c, []]))]))
  const rounds = Math.max(...transfers.map((t) => t.rounds ?? ROUNDS))
  for (let round = 0; round < rounds; round++) {
    for (const [ti, t] of transfers.entries()) {
      if (round >= (t.rounds ?? ROUNDS)) continue
      // Each round (and each transfer) starts with a different client.
      const shift = (round + ti) % t.clients.length
      const order = [...t.clients.slice(shift), ...t.clients.slice(0, shift)]
      for (const client of order) {
        ctx.progress(`bodies round ${round + 1}/${t.rounds ?? ROUNDS}  ${t.label}  ${client} …`)
        const job = {
          mode: 'body', client, op: t.op, stream: t.stream, chunked: t.chunked, size: t.size, nativeModule: ctx.nativeModule, env: ctx.env,
          serverPid: ctx.serverPid, maxResponseBytes: MAX_RESPONSE_BYTES, timeline: TIMELINE, repeat: t.repeat,
          sha256: t.op === 'upload' ? digests[t.size] : undefined,
        }
        let r
        try {
          // A transfer slower than 10 MB/s (plus start-up) counts as hung.
          r = await ctx.runWorker(job, 30_000 + (t.repeat ?? 1) * (t.size / (10 * MiB)) * 1000)
        } catch (e) {
          failures.push(`bodies round ${round + 1} ${t.label} ${client}: ${e.message}`)
          process.stderr.write(`\n  ${e.message}\n`)
          continue
        }
        results[t.key][client].push(r)
        ctx.progress(`bodies round ${round + 1}/${t.rounds ?? ROUNDS}  ${t.label}  ${client.padEnd(8)} ${fmt(r.elapsedMs / 1000, 2)} s  ` +
          `${fmt(r.mbPerS)} MiB/s  peak RSS +${fmt(r.peakGrowthMb)} MB (2 ms samples: +${fmt(r.sampledPeakGrowthMb)})  client CPU ${fmt(r.cpuMs / 1000, 2)} s  server CPU ${fmt(r.serverCpuMs / 1000, 2)} s`, !process.stderr.isTTY)
        if (TIMELINE && r.timeline) {
          process.stderr.write(`\n  RSS growth timeline (ms:MB) ${t.key} ${client}: ${r.timeline.filter((_, i) => i % 10 === 0).map(([ms, m]) => `${ms}:${m}`).join(' ')}\n`)
        }
      }
    }
  }
  if (process.stderr.isTTY) process.stderr.write('\n')

  const med = (key, client, field) => median((results[key]?.[client] ?? []).map((r) => r[field]))
  const lines = []
  lines.push(BODIES_HEADING)
  lines.push('')
  lines.push(ctx.machine)
  if (ctx.debug) lines.push('', `**Warning: the addon was a debug build (${ctx.debug}); these numbers are not representative.**`)
  lines.push(`Server: LocalScalekit (\`node bin/scalekit-local.js --port 0 --inline-echo\`, separate process; in a full run the GET section's). One transfer per fresh process (after a 1 MiB warm-up transfer of the same kind and a gc); ` +
    `each cell the median of ${ROUNDS} rounds, clients alternated (Buffer uploads: ${SHORT_ROUNDS} rounds of ${SHORT_REPEAT} uploads in one process, ` +
    `a gc between them; time the median of the rounds' medians, peak over all ${SHORT_REPEAT}; client and server CPU per upload). Time: from the call to the last byte read (downloads) or to the echo's answer (uploads). ` +
    `Peak RSS growth: the highest RSS during the transfer (kernel high-water mark VmHWM, reset right before it, and \`process.memoryUsage.rss()\` every 2 ms) ` +
    `minus the RSS right before it, after a gc (a Buffer upload's body already allocated). Downloads: \`GET /proxy/bytes/{n}\` (with a content-length; ` +
    `\`?chunked=1\`: the same bytes chunked, without one); uploads: \`POST\` of ` +
    `\`application/octet-stream\`; LocalScalekit's echo counts and hashes what arrives and every transfer is checked (length, sampled bytes, the echo's byte count and SHA-256). ` +
    `Streamed uploads: a Node Readable of fresh ~64 KiB chunks (as a file stream reads them).`)
  lines.push('')
  lines.push('| transfer | client | how | time s (min–max) | MiB/s | client CPU s | server CPU s | peak RSS growth MB (min–max) | 2 ms samples only MB | RSS before MB |')
  lines.push('|---|---|---|---:|---:|---:|---:|---:|---:|---:|')
  const range = (key, client, field, scale = 1, digits = 0) => {
    const xs = (results[key]?.[client] ?? []).map((r) => r[field] * scale)
    if (xs.length < 2) return ''
    return ` (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`
  }
  for (const t of transfers) {
    for (const client of t.clients) {
      lines.push(`| ${t.label} | ${ctx.labels[client]} | ${HOW[t.key][client]} | ${fmt(med(t.key, client, 'elapsedMs') / 1000, 2)}${range(t.key, client, 'elapsedMs', 1 / 1000, 2)} | ` +
        `${fmt(med(t.key, client, 'mbPerS'))} | ${fmt(med(t.key, client, 'cpuMs') / 1000, 2)} | ${fmt(med(t.key, client, 'serverCpuMs') / 1000, 2)} | ` +
        `${fmt(med(t.key, client, 'peakGrowthMb'))}${range(t.key, client, 'peakGrowthMb')} | ${fmt(med(t.key, client, 'sampledPeakGrowthMb'))} | ` +
        `${fmt(med(t.key, client, 'rssBeforeMb'))} |`)
    }
  }
  lines.push('')
  lines.push('The 2 ms samples alone can miss a peak reached inside one synchronous step (a concatenation or a decoding of the whole body, ' +
    'during which no timer runs): the high-water mark is the figure the targets use.')
  lines.push('')
  lines.push("fetch's streamed upload passes `redirect: 'error'`: with the default (`'follow'`) undici tees a stream body to be able to replay it on a 307/308, " +
    'and the unread branch holds all of it (peak RSS growth about the whole body, +1 GB for 1 GiB); the reference is fetch at its best.')
  lines.push('')
  lines.push('### Targets (issue 11)')
  lines.push('')
  const check = (ok, text) => lines.push(`- ${ok ? '✅' : '❌'} ${text}`)
  const timeVs = (key, other, factor, otherLabel) => {
    if (!transfers.some((t) => t.key === key)) return
    const n = med(key, 'native', 'elapsedMs')
    const o = med(key, other, 'elapsedMs')
    check(n <= o * factor, `${transfers.find((t) => t.key === key).label}: time ≤ ${factor}× ${otherLabel}'s: ${fmt(n / 1000, 2)} s vs ${fmt(o / 1000, 2)} s = ${fmt(n / o, 2)}×`)
  }
  const growth = (key, limitMb, text) => {
    if (!transfers.some((t) => t.key === key)) return
    const g = med(key, 'native', 'peakGrowthMb')
    check(g <= limitMb, `${transfers.find((t) => t.key === key).label}: peak RSS growth ${text}: ${fmt(g)} MB`)
  }
  const bodyMb = BUFFERED_BYTES / MiB
  timeVs('buffered-download', 'official', 1.2, 'the official SDK')
  growth('buffered-download', 1.25 * bodyMb, `≤ 1.25× the body (${fmt(1.25 * bodyMb)} MB)`)
  timeVs('buffered-download-chunked', 'official', 1.2, 'the official SDK')
  growth('buffered-download-chunked', 1.25 * bodyMb, `≤ 1.25× the body (${fmt(1.25 * bodyMb)} MB)`)
  timeVs('buffered-upload', 'official', 1.2, 'the official SDK')
  growth('buffered-upload', 64, '≤ 64 MB')
  timeVs('streamed-download', 'fetch', 1.5, 'fetch')
  growth('streamed-download', 200 - 1e-9, '< 200 MB')
  timeVs('streamed-upload', 'fetch', 1.5, 'fetch')
  growth('streamed-upload', 200 - 1e-9, '< 200 MB')
  lines.push('')
  if (failures.length) lines.push('Failed runs (left out of the medians):', '', ...failures.map((f) => `- ${f}`), '')
  lines.push(`MB = MiB (2^20 bytes). Section time: ${fmt((Date.now() - started) / 1000)} s.`)
  return lines.join('\n') + '\n'
}
