// Tool Proxy credential injection by LocalScalekit (issue 4), verified at ONE real upstream server
// this test starts: OAUTH, BASIC, BEARER, API_KEY (header) and API_KEY (query parameter). Also: the
// caller's method, path, query, body and headers reach the upstream unchanged; the upstream's
// status, headers and body come back unchanged; Scalekit's own headers and the client's bearer
// token never reach the upstream; accounts that are not ACTIVE are refused without an upstream call.
//
// The client talks to LocalScalekit through a small recording forwarder, so the test knows the
// exact Scalekit bearer token the client sent and can check it never leaks upstream.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'

import sk from '../index.js'
import { startServer, sendJson, rejection, statsDelta } from './helpers.mjs'

const { LocalScalekit, ScalekitClient, ConnectorStatus, ScalekitBadRequestException, ScalekitNotFoundException } = sk

let upstream
let local
let forwarder
let actions

/** Creates the account of (`connectionName`, `identifier`) holding the static credentials `details`. */
function createStatic(connectionName, identifier, details) {
  return actions.createConnectedAccount({ connectionName, identifier, authorizationDetails: { staticAuth: { details } } })
}

/** A transparent HTTP forwarder to `target` that records the `authorization` of each request. */
async function startForwarder(target) {
  const seenAuthorization = []
  const sockets = new Set()
  const server = http.createServer((req, res) => {
    if (req.headers.authorization) seenAuthorization.push(req.headers.authorization)
    const out = http.request(new URL(req.url, target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers)
      answer.pipe(res)
    })
    out.on('error', (e) => {
      res.writeHead(502)
      res.end(String(e))
    })
    req.pipe(out)
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** The bearer tokens the client sent to Scalekit. */
    tokens: () => seenAuthorization.filter((v) => /^bearer /i.test(v)).map((v) => v.slice(7)),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

function upstreamHandler(req, res, body) {
  const url = new URL(req.url, 'http://x')
  if (url.pathname === '/export.csv') {
    res.writeHead(201, { 'content-type': 'text/csv; charset=utf-8', 'x-upstream': 'csv', 'set-cookie': 'sid=1' })
    res.end('id,name\n1,Ada\n')
    return
  }
  if (url.pathname === '/missing') {
    sendJson(res, 404, { error: 'no such item', from: 'upstream' })
    return
  }
  sendJson(res, 200, { ok: true, method: req.method, path: url.pathname, bodyLength: body.length })
}

before(async () => {
  upstream = await startServer(null, upstreamHandler)
  local = await LocalScalekit.start({
    connections: [
      { name: 'oauth-conn', authType: 'OAUTH', upstreamUrl: upstream.url },
      { name: 'basic-conn', authType: 'BASIC', upstreamUrl: upstream.url },
      { name: 'bearer-conn', authType: 'BEARER', upstreamUrl: upstream.url },
      { name: 'key-header', authType: 'API_KEY', upstreamUrl: upstream.url, apiKey: { header: 'X-API-Key' } },
      { name: 'key-query', authType: 'API_KEY', upstreamUrl: upstream.url, apiKey: { query: 'api_key' } },
    ],
  })
  forwarder = await startForwarder(local.url)
  actions = new ScalekitClient(forwarder.url, local.clientId, local.clientSecret).actions
})

after(async () => {
  await local?.close()
  await forwarder?.close()
  await upstream?.close()
})

// What the upstream may see besides the caller's headers and the injected credential: the
// client's identity headers and what HTTP itself needs.
const TRANSPORT_HEADERS = new Set([
  'host',
  'user-agent',
  'x-sdk-version',
  'x-api-version',
  'accept',
  'accept-encoding',
  'content-type',
  'content-length',
])

/** Makes `call()`, asserts it reached the upstream exactly once, and returns that request. */
async function oneUpstreamRequest(call) {
  const before = upstream.requests.length
  const result = await call()
  assert.equal(upstream.requests.length, before + 1, 'exactly one upstream request')
  return { result, seen: upstream.requests[upstream.requests.length - 1] }
}

/** No Scalekit routing header, no Scalekit token, and only the allowed headers. */
function assertNoScalekitLeak(seen, allowedExtra) {
  const names = Object.keys(seen.headers)
  assert.equal(seen.headers.connection_name, undefined, 'connection_name must not reach the upstream')
  assert.equal(seen.headers.identifier, undefined, 'identifier must not reach the upstream')
  for (const name of names) {
    assert.ok(TRANSPORT_HEADERS.has(name) || allowedExtra.includes(name), `unexpected header at the upstream: ${name}: ${seen.headers[name]}`)
  }
  const tokens = forwarder.tokens()
  assert.ok(tokens.length > 0, 'the forwarder saw the client’s Scalekit token')
  for (const token of tokens) {
    assert.ok(token.length >= 8)
    for (const [name, value] of Object.entries(seen.headers)) {
      assert.ok(!String(value).includes(token), `the Scalekit token leaked upstream in ${name}`)
    }
    assert.ok(!seen.url.includes(token), 'the Scalekit token leaked upstream in the URL')
    assert.ok(!seen.body.toString('latin1').includes(token), 'the Scalekit token leaked upstream in the body')
  }
}

describe('credential injection at a real upstream', () => {
  test('OAUTH → Authorization: Bearer <the access token LocalScalekit issued for the account>', async () => {
    const identifier = 'oauth-user'
    const { link } = await actions.getAuthorizationLink({ connectionName: 'oauth-conn', identifier })
    const page = await fetch(link)
    await page.arrayBuffer()
    assert.equal(page.status, 200)
    const account = (await actions.getConnectedAccount({ connectionName: 'oauth-conn', identifier })).connectedAccount
    assert.equal(account.status, ConnectorStatus.ACTIVE)
    const accessToken = account.authorizationDetails.details.value.accessToken
    assert.ok(accessToken.length > 0)

    const { result, seen } = await oneUpstreamRequest(() =>
      actions.request({ connectionName: 'oauth-conn', identifier, path: '/v1/me', headers: { 'X-Caller': 'hello' } }),
    )
    assert.equal(result.status, 200)
    assert.equal(seen.headers.authorization, `Bearer ${accessToken}`)
    assert.ok(!forwarder.tokens().includes(accessToken), 'the account token is not the Scalekit token')
    assert.equal(seen.headers['x-caller'], 'hello')
    assertNoScalekitLeak(seen, ['authorization', 'x-caller'])
  })

  test('BEARER → Authorization: Bearer <static token>', async () => {
    const { connectedAccount } = await actions.getOrCreateConnectedAccount({
      connectionName: 'bearer-conn',
      identifier: 'bearer-user',
      authorizationDetails: { staticAuth: { details: { token: 'static-bearer-123' } } },
    })
    assert.equal(connectedAccount.status, ConnectorStatus.ACTIVE)
    const { seen } = await oneUpstreamRequest(() =>
      actions.request({ connectionName: 'bearer-conn', identifier: 'bearer-user', path: '/v1/builds', headers: { 'X-Caller': 'b' } }),
    )
    assert.equal(seen.headers.authorization, 'Bearer static-bearer-123')
    assertNoScalekitLeak(seen, ['authorization', 'x-caller'])
  })

  test('BASIC → Authorization: Basic base64(username:password)', async () => {
    await actions.createConnectedAccount({
      connectionName: 'basic-conn',
      identifier: 'basic-user',
      authorizationDetails: { details: { case: 'staticAuth', value: { details: { username: 'alice', password: 'p@ss:wörd' } } } },
    })
    const { seen } = await oneUpstreamRequest(() =>
      actions.request({ connectionName: 'basic-conn', identifier: 'basic-user', path: '/wiki/page' }),
    )
    assert.equal(seen.headers.authorization, `Basic ${Buffer.from('alice:p@ss:wörd', 'utf8').toString('base64')}`)
    assertNoScalekitLeak(seen, ['authorization'])
  })

  test('API_KEY (header) → X-API-Key: <key>, and no Authorization header at all', async () => {
    await createStatic('key-header', 'key-user', { api_key: 'key-in-header' })
    const { seen } = await oneUpstreamRequest(() =>
      actions.request({ connectionName: 'key-header', identifier: 'key-user', path: '/v1/contacts', headers: { 'X-Caller': 'k' } }),
    )
    assert.equal(seen.headers['x-api-key'], 'key-in-header')
    assert.equal(seen.headers.authorization, undefined, 'the client’s Scalekit bearer must not reach the upstream')
    assertNoScalekitLeak(seen, ['x-api-key', 'x-caller'])
  })

  test('API_KEY (query parameter) → ?api_key=<key> appended to the caller’s query', async () => {
    const key = 'key&in=query 1'
    await createStatic('key-query', 'key-user', { api_key: key })
    const { seen } = await oneUpstreamRequest(() =>
      actions.request({ connectionName: 'key-query', identifier: 'key-user', path: '/v1/search?term=a', queryParams: { page: 2 } }),
    )
    const url = new URL(seen.url, 'http://x')
    assert.equal(url.pathname, '/v1/search')
    assert.deepEqual([...url.searchParams], [['term', 'a'], ['page', '2'], ['api_key', key]])
    assert.ok(seen.url.startsWith('/v1/search?term=a&page=2&'), `the caller's query first, unchanged: ${seen.url}`)
    assert.equal(seen.headers.authorization, undefined)
    assertNoScalekitLeak(seen, [])
  })
})

describe('forwarding and relaying unchanged', () => {
  test('method, path, query, JSON body and caller headers reach the upstream as sent', async () => {
    await actions.getOrCreateConnectedAccount({
      connectionName: 'bearer-conn',
      identifier: 'fwd-user',
      authorizationDetails: { staticAuth: { details: { token: 'fwd-token' } } },
    })
    const { result, seen } = await oneUpstreamRequest(() =>
      actions.request({
        connectionName: 'bearer-conn',
        identifier: 'fwd-user',
        method: 'patch',
        path: '/v1/items/42?fields=a,b',
        queryParams: { q: 'x y', tags: ['t1', 't2'] },
        body: { name: 'Ada', nested: { n: 1 } },
        headers: { 'X-Request-Id': 'req-1', 'X-Trace': 'abc' },
      }),
    )
    assert.equal(seen.method, 'PATCH')
    assert.equal(seen.url, '/v1/items/42?fields=a,b&q=x+y&tags%5B%5D=t1&tags%5B%5D=t2')
    assert.equal(seen.body.toString('utf8'), '{"name":"Ada","nested":{"n":1}}')
    assert.equal(seen.headers['content-type'], 'application/json')
    assert.equal(seen.headers['content-length'], String(seen.body.length))
    assert.equal(seen.headers['x-request-id'], 'req-1')
    assert.equal(seen.headers['x-trace'], 'abc')
    assert.equal(seen.headers.authorization, 'Bearer fwd-token')
    assertNoScalekitLeak(seen, ['authorization', 'x-request-id', 'x-trace'])
    assert.deepEqual(result.data, { ok: true, method: 'PATCH', path: '/v1/items/42', bodyLength: seen.body.length })
  })

  test('a raw text body with the caller’s content-type is forwarded byte for byte', async () => {
    const { seen } = await oneUpstreamRequest(() =>
      actions.request({
        connectionName: 'bearer-conn',
        identifier: 'fwd-user',
        method: 'POST',
        path: '/v1/notes',
        body: 'line 1\nline ü 2',
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      }),
    )
    assert.equal(seen.method, 'POST')
    assert.equal(seen.url, '/v1/notes')
    assert.equal(seen.body.toString('utf8'), 'line 1\nline ü 2')
    assert.equal(seen.headers['content-type'], 'text/plain; charset=utf-8')
  })

  test('upstream 201 text/csv: status, content-type, custom headers and body relayed unchanged', async () => {
    const { result } = await oneUpstreamRequest(() =>
      actions.request({ connectionName: 'bearer-conn', identifier: 'fwd-user', method: 'POST', path: '/export.csv', body: { all: true } }),
    )
    assert.equal(result.status, 201)
    assert.equal(result.statusText, 'Created')
    assert.equal(result.headers['content-type'], 'text/csv; charset=utf-8')
    assert.equal(result.headers['x-upstream'], 'csv')
    assert.deepEqual(result.headers['set-cookie'], ['sid=1'])
    assert.equal(result.data, 'id,name\n1,Ada\n')
  })

  test('an upstream 404 is relayed: ScalekitNotFoundException carrying the upstream body', async () => {
    const before = upstream.requests.length
    const e = await rejection(actions.request({ connectionName: 'bearer-conn', identifier: 'fwd-user', path: '/missing' }))
    assert.equal(upstream.requests.length, before + 1)
    assert.ok(e instanceof ScalekitNotFoundException, `got ${e.constructor.name}: ${e.message}`)
    assert.equal(e.httpStatus, 404)
    assert.deepEqual(e.data, { error: 'no such item', from: 'upstream' })
  })
})

describe('accounts that are not ACTIVE: refused, the upstream is never called', () => {
  async function assertRefused(connectionName, identifier) {
    const beforeUpstream = upstream.requests.length
    const before = local.stats()
    const e = await rejection(actions.request({ connectionName, identifier, path: '/v1/anything', method: 'POST', body: { x: 1 } }))
    assert.ok(e instanceof ScalekitBadRequestException, `got ${e.constructor.name}: ${e.message}`)
    assert.equal(e.httpStatus, 400)
    assert.equal(e.data?.code, 9, `FAILED_PRECONDITION in the body: ${JSON.stringify(e.data)}`)
    assert.equal(e.errDetails?.code, 9)
    assert.equal(statsDelta(local, before).proxy, 1, 'LocalScalekit answered it')
    assert.equal(upstream.requests.length, beforeUpstream, 'the upstream recorded no request')
  }

  test('PENDING_AUTH (created without credentials)', async () => {
    const { connectedAccount } = await actions.getOrCreateConnectedAccount({ connectionName: 'bearer-conn', identifier: 'pending-user' })
    assert.equal(connectedAccount.status, ConnectorStatus.PENDING_AUTH)
    await assertRefused('bearer-conn', 'pending-user')
  })

  test('PENDING_AUTH on an API_KEY connection (createConnectedAccount without credentials)', async () => {
    const { connectedAccount } = await actions.createConnectedAccount({ connectionName: 'key-header', identifier: 'pending-key' })
    assert.equal(connectedAccount.status, ConnectorStatus.PENDING_AUTH)
    await assertRefused('key-header', 'pending-key')
  })

  test('EXPIRED (local.setAccountStatus) after a call that worked', async () => {
    await createStatic('basic-conn', 'expiring-user', { username: 'u', password: 'p' })
    await oneUpstreamRequest(() => actions.request({ connectionName: 'basic-conn', identifier: 'expiring-user', path: '/ok' }))
    local.setAccountStatus('basic-conn', 'expiring-user', 'EXPIRED')
    await assertRefused('basic-conn', 'expiring-user')
  })

  test('PENDING_VERIFICATION (link followed with userVerifyUrl, not yet verified)', async () => {
    const { link } = await actions.getAuthorizationLink({
      connectionName: 'oauth-conn',
      identifier: 'unverified-user',
      userVerifyUrl: `${upstream.url}/verify`,
    })
    const beforeUpstream = upstream.requests.length
    const page = await fetch(link, { redirect: 'manual' })
    await page.arrayBuffer()
    assert.equal(page.status, 302)
    assert.equal(upstream.requests.length, beforeUpstream)
    await assertRefused('oauth-conn', 'unverified-user')
  })

  test('DISCONNECTED (local.setAccountStatus)', async () => {
    await createStatic('key-query', 'disconnected-user', { api_key: 'k' })
    local.setAccountStatus('key-query', 'disconnected-user', 'DISCONNECTED')
    await assertRefused('key-query', 'disconnected-user')
  })

  test('a deleted account → ScalekitNotFoundException, no upstream call', async () => {
    await createStatic('bearer-conn', 'deleted-user', { token: 'gone' })
    await actions.deleteConnectedAccount({ connectionName: 'bearer-conn', identifier: 'deleted-user' })
    const beforeUpstream = upstream.requests.length
    const e = await rejection(actions.request({ connectionName: 'bearer-conn', identifier: 'deleted-user', path: '/v1/x' }))
    assert.ok(e instanceof ScalekitNotFoundException, `got ${e.constructor.name}: ${e.message}`)
    assert.equal(e.data?.code, 5)
    assert.equal(upstream.requests.length, beforeUpstream)
  })

  test('an unknown account → ScalekitNotFoundException, no upstream call', async () => {
    const beforeUpstream = upstream.requests.length
    const e = await rejection(actions.request({ connectionName: 'bearer-conn', identifier: 'nobody', path: '/v1/x' }))
    assert.ok(e instanceof ScalekitNotFoundException, `got ${e.constructor.name}: ${e.message}`)
    assert.equal(e.data?.code, 5)
    assert.equal(upstream.requests.length, beforeUpstream)
  })
})
