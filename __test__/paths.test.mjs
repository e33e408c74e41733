// Path containment (docs/wire-protocol.md §6): a path whose effective location leaves
// `{envUrl}/proxy/` — after WHATWG URL parsing, and as a server may read it after decoding
// `%2F`/`%5C`, collapsing `//` and removing dot segments — is refused before anything is sent,
// without the path in the message. Every other path arrives exactly as the official client
// (@scalekit-sdk/node 2.11.0: axios over Node's WHATWG URL) sends it: both clients are driven
// against the same fake Scalekit, which records the raw request-target.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

import sk from '../index.js'
import { startServer, sendJson, rejection } from './helpers.mjs'

const require = createRequire(import.meta.url)
const { ScalekitClient: Official } = require('@scalekit-sdk/node')
const { ScalekitClient, ScalekitValidationException } = sk

const TOKEN = 'tok-paths'
const CALL = { connectionName: 'googledrive', identifier: 'user@example.com' }

let fake
before(async () => {
  fake = await startServer(null, (req, res) => {
    if (req.url.endsWith('/oauth/token')) return sendJson(res, 200, { access_token: TOKEN, expires_in: 3600 })
    sendJson(res, 200, { target: req.url })
  })
})
after(() => fake?.close())

/** Proxy requests the fake received since `start` (the token request left out). */
function proxied(start) {
  return fake.requests.slice(start).filter((r) => !r.url.endsWith('/oauth/token'))
}

function ours(envUrl = fake.url) {
  return new ScalekitClient(envUrl, 'skc', 'secret', { maxRetries: 0 })
}

function official(envUrl = fake.url) {
  const client = new Official(envUrl, 'skc', 'secret')
  // A warm client: 2.11.0's interceptor sends the cached token as `authorization`.
  client.coreClient.accessToken = TOKEN
  return client
}

/** The request-target `client` put on the wire for `path`, or the rejection. */
async function sentTarget(client, path, extra = {}) {
  const start = fake.requests.length
  try {
    await client.actions.request({ ...CALL, path, ...extra })
  } catch (e) {
    return { error: e, sent: proxied(start) }
  }
  const sent = proxied(start)
  assert.equal(sent.length, 1, `${JSON.stringify(path)}: ${sent.length} requests sent`)
  return { target: sent[0].url, request: sent[0] }
}

describe('paths leading out of the prefix: refused, nothing sent, the path not echoed', () => {
  const escapes = [
    ['dot segments', '/x/../../outside'],
    ['a leading dot segment', '/../outside'],
    ['a bare parent', '/..'],
    ['a relative parent', '../x'],
    ['percent-encoded dots', '/%2e%2e/x'],
    ['mixed-case percent-encoded dots', '/x/%2E%2e/.%2E/outside'],
    ['a tab-split dot segment', '/x/.\t./.\t./outside'],
    ['an LF-split dot segment', '/drive/\n../../api'],
    ['a CR-split dot segment', '/x/.\r./.\r./outside'],
    ['encoded slashes joining dot segments', '/..%2F..%2Fapi/v1/x'],
    ['lower-case encoded slashes', '/x%2f..%2f..%2foutside'],
    ['encoded backslashes', '/%5C..%5Capi'],
    ['backslashes', '/x\\..\\..\\outside'],
    ['an empty segment then an encoded parent', '//..%2foutside'],
    ['an encoded slash then an encoded parent', '/%2f..%2foutside'],
    ['several empty segments', '///..%2f..%2foutside'],
    ['a sibling sharing the prefix name', '/..%2fproxyx'],
    ['a sibling with a suffix', '/../proxy-admin'],
    ['an encoded sibling with a suffix', '/..%2fproxy-admin'],
  ]
  for (const [name, path] of escapes) {
    test(name, async () => {
      const client = ours()
      const start = fake.requests.length
      const e = await rejection(client.actions.request({ ...CALL, path, method: 'POST', body: { email: 'a@example.com' } }))
      assert.ok(e instanceof ScalekitValidationException, String(e))
      assert.equal(e.argument, 'path')
      assert.match(e.message, /^path must resolve under the proxy prefix/)
      assert.ok(!e.message.includes(path), e.message)
      // Nothing at all went out: not even the token request.
      assert.deepEqual(fake.requests.slice(start), [])
    })
  }

  test('the message does not repeat any part of the path', async () => {
    const e = await rejection(ours().actions.request({ ...CALL, path: '/x/../../outside/secret-looking-segment' }))
    assert.ok(e instanceof ScalekitValidationException, String(e))
    assert.ok(!e.message.includes('secret-looking-segment'), e.message)
    assert.ok(!e.message.includes('outside/'), e.message)
  })

  for (const [envPath, path] of [
    ['/base', '/../x'],
    ['/base', '/../../proxy/x'],
    ['/base', '/%2e%2e/x'],
    ['/base', '//..%2f..%2fx'],
    ['/base/', '/..%2fproxyx'],
    ['/base/', '/..%2fproxy-other'],
  ]) {
    test(`under a base path ${envPath}: ${JSON.stringify(path)}`, async () => {
      const start = fake.requests.length
      const e = await rejection(ours(fake.url + envPath).actions.request({ ...CALL, path }))
      assert.ok(e instanceof ScalekitValidationException, String(e))
      assert.equal(e.argument, 'path')
      assert.deepEqual(fake.requests.slice(start), [])
    })
  }
})

describe('paths inside the prefix: sent exactly as the official client sends them', () => {
  // [name, path, the request-target 2.11.0 sends]
  const inside = [
    ['a normal path', '/gmail/v1/users/me/profile', '/proxy/gmail/v1/users/me/profile'],
    ['no leading slash', 'v1/x', '/proxy/v1/x'],
    ['its own query', '/v1/x?y=1', '/proxy/v1/x?y=1'],
    ['a space', '/a b/c', '/proxy/a%20b/c'],
    ['a single-dot segment', '/a/./b', '/proxy/a/b'],
    ['an in-prefix parent', '/a/../b', '/proxy/b'],
    ['in-prefix encoded dots', '/x/%2e%2e/y', '/proxy/y'],
    ['an encoded slash inside a segment', '/a%2Fb', '/proxy/a%2Fb'],
    ['a trailing LF', '/gmail/v1/users/me/profile\n', '/proxy/gmail/v1/users/me/profile'],
    ['an in-prefix LF-split dot segment', '/x/.\n./y', '/proxy/y'],
    ['a tab before a parent', '\t/../x', '/proxy/x'],
    ['a tab inside a segment', '/x\t/y', '/proxy/x/y'],
    ['CR LF inside a segment', '/a\r\nX-Injected: 1', '/proxy/aX-Injected:%201'],
    ['a leading empty segment', '//drive/v3/files', '/proxy//drive/v3/files'],
    ['an empty segment and an in-prefix parent', '//a/..%2fb', '/proxy//a/..%2fb'],
    ['a backslash', '\\evil', '/proxy//evil'],
    ['an absolute URL as a segment', 'https://evil.example/x', '/proxy/https://evil.example/x'],
    ['out and back in to the bare prefix', '/..%2fproxy', '/proxy/..%2fproxy'],
    ['the bare proxy root', '/', '/proxy/'],
    ['a double-encoded parent', '/%252e%252e/x', '/proxy/%252e%252e/x'],
    ['a control character and punctuation', '/a\u0001b|c^d[e]{f}`g"h<i>', '/proxy/a%01b|c^d[e]%7Bf%7D%60g%22h%3Ci%3E'],
    ['a fragment', '/a#frag?x', '/proxy/a'],
    ['a trailing space', '/x ', '/proxy/x'],
    ['a colon', 'v1:search', '/proxy/v1:search'],
    ['unicode', '/ü/€', '/proxy/%C3%BC/%E2%82%AC'],
  ]
  for (const [name, path, target] of inside) {
    test(name, async () => {
      const theirs = await sentTarget(official(), path)
      assert.equal(theirs.error, undefined, `official: ${theirs.error}`)
      assert.equal(theirs.target, target, 'the official client sent something else than expected')
      const mine = await sentTarget(ours(), path)
      assert.equal(mine.error, undefined, `scalekit-native: ${mine.error}`)
      assert.equal(mine.target, theirs.target)
      assert.equal(mine.request.headers.authorization, `Bearer ${TOKEN}`)
      assert.equal(mine.request.headers.connection_name, CALL.connectionName)
      assert.equal(mine.request.headers.identifier, CALL.identifier)
    })
  }

  test('queryParams are left alone, dot segments in values included', async () => {
    const extra = { queryParams: { fields: 'user', q: '../../outside' } }
    const theirs = await sentTarget(official(), '/drive/v3/about', extra)
    const mine = await sentTarget(ours(), '/drive/v3/about', extra)
    assert.equal(mine.target, '/proxy/drive/v3/about?fields=user&q=..%2F..%2Foutside')
    assert.equal(mine.target, theirs.target)
  })

  test('under a base path', async () => {
    for (const path of ['/drive/v3/files', '/a/../drive/v3/files', '//drive']) {
      const theirs = await sentTarget(official(`${fake.url}/base/`), path)
      const mine = await sentTarget(ours(`${fake.url}/base/`), path)
      assert.equal(mine.target, theirs.target, JSON.stringify(path))
      assert.ok(mine.target.startsWith('/base/proxy/'), mine.target)
    }
  })
})
