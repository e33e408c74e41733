// Redirects of proxy calls (docs/wire-protocol.md §6): `authorization`, `connection_name` and
// `identifier` go only to hops under `{envUrl}/proxy/` of the environment's origin, and to no hop
// after one that left it (307/308 included, even back in the prefix). Same-origin hops out of the
// prefix are not followed (they would reach Scalekit's own API): the 3xx is the answer.
import { test, before, after, beforeEach, describe } from 'node:test'
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'

import sk from '../index.js'
import { startServer, sendJson, rejection } from './helpers.mjs'

const { ScalekitClient, ScalekitNetworkException } = sk

const TOKEN = 'tok-redirects'
const CALL = { connectionName: 'googledrive', identifier: 'user@example.com' }
const WITH = { authorization: `Bearer ${TOKEN}`, connection_name: CALL.connectionName, identifier: CALL.identifier }
const WITHOUT = { authorization: undefined, connection_name: undefined, identifier: undefined }

/** Every request either server received, in order, the token request left out. */
const hops = []

/**
 * A request with `?to=<location>` (and optionally `&status=<n>`) is answered with that redirect;
 * anything else with 200 and what was received.
 */
function handler(server) {
  return (req, res, body) => {
    if (req.url.endsWith('/oauth/token')) return sendJson(res, 200, { access_token: TOKEN, expires_in: 3600 })
    hops.push({
      server,
      method: req.method,
      url: req.url,
      host: req.headers.host,
      authorization: req.headers.authorization,
      connection_name: req.headers.connection_name,
      identifier: req.headers.identifier,
      contentType: req.headers['content-type'],
      body: body.toString(),
    })
    const query = new URL(req.url, 'http://placeholder').searchParams
    // `/proxy/loop` redirects to itself forever.
    const to = req.url === '/proxy/loop' ? '/proxy/loop' : query.get('to')
    if (to !== null) {
      res.writeHead(Number(query.get('status') ?? 302), { location: to, 'content-length': 0 })
      return res.end()
    }
    sendJson(res, 200, { servedPath: req.url, method: req.method, body: body.toString() })
  }
}

let env
let other
let envPort
before(async () => {
  env = await startServer(null, handler('env'))
  other = await startServer(null, handler('other'))
  envPort = new URL(env.url).port
})
after(async () => {
  await env?.close()
  await other?.close()
})
beforeEach(() => {
  hops.length = 0
})

function client(envUrl = env.url) {
  return new ScalekitClient(envUrl, 'skc', 'secret', { maxRetries: 0 })
}

/** A proxy call to `/proxy/redirect` answered with a redirect to `to`. */
function redirectVia(c, to, { status, ...extra } = {}) {
  return c.actions.request({
    ...CALL,
    path: '/redirect',
    queryParams: status ? { to, status } : { to },
    ...extra,
  })
}

const credentialsOf = (hop) => ({ authorization: hop.authorization, connection_name: hop.connection_name, identifier: hop.identifier })

/** Fails when any hop outside `{envUrl}/proxy/` of the env origin received a credential header. */
function assertNoCredentialsOutside(envUrl = env.url) {
  const prefix = new URL(`${envUrl.replace(/\/$/, '')}/proxy/`)
  for (const hop of hops) {
    const inside = hop.server === 'env' && hop.host === prefix.host && hop.url.startsWith(prefix.pathname)
    if (!inside) assert.deepEqual(credentialsOf(hop), WITHOUT, `credentials reached ${hop.server} ${hop.host}${hop.url}`)
  }
}

describe('redirects', () => {
  test('inside the prefix: followed with the credentials', async () => {
    const res = await redirectVia(client(), '/proxy/drive/v3/files')
    assert.equal(res.status, 200)
    assert.equal(res.data.servedPath, '/proxy/drive/v3/files')
    assert.deepEqual(hops.map(credentialsOf), [WITH, WITH])
    // An absolute same-origin location under the prefix too.
    hops.length = 0
    await redirectVia(client(), `${env.url}/proxy/a?b=1`)
    assert.equal(hops[1].url, '/proxy/a?b=1')
    assert.deepEqual(credentialsOf(hops[1]), WITH)
  })

  test('another port: followed without the credentials', async () => {
    const res = await redirectVia(client(), `${other.url}/proxy/x`)
    assert.equal(res.status, 200)
    assert.deepEqual(res.data.servedPath, '/proxy/x')
    assert.deepEqual(hops.map((h) => h.server), ['env', 'other'])
    assert.deepEqual(credentialsOf(hops[0]), WITH)
    assert.deepEqual(credentialsOf(hops[1]), WITHOUT)
    assertNoCredentialsOutside()
  })

  test('another host name on the same port (localhost vs 127.0.0.1): followed without the credentials', async () => {
    const res = await redirectVia(client(), `http://localhost:${envPort}/proxy/x`)
    assert.equal(res.status, 200)
    assert.equal(hops.length, 2)
    assert.equal(hops[1].server, 'env')
    assert.equal(hops[1].host, `localhost:${envPort}`)
    assert.equal(hops[1].url, '/proxy/x')
    assert.deepEqual(credentialsOf(hops[1]), WITHOUT)
    assertNoCredentialsOutside()
  })

  test('a 307 with a body: re-sent as is, the credentials only inside the prefix', async () => {
    const body = { a: 1, email: 'a@example.com' }
    // Inside: method, body and credentials kept.
    await redirectVia(client(), '/proxy/b', { status: 307, method: 'POST', body })
    assert.deepEqual(hops.map((h) => [h.method, h.body]), [['POST', JSON.stringify(body)], ['POST', JSON.stringify(body)]])
    assert.deepEqual(credentialsOf(hops[1]), WITH)
    // To another origin: method and body kept, credentials gone.
    hops.length = 0
    const res = await redirectVia(client(), `${other.url}/landing`, { status: 307, method: 'POST', body })
    assert.equal(res.status, 200)
    assert.deepEqual(hops.map((h) => [h.server, h.method, h.body]), [
      ['env', 'POST', JSON.stringify(body)],
      ['other', 'POST', JSON.stringify(body)],
    ])
    assert.equal(hops[1].contentType, 'application/json')
    assert.deepEqual(credentialsOf(hops[1]), WITHOUT)
    assertNoCredentialsOutside()
  })

  test('a 308 after a hop out: back in the prefix, still without the credentials', async () => {
    const back = `${env.url}/proxy/final`
    const out = `${other.url}/hop?to=${encodeURIComponent(back)}&status=308`
    const res = await redirectVia(client(), out, { status: 307, method: 'PUT', body: 'payload' })
    assert.equal(res.status, 200)
    assert.deepEqual(hops.map((h) => [h.server, h.method, h.url.split('?')[0], h.body]), [
      ['env', 'PUT', '/proxy/redirect', 'payload'],
      ['other', 'PUT', '/hop', 'payload'],
      ['env', 'PUT', '/proxy/final', 'payload'],
    ])
    assert.deepEqual(hops.map(credentialsOf), [WITH, WITHOUT, WITHOUT])
  })

  test('a 302 after a POST: a GET without the body or its content-type (as follow-redirects)', async () => {
    await redirectVia(client(), `${other.url}/landing`, { method: 'POST', body: { a: 1 } })
    assert.deepEqual(hops.map((h) => [h.method, h.body, h.contentType]), [
      ['POST', '{"a":1}', 'application/json'],
      ['GET', '', undefined],
    ])
    assertNoCredentialsOutside()
  })

  for (const [name, to] of [
    ['a path outside the prefix', '/outside'],
    ['dot segments out of it', '/proxy/x/../../api/v1/connected_accounts'],
    ['encoded separators out of it', '/proxy/x%2f..%2f..%2foutside'],
    ['the bare /proxy', '/proxy'],
    ['a sibling of the prefix', '/proxyx/a'],
  ]) {
    test(`same origin, ${name}: not followed, the 3xx is the answer`, async () => {
      const e = await rejection(redirectVia(client(), to))
      assert.equal(e.httpStatus, 302, String(e))
      assert.equal(hops.length, 1)
      assert.deepEqual(credentialsOf(hops[0]), WITH)
    })
  }

  test('same origin under a base path: /proxy outside the base is not followed, <base>/proxy/ is', async () => {
    const based = client(`${env.url}/base`)
    const e = await rejection(redirectVia(based, '/proxy/x'))
    assert.equal(e.httpStatus, 302)
    assert.equal(hops.length, 1)
    hops.length = 0
    const res = await redirectVia(based, '/base/proxy/y')
    assert.equal(res.status, 200)
    assert.deepEqual(hops.map((h) => h.url.split('?')[0]), ['/base/proxy/redirect', '/base/proxy/y'])
    assert.deepEqual(credentialsOf(hops[1]), WITH)
  })

  test('back to the env origin outside the prefix after a hop out: not followed', async () => {
    const out = `${other.url}/hop?to=${encodeURIComponent(`${env.url}/api/v1/connected_accounts`)}`
    const e = await rejection(redirectVia(client(), out))
    assert.equal(e.httpStatus, 302)
    assert.deepEqual(hops.map((h) => h.server), ['env', 'other'])
    assertNoCredentialsOutside()
  })

  test('a 307 after a streamed upload: the body cannot be sent again, the 307 is the answer', async () => {
    const e = await rejection(
      redirectVia(client(), `${other.url}/landing`, {
        status: 307,
        method: 'POST',
        body: Readable.from([Buffer.from('streamed')]),
      }),
    )
    assert.equal(e.httpStatus, 307, String(e))
    assert.deepEqual(hops.map((h) => [h.server, h.body]), [['env', 'streamed']])
  })

  test('at most 21 redirects', async () => {
    const e = await rejection(client().actions.request({ ...CALL, path: '/loop' }))
    assert.ok(e instanceof ScalekitNetworkException, String(e))
    assert.match(e.message, /more than 21 redirects/)
    assert.equal(hops.length, 22)
  })
})
