// Wire parity with @scalekit-sdk/node 2.11.0 (issue 3, point 10; docs/wire-protocol.md §6 and §10).
//
// The same `actions.request` calls go through the official SDK and through scalekit-native,
// both against one LocalScalekit whose connections are auto-provisioned over its echo upstream.
// Each call is looked at twice:
//   - `wire`: what the client itself put on the wire, recorded by a transparent capture proxy
//     placed in front of LocalScalekit (support/capture.mjs). This is the only place the routing
//     headers `connection_name` and `identifier` can be seen: LocalScalekit, like Scalekit, strips
//     them (and `authorization`) before forwarding to the provider;
//   - `echo`: what arrived at the provider (the echo upstream's JSON description of its request).
// Both must be identical between the two clients, except for these deliberate differences:
//   - `user-agent` and `x-sdk-version`: a different SDK name;
//   - `authorization`: each client has its own token (LocalScalekit replaces it upstream with
//     the account's provider token anyway);
//   - `host`: not chosen by the caller; `connection`: hop-by-hop (axios sends
//     `Connection: keep-alive`, reqwest relies on the HTTP/1.1 default), never forwarded;
//   - header-name case and order (HTTP field names are case-insensitive; axios sends
//     `Content-Type`, reqwest `content-type`);
//   - `formData`: docs/wire-protocol.md §10, urlencoded on purpose; checked separately below.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

import { LocalScalekit, ScalekitClient } from '../index.js'
import { startCapture } from './support/capture.mjs'

const require = createRequire(import.meta.url)
const { ScalekitClient: Official } = require('@scalekit-sdk/node')

const CONNECTION = 'parity-echo'
const USER = 'user'
const OTHER = 'other'

let local
let capture
let ours
let official

before(async () => {
  local = await LocalScalekit.start()
  capture = await startCapture(local.url)
  ours = new ScalekitClient(capture.url, local.clientId, local.clientSecret)
  official = new Official(capture.url, local.clientId, local.clientSecret)

  // Connect both accounts: the magic link is served by LocalScalekit itself.
  for (const identifier of [USER, OTHER]) {
    const { link } = await ours.actions.getAuthorizationLink({ connectionName: CONNECTION, identifier })
    const res = await fetch(link)
    await res.arrayBuffer()
    assert.equal(res.status, 200, `authorizing ${identifier}: GET ${link} answered ${res.status}`)
  }

  // 2.11.0's `actions.request` never fetches a token (its first call goes out without
  // `authorization` and gets a 401), and `getClientAccessToken()` only returns one without
  // caching it. `coreClient.authenticateClient()` stores it in `coreClient.accessToken`, which the
  // axios request interceptor then sends as `authorization: Bearer …` on every later call.
  await official.coreClient.authenticateClient()
  assert.ok(official.coreClient.accessToken, 'the official SDK cached no access token')
})

after(async () => {
  // Closing the capture proxy drops the keep-alive sockets axios and reqwest hold, so this
  // process exits by itself.
  await capture?.close()
  await local?.close()
})

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

// Request headers left out of the comparison (see the top of this file).
const IGNORED_HEADERS = new Set(['user-agent', 'x-sdk-version', 'authorization', 'host', 'connection'])

/** Lowercase name → value, duplicates joined, ignored headers left out. */
function headerMap(entries) {
  const map = {}
  for (const [name, value] of entries) {
    const lower = name.toLowerCase()
    if (IGNORED_HEADERS.has(lower)) continue
    map[lower] = lower in map ? `${map[lower]}, ${value}` : value
  }
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

function pairs(flat) {
  const out = []
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]])
  return out
}

/**
 * Sends one proxy call through `client` and returns what the client sent and what the provider
 * received, normalized for comparison. Never throws for a failed call: the failure is part of
 * the record so the comparison shows it.
 */
async function send(client, params) {
  const start = capture.records.length
  let status
  let data
  let error
  try {
    const res = await client.actions.request(params)
    status = res.status
    data = res.data
  } catch (e) {
    status = e?.httpStatus ?? e?.status ?? 'rejected'
    error = `${e?.name}: ${e?.message}`
    data = e?.data ?? e?.errDetails
  }
  const proxied = capture.since(start).filter((r) => r.target.startsWith('/proxy'))
  const record = { status, requestsSent: proxied.length }
  if (error !== undefined) record.error = error
  const wire = proxied[0]
  if (wire) {
    const headers = headerMap(pairs(wire.rawHeaders))
    record.wire = {
      method: wire.method,
      target: wire.target,
      body: wire.body.toString('utf8'),
      headers,
      // Spelled out, so a difference in them reads plainly in a failure.
      connection_name: headers.connection_name,
      identifier: headers.identifier,
      contentType: headers['content-type'],
      contentLength: headers['content-length'],
      hasAuthorization: pairs(wire.rawHeaders).some(
        ([n, v]) => n.toLowerCase() === 'authorization' && /^Bearer \S+$/.test(v),
      ),
    }
  }
  if (data && typeof data === 'object' && !Buffer.isBuffer(data) && 'method' in data && 'headers' in data) {
    const headers = headerMap(Object.entries(data.headers))
    record.echo = {
      method: data.method,
      path: data.path,
      query: data.query,
      body: data.body,
      headers,
      contentType: headers['content-type'],
      contentLength: headers['content-length'],
      accept: headers.accept,
      acceptEncoding: headers['accept-encoding'],
    }
  } else if (data !== undefined) {
    record.data = data
  }
  return record
}

const show = (value) => JSON.stringify(value, null, 2)

/** deepEqual with both sides printed in full. */
function assertSame(oursRecord, officialRecord, label) {
  assert.deepEqual(
    oursRecord,
    officialRecord,
    `${label}: scalekit-native and @scalekit-sdk/node 2.11.0 sent different requests\n` +
      `--- scalekit-native:\n${show(oursRecord)}\n--- @scalekit-sdk/node:\n${show(officialRecord)}`,
  )
}

function assertDelivered(record, who, label) {
  assert.equal(record.status, 200, `${label}: ${who} got ${record.status}, not 200\n${show(record)}`)
  assert.equal(record.requestsSent, 1, `${label}: ${who} sent ${record.requestsSent} proxy requests, not 1\n${show(record)}`)
  assert.ok(record.wire?.hasAuthorization, `${label}: ${who} sent no authorization: Bearer header\n${show(record)}`)
  assert.ok(record.echo, `${label}: ${who}'s call did not reach the echo upstream\n${show(record)}`)
}

/** Sends `params` (plus the routing fields) through both clients and compares what arrived. */
async function parity(label, params) {
  const call = { connectionName: CONNECTION, identifier: USER, ...params }
  const o = await send(official, call)
  const n = await send(ours, call)
  assertDelivered(o, '@scalekit-sdk/node', label)
  assertDelivered(n, 'scalekit-native', label)
  assertSame(n, o, label)
  return { ours: n, official: o }
}

// ---------------------------------------------------------------------------------------------
// Parity cases
// ---------------------------------------------------------------------------------------------

// Query values avoid `'`: 2.11.0 (axios, encodeURIComponent) leaves it raw while scalekit-native
// sends `%27` (the url crate's WHATWG query encoding). Both decode to the same value; it is a
// known, accepted difference, so it is kept out of the parity inputs.

test('GET with queryParams: reserved characters', async () => {
  await parity('GET reserved characters', {
    path: '/v1/search',
    method: 'GET',
    queryParams: {
      space: 'a b',
      plus: 'a+b',
      amp: 'a&b=c',
      slash: 'a/b',
      colon: 'a:b',
      comma: 'a,b',
      dollar: 'a$b',
      mixed: 'x y+z&w=/:,$',
      'key with space': 'v',
    },
  })
})

test('GET with queryParams: other punctuation', async () => {
  await parity('GET other punctuation', {
    path: '/v1/search',
    queryParams: {
      bang: 'a!b',
      paren: '(x)',
      star: 'a*b',
      tilde: 'a~b',
      semi: 'a;b',
      at: 'a@b',
      question: 'a?b',
      hash: 'a#b',
      percent: '100%',
      brackets: '[x]',
      pipe: 'a|b',
      caret: 'a^b',
      backtick: 'a`b',
      quote: 'a"b',
      lt: '<a>',
      backslash: 'a\\b',
      braces: '{x}',
    },
  })
})

test('GET with queryParams: unicode', async () => {
  await parity('GET unicode', {
    path: '/v1/search',
    queryParams: { u: 'ü', euro: '€', emoji: '😀', cjk: '日本', 'kéy': 'välue' },
  })
})

test('GET with queryParams: arrays and nested objects', async () => {
  await parity('GET arrays and nested objects', {
    path: '/v1/search',
    queryParams: {
      arr: [1, 'two', 'a b'],
      withNull: [1, null, 2],
      empty: [],
      obj: { k: 'v', sp: 'a b', n: { deep: 1 } },
      objArr: { list: ['x', 'y'] },
    },
  })
})

test('GET with queryParams: Date, booleans, numbers, null, undefined, empty string', async () => {
  await parity('GET scalars', {
    path: '/v1/search',
    queryParams: {
      date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)),
      t: true,
      f: false,
      n: 42,
      neg: -1.5,
      zero: 0,
      big: 1e21,
      small: 1e-7,
      nul: null,
      und: undefined,
      e: '',
    },
  })
})

test('POST with a JSON object body', async () => {
  await parity('POST JSON object', {
    path: '/v1/messages',
    method: 'POST',
    body: { to: 'a@b.c', subject: 'Hi ü 😀', n: 1, f: 1.5, ok: true, nothing: null, list: [1, 'x'], nested: { a: { b: [] } } },
  })
})

test('PUT with a JSON array body', async () => {
  await parity('PUT JSON array', {
    path: '/v1/items/1',
    method: 'PUT',
    body: [1, 'two', { three: 3 }, null, true],
  })
})

// A string body with a caller header: the same wire, and the upstream sees the header.
for (const [title, name, params, seen] of [
  ['PATCH with a custom header and a string body', 'PATCH custom header + string body',
    { path: '/v1/items/1', method: 'PATCH', headers: { 'X-Custom': 'v' }, body: 'name=new value&x=1' },
    (echo) => assert.equal(echo.headers['x-custom'], 'v')],
  ['caller Content-Type text/xml with a string body', 'text/xml string body',
    { path: '/v1/soap', method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: '<a b="c">ü &amp; d</a>' },
    (echo) => assert.equal(echo.contentType, 'text/xml')],
]) {
  test(title, async () => {
    const { ours } = await parity(name, params)
    seen(ours.echo)
  })
}

test('DELETE without a body', async () => {
  await parity('DELETE', { path: '/v1/items/1', method: 'DELETE' })
})

test('POST without a body', async () => {
  await parity('POST no body', { path: '/v1/items/1/archive', method: 'POST' })
})

// axios sends `Content-Length: 0` (and the urlencoded content type) on a bodiless POST/PUT/PATCH.
test('PUT without a body', async () => {
  await parity('PUT no body', { path: '/v1/items/1', method: 'PUT' })
})

test('PATCH without a body', async () => {
  await parity('PATCH no body', { path: '/v1/items/1', method: 'PATCH' })
})

test('GET with a JSON body', async () => {
  await parity('GET with body', { path: '/v1/search', body: { q: 'a b' } })
})

test('lowercase method', async () => {
  await parity('lowercase post', { path: '/v1/items', method: 'post', body: { a: 1 } })
})

test('path without a leading slash', async () => {
  const { ours: n } = await parity('path without leading slash', { path: 'gmail/v1/users/me/profile' })
  assert.equal(n.wire.target, '/proxy/gmail/v1/users/me/profile')
})

test('path with its own query plus queryParams', async () => {
  const { ours: n } = await parity('path ?x=1 + queryParams', {
    path: '/v1/search?x=1',
    queryParams: { y: 2, q: 'a b' },
  })
  assert.equal(n.echo.query, 'x=1&y=2&q=a+b')
})

test('path with a fragment plus queryParams', async () => {
  await parity('path ?x=1#frag + queryParams', { path: 'a/b?x=1#frag', queryParams: { y: 2 } })
})

test('path with spaces, unicode, an escaped slash and dot segments', async () => {
  await parity('path encoding', { path: '/v1/a b/ü/%2F/./c/../d' })
})


// ---------------------------------------------------------------------------------------------
// formData: a deliberate departure (docs/wire-protocol.md §10)
// ---------------------------------------------------------------------------------------------

test('formData: urlencoded in scalekit-native, JSON in 2.11.0 (docs/wire-protocol.md §10)', async () => {
  const call = { connectionName: CONNECTION, identifier: USER, path: '/v1/form', method: 'POST', formData: { a: 'b c', n: 1 } }
  const o = await send(official, call)
  const n = await send(ours, call)
  assertDelivered(o, '@scalekit-sdk/node', 'formData')
  assertDelivered(n, 'scalekit-native', 'formData')

  // scalekit-native: application/x-www-form-urlencoded, as the name and the Python SDK say.
  assert.match(n.wire.contentType ?? '', /^application\/x-www-form-urlencoded\b/, show(n))
  assert.equal(n.wire.body, 'a=b+c&n=1', show(n))
  assert.equal(n.echo.body, 'a=b+c&n=1', show(n))
  assert.equal(n.wire.contentLength, '9', show(n))

  // 2.11.0: axios serialises the object as JSON (the bug §10 departs from).
  assert.equal(o.wire.contentType, 'application/json', show(o))
  assert.equal(o.wire.body, '{"a":"b c","n":1}', show(o))
  assert.equal(o.echo.body, '{"a":"b c","n":1}', show(o))

  // Everything else is the same.
  const rest = (r) => {
    const strip = (part) => {
      const { body, contentType, contentLength, headers, ...others } = part
      const { 'content-type': _t, 'content-length': _l, ...otherHeaders } = headers
      return { ...others, headers: otherHeaders }
    }
    return { ...r, wire: strip(r.wire), echo: strip(r.echo) }
  }
  assertSame(rest(n), rest(o), 'formData (apart from body and content type)')
})

// ---------------------------------------------------------------------------------------------
// The comparison has teeth
// ---------------------------------------------------------------------------------------------

test('the comparison detects a changed identifier header or query encoding', async () => {
  const base = { connectionName: CONNECTION, path: '/v1/teeth' }

  // Same client on both sides: identical calls compare equal (no per-call noise such as tokens,
  // ports or dates leaks into the normalized record).
  const a = await send(ours, { ...base, identifier: USER, queryParams: { a: 'x y' } })
  const b = await send(ours, { ...base, identifier: USER, queryParams: { a: 'x y' } })
  assertSame(a, b, 'identical calls')

  // A different identifier header (both accounts are active, so both calls succeed).
  const other = await send(ours, { ...base, identifier: OTHER, queryParams: { a: 'x y' } })
  const user = await send(official, { ...base, identifier: USER, queryParams: { a: 'x y' } })
  assert.equal(other.status, 200, show(other))
  assert.equal(user.status, 200, show(user))
  assert.throws(() => assertSame(other, user, 'identifier'), assert.AssertionError)
  assert.equal(other.wire.identifier, OTHER)
  assert.equal(user.wire.identifier, USER)

  // A different query.
  const one = await send(ours, { ...base, identifier: USER, queryParams: { a: 'x y' } })
  const two = await send(official, { ...base, identifier: USER, queryParams: { a: 'x  y' } })
  assert.throws(() => assertSame(one, two, 'query'), assert.AssertionError)
  assert.equal(one.echo.query, 'a=x+y')
  assert.equal(two.echo.query, 'a=x++y')

  // A different encoding of the same value (`%20` instead of `+`), as a changed serializer
  // would produce: the raw request-target and the echoed query differ.
  const plus = await send(ours, { ...base, identifier: USER, queryParams: { a: 'x y' } })
  const pct = await send(official, { ...base, identifier: USER, path: '/v1/teeth?a=x%20y' })
  assert.throws(() => assertSame(plus, pct, 'query encoding'), assert.AssertionError)
})
