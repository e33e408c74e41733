// The cold-start section of `npm run bench`: a fresh `node -e` process that loads a client, gets a token and
// makes one proxied GET, against the GET section's LocalScalekit (started once, in its own process). Bare
// Node (an empty script) is the baseline every client's time is measured over. `BENCH_SECTIONS=cold npm run
// bench` runs only this section; BENCH_COLD_RUNS sets the number of runs per client.
import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'

import { median, fmt } from './stats.mjs'

export const COLD_HEADING = '## Benchmark: cold start'
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 21)

// Each script exits 0 only when the GET answered 200 with the echo's JSON. The environment carries the server.
const CHECK = "if (r.status !== 200 || r.data?.method !== 'GET') { console.error('bad answer', r.status); process.exit(1) }"
const PARAMS = "{ connectionName: 'bench', identifier: 'user_1', path: '/v1/customers' }"
const ENV = 'const { COLD_URL: u, COLD_ID: i, COLD_SECRET: s } = process.env'
const SCRIPTS = {
  bare: () => '',
  native: (pkgDir) =>
    `${ENV}; const { ScalekitClient } = require(${JSON.stringify(pkgDir)}); ` +
    `new ScalekitClient(u, i, s).actions.request(${PARAMS}).then((r) => { ${CHECK} })`,
  // The official SDK's actions.request does not fetch a token itself: it is fetched first, as in the GET section.
  official: () =>
    `${ENV}; const { ScalekitClient } = require('@scalekit-sdk/node'); const c = new ScalekitClient(u, i, s); ` +
    `c.coreClient.authenticateClient().then(() => c.actions.request(${PARAMS})).then((r) => { ${CHECK} })`,
}
const LABELS = { bare: 'bare Node (`node -e ""`)' }

/** Wall time (ms) of one `node -e script` run, from spawn to exit. */
function runOnce(script, env, cwd) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, ['-e', script], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (d) => { stderr += d })
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      const ms = performance.now() - t0
      if (code === 0) resolve(ms)
      else reject(new Error(`exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`))
    })
  })
}

/**
 * Runs the section; returns its Markdown.
 * `ctx`: { nativeModule, root, env: { url, clientId, clientSecret }, clients, labels, progress, machine, debug }
 */
export async function runColdSection(ctx) {
  const started = Date.now()
  const clients = ['bare', ...['native', 'official'].filter((c) => ctx.clients.includes(c))]
  const env = { ...process.env, COLD_URL: ctx.env.url, COLD_ID: ctx.env.clientId, COLD_SECRET: ctx.env.clientSecret }
  const times = Object.fromEntries(clients.map((c) => [c, []]))
  const failures = []
  // One untimed run each first (the file system cache), then RUNS rounds, each starting with another client.
  for (let round = -1; round < RUNS; round++) {
    const shift = Math.max(round, 0) % clients.length
    for (const client of [...clients.slice(shift), ...clients.slice(0, shift)]) {
      ctx.progress(`cold start round ${round + 1}/${RUNS}  ${client} …`)
      try {
        const ms = await runOnce(SCRIPTS[client](ctx.nativeModule), env, ctx.root)
        if (round >= 0) times[client].push(ms)
      } catch (e) {
        failures.push(`round ${round + 1} ${client}: ${e.message}`)
      }
    }
  }
  ctx.progress(`cold start: ${RUNS} runs each`, true)
  const med = (c) => median(times[c])
  const over = (c) => med(c) - med('bare')
  const label = (c) => LABELS[c] ?? ctx.labels[c]
  const lines = [COLD_HEADING, '', ctx.machine]
  if (ctx.debug) lines.push('', `**Warning: the addon was a debug build (${ctx.debug}); these numbers are not representative.**`)
  lines.push(`Server: the GET section's LocalScalekit (separate process, started once). Each run is a fresh \`node -e\` process that ` +
    'loads the client, gets a token and makes one proxied GET (`/v1/customers`, checked: 200 and the echo\'s JSON), then exits; ' +
    `time: wall clock from spawn to exit, median of ${RUNS} runs per client (clients alternated, after one untimed run each). ` +
    'Bare Node runs an empty script: the time every client adds is its median minus bare Node\'s.')
  lines.push('')
  lines.push('| client | wall ms (min–max) | over bare Node ms |')
  lines.push('|---|---:|---:|')
  for (const c of clients) {
    const xs = times[c]
    const range = xs.length > 1 ? ` (${fmt(Math.min(...xs), 1)}–${fmt(Math.max(...xs), 1)})` : ''
    lines.push(`| ${label(c)} | ${fmt(med(c), 1)}${range} | ${c === 'bare' ? '—' : fmt(over(c), 1)} |`)
  }
  lines.push('')
  if (clients.includes('native') && clients.includes('official')) {
    const ratio = over('native') / over('official')
    lines.push('### Targets (speed)')
    lines.push('')
    lines.push(`- ${ratio <= 0.1 ? '✅' : '❌'} cold start over bare Node ≤ 0.1× the official SDK's: ` +
      `${fmt(over('native'), 1)} ms vs ${fmt(over('official'), 1)} ms = ${fmt(ratio, 3)}×`)
    lines.push('')
  }
  if (failures.length) lines.push('Failed runs (left out of the medians):', '', ...failures.map((f) => `- ${f}`), '')
  lines.push(`Section time: ${fmt((Date.now() - started) / 1000)} s.`)
  return lines.join('\n') + '\n'
}
