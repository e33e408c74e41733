// Errors: validation before anything is sent, server answers mapped to the official classes,
// Scalekit-side refusals, timeouts, network failures, getAuthorizationLink.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import net from 'node:net'

import sk from '../index.js'
import { CALL, startLocal, startRouted, sendJson, rejection } from './helpers.mjs'

const {
  LocalScalekit,
  ScalekitClient,
  ScalekitException,
  ScalekitServerException,
  ScalekitValidationException,
  ScalekitNetworkException,
  ScalekitNotFoundException,
  ScalekitServiceUnavailableException,
  ScalekitGatewayTimeoutException,
} = sk

const SEED = { connectionName: 'conn', identifier: 'user@example.com', authorizationDetails: { oauth_token: { access_token: 'x' } } }

describe('bad input: ScalekitValidationException, nothing sent', () => {
  let local
  let client
  before(async () => {
    local = await LocalScalekit.start({ accounts: [SEED] })
    // A fresh client: had anything been sent, a token request would show in the stats.
    client = local.client()
  })
  after(() => local?.close())

  async function expectRejected(params, { argument, message } = {}) {
    const before = local.stats()
    const e = await rejection(client.actions.request(params))
    assert.ok(e instanceof ScalekitValidationException, `expected ScalekitValidationException, got ${e && e.constructor.name}: ${e && e.message}`)
    assert.ok(e instanceof ScalekitException)
    assert.ok(e instanceof Error)
    assert.ok(!(e instanceof ScalekitServerException))
    if (argument !== undefined) assert.equal(e.argument, argument)
    if (message !== undefined) {
      if (message instanceof RegExp) assert.match(e.message, message)
      else assert.equal(e.message, message)
    }
    assert.deepEqual(local.stats(), before, 'nothing was sent')
    return e
  }

  for (const field of ['connectionName', 'identifier', 'path']) {
    for (const value of [undefined, null, '', '   ', '\t\n']) {
      test(`${field} ${JSON.stringify(value) ?? 'undefined'} → "${field} is required"`, async () => {
        await expectRejected({ ...CALL, [field]: value }, { argument: field, message: `${field} is required` })
      })
    }
  }

  test('checks in the official order: connectionName, identifier, path', async () => {
    await expectRejected({}, { message: 'connectionName is required' })
    await expectRejected({ connectionName: 'c' }, { message: 'identifier is required' })
    await expectRejected({ connectionName: 'c', identifier: 'u' }, { message: 'path is required' })
  })

  test('params that are not an object', async () => {
    await expectRejected(undefined)
    await expectRejected(null)
    await expectRejected('conn')
  })

  // An absolute URL, a leading `//` or a backslash stays a path segment under the prefix, as in
  // the official client (docs/wire-protocol.md §6): __test__/paths.test.mjs checks where they go.
  for (const path of [
    '/..%2F..%2Fapi/v1/x',
    '/%5C..%5Capi',
    '/..%2fproxy-admin',
    '/a/../../x',
    '/../x',
    '/%2e%2e/x',
    '/%2E%2E/x',
    '/.%2e/x',
    '..',
    '../x',
  ]) {
    test(`path escaping the proxy prefix: ${JSON.stringify(path)}`, async () => {
      await expectRejected({ ...CALL, path }, { argument: 'path', message: /path/ })
    })
  }

  test('a path that stays under the prefix after dot segments is accepted', async () => {
    const res = await client.actions.request({ ...CALL, path: '/a/b/../c' })
    assert.equal(res.data.path, '/a/c')
  })

  for (const [name, params, argument] of [
    ['CR/LF in identifier', { ...CALL, identifier: 'u\r\nX-Injected: 1' }, 'identifier'],
    ['LF in identifier', { ...CALL, identifier: 'u\nx' }, 'identifier'],
    ['NUL in identifier', { ...CALL, identifier: 'u\u0000' }, 'identifier'],
    ['CR/LF in connectionName', { ...CALL, connectionName: 'conn\r\nX-Injected: 1' }, 'connectionName'],
    ['CR in connectionName', { ...CALL, connectionName: 'conn\rx' }, 'connectionName'],
    ['CR/LF in a header value', { ...CALL, headers: { 'x-a': 'a\r\nX-Injected: 1' } }, 'headers'],
    ['LF in a header value', { ...CALL, headers: { 'x-a': 'a\nb' } }, 'headers'],
    ['a header name with a space', { ...CALL, headers: { 'bad name': 'v' } }, 'headers'],
    ['a header name with a colon', { ...CALL, headers: { 'x:y': 'v' } }, 'headers'],
    ['an empty header name', { ...CALL, headers: { '': 'v' } }, 'headers'],
    ['a header name with CR/LF', { ...CALL, headers: { 'x\r\ny': 'v' } }, 'headers'],
  ]) {
    test(`${name} is rejected`, async () => {
      await expectRejected(params, { argument })
    })
  }

  for (const value of [0, -1, NaN, Infinity, -Infinity, '100']) {
    test(`timeoutMs ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`, async () => {
      await expectRejected({ ...CALL, timeoutMs: value }, {
        argument: 'timeoutMs',
        message: `timeoutMs must be a positive finite number of milliseconds, got ${String(value)}`,
      })
    })
  }

  test('an invalid method', async () => {
    await expectRejected({ ...CALL, method: 'GE T' }, { argument: 'method' })
  })

  test('getAuthorizationLink without an id or connectionName + identifier', async () => {
    for (const params of [{}, { connectionName: 'conn' }, { identifier: 'u' }, { connectionName: ' ', identifier: ' ' }]) {
      const before = local.stats()
      const e = await rejection(client.actions.getAuthorizationLink(params))
      assert.ok(e instanceof ScalekitValidationException, String(e))
      assert.match(e.message, /connectedAccountId or connectionName \+ identifier is required/)
      assert.deepEqual(local.stats(), before)
    }
  })

  test('nothing at all was sent by this suite until the accepted path test', () => {
    // Only the one accepted call (token + proxy + echo) went out.
    const s = local.stats()
    assert.equal(s.token, 1)
    assert.equal(s.proxy, 1)
    assert.equal(s.magic_link, 0)
  })
})

describe('non-2xx answers from the provider', () => {
  let upstream
  let local
  let close
  let actions
  before(async () => {
    ;({ upstream, local, close } = await startRouted(null, 'prov', (req, res) => {
      const status = Number(new URL(req.url, 'http://x').pathname.split('/').pop())
      sendJson(res, status, { failure: status, detail: 'from the provider' }, { 'x-err': String(status) })
    }))
    actions = local.client().actions
  })
  after(() => close?.())

  // The class the official SDK throws for each status, and the gRPC code grpc-gateway maps the
  // status to; the reason phrase (errorCode, statusText) is the standard one.
  const CLASSES = {
    ScalekitBadRequestException: { 400: 3 },
    ScalekitUnauthorizedException: { 401: 16 },
    ScalekitForbiddenException: { 403: 7 },
    ScalekitNotFoundException: { 404: 5 },
    ScalekitConflictException: { 409: 6 },
    ScalekitInternalServerException: { 422: 2, 500: 13, 502: 2 },
    ScalekitTooManyRequestsException: { 429: 8 },
    ScalekitNotImplementedException: { 501: 12 },
    ScalekitServiceUnavailableException: { 503: 14 },
    ScalekitGatewayTimeoutException: { 504: 4 },
  }
  const TABLE = Object.entries(CLASSES).flatMap(([name, codes]) =>
    Object.entries(codes).map(([status, grpc]) => [Number(status), sk[name], grpc, http.STATUS_CODES[status]]),
  )
  for (const [status, Class, grpc, text] of TABLE) {
    test(`${status} → ${Class.name}`, async () => {
      const hits = upstream.requests.length
      const e = await rejection(actions.request({ connectionName: 'prov', identifier: 'u', path: `/status/${status}`, retry: false }))
      assert.equal(e.constructor, Class, `got ${e.constructor.name}: ${e.message}`)
      assert.ok(e instanceof ScalekitServerException)
      assert.ok(e instanceof ScalekitException)
      assert.ok(e instanceof Error)
      assert.equal(e.httpStatus, status)
      assert.equal(e.status, status)
      assert.equal(e.grpcStatus, grpc)
      assert.equal(e.errorCode, text)
      assert.equal(e.statusText, text)
      assert.equal(e.headers['x-err'], String(status))
      assert.deepEqual(e.data, { failure: status, detail: 'from the provider' })
      assert.deepEqual(e.errDetails, e.data)
      assert.equal(e.name, Class.name)
      assert.ok(e.message.includes(String(status)), `message names the status: ${e.message}`)
      assert.notEqual(e.message, '[object Object]')
      assert.equal(upstream.requests.length, hits + 1, 'retry: false → one upstream call')
    })
  }

  test('non-idempotent POST answered 503 is not retried by default', async () => {
    const hits = upstream.requests.length
    const e = await rejection(actions.request({ connectionName: 'prov', identifier: 'u', path: '/status/503', method: 'POST', body: { a: 1 } }))
    assert.ok(e instanceof ScalekitServiceUnavailableException)
    assert.equal(upstream.requests.length, hits + 1)
  })
})

test('a GET answered 503 (Retry-After: 0) is retried and succeeds', async (t) => {
  let n = 0
  const { upstream, local } = await startRouted(t, 'prov', (req, res) => {
    n++
    if (n === 1) return sendJson(res, 503, { busy: true }, { 'retry-after': '0' })
    sendJson(res, 200, { ok: n })
  })
  const res = await local.client().actions.request({ connectionName: 'prov', identifier: 'u', path: '/r' })
  assert.equal(res.status, 200)
  assert.deepEqual(res.data, { ok: 2 })
  assert.equal(upstream.requests.length, 2)
})

describe('refusals by Scalekit itself (LocalScalekit)', () => {
  test('unknown connected account → ScalekitNotFoundException, no upstream call', async (t) => {
    const local = await startLocal(t, { accounts: [SEED] })
    const e = await rejection(local.client().actions.request({ ...CALL, identifier: 'nobody@example.com' }))
    assert.ok(e instanceof ScalekitNotFoundException, String(e))
    assert.equal(e.httpStatus, 404)
    assert.equal(e.grpcStatus, 5)
    assert.equal(typeof e.data, 'object')
    const s = local.stats()
    assert.equal(s.proxy, 1)
    assert.equal(s.echo, 0)
  })

  test('inactive account (EXPIRED) → rejected without an upstream call', async (t) => {
    const local = await startLocal(t, { accounts: [SEED] })
    const client = local.client()
    assert.equal((await client.actions.request(CALL)).status, 200)
    local.setAccountStatus('conn', 'user@example.com', 'EXPIRED')
    const before = local.stats()
    const e = await rejection(client.actions.request(CALL))
    assert.ok(e instanceof ScalekitServerException, String(e))
    assert.ok(e.httpStatus >= 400 && e.httpStatus < 500, `status ${e.httpStatus}`)
    const s = local.stats()
    assert.equal(s.echo, before.echo, 'no upstream call')
    assert.equal(s.proxy, before.proxy + 1, 'no retry')
    // Reactivated: works again.
    local.setAccountStatus('conn', 'user@example.com', 'ACTIVE')
    assert.equal((await client.actions.request(CALL)).status, 200)
  })

  test('a pending account becomes ACTIVE once its magic link is followed', async (t) => {
    const local = await startLocal(t)
    const client = local.client()
    const params = { connectionName: 'github', identifier: 'dev@example.com' }
    const { link, expiry } = await client.actions.getAuthorizationLink(params)
    assert.equal(typeof link, 'string')
    assert.ok(link.startsWith(local.url), link)
    assert.ok(expiry instanceof Date)
    assert.ok(expiry.getTime() > Date.now(), `expiry ${expiry.toISOString()} in the future`)
    const pending = await rejection(client.actions.request({ ...params, path: '/user' }))
    assert.ok(pending instanceof ScalekitServerException, String(pending))
    assert.equal(local.stats().echo, 0)
    const page = await fetch(link)
    assert.equal(page.status, 200)
    await page.arrayBuffer()
    const res = await client.actions.request({ ...params, path: '/user' })
    assert.equal(res.status, 200)
    assert.equal(res.data.path, '/user')
    const acct = local.accounts().find((a) => a.identifier === 'dev@example.com')
    assert.equal(acct.status, 'ACTIVE')
  })

  test('getAuthorizationLink by connectedAccountId', async (t) => {
    const local = await startLocal(t, { accounts: [SEED] })
    const id = local.accounts()[0].id
    const { link, expiry } = await local.client().actions.getAuthorizationLink({ connectedAccountId: id })
    assert.ok(link.startsWith(local.url))
    assert.ok(expiry > new Date())
  })

  test('getAuthorizationLink with an unknown connectedAccountId → ScalekitNotFoundException', async (t) => {
    const local = await startLocal(t, { accounts: [SEED] })
    const e = await rejection(local.client().actions.getAuthorizationLink({ connectedAccountId: 'ca_999' }))
    assert.ok(e instanceof ScalekitNotFoundException, String(e))
    assert.equal(e.httpStatus, 404)
  })
})

describe('timeouts and network failures', () => {
  let hang
  const sockets = new Set()
  before(async () => {
    // Accepts connections, reads requests, never answers.
    hang = http.createServer(() => {})
    hang.on('connection', (s) => {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
    })
    await new Promise((r) => hang.listen(0, '127.0.0.1', r))
  })
  after(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((r) => hang.close(r))
  })
  const hangUrl = () => `http://127.0.0.1:${hang.address().port}`

  async function hangingLocal(t) {
    return startLocal(t, {
      connections: [{ name: 'slow', authType: 'OAUTH', upstreamUrl: hangUrl() }],
      accounts: [{ connectionName: 'slow', identifier: 'u', authorizationDetails: { oauth_token: { access_token: 't' } } }],
    })
  }

  test('per-call timeoutMs: 300 → ScalekitGatewayTimeoutException', async (t) => {
    const local = await hangingLocal(t)
    const e = await rejection(local.client().actions.request({ connectionName: 'slow', identifier: 'u', path: '/x', timeoutMs: 300 }))
    assert.ok(e instanceof ScalekitGatewayTimeoutException, String(e))
    assert.ok(e instanceof ScalekitServerException)
    assert.equal(e.message, '[deadline_exceeded] timeout of 300ms exceeded')
    assert.equal(e.httpStatus, 504)
    assert.equal(e.grpcStatus, 4)
  })

  test("the client's toolTimeoutMs is the default deadline", async (t) => {
    const local = await hangingLocal(t)
    const e = await rejection(local.client({ toolTimeoutMs: 250 }).actions.request({ connectionName: 'slow', identifier: 'u', path: '/x', method: 'POST' }))
    assert.ok(e instanceof ScalekitGatewayTimeoutException, String(e))
    assert.equal(e.message, '[deadline_exceeded] timeout of 250ms exceeded')
  })

  test('a hanging token endpoint times out too (timeoutMs)', async () => {
    const client = new ScalekitClient(hangUrl(), 'id', 'secret', { timeoutMs: 300, toolTimeoutMs: 300 })
    const e = await rejection(client.actions.request(CALL))
    assert.ok(e instanceof ScalekitGatewayTimeoutException, String(e))
    assert.equal(e.httpStatus, 504)
  })

  test('connection refused → ScalekitNetworkException', async () => {
    const client = new ScalekitClient('http://127.0.0.1:1', 'id', 'secret', { maxRetries: 0 })
    const e = await rejection(client.actions.request(CALL))
    assert.ok(e instanceof ScalekitNetworkException, `got ${e.constructor.name}: ${e.message}`)
    assert.ok(e instanceof ScalekitException)
    assert.ok(!(e instanceof ScalekitServerException))
    assert.match(e.message, /refused|ECONNREFUSED/i)
    // A control-plane call: the official SDK's class for gRPC UNAVAILABLE, with the same message.
    const e2 = await rejection(client.actions.getAuthorizationLink({ connectionName: 'c', identifier: 'u' }))
    assert.ok(e2 instanceof ScalekitServiceUnavailableException, `got ${e2.constructor.name}: ${e2.message}`)
    assert.equal(e2.httpStatus, 503)
    assert.equal(e2.grpcStatus, 14)
    assert.match(e2.message, /refused|ECONNREFUSED/i)
  })

  test('connection refused with default retries still ends as ScalekitNetworkException', async () => {
    const client = new ScalekitClient('http://127.0.0.1:1', 'id', 'secret', { toolTimeoutMs: 5000 })
    const e = await rejection(client.actions.request(CALL))
    assert.ok(e instanceof ScalekitNetworkException, `got ${e.constructor.name}: ${e.message}`)
  })

  // A refused connection cannot be counted from here, so the same kind of failure (the request
  // never reached the server) is made countable: an https:// envUrl whose server drops every
  // connection, so each attempt fails in the TLS handshake, a connect failure.
  for (const maxRetries of [undefined, 0, 1]) {
    test(`a connect failure with maxRetries ${maxRetries ?? 'by default (2)'}: exactly ${1 + (maxRetries ?? 2)} attempt(s), then ScalekitNetworkException`, async (t) => {
      let connections = 0
      const server = net.createServer((socket) => {
        connections++
        socket.on('error', () => {})
        socket.destroy()
      })
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
      t.after(() => new Promise((resolve) => server.close(resolve)))
      const client = new ScalekitClient(`https://127.0.0.1:${server.address().port}`, 'id', 'secret', maxRetries === undefined ? {} : { maxRetries })
      const e = await rejection(client.actions.request(CALL))
      assert.equal(e.constructor, ScalekitNetworkException, `got ${e.constructor.name}: ${e.message}`)
      assert.equal(connections, 1 + (maxRetries ?? 2), 'token request attempts')
      connections = 0
      const e2 = await rejection(client.actions.getAuthorizationLink({ connectionName: 'c', identifier: 'u' }))
      assert.equal(e2.constructor, ScalekitServiceUnavailableException, `got ${e2.constructor.name}: ${e2.message}`)
      assert.equal(connections, 1 + (maxRetries ?? 2), 'token request attempts of the second call (a failed fetch is not cached)')
    })
  }
})
