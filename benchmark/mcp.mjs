// The MCP section of `npm run bench` (issue 21): one catalog tool called through LocalScalekit's MCP
// gateway by the official MCP TypeScript SDK client (tools/call over Streamable HTTP with a session
// token), against the same tool called directly with scalekit-native's `tools.executeTool`, in the
// same run, against one LocalScalekit in its own process. Both end in the same tool execution
// (docs/wire-protocol.md §13.6), so the difference per call is what the gateway path adds: the MCP
// client, JSON-RPC, the token check. `BENCH_SECTIONS=mcp npm run bench` runs only this section.
import { createRequire } from 'node:module'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { median, fmt } from './stats.mjs'

const require = createRequire(import.meta.url)

export const MCP_HEADING = '## Benchmark: a tool call through the MCP gateway vs `tools.executeTool`'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CALLS = Number(process.env.BENCH_MCP_CALLS ?? 1000)
const WARMUP = 200
const CONCURRENCIES = [1, 16]
const TOOL = 'bench_list_customers'
const CONFIG = 'bench-agent'

/** The LocalScalekit options file of this section: one connection, its account ACTIVE, one tool, one MCP configuration. */
export function writeMcpConfig(dir) {
  const file = join(dir, 'bench-mcp.json')
  writeFileSync(file, JSON.stringify({
    connections: [{ name: 'bench', authType: 'OAUTH' }],
    accounts: [{ connectionName: 'bench', identifier: 'user_1', authorizationDetails: { oauth_token: { access_token: 'bench-token' } } }],
    tools: [{ name: TOOL, connection: 'bench', description: 'Lists customers', annotations: { readOnlyHint: true }, request: { path: '/v1/customers' } }],
    mcpConfigs: [{ name: CONFIG, connectionToolMappings: [{ connectionName: 'bench' }] }],
  }))
  return file
}

/** Server CPU seconds so far (utime + stime of /proc/<pid>/stat), or null off Linux. */
function serverCpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return null
  }
}

/** `calls` calls of `one()` with `concurrency` in flight; wall µs, client CPU µs and server CPU µs per call. */
async function measure(one, calls, concurrency, serverPid) {
  const cpu0 = process.cpuUsage()
  const server0 = serverCpuSeconds(serverPid)
  const t0 = process.hrtime.bigint()
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < calls) {
      next++
      await one()
    }
  }))
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const server1 = serverCpuSeconds(serverPid)
  return {
    perSecond: calls / (wallUs / 1e6),
    wallUs: wallUs / calls,
    clientCpuUs: (cpu.user + cpu.system) / calls,
    serverCpuUs: server0 === null || server1 === null ? null : ((server1 - server0) * 1e6) / calls,
  }
}

/** `ctx`: { nativeModule, env, serverPid, progress(text, done), machine } */
export async function runMcpSection(ctx) {
  const { ScalekitClient } = require(ctx.nativeModule)
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js')
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js')
  const client = new ScalekitClient(ctx.env.url, ctx.env.clientId, ctx.env.clientSecret)
  const { configs } = await client.actions.mcp.listConfigs({ filter: { name: CONFIG } })
  const config = configs.find((c) => c.name === CONFIG)
  if (!config) throw new Error(`LocalScalekit has no MCP configuration ${CONFIG}`)
  const { token } = await client.actions.mcp.createSessionToken({ mcpConfigId: config.id, identifier: 'user_1', expiresInSeconds: 3600 })
  const mcp = new Client({ name: 'bench', version: '1.0.0' })
  await mcp.connect(new StreamableHTTPClientTransport(new URL(config.mcpServerUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }))

  const paths = {
    gateway: async () => {
      const r = await mcp.callTool({ name: TOOL, arguments: {} })
      if (r.isError) throw new Error(`tools/call failed: ${JSON.stringify(r.content)}`)
    },
    direct: async () => {
      await client.tools.executeTool({ toolName: TOOL, identifier: 'user_1', params: {} })
    },
  }
  const labels = {
    gateway: 'MCP gateway: `@modelcontextprotocol/sdk` Client `callTool`',
    direct: 'direct: scalekit-native `tools.executeTool`',
  }
  for (const one of Object.values(paths)) for (let i = 0; i < WARMUP; i++) await one()

  const rows = []
  for (const concurrency of CONCURRENCIES) {
    const results = { gateway: [], direct: [] }
    for (let round = 0; round < ROUNDS; round++) {
      // Alternated, each round starting with the other path.
      const order = round % 2 === 0 ? ['gateway', 'direct'] : ['direct', 'gateway']
      for (const name of order) {
        ctx.progress(`mcp round ${round + 1}/${ROUNDS}  c=${concurrency}  ${name.padEnd(8)} …`)
        results[name].push(await measure(paths[name], CALLS, concurrency, ctx.serverPid))
      }
    }
    const med = (name, key) => median(results[name].map((r) => r[key]).filter((v) => v !== null))
    for (const name of ['gateway', 'direct']) {
      rows.push({ name, concurrency, perSecond: med(name, 'perSecond'), wallUs: med(name, 'wallUs'), clientCpuUs: med(name, 'clientCpuUs'), serverCpuUs: med(name, 'serverCpuUs') })
    }
  }
  await mcp.close()
  ctx.progress('mcp done', true)

  const lines = [MCP_HEADING, '', ctx.machine]
  lines.push(`Server: LocalScalekit (\`node bin/scalekit-local.js --port 0 --inline-echo --config bench-mcp.json\`, separate process); the tool is a GET through the Tool Proxy to the built-in echo. ` +
    `Each cell: median of ${ROUNDS} rounds of ${fmt(CALLS)} calls (paths alternated), after ${WARMUP} warm-up calls each.`, '')
  lines.push('| path | concurrency | calls/s | wall µs/call | client CPU µs/call | server CPU µs/call |', '|---|---:|---:|---:|---:|---:|')
  for (const r of rows) {
    lines.push(`| ${labels[r.name]} | ${r.concurrency} | ${fmt(Math.round(r.perSecond))} | ${fmt(r.wallUs)} | ${fmt(r.clientCpuUs)} | ${fmt(r.serverCpuUs)} |`)
  }
  lines.push('')
  for (const concurrency of CONCURRENCIES) {
    const g = rows.find((r) => r.name === 'gateway' && r.concurrency === concurrency)
    const d = rows.find((r) => r.name === 'direct' && r.concurrency === concurrency)
    lines.push(`- c=${concurrency}: the gateway path adds ${fmt(g.wallUs - d.wallUs)} µs of wall time, ${fmt(g.clientCpuUs - d.clientCpuUs)} µs of client CPU and ` +
      `${fmt(g.serverCpuUs - d.serverCpuUs)} µs of server CPU per call (${fmt(g.wallUs / d.wallUs, 2)}× the direct call's wall time).`)
  }
  return lines.join('\n') + '\n'
}
