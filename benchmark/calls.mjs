// N proxied GETs through scalekit-native, for counting instructions per call (CONTRIBUTING.md, "Benchmarks"):
//
//   node bin/scalekit-local.js --port 0 --inline-echo     # in another terminal; export the lines it prints
//   valgrind --tool=callgrind --callgrind-out-file=cg.2000 node benchmark/calls.mjs 2000 64
//   valgrind --tool=callgrind --callgrind-out-file=cg.8000 node benchmark/calls.mjs 8000 64
//
// (instructions of the second run − the first) / 6000 is the cost of one call, start-up and warm-up cancelled.
// Reads SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID, SCALEKIT_CLIENT_SECRET; activates bench/user_1 itself. With
// PRINT=1, prints the client CPU per call (user + system) and the rate, for timing runs without valgrind.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const { ScalekitClient } = require(process.env.BENCH_PACKAGE ?? join(dirname(fileURLToPath(import.meta.url)), '..'))
const [calls = '2000', concurrency = '64', warmup = '200'] = process.argv.slice(2)
const client = ScalekitClient.fromEnv()
const params = { connectionName: 'bench', identifier: 'user_1', path: '/v1/customers' }

const { link } = await client.actions.getAuthorizationLink({ connectionName: params.connectionName, identifier: params.identifier })
await (await fetch(link)).arrayBuffer()

async function run(total) {
  let left = total
  const lane = async () => {
    while (left-- > 0) {
      const r = await client.actions.request(params)
      if (r.status !== 200 || r.data?.method !== 'GET') throw new Error(`answered ${r.status}`)
    }
  }
  await Promise.all(Array.from({ length: Number(concurrency) }, lane))
}

await run(Number(warmup))
const cpu0 = process.cpuUsage()
const t0 = performance.now()
await run(Number(calls))
const cpu = process.cpuUsage(cpu0)
if (process.env.PRINT) {
  const n = Number(calls)
  console.log(JSON.stringify({ cpuPerCallUs: (cpu.user + cpu.system) / n, userUs: cpu.user / n, systemUs: cpu.system / n, perSecond: n / ((performance.now() - t0) / 1000) }))
}
