// Fault injection (issue 5): a misbehaving loopback "fake Scalekit" per test. Every test asserts the
// exact error class and that nothing hung (each call must settle within HANG_MS: a hang detector,
// not a timing assertion).
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import net from 'node:net'
import http from 'node:http'
import { Worker } from 'node:worker_threads'

import sk from '../index.js'
import { startServer, sendJson, runNode, rejection, closedPort } from './helpers.mjs'

const {
  ScalekitClient,
  ScalekitNetworkException,
  ScalekitAbortException,
  ScalekitTooManyRequestsException,
  ScalekitServiceUnavailableException,
  ScalekitGatewayTimeoutException,
} = sk

const HANG_MS = 10_000
const CALL = { connectionName: 'conn', identifier: 'user@example.com', path: '/v1/thing' }
const TOKEN = { access_token: 't', expires_in: 3600 }
const EMPTY_LIST = { connected_accounts: [], total_size: 0, next_page_token: '', prev_page_token: '' }
const TOOL_ERROR_BODY = {
  code: 14,
  message: 'x',
  details: [{ '@type': 'type.googleapis.com/scalekit.v1.errdetails.ErrorInfo', error_code: 'TOOL_ERROR' }],
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** `{ ok, value }` or `{ ok: false, error }`; fails if `promise` has not settled within HANG_MS. */
async function settle(promise, label = 'the call') {
  let timer
  const hang = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} did not settle within ${HANG_MS} ms: it hung`)), HANG_MS)
  })
  try {
    return await Promise.race([
      Promise.resolve(promise).then((value) => ({ ok: true, value }), (error) => ({ ok: false, error })),
      hang,
    ])
  } finally {
    clearTimeout(timer)
  }
}

function describeError(e) {
  return `${e?.constructor?.name}: ${e?.message}`
}

/** Resolves the value, or fails with the rejection's class and message. */
async function resolves(promise, label) {
  const r = await settle(promise, label)
  if (!r.ok) assert.fail(`expected ${label ?? 'the call'} to resolve, it rejected with ${describeError(r.error)}`)
  return r.value
}

/** Asserts a rejection of exactly `Class` (not a subclass, not a superclass) and returns it. */
async function rejects(promise, Class, label) {
  const r = await settle(promise, label)
  if (r.ok) assert.fail(`expected ${Class.name}, but ${label ?? 'the call'} resolved with ${JSON.stringify(r.value?.data ?? r.value)}`)
  assert.equal(r.error?.constructor, Class, `expected exactly ${Class.name}, got ${describeError(r.error)}`)
  return r.error
}

/** Resolves once `emitter` emits `event`, or fails after HANG_MS. */
function eventWithin(emitter, event, label) {
  return settle(new Promise((resolve) => emitter.once(event, resolve)), label).then((r) => {
    if (!r.ok) throw r.error
    return r.value
  })
}

function assertAbort(e) {
  assert.equal(e.name, 'AbortError')
  assert.ok(e instanceof sk.ScalekitException)
  assert.ok(!(e instanceof sk.ScalekitServerException))
}

/**
 * A fake Scalekit on 127.0.0.1: `POST /oauth/token` answers `token(req, res, n)` (default: a
 * token), `/proxy/*` answers `proxy(req, res, n, body)`, `/api/v1/*` answers `api(req, res, n, body)`;
 * `n` is the 1-based hit count of that endpoint. `counts` holds the hits; closed when `t` ends.
 */
async function fakeScalekit(t, { token, proxy, api } = {}) {
  const counts = { token: 0, proxy: 0, api: 0, other: 0 }
  const sockets = new Set()
  const server = await startServer(t, (req, res, body) => {
    if (req.method === 'POST' && req.url === '/oauth/token') {
      const n = ++counts.token
      return token ? token(req, res, n) : sendJson(res, 200, TOKEN)
    }
    if (req.url.startsWith('/proxy/')) {
      const n = ++counts.proxy
      return proxy ? proxy(req, res, n, body) : sendJson(res, 200, { ok: true })
    }
    if (req.url.startsWith('/api/v1/')) {
      const n = ++counts.api
      return api ? api(req, res, n, body) : sendJson(res, 200, {})
    }
    counts.other++
    sendJson(res, 404, { code: 5, message: 'no such endpoint' })
  })
  server.server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  return {
    ...server,
    counts,
    sockets,
    client: (options) => new ScalekitClient(server.url, 'id', 'secret', options),
  }
}

/** Writes `text` to the raw socket, then ends it with a FIN (`destroy`) or an RST (`resetAndDestroy`). */
function writeThenKill(socket, text, how) {
  socket.write(text, () => {
    if (how === 'reset' && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
    else socket.destroy()
  })
}

/** Headers at once, then one body byte every 100 ms (of a declared 100), until the socket closes. */
function trickle(res, onByte) {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' })
  res.flushHeaders()
  let sent = 0
  const timer = setInterval(() => {
    if (res.destroyed || sent >= 99) return clearInterval(timer)
    res.write('x')
    sent++
    if (onByte) onByte(sent)
  }, 100)
  res.socket.on('close', () => clearInterval(timer))
}

// ---------------------------------------------------------------------------------------------
// Connection-level faults
// ---------------------------------------------------------------------------------------------

describe('connection faults', () => {
  // No answer: ScalekitNetworkException through the proxy; on the control plane the official SDK's
  // class for gRPC UNAVAILABLE, ScalekitServiceUnavailableException (503, grpcStatus 14).
  test('connection refused → ScalekitNetworkException (proxy), ScalekitServiceUnavailableException (control plane)', async () => {
    const port = await closedPort()
    const client = new ScalekitClient(`http://127.0.0.1:${port}`, 'id', 'secret')
    const e = await rejects(client.actions.request(CALL), ScalekitNetworkException)
    assert.match(e.message, /refused/i)
    assert.ok(!(e instanceof sk.ScalekitServerException))
    const c = await rejects(client.actions.listConnectedAccounts(), sk.ScalekitServiceUnavailableException)
    assert.match(c.message, /refused/i)
  })

  for (const how of ['fin', 'reset']) {
    test(`connection ${how === 'fin' ? 'closed' : 'reset'} mid-headers → ScalekitNetworkException`, async (t) => {
      const fake = await fakeScalekit(t, {
        proxy: (req, res) => writeThenKill(res.socket, 'HTTP/1.1 200 OK\r\nContent-', how),
      })
      const client = fake.client()
      await rejects(client.actions.request(CALL), ScalekitNetworkException, 'GET')
      const getHits = fake.counts.proxy
      // The connection was up and the request sent: not a connect failure, so not retried
      // (although a GET, with maxRetries 2), since the server may have acted on it.
      assert.equal(getHits, 1, 'GET sent exactly once')
      // A POST reached the server: with the default policy it must not be sent again.
      await rejects(client.actions.request({ ...CALL, method: 'POST', body: { a: 1 } }), ScalekitNetworkException, 'POST')
      assert.equal(fake.counts.proxy - getHits, 1, 'POST sent exactly once')
      assert.equal(fake.counts.token, 1)
    })

    test(`connection ${how === 'fin' ? 'closed' : 'reset'} mid-body → ScalekitNetworkException, not retried`, async (t) => {
      const fake = await fakeScalekit(t, {
        proxy: (req, res) =>
          writeThenKill(res.socket, 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n0123456789', how),
      })
      const e = await rejects(fake.client().actions.request(CALL), ScalekitNetworkException)
      assert.ok(!(e instanceof sk.ScalekitServerException))
      // A response had begun: the request did reach the server.
      assert.equal(fake.counts.proxy, 1)
    })
  }

  // A control-plane POST that reached Scalekit (a response had begun) is not a connection failure
  // "before a response": sending it again would run the tool, or create the account, twice.
  for (const [name, call] of [
    ['executeTool', (a) => a.executeTool({ toolName: 'gmail_send_email', identifier: 'u', connector: 'gmail', toolInput: { to: 'x' } })],
    ['createConnectedAccount', (a) => a.createConnectedAccount({ connectionName: 'c', identifier: 'u', authorizationDetails: { staticAuth: { details: { api_key: 'k' } } } })],
  ]) {
    test(`control plane: ${name} (POST) reset mid-headers → ScalekitServiceUnavailableException, sent once`, async (t) => {
      const fake = await fakeScalekit(t, {
        api: (req, res) => writeThenKill(res.socket, 'HTTP/1.1 200 OK\r\nContent-', 'reset'),
      })
      await rejects(call(fake.client().actions), sk.ScalekitServiceUnavailableException)
      const posts = fake.requests.filter((r) => r.url.startsWith('/api/v1/')).map((r) => `${r.method} ${r.url}`)
      assert.equal(fake.counts.api, 1, `the POST reached the server ${fake.counts.api} times: ${posts.join(', ')}`)
    })
  }

  test('control plane: a GET reset mid-headers → ScalekitServiceUnavailableException', async (t) => {
    const fake = await fakeScalekit(t, {
      api: (req, res) => writeThenKill(res.socket, 'HTTP/1.1 200 OK\r\nContent-', 'reset'),
    })
    await rejects(fake.client().actions.listConnectedAccounts(), sk.ScalekitServiceUnavailableException)
    // Not a connect failure (the request was sent): not retried.
    assert.equal(fake.counts.api, 1, 'sent exactly once')
    assert.equal(fake.counts.token, 1)
  })
})

// ---------------------------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------------------------

describe('deadlines', () => {
  test('accepts and never answers, timeoutMs 500 → ScalekitGatewayTimeoutException', async (t) => {
    let socket
    const fake = await fakeScalekit(t, {
      proxy: (req, res) => {
        socket = res.socket
      },
    })
    const e = await rejects(fake.client().actions.request({ ...CALL, timeoutMs: 500 }), ScalekitGatewayTimeoutException)
    assert.equal(e.message, '[deadline_exceeded] timeout of 500ms exceeded')
    assert.equal(e.httpStatus, 504)
    assert.equal(e.grpcStatus, 4)
    assert.equal(fake.counts.proxy, 1, 'a timed-out call is not retried')
    // The attempt was dropped, so its connection is closed.
    if (!socket.destroyed) await eventWithin(socket, 'close', 'the server-side socket close after the timeout')
  })

  test('a token endpoint that never answers: the call deadline covers it', async (t) => {
    const fake = await fakeScalekit(t, { token: () => {} })
    const e = await rejects(fake.client().actions.request({ ...CALL, timeoutMs: 500 }), ScalekitGatewayTimeoutException)
    assert.equal(e.message, '[deadline_exceeded] timeout of 500ms exceeded')
    assert.equal(fake.counts.proxy, 0)
  })

  test('slow body trickle past the deadline → ScalekitGatewayTimeoutException', async (t) => {
    let socket
    const fake = await fakeScalekit(t, {
      proxy: (req, res) => {
        socket = res.socket
        trickle(res)
      },
    })
    const e = await rejects(fake.client().actions.request({ ...CALL, timeoutMs: 500 }), ScalekitGatewayTimeoutException)
    assert.equal(e.message, '[deadline_exceeded] timeout of 500ms exceeded')
    assert.equal(e.httpStatus, 504)
    assert.equal(fake.counts.proxy, 1)
    if (!socket.destroyed) await eventWithin(socket, 'close', 'the server-side socket close after the timeout')
  })
})

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

describe('bodies', () => {
  for (const text of ['{"a":', 'not json', '{"a":1}}', '\u0000\u0001']) {
    test(`content-type application/json with the invalid body ${JSON.stringify(text)} → resolves, data is the raw text`, async (t) => {
      const fake = await fakeScalekit(t, {
        proxy: (req, res) => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
          res.end(text)
        },
      })
      const r = await resolves(fake.client().actions.request(CALL))
      assert.equal(r.status, 200)
      assert.equal(r.headers['content-type'], 'application/json')
      assert.equal(r.data, text)
    })
  }

  test('an error answer with an invalid JSON body carries the raw text', async (t) => {
    const fake = await fakeScalekit(t, {
      proxy: (req, res) => {
        res.writeHead(503, { 'content-type': 'application/json' })
        res.end('<html>oops')
      },
    })
    const e = await rejects(fake.client().actions.request({ ...CALL, retry: false }), ScalekitServiceUnavailableException)
    assert.equal(e.data, '<html>oops')
    assert.equal(e.httpStatus, 503)
  })
})

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

describe('retries', () => {
  test('token endpoint answering 500, then 200 → the call succeeds, token endpoint hit twice', async (t) => {
    const fake = await fakeScalekit(t, {
      token: (req, res, n) => (n === 1 ? sendJson(res, 500, { error: 'server_error' }) : sendJson(res, 200, TOKEN)),
    })
    const r = await resolves(fake.client().actions.request(CALL))
    assert.deepEqual(r.data, { ok: true })
    assert.equal(fake.counts.token, 2)
    assert.equal(fake.counts.proxy, 1)
  })

  test('429 with Retry-After: 1, then 200 → success after 2 proxy hits, Retry-After honoured', async (t) => {
    const hits = []
    const fake = await fakeScalekit(t, {
      proxy: (req, res, n) => {
        hits.push(performance.now())
        if (n === 1) sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '1' })
        else sendJson(res, 200, { n })
      },
    })
    const r = await resolves(fake.client().actions.request(CALL))
    assert.deepEqual(r.data, { n: 2 })
    assert.equal(fake.counts.proxy, 2)
    // A lower bound only: the second attempt did wait for Retry-After.
    assert.ok(hits[1] - hits[0] >= 900, `second attempt after ${Math.round(hits[1] - hits[0])} ms`)
  })

  test('503 three times with maxRetries 2 → ScalekitServiceUnavailableException after exactly 3 attempts', async (t) => {
    const fake = await fakeScalekit(t, {
      proxy: (req, res, n) => sendJson(res, 503, { attempt: n }, { 'x-attempt': String(n) }),
    })
    const e = await rejects(fake.client({ maxRetries: 2 }).actions.request(CALL), ScalekitServiceUnavailableException)
    assert.equal(fake.counts.proxy, 3)
    assert.equal(e.httpStatus, 503)
    assert.equal(e.status, 503)
    assert.deepEqual(e.data, { attempt: 3 }, 'the last answer')
    assert.equal(e.headers['x-attempt'], '3')
  })

  test('maxRetries 0 on the client: one attempt', async (t) => {
    const fake = await fakeScalekit(t, { proxy: (req, res, n) => sendJson(res, 503, { attempt: n }) })
    await rejects(fake.client({ maxRetries: 0 }).actions.request(CALL), ScalekitServiceUnavailableException)
    assert.equal(fake.counts.proxy, 1)
  })

  test('POST that gets 503: not retried by default, retried with retry: 2', async (t) => {
    const fake = await fakeScalekit(t, { proxy: (req, res, n) => sendJson(res, 503, { attempt: n }) })
    const client = fake.client()
    await rejects(client.actions.request({ ...CALL, method: 'POST', body: { a: 1 } }), ScalekitServiceUnavailableException)
    assert.equal(fake.counts.proxy, 1, 'POST not retried by default')
    const e = await rejects(client.actions.request({ ...CALL, method: 'POST', body: { a: 1 }, retry: 2 }), ScalekitServiceUnavailableException)
    assert.equal(fake.counts.proxy, 4, 'POST with retry: 2 → 3 attempts')
    assert.deepEqual(e.data, { attempt: 4 })
    assert.deepEqual(fake.requests.filter((r) => r.url.startsWith('/proxy/')).map((r) => r.body.toString()), Array(4).fill('{"a":1}'))
  })

  test('POST 503 then 200 with retry: 2 → succeeds on the second attempt', async (t) => {
    const fake = await fakeScalekit(t, { proxy: (req, res, n) => (n === 1 ? sendJson(res, 503, {}) : sendJson(res, 201, { n })) })
    const r = await resolves(fake.client().actions.request({ ...CALL, method: 'POST', body: 'x=1', retry: 2 }))
    assert.equal(r.status, 201)
    assert.equal(fake.counts.proxy, 2)
  })

  test('retry: false on a GET 503 → 1 hit', async (t) => {
    const fake = await fakeScalekit(t, { proxy: (req, res) => sendJson(res, 503, {}) })
    await rejects(fake.client().actions.request({ ...CALL, retry: false }), ScalekitServiceUnavailableException)
    assert.equal(fake.counts.proxy, 1)
  })

  for (const [label, value] of [
    ['seconds', () => '3600'],
    ['an HTTP date', () => new Date(Date.now() + 3_600_000).toUTCString()],
  ]) {
    test(`Retry-After (${label}) beyond the remaining deadline → gives up at once with the 429`, async (t) => {
      const fake = await fakeScalekit(t, {
        proxy: (req, res) => sendJson(res, 429, { error: 'rate limited' }, { 'retry-after': value() }),
      })
      // timeoutMs far beyond the hang guard: waiting until the deadline would count as a hang.
      const e = await rejects(fake.client().actions.request({ ...CALL, timeoutMs: 60_000 }), ScalekitTooManyRequestsException)
      assert.equal(e.httpStatus, 429)
      assert.deepEqual(e.data, { error: 'rate limited' })
      assert.equal(fake.counts.proxy, 1)
    })
  }

  test('a Scalekit TOOL_ERROR 503 through the proxy is not retried', async (t) => {
    const fake = await fakeScalekit(t, { proxy: (req, res) => sendJson(res, 503, TOOL_ERROR_BODY) })
    const e = await rejects(fake.client().actions.request(CALL), ScalekitServiceUnavailableException)
    assert.equal(fake.counts.proxy, 1)
    assert.equal(e.httpStatus, 503)
    assert.deepEqual(e.data, TOOL_ERROR_BODY)
  })

  test('control plane: 503 then 200 → retried and succeeds', async (t) => {
    const fake = await fakeScalekit(t, {
      api: (req, res, n) => (n === 1 ? sendJson(res, 503, { code: 14, message: 'unavailable' }) : sendJson(res, 200, EMPTY_LIST)),
    })
    const r = await resolves(fake.client().actions.listConnectedAccounts())
    assert.deepEqual(r.connectedAccounts, [])
    assert.equal(fake.counts.api, 2)
    assert.ok(fake.requests.filter((q) => q.url.startsWith('/api/')).every((q) => q.method === 'GET' && q.url.startsWith('/api/v1/connected_accounts')))
  })

  test('control plane: 429 → ScalekitTooManyRequestsException, not retried', async (t) => {
    const fake = await fakeScalekit(t, {
      api: (req, res) => sendJson(res, 429, { code: 8, message: 'too many' }, { 'retry-after': '0' }),
    })
    const e = await rejects(fake.client().actions.listConnectedAccounts(), ScalekitTooManyRequestsException)
    assert.equal(e.httpStatus, 429)
    assert.equal(fake.counts.api, 1)
  })

  test('control plane: a TOOL_ERROR 503 is not retried', async (t) => {
    const fake = await fakeScalekit(t, { api: (req, res) => sendJson(res, 503, TOOL_ERROR_BODY) })
    const e = await rejects(fake.client().actions.listConnectedAccounts(), sk.ScalekitToolException)
    assert.equal(e.httpStatus, 503)
    assert.equal(fake.counts.api, 1)
  })
})

// ---------------------------------------------------------------------------------------------
// Abort
// ---------------------------------------------------------------------------------------------

/** Sockets to 127.0.0.1:`port` that this host has in SYN_SENT (Linux), or null when unknown. */
function synSentTo(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0')
  let text
  try {
    text = fs.readFileSync('/proc/net/tcp', 'utf8')
  } catch {
    return null
  }
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 3 && f[2].endsWith(`:${hex}`) && f[3] === '02').length
}

/**
 * An HTTP server in a worker thread that answers token and proxy requests (`Connection: close`, so
 * nothing is pooled) until `block()`: then its thread stops accepting and its accept queue is
 * filled, so a new connection to it hangs in connect (SYNs dropped), on loopback.
 */
async function blockableServer() {
  const state = new Int32Array(new SharedArrayBuffer(8)) // [0]: release flag, [1]: proxy hits
  const worker = new Worker(
    `
    const { parentPort, workerData: state } = require('node:worker_threads')
    const http = require('node:http')
    const server = http.createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        if (req.url.startsWith('/proxy/')) Atomics.add(state, 1, 1)
        const body = req.url === '/oauth/token' ? '{"access_token":"t","expires_in":3600}' : '{"ok":true}'
        res.writeHead(200, { 'content-type': 'application/json', connection: 'close' })
        res.end(body)
      })
    })
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => parentPort.postMessage(server.address().port))
    parentPort.on('message', (m) => {
      if (m !== 'block') return
      parentPort.postMessage('blocked')
      Atomics.wait(state, 0, 0)
      server.closeAllConnections?.()
      server.close()
      parentPort.close()
    })
    `,
    { eval: true, workerData: state },
  )
  const port = await new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  const fillers = []
  let released = false
  const release = async () => {
    if (released) return
    released = true
    for (const s of fillers) s.destroy()
    Atomics.store(state, 0, 1)
    Atomics.notify(state, 0)
    await new Promise((r) => worker.once('exit', r))
  }
  const block = async () => {
    worker.postMessage('block')
    await new Promise((r) => worker.once('message', r))
    // Fill the accept queue: connect until one connection does not complete.
    for (let i = 0; i < 64; i++) {
      const s = net.connect(port, '127.0.0.1')
      s.on('error', () => {})
      fillers.push(s)
      const connected = await new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), 300)
        s.once('connect', () => {
          clearTimeout(timer)
          resolve(true)
        })
      })
      if (!connected) return true
    }
    return false
  }
  return { url: `http://127.0.0.1:${port}`, port, proxyHits: () => Atomics.load(state, 1), block, release }
}

describe('abort', () => {
  test('abort before send → ScalekitAbortException, nothing sent', async (t) => {
    const fake = await fakeScalekit(t)
    const client = fake.client()
    const reason = new Error('changed my mind')
    const e = await rejects(client.actions.request({ ...CALL, signal: AbortSignal.abort(reason) }), ScalekitAbortException)
    assertAbort(e)
    assert.equal(e.cause, reason)
    const e2 = await rejects(client.actions.listConnectedAccounts({ signal: AbortSignal.abort() }), ScalekitAbortException)
    assertAbort(e2)
    assert.deepEqual(fake.counts, { token: 0, proxy: 0, api: 0, other: 0 })
  })

  test('an abort rejects at once, also when the answer is already on its way to JS', async (t) => {
    // The server aborts each call as soon as it has written the answer: Rust may have finished the
    // call, its outcome not yet delivered. Once abort() has run, a call not settled by then must
    // reject with ScalekitAbortException, never resolve.
    let abortNow
    const { url } = await startServer(t, (req, res) => {
      if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: 't', expires_in: 3600 })
      res.once('finish', () => abortNow())
      sendJson(res, 200, { ok: true })
    })
    const client = new ScalekitClient(url, 'id', 'secret')
    let late = 0
    for (let i = 0; i < 200; i++) {
      const controller = new AbortController()
      let settled = false
      let abortedUnsettled = false
      abortNow = () => {
        abortedUnsettled = !settled
        controller.abort()
      }
      const outcome = await client.actions.request({ ...CALL, signal: controller.signal }).then(
        (r) => { settled = true; return r },
        (e) => { settled = true; return e })
      if (abortedUnsettled && !(outcome instanceof ScalekitAbortException)) late++
    }
    assert.equal(late, 0, `${late} of 200 calls resolved after their abort`)
  })

  test('abort during connect → ScalekitAbortException promptly, no connection left behind', async (t) => {
    const srv = await blockableServer()
    t.after(() => srv.release())
    const client = new ScalekitClient(srv.url, 'id', 'secret')
    // A first call caches the token; the server closes every connection, so nothing is pooled.
    await resolves(client.actions.request(CALL), 'the warm-up call')
    assert.equal(srv.proxyHits(), 1)
    const full = await srv.block()
    assert.ok(full, 'could not fill the accept queue')

    const ac = new AbortController()
    // One socket in SYN_SENT: the filler that did not complete.
    const fillerSynSent = 1
    const known = synSentTo(srv.port) !== null
    if (known) assert.equal(synSentTo(srv.port), fillerSynSent)
    const call = client.actions.request({ ...CALL, signal: ac.signal })
    if (known) {
      // Wait until the client is connecting (its SYN goes unanswered): exactly one more socket.
      const r = await settle(
        (async () => {
          while (synSentTo(srv.port) === fillerSynSent) await new Promise((res) => setTimeout(res, 10))
        })(),
        'the client to start connecting',
      )
      if (!r.ok) throw r.error
      assert.equal(synSentTo(srv.port), fillerSynSent + 1, 'one connection attempt by the client')
    } else {
      // Without /proc/net/tcp: give the client time to start connecting.
      await new Promise((r) => setTimeout(r, 300))
    }
    ac.abort()
    const e = await rejects(call, ScalekitAbortException)
    assertAbort(e)
    if (known) {
      // The client's socket is gone once the future is dropped; the filler's stays.
      const r = await settle(
        (async () => {
          while (synSentTo(srv.port) > fillerSynSent) await new Promise((res) => setTimeout(res, 10))
        })(),
        'the client socket in SYN_SENT to close',
      )
      if (!r.ok) throw r.error
      assert.equal(synSentTo(srv.port), fillerSynSent)
    }
    await srv.release()
    assert.equal(srv.proxyHits(), 1, 'the aborted request was never sent')
  })

  test('abort while the token request is pending → ScalekitAbortException promptly', async (t) => {
    let tokenSocket
    const fake = await fakeScalekit(t, {
      token: (req, res) => {
        tokenSocket = res.socket
      },
    })
    const ac = new AbortController()
    const call = fake.client().actions.request({ ...CALL, signal: ac.signal })
    while (fake.counts.token === 0) await new Promise((r) => setTimeout(r, 10))
    ac.abort()
    const e = await rejects(call, ScalekitAbortException)
    assertAbort(e)
    assert.equal(fake.counts.proxy, 0)
    assert.equal(fake.counts.token, 1)
    // The token fetch lives as long as a caller waits for it: with its only caller aborted it is
    // dropped, and its connection closed.
    if (!tokenSocket.destroyed) await eventWithin(tokenSocket, 'close', 'the token request socket close after the abort')
    assert.ok(tokenSocket.destroyed)
  })

  test('abort during the body → ScalekitAbortException promptly, and the server sees the socket closed', async (t) => {
    const ac = new AbortController()
    let socketClosed
    const fake = await fakeScalekit(t, {
      proxy: (req, res) => {
        socketClosed = new Promise((r) => res.socket.once('close', r))
        // Abort once the headers and a couple of body bytes are out.
        trickle(res, (sent) => {
          if (sent === 2) ac.abort()
        })
      },
    })
    const e = await rejects(fake.client().actions.request({ ...CALL, signal: ac.signal }), ScalekitAbortException)
    assertAbort(e)
    assert.equal(fake.counts.proxy, 1)
    const r = await settle(socketClosed, 'the server-side socket close after the abort')
    assert.ok(r.ok, r.error?.message)
  })

  test('abort during a retry wait → ScalekitAbortException promptly, no further attempt', async (t) => {
    const ac = new AbortController()
    const fake = await fakeScalekit(t, {
      proxy: (req, res) => {
        sendJson(res, 503, {}, { 'retry-after': '5' })
        setTimeout(() => ac.abort(), 100)
      },
    })
    const e = await rejects(fake.client().actions.request({ ...CALL, signal: ac.signal }), ScalekitAbortException)
    assertAbort(e)
    await new Promise((r) => setTimeout(r, 200))
    assert.equal(fake.counts.proxy, 1)
  })

  test('abort of a control-plane call whose server never answers', async (t) => {
    let socketClosed
    const ac = new AbortController()
    const fake = await fakeScalekit(t, {
      api: (req, res) => {
        socketClosed = new Promise((r) => res.socket.once('close', r))
        setTimeout(() => ac.abort(), 50)
      },
    })
    const e = await rejects(fake.client().actions.listConnectedAccounts({ signal: ac.signal }), ScalekitAbortException)
    assertAbort(e)
    const r = await settle(socketClosed, 'the server-side socket close after the abort')
    assert.ok(r.ok, r.error?.message)
  })
})

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------

// The fake Scalekit runs in a child process, so that the client's and the server's sockets (one
// each per concurrent call, as the pool opens as many connections as there are calls in flight)
// do not share one process's descriptor limit.
const LOAD_SERVER = `
const http = require('node:http')
const N = Number(process.argv[1])
const seen = new Uint16Array(N)
let bad = 0
let peak = 0
let open = 0
const server = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    if (req.method === 'POST' && req.url === '/oauth/token') {
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end('{"access_token":"t","expires_in":3600}')
    }
    if (req.url === '/__stats') {
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' })
      return res.end(JSON.stringify({ seen: Array.from(seen), bad, peak }))
    }
    const m = /^\\/proxy\\/n\\/(\\d+)$/.exec(req.url)
    if (!m || Number(m[1]) >= N) {
      bad++
      res.writeHead(404)
      return res.end()
    }
    seen[Number(m[1])]++
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(m[1].length) })
    res.end(m[1])
  })
})
server.keepAliveTimeout = 30000
server.on('connection', (s) => {
  peak = Math.max(peak, ++open)
  s.on('close', () => open--)
})
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => console.log('port ' + server.address().port))
process.stdin.on('data', () => {})
process.stdin.on('end', () => process.exit(0))
`

test('10 000 concurrent requests through one client: none lost or duplicated', async (t) => {
  const N = 10_000
  let child
  let announce
  const port = new Promise((resolve) => {
    announce = resolve
  })
  const exited = runNode(['-e', LOAD_SERVER, String(N)], {
    timeoutMs: 45_000,
    onStdout: (text, c) => {
      child = c
      const m = /port (\d+)/.exec(text)
      if (m) announce(Number(m[1]))
    },
  })
  t.after(async () => {
    child?.stdin.end()
    await exited
  })
  const got = await settle(port, 'the load server to start')
  assert.ok(got.ok, got.error?.message)
  const url = `http://127.0.0.1:${got.value}`

  const client = new ScalekitClient(url, 'id', 'secret')
  const calls = []
  for (let i = 0; i < N; i++) calls.push(client.actions.request({ ...CALL, path: `/n/${i}` }))
  let timer
  const results = await Promise.race([
    Promise.allSettled(calls),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${N} calls did not settle within 30 s: hung`)), 30_000)
    }),
  ]).finally(() => clearTimeout(timer))

  const failed = results.filter((r) => r.status === 'rejected')
  assert.equal(failed.length, 0, `${failed.length} of ${N} failed, e.g. ${describeError(failed[0]?.reason)}`)
  const answered = new Uint16Array(N)
  results.forEach((r, i) => {
    assert.equal(r.value.status, 200)
    if (r.value.data !== i) assert.fail(`call ${i} resolved with the answer to ${r.value.data}`)
    answered[r.value.data]++
  })
  assert.ok(answered.every((c) => c === 1), 'each index exactly once in the results')

  const stats = await new Promise((resolve, reject) => {
    http
      .get(`${url}/__stats`, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d) => (text += d))
        res.on('end', () => resolve(JSON.parse(text)))
      })
      .on('error', reject)
  })
  assert.equal(stats.bad, 0)
  const wrong = stats.seen.map((c, i) => [i, c]).filter(([, c]) => c !== 1)
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} indices not seen exactly once at the server ([index, count])`)
  t.diagnostic(`peak connections at the server: ${stats.peak}`)
})

test('a 401 that Scalekit marks TOOL_ERROR is neither re-authenticated nor retried (the tool runs once)', async (t) => {
  let tokens = 0
  let runs = 0
  const { url } = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') {
      tokens++
      return sendJson(res, 200, { access_token: 't', expires_in: 3600 })
    }
    runs++
    sendJson(res, 401, {
      code: 16,
      message: 'provider rejected the credentials',
      details: [{ '@type': 'type.googleapis.com/scalekit.v1.errdetails.ErrorInfo', error_code: 'TOOL_ERROR' }],
    })
  })
  const client = new sk.ScalekitClient(url, 'id', 'secret-value-1')
  const e = await rejection(client.actions.executeTool({ toolName: 'send_mail', identifier: 'u', connector: 'gmail' }))
  assert.ok(e instanceof sk.ScalekitToolUnauthorizedException, `got ${e?.constructor?.name}`)
  assert.equal(runs, 1, 'the tool ran once')
  assert.equal(tokens, 1, 'no token refresh')
})

test('response headers named like Object.prototype members are kept as headers', async (t) => {
  const { url } = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: 't', expires_in: 3600 })
    res.setHeader('constructor', 'v1')
    res.setHeader('__proto__', 'v2')
    res.setHeader('toString', 'v3')
    sendJson(res, 200, { ok: true })
  })
  const client = new sk.ScalekitClient(url, 'id', 'secret-value-1')
  const r = await client.actions.request({ connectionName: 'c', identifier: 'u', path: '/x' })
  assert.equal(r.headers.constructor, 'v1')
  assert.equal(Object.getOwnPropertyDescriptor(r.headers, '__proto__')?.value, 'v2')
  assert.equal(r.headers.tostring, 'v3')
})

// Odd answers the failure must still read right: a `Retry-After` too large for a 64-bit number is
// "much later" (past the deadline: not retried at once), and a status with no reason phrase is
// shown alone.
test('a Retry-After past any deadline is not retried; a status without a reason phrase has no trailing space', async (t) => {
  const fake = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: 'tok', expires_in: 3600 })
    if (req.url === '/proxy/later') return sendJson(res, 503, {}, { 'retry-after': '100000000000000000000000' })
    res.writeHead(600).end()
  })
  const client = new sk.ScalekitClient(fake.url, 'id', 'secret', { maxRetries: 3 })
  const call = { connectionName: 'c', identifier: 'u' }
  const later = await rejection(client.actions.request({ ...call, path: '/later' }))
  assert.equal(later.httpStatus, 503)
  assert.equal(fake.requests.filter((r) => r.url === '/proxy/later').length, 1, 'not retried')
  const odd = await rejection(client.actions.request({ ...call, path: '/odd' }))
  assert.equal(odd.httpStatus, 600)
  assert.equal(odd.message, 'request failed with status 600')
})
