// `npm run bench`: the same proxied GET through scalekit-native, @scalekit-sdk/node 2.11 and bare fetch,
// against LocalScalekit running in a separate process; then large bodies (benchmark/bodies.mjs) and cold starts
// (benchmark/cold.mjs, fresh processes) against that server; then the same GET over HTTPS (benchmark/https.mjs, a
// second LocalScalekit with --tls); then a tool call through the MCP gateway against tools.executeTool
// (benchmark/mcp.mjs, a third LocalScalekit). BENCH_SECTIONS (get, https, bodies, cold, mcp; comma-separated) runs
// some of them (default: all; results.md keeps the others' last results). Each measurement runs in its own forked process
// (benchmark/worker.mjs, with --expose-gc) so that process.cpuUsage() and RSS belong to one client only.
// Writes benchmark/results.md and benchmark/throughput.svg, prints the Markdown to stdout, progress to stderr.
import { fork, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import os from 'node:os'
import { renderSvg } from './svg.mjs'
import { median, fmt, fmtMs } from './stats.mjs'
import { hasDebugInfo } from './elf.mjs'
import { BODIES_HEADING, runBodiesSection } from './bodies.mjs'
import { HTTPS_HEADING, runHttpsSection } from './https.mjs'
import { MCP_HEADING, runMcpSection, writeMcpConfig } from './mcp.mjs'
import { COLD_HEADING, runColdSection } from './cold.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')

// The package is copied to a temporary directory first, so that a rebuild of the addon while the benchmark
// runs (others may run `npm run build:debug`) cannot mix two binaries in one run. BENCH_ADDON=path/to/lib.so
// benchmarks that binary instead of the checkout's *.node; LocalScalekit still runs the checkout's, so that an
// A/B comparison of two builds has the same server (and its newer routes, such as `/bytes/{n}?chunked=1`).
function snapshotPackage(addon = process.env.BENCH_ADDON) {
  const dir = mkdtempSync(join(os.tmpdir(), 'scalekit-bench-'))
  for (const f of ['package.json', 'index.js', 'index.mjs', 'index.d.ts', 'binding.js']) {
    if (existsSync(join(root, f))) copyFileSync(join(root, f), join(dir, f))
  }
  cpSync(join(root, 'bin'), join(dir, 'bin'), { recursive: true })
  if (existsSync(join(root, 'lib'))) cpSync(join(root, 'lib'), join(dir, 'lib'), { recursive: true })
  let addons = readdirSync(root).filter((f) => f.endsWith('.node'))
  if (addon) {
    if (addons.length === 0) addons = [`scalekit-native.${process.platform}-${process.arch}-gnu.node`]
    for (const f of addons) copyFileSync(addon, join(dir, f))
  } else {
    for (const f of addons) copyFileSync(join(root, f), join(dir, f))
  }
  if (addons.length === 0) throw new Error('no *.node addon in the checkout: run `npm run build` first')
  const debug = addons.some((f) => hasDebugInfo(join(dir, f)))
  return { dir, debug, addon: addon ?? addons.join(', ') }
}
const pkg = snapshotPackage()
const serverPkg = process.env.BENCH_ADDON ? snapshotPackage(null) : pkg
process.once('exit', () => {
  for (const p of new Set([pkg, serverPkg])) rmSync(p.dir, { recursive: true, force: true })
})
const serverChildren = new Set()
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    for (const w of workers) w.kill('SIGKILL')
    for (const s of serverChildren) if (s.exitCode === null) s.kill('SIGINT')
    process.stderr.write(`\nbench: ${sig}, stopped\n`)
    process.exit(130)
  })
}
const require = createRequire(join(pkg.dir, 'index.js'))

const SECTION_NAMES = ['get', 'https', 'bodies', 'cold', 'mcp'] // also their order in results.md
const SECTIONS = (process.env.BENCH_SECTIONS ?? SECTION_NAMES.join(',')).split(',')
for (const s of SECTIONS) if (!SECTION_NAMES.includes(s)) throw new Error(`BENCH_SECTIONS: unknown section ${s} (${SECTION_NAMES.join(', ')})`)
// The HTTPS server's tokio workers: TLS costs the emulator more CPU per call, and it must not be the bottleneck.
const HTTPS_SERVER_THREADS = process.env.BENCH_HTTPS_SERVER_THREADS ?? '2'
// BENCH_CLIENTS=native,fetch and BENCH_CONCURRENCIES=64 narrow a run (for profiling); the targets need all three.
const CLIENTS = (process.env.BENCH_CLIENTS ?? 'native,official,fetch').split(',')
const LABELS = { native: 'scalekit-native', official: '@scalekit-sdk/node 2.11.0', fetch: 'bare fetch (undici)' }
const CONCURRENCIES = (process.env.BENCH_CONCURRENCIES ?? '1,16,64,256').split(',').map(Number)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 2000)
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1500)
const MEMORY_CALLS = Number(process.env.BENCH_MEMORY_CALLS ?? 100_000)
const MEMORY_CONCURRENCY = 16
const MEMORY_WARMUP_CALLS = 20_000
// V8's young generation at a fixed size (16 MB semispaces, Node 20's default maximum) so that a gc cannot shrink
// it before the baseline and its regrowth does not show up as growth.
const MEMORY_V8_FLAGS = ['--min-semi-space-size=16', '--max-semi-space-size=16']
const TIME_BUDGET_MS = 280_000 // the official SDK's memory run is skipped when it would not fit

const started = Date.now()
const loadAtStart = os.loadavg()[0]
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s`
const isTty = process.stderr.isTTY
function progress(text, done = false) {
  if (isTty) process.stderr.write(`\r\x1b[K[${elapsed()}] ${text}${done ? '\n' : ''}`)
  else if (done) process.stderr.write(`[${elapsed()}] ${text}\n`)
}

// --- LocalScalekit in its own process -----------------------------------------------------------

// `tls`: HTTPS, its CA certificate written to a file in the package snapshot (printed as NODE_EXTRA_CA_CERTS).
function startServer({ tls = false, extraArgs = [] } = {}) {
  return new Promise((resolve, reject) => {
    const args = [join(serverPkg.dir, 'bin/scalekit-local.js'), '--port', '0', '--inline-echo', ...extraArgs]
    if (tls) args.push('--tls', '--ca-file', join(serverPkg.dir, 'bench-ca.pem'))
    const child = spawn(process.execPath, args, {
      cwd: serverPkg.dir,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: tls ? { ...process.env, SCALEKIT_NATIVE_WORKER_THREADS: HTTPS_SERVER_THREADS } : process.env,
    })
    serverChildren.add(child)
    const env = {}
    let buffer = ''
    const onData = (chunk) => {
      buffer += chunk
      let nl
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim()
        buffer = buffer.slice(nl + 1)
        const m = /^export (\w+)=(.*)$/.exec(line)
        if (m) env[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2')
        if (line.startsWith('Press Ctrl-C')) {
          child.stdout.off('data', onData)
          child.stdout.resume() // keep draining (it prints one line when it stops)
          if (!env.SCALEKIT_ENV_URL) return reject(new Error('scalekit-local printed no SCALEKIT_ENV_URL'))
          if (tls && !env.NODE_EXTRA_CA_CERTS) return reject(new Error('scalekit-local --tls printed no NODE_EXTRA_CA_CERTS'))
          resolve({ child, env })
        }
      }
    }
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', onData)
    child.once('error', reject)
    child.once('exit', (code, signal) => reject(new Error(`scalekit-local exited early (${code ?? signal})`)))
  })
}

const stoppingServers = new Set()
function stopServer(child) {
  stoppingServers.add(child)
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGINT')
  })
}

// --- one measurement = one forked worker -------------------------------------------------------

const workers = new Set()

// A worker that does not report within `timeoutMs` (a call that never settles) is killed and the run fails.
// `env`: the worker's whole environment (default: this process's).
function runWorker(job, timeoutMs, execArgv = [], env = process.env) {
  const what = job.mode === 'body' ? `${job.client} ${job.stream ? 'streamed' : 'buffered'} ${job.op}` : `${job.client} c=${job.concurrency} (${job.mode})`
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'worker.mjs'), [JSON.stringify(job)], {
      execArgv: ['--expose-gc', ...execArgv],
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    workers.add(child)
    let message
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('message', (m) => { message = m })
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      workers.delete(child)
      if (message?.ok) resolve(message.result)
      else if (timedOut) reject(new Error(`worker ${what} gave no result within ${timeoutMs / 1000} s: a call never settled?`))
      else reject(new Error(`worker ${what} failed (${code ?? signal}): ${message?.error ?? 'no result'}`))
    })
  })
}

// --- formatting -----------------------------------------------------------------------------------


function machineLine(load = os.loadavg()[0]) {
  const cpu = os.cpus()
  return `Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${os.type()} ${os.release()}, Node ${process.version}; ` +
    `load average ${load.toFixed(2)} at start; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`
}

function ratioLine(ok, text) {
  return `- ${ok ? '✅' : '❌'} ${text}`
}

// --- the GET section: throughput, latency and CPU by concurrency, then memory over many calls -----

async function runGetSection(env, server) {
  const failures = []
  // results[client][concurrency] = [run per round]
  const results = Object.fromEntries(CLIENTS.map((c) => [c, Object.fromEntries(CONCURRENCIES.map((n) => [n, []]))]))
  let totalErrors = 0
  for (let round = 0; round < ROUNDS; round++) {
    for (const [ci, concurrency] of CONCURRENCIES.entries()) {
      // Round-robin: each round (and each concurrency) starts with a different client.
      const shift = (round + ci) % CLIENTS.length
      const order = [...CLIENTS.slice(shift), ...CLIENTS.slice(0, shift)]
      for (const client of order) {
        progress(`round ${round + 1}/${ROUNDS}  c=${String(concurrency).padEnd(3)}  ${client.padEnd(8)} …`)
        let r
        try {
          r = await runWorker({ mode: 'run', nativeModule: pkg.dir, client, concurrency, durationMs: DURATION_MS, warmupMs: WARMUP_MS, env, serverPid: server.pid }, DURATION_MS + WARMUP_MS + 30_000)
        } catch (e) {
          failures.push(`round ${round + 1} ${client} c=${concurrency}: ${e.message}`)
          process.stderr.write(`\n  ${e.message}\n`)
          continue
        }
        totalErrors += r.errors + r.badBody
        if (r.errors || r.badBody) process.stderr.write(`\n  ${client} c=${concurrency}: ${r.errors} errors, ${r.badBody} bad bodies (${r.firstError ?? ''})\n`)
        results[client][concurrency].push(r)
        progress(
          `round ${round + 1}/${ROUNDS}  c=${String(concurrency).padEnd(3)}  ${client.padEnd(8)} ${fmt(r.rps).padStart(7)} req/s  ` +
            `p50 ${fmtMs(r.p50Ms)} ms  p99 ${fmtMs(r.p99Ms)} ms  ${fmt(r.cpuPerCallUs, 1)} µs/call  server CPU ${fmt(r.serverCpuPct)}%`,
          !isTty,
        )
      }
    }
  }
  if (isTty) process.stderr.write('\n')

  const med = (client, c, key) => median((results[client]?.[c] ?? []).map((r) => r[key]))

  // Memory: 100 000 calls through scalekit-native (and through the official SDK when time allows).
  const memory = {}
  const memoryClients = MEMORY_CALLS > 0 ? ['native', 'official'].filter((c) => CLIENTS.includes(c)) : []
  for (const client of memoryClients) {
    if (client !== 'native') {
      const rps = med(client, MEMORY_CONCURRENCY, 'rps')
      const estimateMs = ((MEMORY_CALLS + MEMORY_WARMUP_CALLS) / rps) * 1000 + 3000
      if (!(Date.now() - started + estimateMs < TIME_BUDGET_MS)) {
        progress(`memory run: ${client} skipped (about ${fmt(estimateMs / 1000)} s would exceed the time budget)`, true)
        continue
      }
    }
    progress(`memory run: ${fmt(MEMORY_CALLS)} calls through ${client}, c=${MEMORY_CONCURRENCY}…`, !isTty)
    try {
      memory[client] = await runWorker({ mode: 'memory', nativeModule: pkg.dir, client, concurrency: MEMORY_CONCURRENCY, calls: MEMORY_CALLS, warmupCalls: MEMORY_WARMUP_CALLS, env }, 150_000, MEMORY_V8_FLAGS)
    } catch (e) {
      failures.push(`memory run ${client}: ${e.message}`)
      process.stderr.write(`\n  ${e.message}\n`)
      continue
    }
    totalErrors += memory[client].errors + memory[client].badBody
    const m = memory[client]
    progress(`memory run: ${client} RSS ${fmt(m.rssBeforeMb, 1)} → ${fmt(m.rssAfterMb, 1)} MB (peak ${fmt(m.rssPeakMb, 1)}) in ${fmt(m.elapsedMs / 1000, 1)} s`, true)
  }

  const sectionS = (Date.now() - started) / 1000

  // --- report --------------------------------------------------------------------------------
  const cpu = os.cpus()
  const lines = []
  lines.push('## Benchmark: proxied GET `/v1/customers`')
  lines.push('')
  lines.push(machineLine(loadAtStart))
  lines.push(`Server: LocalScalekit (\`node bin/scalekit-local.js --port 0 --inline-echo\`, separate process), Tool Proxy → built-in echo answered in-process (no second HTTP hop, so the server is not the bottleneck). ` +
    `Each cell: median of ${ROUNDS} rounds (clients alternated), ${DURATION_MS / 1000} s measured after ${WARMUP_MS / 1000} s warm-up, each run in a fresh process.`)
  if (pkg.debug) lines.push('', `**Warning: the addon was a debug build (${pkg.addon}); these numbers are not representative.**`)
  lines.push('')
  lines.push('| client | concurrency | req/s | p50 ms | p99 ms | client CPU µs/call | client CPU % | server CPU % | RSS before → after MB |')
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const client of CLIENTS) {
    for (const c of CONCURRENCIES) {
      lines.push(`| ${LABELS[client]} | ${c} | ${fmt(med(client, c, 'rps'))} | ${fmtMs(med(client, c, 'p50Ms'))} | ${fmtMs(med(client, c, 'p99Ms'))} | ` +
        `${fmt(med(client, c, 'cpuPerCallUs'), 1)} | ${fmt(med(client, c, 'clientCpuPct'))} | ${fmt(med(client, c, 'serverCpuPct'))} | ` +
        `${fmt(med(client, c, 'rssBeforeMb'), 1)} → ${fmt(med(client, c, 'rssAfterMb'), 1)} |`)
    }
  }
  lines.push('')
  lines.push('CPU % is of one core (whole process, all threads; 100% = one core busy); server CPU is the emulator process during the same window.')
  lines.push('')
  lines.push('### Memory')
  lines.push('')
  lines.push(`Each: ${fmt(MEMORY_WARMUP_CALLS)} warm-up calls, gc, then ${fmt(MEMORY_CALLS)} calls in quarters with a gc at each checkpoint; V8 flags \`${MEMORY_V8_FLAGS.join(' ')}\` (young generation at its full default size from the start, so its warm-up is not counted as growth).`)
  lines.push('')
  lines.push('| client | calls | concurrency | RSS before (after warm-up + gc) MB | RSS after (gc) MB | growth MB | RSS at ¼, ½, ¾, all (gc) MB | peak MB | heap used before → after MB | time s |')
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const client of memoryClients) {
    const m = memory[client]
    if (!m) {
      lines.push(`| ${LABELS[client]} | ${failures.some((f) => f.startsWith(`memory run ${client}:`)) ? 'failed (see below)' : 'skipped (time budget)'} | | | | | | | | |`)
      continue
    }
    lines.push(`| ${LABELS[client]} | ${fmt(m.calls)} | ${MEMORY_CONCURRENCY} | ${fmt(m.rssBeforeMb, 1)} | ${fmt(m.rssAfterMb, 1)} | ` +
      `${fmt(m.rssAfterMb - m.rssBeforeMb, 1)} | ${m.checkpointsMb.map((x) => fmt(x, 1)).join(', ')} | ${fmt(m.rssPeakMb, 1)} | ${fmt(m.heapBeforeMb, 1)} → ${fmt(m.heapAfterMb, 1)} | ${fmt(m.elapsedMs / 1000, 1)} |`)
  }
  lines.push('')
  lines.push('### Targets (issue 6)')
  lines.push('')
  const cpuN = med('native', 64, 'cpuPerCallUs')
  const cpuO = med('official', 64, 'cpuPerCallUs')
  const cpuF = med('fetch', 64, 'cpuPerCallUs')
  const rpsN = med('native', 64, 'rps')
  const rpsO = med('official', 64, 'rps')
  const p99N = med('native', 1, 'p99Ms')
  const p99F = med('fetch', 1, 'p99Ms')
  const growth = memory.native ? memory.native.rssAfterMb - memory.native.rssBeforeMb : NaN
  lines.push(ratioLine(cpuN <= cpuO / 7, `client CPU/call at c=64 ≤ 1/7 of the official SDK's: ${fmt(cpuN, 1)} µs vs ${fmt(cpuO, 1)} µs = 1/${fmt(cpuO / cpuN, 1)}`))
  lines.push(ratioLine(cpuN <= cpuF / 5, `client CPU/call at c=64 ≤ 1/5 of bare fetch's: ${fmt(cpuN, 1)} µs vs ${fmt(cpuF, 1)} µs = 1/${fmt(cpuF / cpuN, 1)}`))
  lines.push(ratioLine(rpsN >= rpsO * 5, `throughput at c=64 ≥ 5× the official SDK's: ${fmt(rpsN)} vs ${fmt(rpsO)} req/s = ${fmt(rpsN / rpsO, 2)}×`))
  lines.push(ratioLine(p99N <= p99F / 2, `p99 latency at c=1 ≤ ½ of bare fetch's: ${fmtMs(p99N)} ms vs ${fmtMs(p99F)} ms = ${fmt(p99N / p99F, 2)}×`))
  lines.push(ratioLine(growth < 20, `RSS growth over ${fmt(MEMORY_CALLS)} calls < 20 MB: ${fmt(growth, 1)} MB`))
  lines.push('')
  lines.push('### Targets (speed)')
  lines.push('')
  lines.push(ratioLine(cpuN <= 16, `client CPU/call at c=64 ≤ 16 µs: ${fmt(cpuN, 1)} µs`))
  lines.push(ratioLine(cpuN <= cpuO / 20, `client CPU/call at c=64 ≤ 1/20 of the official SDK's: ${fmt(cpuN, 1)} µs vs ${fmt(cpuO, 1)} µs = 1/${fmt(cpuO / cpuN, 1)}`))
  lines.push(ratioLine(cpuN <= cpuF / 15, `client CPU/call at c=64 ≤ 1/15 of bare fetch's: ${fmt(cpuN, 1)} µs vs ${fmt(cpuF, 1)} µs = 1/${fmt(cpuF / cpuN, 1)}`))
  lines.push(ratioLine(rpsN >= rpsO * 10, `throughput at c=64 ≥ 10× the official SDK's: ${fmt(rpsN)} vs ${fmt(rpsO)} req/s = ${fmt(rpsN / rpsO, 2)}×`))
  lines.push('')
  // Is the emulator (or the machine) the limit? At c=64: the emulator's CPU, and client + emulator against the cores.
  const srvN = med('native', 64, 'serverCpuPct')
  const cliN = med('native', 64, 'clientCpuPct')
  if (srvN >= 80 || cliN + srvN >= cpu.length * 100 * 0.85) {
    lines.push(`Note: at c=64 scalekit-native's run kept the emulator at ${fmt(srvN)}% of a core (${fmt((srvN / 100) * 1e6 / rpsN, 1)} µs of emulator CPU per call) ` +
      `while the client used ${fmt(cliN)}%: together ${fmt(cliN + srvN)}% of the ${cpu.length * 100}% this machine has, so native throughput at c ≥ 16 is bounded by the ` +
      `emulator sharing the cores, not by the client; the throughput ratio understates the client's, the CPU-per-call figures are not affected.`)
    lines.push('')
  }
  if (failures.length) lines.push('Failed runs (left out of the medians):', '', ...failures.map((f) => `- ${f}`), '')
  if (totalErrors) lines.push(`Errors or unexpected bodies during the runs: ${totalErrors} (see stderr).`, '')
  lines.push(`Section time: ${fmt(sectionS)} s. Chart: [throughput.svg](throughput.svg).`)
  const markdown = lines.join('\n') + '\n'
  const svg = renderSvg({
    title: 'Proxied GET throughput by concurrency (median req/s)',
    subtitle: `${cpu[0]?.model ?? ''}, ${cpu.length} cores, Node ${process.version}`,
    xs: CONCURRENCIES,
    series: CLIENTS.map((c) => ({ label: LABELS[c], values: CONCURRENCIES.map((n) => med(c, n, 'rps')) })),
  })
  return { markdown, svg }
}

// --- main ----------------------------------------------------------------------------------------

// Starts a LocalScalekit (HTTP, or HTTPS with `tls`) and activates its connected account bench/user_1: gets the
// magic link and follows it as the user's browser would. Resolves { server, env, caFile }.
async function prepareServer({ tls = false } = {}) {
  const what = `node bin/scalekit-local.js --port 0 --inline-echo${tls ? ` --tls (SCALEKIT_NATIVE_WORKER_THREADS=${HTTPS_SERVER_THREADS})` : ''}`
  progress(`starting LocalScalekit (${what})…`, true)
  const { child: server, env: serverEnv } = await startServer({ tls })
  server.once('exit', (code, signal) => {
    if (!stoppingServers.has(server)) process.stderr.write(`\nbench: LocalScalekit (pid ${server.pid}) exited unexpectedly (${code ?? signal})\n`)
  })
  const env = {
    url: serverEnv.SCALEKIT_ENV_URL,
    clientId: serverEnv.SCALEKIT_CLIENT_ID,
    clientSecret: serverEnv.SCALEKIT_CLIENT_SECRET,
  }
  const caFile = tls ? serverEnv.NODE_EXTRA_CA_CERTS : undefined
  if (tls && !env.url.startsWith('https://')) throw new Error(`scalekit-local --tls printed ${env.url}`)
  // This process did not start with NODE_EXTRA_CA_CERTS: the CA is given to the client and to the link's GET.
  const ca = tls ? readFileSync(caFile, 'utf8') : undefined
  const { ScalekitClient } = require(pkg.dir)
  const client = new ScalekitClient(env.url, env.clientId, env.clientSecret, tls ? { ca } : {})
  const { link } = await client.actions.getAuthorizationLink({ connectionName: 'bench', identifier: 'user_1' })
  if (tls) await httpsGet(link, ca)
  else await (await fetch(link)).arrayBuffer()
  const check = await client.actions.request({ connectionName: 'bench', identifier: 'user_1', path: '/v1/customers' })
  if (check.status !== 200) throw new Error(`activation failed: proxied GET answered ${check.status}`)
  progress(`LocalScalekit at ${env.url} (pid ${server.pid}); account bench/user_1 is ACTIVE`, true)
  return { server, env, caFile }
}

async function httpsGet(url, ca) {
  const https = await import('node:https')
  return new Promise((resolve, reject) => {
    https.get(url, { ca, agent: false }, (res) => {
      res.resume()
      res.once('end', () => (res.statusCode < 400 ? resolve() : reject(new Error(`${url}: ${res.statusCode}`))))
    }).once('error', reject)
  })
}

// results.md holds the sections in SECTION_NAMES order, each starting at its heading; returns the previous text of each.
const HEADINGS = { get: '## Benchmark: proxied GET `/v1/customers`', https: HTTPS_HEADING, bodies: BODIES_HEADING, cold: COLD_HEADING, mcp: MCP_HEADING }
function previousSections(text) {
  const starts = SECTION_NAMES.map((name) => ({ name, at: text.indexOf(HEADINGS[name]) })).filter((s) => s.at >= 0).sort((a, b) => a.at - b.at)
  return Object.fromEntries(starts.map((s, k) => [s.name, text.slice(s.at, starts[k + 1]?.at ?? text.length)]))
}

async function main() {
  if (pkg.debug) {
    process.stderr.write(`WARNING: the addon (${pkg.addon}) is a debug build (it has .debug_info): numbers are not representative. Run \`npm run build\` first.\n`)
  }
  const running = []
  const cleanup = () => { for (const s of running) if (s.exitCode === null) s.kill('SIGINT') }
  process.once('exit', cleanup)
  try {
    const sections = {}
    let svg
    if (SECTIONS.includes('get') || SECTIONS.includes('bodies') || SECTIONS.includes('cold')) {
      const { server, env } = await prepareServer()
      running.push(server)
      if (SECTIONS.includes('get')) ({ markdown: sections.get, svg } = await runGetSection(env, server))
      if (SECTIONS.includes('bodies')) {
        sections.bodies = await runBodiesSection({
          runWorker, nativeModule: pkg.dir, env, serverPid: server.pid, clients: CLIENTS, labels: LABELS, progress, machine: machineLine(), debug: pkg.debug && pkg.addon,
        })
      }
      if (SECTIONS.includes('cold')) {
        sections.cold = await runColdSection({
          nativeModule: pkg.dir, root, env, clients: CLIENTS, labels: LABELS, progress, machine: machineLine(), debug: pkg.debug && pkg.addon,
        })
      }
      await stopServer(server)
    }
    if (SECTIONS.includes('https')) {
      const load = os.loadavg()[0]
      const { server, env, caFile } = await prepareServer({ tls: true })
      running.push(server)
      sections.https = await runHttpsSection({
        runWorker, nativeModule: pkg.dir, env, serverPid: server.pid, caFile, serverThreads: HTTPS_SERVER_THREADS, clients: CLIENTS, labels: LABELS,
        rounds: ROUNDS, durationMs: DURATION_MS, warmupMs: WARMUP_MS, progress, machine: machineLine(load), debug: pkg.debug && pkg.addon,
        ratioLine, cores: os.cpus().length,
      })
      await stopServer(server)
    }
    if (SECTIONS.includes('mcp')) {
      const { child: server, env: serverEnv } = await startServer({ extraArgs: ['--config', writeMcpConfig(pkg.dir)] })
      running.push(server)
      const env = { url: serverEnv.SCALEKIT_ENV_URL, clientId: serverEnv.SCALEKIT_CLIENT_ID, clientSecret: serverEnv.SCALEKIT_CLIENT_SECRET }
      sections.mcp = await runMcpSection({ nativeModule: pkg.dir, env, serverPid: server.pid, progress, machine: machineLine() })
      await stopServer(server)
    }
    const totalS = (Date.now() - started) / 1000

    // A run of some sections keeps the others' last results.
    const file = join(here, 'results.md')
    const kept = previousSections(existsSync(file) ? readFileSync(file, 'utf8') : '')
    const parts = SECTION_NAMES.map((name) => (sections[name] ?? kept[name] ?? '').trim())
    writeFileSync(file, parts.filter(Boolean).join('\n\n') + '\n')
    if (svg) writeFileSync(join(here, 'throughput.svg'), svg)
    process.stdout.write(SECTION_NAMES.filter((n) => sections[n]).map((n) => sections[n]).join('\n'))
    progress(`done in ${fmt(totalS)} s: benchmark/results.md${svg ? ', benchmark/throughput.svg' : ''}`, true)
  } finally {
    for (const s of running) await stopServer(s)
    process.off('exit', cleanup)
    for (const p of new Set([pkg, serverPkg])) rmSync(p.dir, { recursive: true, force: true })
  }
}

main().catch((e) => {
  process.stderr.write(`\nbench failed: ${e?.stack ?? e}\n`)
  process.exitCode = 1
})
