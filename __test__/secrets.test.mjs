// No secret leaks: the client secret and the Scalekit access token never appear in the client's
// printed forms nor in any error's message, stack, inspected or JSON form.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import util from 'node:util'

import sk from '../index.js'
import { startServer, sendJson, rejection } from './helpers.mjs'

const { ScalekitClient, LocalScalekit, ScalekitException } = sk

const SECRET = 'cs-SECRET-4b1f9e77'
const TOKEN = 'tok-SECRET-123'
const CALL = { connectionName: 'conn', identifier: 'user@example.com' }

/** Every printed form of `value` that could end up in a log. */
function forms(value) {
  const out = [
    util.inspect(value),
    util.inspect(value, { depth: Infinity, showHidden: true, getters: true }),
    util.format('%s %o %O %j', value, value, value, value),
    safeJson(value),
    safe(() => String(value)),
  ]
  if (value instanceof Error) {
    out.push(value.message, value.stack)
    let cause = value.cause
    while (cause) {
      out.push(util.inspect(cause, { depth: Infinity, showHidden: true }), String(cause.stack))
      cause = cause.cause
    }
    // Every own property, enumerable or not.
    for (const key of Reflect.ownKeys(value)) out.push(safe(() => util.inspect(value[key], { depth: Infinity, showHidden: true })))
  }
  return out
}

function safe(fn) {
  try {
    return fn()
  } catch (e) {
    return `<threw ${e && e.message}>`
  }
}

function safeJson(value) {
  return safe(() => JSON.stringify(value))
}

function assertClean(value, label) {
  for (const text of forms(value)) {
    assert.ok(!String(text).includes(SECRET), `${label}: client secret leaked in ${text}`)
    assert.ok(!String(text).includes(TOKEN), `${label}: access token leaked in ${text}`)
  }
}

describe('against a fake Scalekit issuing a fixed token', () => {
  let fake
  before(async () => {
    // /oauth/token: a fixed token for the right secret, 401 otherwise (without echoing anything).
    // /proxy/slow: never answers. /proxy/ok: 200. Any other /proxy path: 404 JSON without the token.
    fake = await startServer(null, (req, res, body) => {
      const url = new URL(req.url, 'http://x')
      if (url.pathname === '/oauth/token') {
        const form = new URLSearchParams(body.toString())
        if (form.get('client_secret') !== SECRET) return sendJson(res, 401, { error: 'invalid_client', error_description: 'bad credentials' })
        return sendJson(res, 200, { access_token: TOKEN, token_type: 'Bearer', expires_in: 3600 })
      }
      if (url.pathname === '/proxy/slow') return // never answers
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return sendJson(res, 401, { code: 16, message: 'token is invalid or expired' })
      if (url.pathname === '/proxy/ok') return sendJson(res, 200, { ok: true })
      if (url.pathname === '/api/v1/connected_accounts/magic_link') return sendJson(res, 404, { code: 5, message: 'connected account not found' })
      sendJson(res, 404, { code: 5, message: 'not found here' })
    })
  })
  after(() => fake?.close())

  const client = () => new ScalekitClient(fake.url, 'skc_fixed', SECRET, { maxRetries: 0 })

  test('the fake really issues and receives the token being searched for', async () => {
    const c = client()
    const res = await c.actions.request({ ...CALL, path: '/ok' })
    assert.equal(res.status, 200)
    const proxied = fake.requests.filter((r) => r.url === '/proxy/ok').pop()
    assert.equal(proxied.headers.authorization, `Bearer ${TOKEN}`)
  })

  test('util.inspect / JSON.stringify of the client and its actions, after a call', async () => {
    const c = client()
    await c.actions.request({ ...CALL, path: '/ok' })
    assertClean(c, 'client')
    assertClean(c.actions, 'client.actions')
    assert.deepEqual(JSON.parse(JSON.stringify(c)), { envUrl: fake.url, clientId: 'skc_fixed' })
    // Own enumerable properties hold nothing secret either.
    for (const key of Object.keys(c)) assertClean(c[key], `client.${key}`)
    assert.ok(!Object.values(c).some((v) => v === SECRET))
  })

  test('token failure (wrong secret)', async () => {
    const wrong = 'cs-SECRET-4b1f9e77-wrong'
    const c = new ScalekitClient(fake.url, 'skc_fixed', wrong, { maxRetries: 0 })
    const e = await rejection(c.actions.request({ ...CALL, path: '/ok' }))
    assert.ok(e instanceof sk.ScalekitUnauthorizedException, String(e))
    assertClean(e, 'token failure')
    for (const text of forms(e)) assert.ok(!String(text).includes(wrong), `wrong secret leaked in ${text}`)
  })

  test('404 from the proxy', async () => {
    const e = await rejection(client().actions.request({ ...CALL, path: '/missing' }))
    assert.ok(e instanceof sk.ScalekitNotFoundException, String(e))
    assertClean(e, '404')
  })

  test('404 from the control plane (getAuthorizationLink)', async () => {
    const e = await rejection(client().actions.getAuthorizationLink(CALL))
    assert.ok(e instanceof sk.ScalekitNotFoundException, String(e))
    assertClean(e, 'magic link 404')
  })

  test('timeout', async () => {
    const e = await rejection(client().actions.request({ ...CALL, path: '/slow', timeoutMs: 200 }))
    assert.ok(e instanceof sk.ScalekitGatewayTimeoutException, String(e))
    assertClean(e, 'timeout')
  })

  test('validation', async () => {
    const c = client()
    await c.actions.request({ ...CALL, path: '/ok' })
    for (const params of [{ ...CALL }, { ...CALL, path: '/../x' }, { ...CALL, path: '/x', headers: { 'x-a': 'a\nb' } }]) {
      const e = await rejection(c.actions.request(params))
      assert.ok(e instanceof sk.ScalekitValidationException, String(e))
      assertClean(e, 'validation')
    }
  })

  test('a header value that is the token, rejected: not echoed in the error', async () => {
    const e = await rejection(client().actions.request({ ...CALL, path: '/x', headers: { 'x-a': `${TOKEN}\r\n` } }))
    assert.ok(e instanceof sk.ScalekitValidationException, String(e))
    assertClean(e, 'header value validation')
  })
})

test('a redirect to another origin does not carry the Scalekit token there', async (t) => {
  const elsewhere = await startServer(t, (req, res) => sendJson(res, 200, { elsewhere: true }))
  const fake = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: TOKEN, expires_in: 3600 })
    res.writeHead(302, { location: `${elsewhere.url}/landing` })
    res.end()
  })
  const c = new ScalekitClient(fake.url, 'skc', SECRET, { maxRetries: 0 })
  // Followed, as axios would, but without the token.
  const res = await c.actions.request({ ...CALL, path: '/go' })
  assert.equal(res.status, 200)
  assert.deepEqual(res.data, { elsewhere: true })
  assertClean(res, 'the redirected answer')
  assert.equal(fake.requests.filter((r) => r.url === '/proxy/go').length, 1)
  assert.deepEqual(elsewhere.requests.map((r) => `${r.method} ${r.url}`), ['GET /landing'])
  const [landing] = elsewhere.requests
  assert.equal(landing.headers.authorization, undefined)
  const seen = JSON.stringify(landing.headers) + landing.url + landing.body.toString()
  assert.ok(!seen.includes(TOKEN), `token sent to another origin: ${seen}`)
  assert.ok(!seen.includes(SECRET))
})

test('constructor errors do not contain the secret', () => {
  for (const args of [
    ['ftp://nope', 'skc', SECRET],
    ['', 'skc', SECRET],
    ['https://acme.scalekit.dev', '', SECRET],
    ['https://acme.scalekit.dev', 'skc', SECRET, { timeoutMs: -1 }],
    ['https://acme.scalekit.dev', 'skc', SECRET, { maxRetries: 99 }],
  ]) {
    let error
    try {
      new ScalekitClient(...args)
    } catch (e) {
      error = e
    }
    assert.ok(error instanceof ScalekitException, `constructor threw for ${args[0]}`)
    assertClean(error, `constructor(${args[0]})`)
  }
})

test('an envUrl with credentials is rejected without echoing the password', () => {
  let error
  try {
    new ScalekitClient(`https://user:${SECRET}@acme.scalekit.dev`, 'skc', 'other')
  } catch (e) {
    error = e
  }
  assert.ok(error instanceof sk.ScalekitValidationException)
  assert.equal(error.argument, 'envUrl')
  assertClean(error, 'envUrl with credentials')
})

test('network failure errors do not contain the secret', async () => {
  const c = new ScalekitClient('http://127.0.0.1:1', 'skc', SECRET, { maxRetries: 0 })
  const e = await rejection(c.actions.request({ ...CALL, path: '/x' }))
  assert.ok(e instanceof sk.ScalekitNetworkException, String(e))
  assertClean(e, 'network')
})

test('LocalScalekit: its client and printed forms do not show the secret', async (t) => {
  const local = await LocalScalekit.start({ clientSecret: SECRET })
  t.after(() => local.close())
  assert.equal(local.clientSecret, SECRET)
  for (const text of [util.inspect(local), util.inspect(local, { showHidden: true, depth: Infinity }), JSON.stringify(local)]) {
    assert.ok(!text.includes(SECRET), `LocalScalekit leaked its secret in ${text}`)
  }
  const c = local.client()
  await c.actions.getAuthorizationLink(CALL)
  assertClean(c, 'local client')
  const wrong = new ScalekitClient(local.url, local.clientId, `${SECRET}x`)
  const e = await rejection(wrong.actions.getAuthorizationLink(CALL))
  assert.ok(e instanceof sk.ScalekitUnauthorizedException, String(e))
  assertClean(e, 'local wrong secret')
})

test('a token endpoint that echoes the request: the secret is scrubbed from err.data too', async (t) => {
  const { url } = await startServer(t, (req, res, body) => {
    // A misbehaving server that puts the whole form, secret included, in its error.
    sendJson(res, 401, { error: 'invalid_client', error_description: `rejected: ${body}` })
  })
  const client = new sk.ScalekitClient(url, 'skc_id', SECRET)
  const e = await rejection(client.actions.request({ connectionName: 'c', identifier: 'u', path: '/x' }))
  assert.ok(e instanceof sk.ScalekitUnauthorizedException, `got ${e?.constructor?.name}`)
  assert.match(e.data.error_description, /client_secret=\[REDACTED\]/)
  for (const text of forms(e)) assert.ok(!String(text).includes(SECRET), `client secret leaked in ${text}`)
})

// The three shapes a token endpoint's failure takes (an OAuth error, another JSON body, plain
// text after the retries of a 5xx), each echoing the secret as sent: the message says what
// failed and carries the echo, scrubbed.
for (const [label, status, answer, Class, attempts] of [
  ['an OAuth 401 echoing the form', 401, (res, body) => sendJson(res, 401, { error: 'invalid_client', error_description: `rejected: ${body}` }), sk.ScalekitUnauthorizedException, 1],
  ['a 400 naming the secret', 400, (res) => sendJson(res, 400, { error: 'invalid_request', error_description: `unknown secret ${SECRET}` }), sk.ScalekitBadRequestException, 1],
  ['a text 500 naming the secret, retried once', 500, (res) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`no client with secret ${SECRET}`), sk.ScalekitInternalServerException, 2],
]) {
  test(`token endpoint failure, ${label}: the secret never reaches the error`, async (t) => {
    const fake = await startServer(t, (req, res, body) => answer(res, body))
    const client = new ScalekitClient(fake.url, 'skc_id', SECRET, { maxRetries: 1 })
    const e = await rejection(client.actions.request({ ...CALL, path: '/x' }))
    assert.equal(e.constructor, Class, `got ${e?.constructor?.name}: ${e?.message}`)
    assert.equal(e.httpStatus, status)
    assert.equal(fake.requests.length, attempts, 'token requests')
    assert.ok(fake.requests.every((r) => r.url === '/oauth/token' && r.body.toString().includes(`client_secret=${SECRET}`)), 'the secret was sent, and echoed')
    assert.match(e.message, new RegExp(`^token request failed with status ${status}`))
    assert.ok(!e.message.includes(SECRET), `secret in the message: ${e.message}`)
    if (status !== 500) assert.ok(e.message.includes('[REDACTED]'), `the echo, scrubbed, is in the message: ${e.message}`)
    assert.ok(JSON.stringify(e.data).includes('[REDACTED]'), `the echo, scrubbed, is in err.data: ${JSON.stringify(e.data)}`)
    for (const text of forms(e)) assert.ok(!String(text).includes(SECRET), `client secret leaked in ${text}`)
  })
}

// A secret with characters the form encodes (`/`, `+`, `=`, a space, a quote), echoed back in
// every form a server may use (as received, decoded, re-encoded as a form, in a JSON string) and
// in a header: none of them reaches the error.
test('a token endpoint echoing an encoded secret, in its body and a header: no form of it reaches the error', async (t) => {
  const secret = 'skc/with+base64="chars" and=more'
  const encodings = [
    encodeURIComponent(secret).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    secret,
  ]
  const fake = await startServer(t, (req, res, body) => {
    const echoed = body.toString()
    sendJson(res, 400, { error: 'invalid_request', error_description: `cannot parse ${echoed} (${secret}) ${encodings.join(' ')}` },
      { 'x-request-echo': echoed })
  })
  const client = new ScalekitClient(fake.url, 'skc_id', secret, { maxRetries: 0 })
  const e = await rejection(client.actions.request({ ...CALL, path: '/x' }))
  assert.equal(e.constructor, sk.ScalekitBadRequestException, `got ${e?.constructor?.name}: ${e?.message}`)
  assert.ok(fake.requests[0].body.toString().includes(`client_secret=${encodings[0]}`), 'the secret was sent percent-encoded')
  assert.equal(e.headers['x-request-echo'], 'grant_type=client_credentials&client_id=skc_id&client_secret=[REDACTED]')
  for (const text of forms(e)) {
    for (const form of encodings) assert.ok(!String(text).includes(form), `${form} leaked in ${text}`)
  }
})

// A control plane, a proxy and an MCP endpoint that echo the bearer they got: in the message,
// the details, the body and a header. The access token never reaches the error.
for (const [label, call] of [
  ['the control plane', (c) => c.actions.getConnectedAccount(CALL)],
  ['the Tool Proxy', (c) => c.actions.request({ ...CALL, path: '/x' })],
  ['actions.mcp', (c) => c.actions.mcp.getConfig({ configId: 'cfg_1' })],
]) {
  test(`${label} echoing the bearer it got: the access token never reaches the error`, async (t) => {
    const fake = await startServer(t, (req, res) => {
      if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: TOKEN, expires_in: 3600 })
      const auth = req.headers.authorization
      sendJson(res, 400, {
        code: 3,
        message: `malformed request, authorization was "${auth}"`,
        details: [{ '@type': 'type.googleapis.com/scalekit.v1.errdetails.ErrorInfo', error_code: `BAD ${auth}` }],
      }, { 'x-echo': String(auth) })
    })
    const e = await rejection(call(new ScalekitClient(fake.url, 'skc_id', SECRET, { maxRetries: 0 })))
    assert.ok(e instanceof sk.ScalekitBadRequestException, `got ${e?.constructor?.name}: ${e?.message}`)
    assert.equal(fake.requests.at(-1).headers.authorization, `Bearer ${TOKEN}`, 'the token was sent, and echoed')
    assert.match(e.message, /authorization was "Bearer \[REDACTED\]"/)
    assert.equal(e.headers['x-echo'], 'Bearer [REDACTED]')
    assertClean(e, label)
  })
}
