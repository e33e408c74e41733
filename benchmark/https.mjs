// The HTTPS section of `npm run bench` (issue 12): the GET section's proxied GET over TLS with keep-alive, for
// the three clients, at c=64, against LocalScalekit started with `--tls` in its own process (HTTP/1.1 and HTTP/2
// by ALPN on one port, a certificate from its own CA). Every worker trusts that CA through NODE_EXTRA_CA_CERTS
// in its environment (Node reads it at startup; scalekit-native when the client is created); no client gets a
// custom agent: Node 20's https.globalAgent (axios's default) and undici's global dispatcher keep connections
// alive by default, and each run counts its connections to show it. `BENCH_SECTIONS=https npm run bench` runs
// only this section.

import { median, fmt, fmtMs } from './stats.mjs'

export const HTTPS_HEADING = '## Benchmark: proxied GET over HTTPS'

const CONCURRENCY = 64

/**
 * `ctx`: { runWorker(job, timeoutMs, execArgv, env), nativeModule, env, serverPid, caFile, serverThreads, clients,
 * labels, rounds, durationMs, warmupMs, progress(text, done), machine, debug, ratioLine, cores }
 */
export async function runHttpsSection(ctx) {
  const { clients, labels, rounds, durationMs, warmupMs, progress, ratioLine } = ctx
  const started = Date.now()
  const failures = []
  const results = Object.fromEntries(clients.map((c) => [c, []]))
  let totalErrors = 0
  const workerEnv = { ...process.env, NODE_EXTRA_CA_CERTS: ctx.caFile }
  for (let round = 0; round < rounds; round++) {
    // Round-robin: each round starts with a different client.
    const shift = round % clients.length
    for (const client of [...clients.slice(shift), ...clients.slice(0, shift)]) {
      progress(`https round ${round + 1}/${rounds}  c=${CONCURRENCY}  ${client.padEnd(8)} …`)
      let r
      try {
        r = await ctx.runWorker(
          { mode: 'run', nativeModule: ctx.nativeModule, client, concurrency: CONCURRENCY, durationMs, warmupMs, env: ctx.env, serverPid: ctx.serverPid, countConnections: true },
          durationMs + warmupMs + 30_000, [], workerEnv,
        )
      } catch (e) {
        failures.push(`round ${round + 1} ${client}: ${e.message}`)
        process.stderr.write(`\n  ${e.message}\n`)
        continue
      }
      totalErrors += r.errors + r.badBody
      if (r.errors || r.badBody) process.stderr.write(`\n  https ${client}: ${r.errors} errors, ${r.badBody} bad bodies (${r.firstError ?? ''})\n`)
      results[client].push(r)
      progress(
        `https round ${round + 1}/${rounds}  c=${CONCURRENCY}  ${client.padEnd(8)} ${fmt(r.rps).padStart(7)} req/s  p50 ${fmtMs(r.p50Ms)} ms  ` +
          `${fmt(r.cpuPerCallUs, 1)} µs/call  client CPU ${fmt(r.clientCpuPct)}%  server CPU ${fmt(r.serverCpuPct)}%  ` +
          `${r.connections} connections (${r.connectionsOpened} opened, ${r.connectionsClosed} closed in the window)`,
        true,
      )
    }
  }

  const med = (client, key) => median((results[client] ?? []).map((r) => r[key]))
  const range = (client, key) => {
    const xs = results[client].map((r) => r[key]).filter(Number.isFinite)
    return xs.length ? `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}` : 'n/a'
  }
  const lines = []
  lines.push(HTTPS_HEADING)
  lines.push('')
  lines.push(ctx.machine)
  lines.push(`Server: LocalScalekit over HTTPS (\`node bin/scalekit-local.js --tls --ca-file … --port 0 --inline-echo\`, separate process, ` +
    `SCALEKIT_NATIVE_WORKER_THREADS=${ctx.serverThreads}; HTTP/1.1 and HTTP/2 by ALPN on one port), Tool Proxy → built-in echo answered in-process. ` +
    `Clients trust its CA through NODE_EXTRA_CA_CERTS; no custom agents (Node 20's https.globalAgent, which axios uses, and undici keep connections alive by default). ` +
    `c=${CONCURRENCY}; each cell: median of ${rounds} rounds (clients alternated), ${durationMs / 1000} s measured after ${warmupMs / 1000} s warm-up (TLS handshakes happen in the warm-up), each run in a fresh process.`)
  if (ctx.debug) lines.push('', `**Warning: the addon was a debug build (${ctx.debug}); these numbers are not representative.**`)
  lines.push('')
  lines.push('| client | concurrency | req/s (min–max) | p50 ms | p99 ms | client CPU µs/call | client CPU % | server CPU % | server CPU µs/call | TLS connections (opened in the window) |')
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const client of clients) {
    const rps = med(client, 'rps')
    const srv = med(client, 'serverCpuPct')
    lines.push(`| ${labels[client]} | ${CONCURRENCY} | ${fmt(rps)} (${range(client, 'rps')}) | ${fmtMs(med(client, 'p50Ms'))} | ${fmtMs(med(client, 'p99Ms'))} | ` +
      `${fmt(med(client, 'cpuPerCallUs'), 1)} | ${fmt(med(client, 'clientCpuPct'))} | ${fmt(srv)} | ${fmt((srv / 100) * 1e6 / rps, 1)} | ` +
      `${fmt(med(client, 'connections'))} (${fmt(Math.max(...results[client].map((r) => r.connectionsOpened)))}) |`)
  }
  lines.push('')
  lines.push('CPU % is of one core (whole process, all threads; 100% = one core busy); server CPU is the emulator process during the same window. ' +
    'Connections: the worker\'s established TCP connections to the server at the end of the window (from /proc), and the most opened during the window in any round ' +
    '(0: every call went over a connection kept alive). Each client speaks what it negotiates by default: scalekit-native HTTP/2 (ALPN), all calls in flight multiplexed on one ' +
    'connection; the official SDK (axios on https.globalAgent) and bare fetch (undici) HTTP/1.1, one connection per call in flight (undici opens up to twice as many during the warm-up and keeps them).')
  lines.push('')
  lines.push('### Targets (issue 12)')
  lines.push('')
  const cpuN = med('native', 'cpuPerCallUs')
  const cpuO = med('official', 'cpuPerCallUs')
  const cpuF = med('fetch', 'cpuPerCallUs')
  const rpsN = med('native', 'rps')
  const rpsO = med('official', 'rps')
  lines.push(ratioLine(cpuN <= cpuO / 7, `over HTTPS, client CPU/call at c=${CONCURRENCY} ≤ 1/7 of the official SDK's: ${fmt(cpuN, 1)} µs vs ${fmt(cpuO, 1)} µs = 1/${fmt(cpuO / cpuN, 1)}`))
  lines.push(ratioLine(cpuN <= cpuF / 5, `over HTTPS, client CPU/call at c=${CONCURRENCY} ≤ 1/5 of bare fetch's: ${fmt(cpuN, 1)} µs vs ${fmt(cpuF, 1)} µs = 1/${fmt(cpuF / cpuN, 1)}`))
  lines.push(ratioLine(rpsN >= rpsO * 5, `over HTTPS, throughput at c=${CONCURRENCY} ≥ 5× the official SDK's: ${fmt(rpsN)} vs ${fmt(rpsO)} req/s = ${fmt(rpsN / rpsO, 2)}×`))
  lines.push('')
  // Is the emulator (or the machine) the limit for scalekit-native's run?
  const srvN = med('native', 'serverCpuPct')
  const cliN = med('native', 'clientCpuPct')
  lines.push(`Server load: during scalekit-native's runs the emulator used ${fmt(srvN)}% of a core with ${ctx.serverThreads} tokio workers ` +
    `(${srvN >= ctx.serverThreads * 100 * 0.8 ? 'near saturation' : 'not saturated'}) and the client ${fmt(cliN)}%: ` +
    `together ${fmt(cliN + srvN)}% of the ${ctx.cores * 100}% this machine has` +
    (cliN + srvN >= ctx.cores * 100 * 0.85
      ? ', so native throughput is bounded by the client and the emulator sharing the cores (the throughput ratio understates the client\'s; the CPU-per-call figures are not affected).'
      : '.'))
  lines.push('')
  if (failures.length) lines.push('Failed runs (left out of the medians):', '', ...failures.map((f) => `- ${f}`), '')
  if (totalErrors) lines.push(`Errors or unexpected bodies during the runs: ${totalErrors} (see stderr).`, '')
  lines.push(`Section time: ${fmt((Date.now() - started) / 1000)} s.`)
  return lines.join('\n') + '\n'
}
