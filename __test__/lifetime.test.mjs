// The process exits by itself when no call is pending, and a pending call keeps it alive until it
// settles (issue 5). Each case is a child `node` script that must end on its own: it is killed
// after KILL_MS, which fails the test.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pathToFileURL } from 'node:url'

import { runNode, envWithoutScalekit, INDEX_JS } from './helpers.mjs'

const KILL_MS = 20_000
const INDEX = JSON.stringify(pathToFileURL(INDEX_JS).href)

// A loopback server for the child that holds no reference of its own: neither it, its connections
// nor its timers keep the child's event loop alive. `answer(req, res)` handles `/proxy/*`.
const UNREF_SERVER = `
import http from 'node:http'
function startServer(answer) {
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      if (req.url === '/oauth/token') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end('{"access_token":"t","expires_in":3600}')
      }
      answer(req, res)
    })
  })
  server.on('connection', (s) => s.unref())
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    server.unref()
    resolve('http://127.0.0.1:' + server.address().port)
  }))
}
`

async function runChild(code) {
  const script = `import sk from ${INDEX}\n${code}`
  const r = await runNode(['--input-type=module', '-e', script], {
    env: envWithoutScalekit(),
    input: '',
    timeoutMs: KILL_MS,
  })
  assert.equal(r.timedOut, false, `the child did not exit within ${KILL_MS} ms and was killed; stdout: ${r.stdout} stderr: ${r.stderr}`)
  assert.equal(r.code, 0, `exit code ${r.code} (signal ${r.signal}); stdout: ${r.stdout} stderr: ${r.stderr}`)
  return r
}

test('one successful call against LocalScalekit, then close it: the process exits 0 by itself', { timeout: KILL_MS + 5_000 }, async () => {
  const r = await runChild(`
    const local = await sk.LocalScalekit.start({
      accounts: [{ connectionName: 'conn', identifier: 'u', authorizationDetails: { oauth_token: { access_token: 'x' } } }],
    })
    const client = new sk.ScalekitClient(local.url, local.clientId, local.clientSecret)
    const r = await client.actions.request({ connectionName: 'conn', identifier: 'u', path: '/v1/x' })
    console.log('status', r.status)
    await local.close()
    // Nothing else: the client and its pooled connection must not hold the process.
  `)
  assert.match(r.stdout, /status 200/)
})

test('a client that was constructed but never used: the process exits', { timeout: KILL_MS + 5_000 }, async () => {
  const r = await runChild(`
    const client = new sk.ScalekitClient('https://acme.scalekit.dev', 'skc_1', 'secret')
    globalThis.keep = client
    console.log('constructed', client.envUrl)
  `)
  assert.match(r.stdout, /constructed https:\/\/acme\.scalekit\.dev/)
})

test('a pending call keeps the process alive until it settles', { timeout: KILL_MS + 5_000 }, async () => {
  // The server, its sockets and its 1.5 s timer are all unref'd: only the pending call holds the
  // process. Had it exited early, 'settled' would be missing (with exit code 13 on unsettled await).
  const r = await runChild(`${UNREF_SERVER}
    const url = await startServer((req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"late":true}')
      }, 1500).unref()
    })
    const client = new sk.ScalekitClient(url, 'id', 'secret')
    client.actions.request({ connectionName: 'conn', identifier: 'u', path: '/slow' }).then(
      (r) => console.log('settled', JSON.stringify(r.data)),
      (e) => { console.log('rejected', e.constructor.name, e.message); process.exitCode = 1 },
    )
  `)
  assert.match(r.stdout, /settled \{"late":true\}/)
})

test('after an abort of a pending call the process exits', { timeout: KILL_MS + 5_000 }, async () => {
  // The server never answers; the call's own deadline (60 s) is far beyond the kill timer, so only
  // the abort can let the process end in time. The abort comes once the request has arrived: the
  // call is pending then.
  const r = await runChild(`${UNREF_SERVER}
    const ac = new AbortController()
    const url = await startServer(() => {
      console.log('arrived')
      ac.abort()
    })
    const client = new sk.ScalekitClient(url, 'id', 'secret')
    const call = client.actions.request({ connectionName: 'conn', identifier: 'u', path: '/never', signal: ac.signal })
    try {
      await call
      console.log('resolved?')
    } catch (e) {
      console.log('aborted', e.name, e.constructor.name)
    }
  `)
  assert.match(r.stdout, /^arrived\naborted AbortError ScalekitAbortException$/m)
})

test('after a call that failed (connection refused) the process exits', { timeout: KILL_MS + 5_000 }, async () => {
  const r = await runChild(`
    import net from 'node:net'
    const s = net.createServer()
    await new Promise((r) => s.listen(0, '127.0.0.1', r))
    const port = s.address().port
    await new Promise((r) => s.close(r))
    const client = new sk.ScalekitClient('http://127.0.0.1:' + port, 'id', 'secret', { maxRetries: 0 })
    try {
      await client.actions.request({ connectionName: 'conn', identifier: 'u', path: '/x' })
    } catch (e) {
      console.log('failed', e.constructor.name)
    }
  `)
  assert.match(r.stdout, /failed ScalekitNetworkException/)
})

test('clients that are no longer referenced are garbage-collected, used or not', { timeout: KILL_MS + 5_000 }, async () => {
  const script = `import sk from ${INDEX}
    const local = await sk.LocalScalekit.start({
      accounts: [{ connectionName: 'conn', identifier: 'u', authorizationDetails: { oauth_token: { access_token: 'x' } } }],
    })
    let collected = 0
    const registry = new FinalizationRegistry(() => collected++)
    for (let i = 0; i < 40; i++) {
      const client = new sk.ScalekitClient(local.url, local.clientId, local.clientSecret)
      if (i % 2 === 0) await client.actions.request({ connectionName: 'conn', identifier: 'u', path: '/v1/x' })
      registry.register(client, i)
    }
    // Collect until the finalizers of 39 clients have run (an event), giving up after 10 s.
    const giveUp = Date.now() + 10_000
    while (collected < 39 && Date.now() < giveUp) {
      globalThis.gc()
      await new Promise((r) => setTimeout(r, 10))
    }
    console.log('collected', collected)
    await local.close()
  `
  const r = await runNode(['--expose-gc', '--input-type=module', '-e', script], {
    env: envWithoutScalekit(),
    input: '',
    timeoutMs: KILL_MS,
  })
  assert.equal(r.code, 0, `stdout: ${r.stdout} stderr: ${r.stderr}`)
  const collected = Number(/collected (\d+)/.exec(r.stdout)?.[1])
  // The last client may still be referenced from the loop's frame; all the others must go.
  assert.ok(collected >= 39, `only ${collected} of 40 clients were collected: something keeps them alive`)
})
