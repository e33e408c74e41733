// An answer too large for a JavaScript value (issue 11): it must fail only its own call, never the
// process or the other calls in flight. The scenario runs in a child process, so that a crash or
// a wedged event loop fails this test in bounded time instead of taking the runner down with it,
// and so that its RSS baseline is a fresh process's.
//
// Why 600 MB is too large: a buffered text answer becomes one JS string (napi_create_string_utf8),
// and V8's longest string is 2^29 - 24 = 536,870,888 characters; 600 MB of ASCII is 600 M
// characters. (A binary answer becomes a Buffer, which may hold up to 4 GiB.) The scenario itself
// takes well under a second: the child used to take ~50 s only because its final server.close()
// waited for an idle keep-alive connection of the client's pool, which closes after 50 s.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pathToFileURL } from 'node:url'

import { runNode, INDEX_JS } from './helpers.mjs'

const MiB = 1024 * 1024
const SIZE = 600 * 1000 * 1000

// The fake Scalekit and the client, in the child. The 600 MB answer is written from one 1 MiB
// buffer again and again (the server never holds it); the 5 small answers are held until it has
// been sent, so they are in flight while it is read and converted. RSS is sampled every 10 ms.
const CHILD = `
import http from 'node:http'
import skModule from ${JSON.stringify(pathToFileURL(INDEX_JS).href)}
const sk = skModule
const SIZE = ${SIZE}
let bigSent
const bigSentP = new Promise((resolve) => { bigSent = resolve })
const server = http.createServer(async (req, res) => {
  for await (const _ of req);
  if (req.url === '/oauth/token') {
    res.writeHead(200, { 'content-type': 'application/json' })
    return res.end('{"access_token":"t","expires_in":3600}')
  }
  if (req.url.startsWith('/proxy/v1/big')) {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': SIZE })
    const chunk = Buffer.alloc(${MiB}, 'a')
    let left = SIZE
    while (left > 0 && !res.destroyed) {
      const n = Math.min(left, chunk.length)
      left -= n
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        await new Promise((resolve) => {
          const done = () => { res.off('drain', done); res.off('close', done); resolve() }
          res.on('drain', done)
          res.on('close', done)
        })
      }
    }
    res.end()
    return bigSent()
  }
  await bigSentP
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ n: Number(req.url.split('/').pop()) }))
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const client = new sk.ScalekitClient('http://127.0.0.1:' + server.address().port, 'id', 'secret', { maxResponseBytes: 700 * ${MiB} })
const CALL = { connectionName: 'conn', identifier: 'user@example.com' }
const baseline = process.memoryUsage().rss
let peak = baseline
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 10)
const big = client.actions.request({ ...CALL, path: '/v1/big' }).then(
  (r) => ({ resolved: true, status: r.status }),
  (e) => ({ resolved: false, exactlyScalekitException: e.constructor === sk.ScalekitException, className: e.constructor.name, message: e.message }),
)
const small = [1, 2, 3, 4, 5].map((i) => client.actions.request({ ...CALL, path: '/v1/small/' + i }).then((r) => r.data, (e) => 'rejected: ' + e.message))
const result = { big: await big, small: await Promise.all(small) }
clearInterval(sampler)
result.growth = Math.max(peak, process.memoryUsage().rss) - baseline
// The process goes on: the same client still works.
result.after = (await client.actions.request({ ...CALL, path: '/v1/small/6' })).data
// Every call is done: drop the client's pooled connections too (close() alone waits for them).
server.closeAllConnections()
server.close()
console.log(JSON.stringify(result))
`

test('a 600 MB text answer (maxResponseBytes 700 MiB) rejects only its call; 5 calls in flight resolve; the process goes on', { timeout: 90_000 }, async (t) => {
  const child = await runNode(['--input-type=module', '-e', CHILD], { t, timeoutMs: 60_000 })
  assert.equal(child.timedOut, false, `the child hung:\n${child.stdout}\n${child.stderr}`)
  assert.equal(child.code, 0, `the child exited with ${child.code} (${child.signal}):\n${child.stderr}`)
  const result = JSON.parse(child.stdout.trim().split('\n').pop())
  t.diagnostic(`600 MB answer: peak RSS growth ${(result.growth / MiB).toFixed(1)} MiB`)
  assert.equal(result.big.resolved, false, 'the 600 MB call rejected')
  assert.ok(result.big.exactlyScalekitException, `exactly ScalekitException, got ${result.big.className}`)
  assert.match(result.big.message, /too large for a JavaScript value/)
  assert.match(result.big.message, new RegExp(String(SIZE)), `the message gives the size: ${result.big.message}`)
  assert.deepEqual(result.small, [1, 2, 3, 4, 5].map((n) => ({ n })))
  assert.deepEqual(result.after, { n: 6 })
  // It necessarily holds the 600 MB in Rust for a moment; not much more than that.
  assert.ok(result.growth < 1536 * MiB, `peak RSS growth ${(result.growth / MiB).toFixed(1)} MiB`)
})
