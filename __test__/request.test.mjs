// actions.request: what reaches the upstream (through LocalScalekit's echo) and how the answer
// is decoded.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import zlib from 'node:zlib'
import { createRequire } from 'node:module'
import { STATUS_CODES } from 'node:http'

import sk from '../index.js'
import { startRouted, sendJson } from './helpers.mjs'

const { LocalScalekit } = sk

const ACCOUNT_TOKEN = 'acct-oauth-token-7c1d'
const CALL = { connectionName: 'conn', identifier: 'user@example.com' }

test("statusText: the package's written-out table is this Node's http.STATUS_CODES", () => {
  // lib/outcome.js does not load node:http (a cold start cost); its table must not drift from Node's.
  const { STATUS_TEXT } = createRequire(import.meta.url)('../lib/outcome.js')
  assert.deepEqual({ ...STATUS_TEXT }, { ...STATUS_CODES })
})

describe('through the echo upstream', () => {
  let local
  let actions
  before(async () => {
    local = await LocalScalekit.start({
      accounts: [{ ...CALL, authorizationDetails: { oauth_token: { access_token: ACCOUNT_TOKEN } } }],
    })
    actions = local.client().actions
  })
  after(() => local?.close())

  test('resolves {status, statusText, headers, data} with the echoed request in data', async () => {
    const res = await actions.request({ ...CALL, path: '/v1/customers', method: 'GET', queryParams: { limit: 10 } })
    assert.deepEqual(Object.keys(res).sort(), ['data', 'headers', 'status', 'statusText'])
    assert.equal(res.status, 200)
    assert.equal(res.statusText, 'OK')
    assert.match(res.headers['content-type'], /^application\/json/)
    assert.equal(typeof res.data, 'object')
    assert.equal(res.data.method, 'GET')
    assert.equal(res.data.path, '/v1/customers')
    assert.equal(res.data.query, 'limit=10')
    assert.equal(res.data.body, '')
  })

  test('a path without a leading slash gets one', async () => {
    const res = await actions.request({ ...CALL, path: 'v1/customers' })
    assert.equal(res.data.path, '/v1/customers')
  })

  test('dot segments inside the proxy prefix are resolved, percent-encoding kept', async () => {
    const res = await actions.request({ ...CALL, path: '/a/../b/./c/%2F/a b' })
    assert.equal(res.data.path, '/b/c/%2F/a%20b')
  })

  test('method defaults to GET and is upper-cased', async () => {
    for (const [given, sent] of [[undefined, 'GET'], ['get', 'GET'], ['post', 'POST'], ['Put', 'PUT'], ['patch', 'PATCH'], ['DELETE', 'DELETE']]) {
      const res = await actions.request({ ...CALL, path: '/m', method: given })
      assert.equal(res.data.method, sent)
    }
  })

  test('queryParams are encoded as axios does', async () => {
    const res = await actions.request({
      ...CALL,
      path: '/q',
      queryParams: { a: 'x y', arr: [1, 2], o: { k: 'v' }, d: new Date(0) },
    })
    assert.equal(res.data.query, 'a=x+y&arr%5B%5D=1&arr%5B%5D=2&o%5Bk%5D=v&d=1970-01-01T00:00:00.000Z')
  })

  test('queryParams: special characters, null/undefined and empty arrays dropped, empty string kept', async () => {
    const res = await actions.request({
      ...CALL,
      path: '/q',
      queryParams: { s: 'a/b:c,d$e', z: 'a b+c&d=e', n: null, u: undefined, ea: [], e: '', t: true, f: 1.5 },
    })
    assert.equal(res.data.query, 's=a%2Fb:c,d$e&z=a+b%2Bc%26d%3De&e=&t=true&f=1.5')
  })

  test('a query in the path is kept and queryParams appended; the fragment is dropped', async () => {
    const res = await actions.request({ ...CALL, path: 'a/b?x=1#frag', queryParams: { y: 2 } })
    assert.equal(res.data.path, '/a/b')
    assert.equal(res.data.query, 'x=1&y=2')
  })

  test('POST with an object body: JSON, application/json', async () => {
    const body = { name: 'Ada', tags: ['a', 'b'], nested: { n: 1, z: null }, ok: true }
    const res = await actions.request({ ...CALL, path: '/v1/customers', method: 'POST', body })
    assert.equal(res.data.method, 'POST')
    assert.equal(res.data.body, JSON.stringify(body))
    assert.match(res.data.headers['content-type'], /^application\/json/)
    assert.equal(res.data.headers['content-length'], String(Buffer.byteLength(JSON.stringify(body))))
  })

  test('an array body is JSON too', async () => {
    const res = await actions.request({ ...CALL, path: '/x', method: 'PUT', body: [1, 'two', { three: 3 }] })
    assert.equal(res.data.body, '[1,"two",{"three":3}]')
    assert.match(res.data.headers['content-type'], /^application\/json/)
  })

  test('a string body is sent raw (urlencoded content type unless the caller sets one)', async () => {
    let res = await actions.request({ ...CALL, path: '/s', method: 'POST', body: 'hello=world&x=ü' })
    assert.equal(res.data.body, 'hello=world&x=ü')
    assert.match(res.data.headers['content-type'], /^application\/x-www-form-urlencoded/)
    res = await actions.request({ ...CALL, path: '/s', method: 'POST', body: '<a>1</a>', headers: { 'Content-Type': 'text/xml' } })
    assert.equal(res.data.body, '<a>1</a>')
    assert.equal(res.data.headers['content-type'], 'text/xml')
  })

  test('a Buffer body is sent byte for byte', async () => {
    const bytes = Buffer.from('raw-bytes\u0001\u0002 end', 'latin1')
    const res = await actions.request({ ...CALL, path: '/b', method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream' } })
    assert.equal(res.data.body, bytes.toString('latin1'))
    assert.equal(res.data.headers['content-length'], String(bytes.length))
    assert.equal(res.data.headers['content-type'], 'application/octet-stream')
  })

  test('formData is sent application/x-www-form-urlencoded (docs/wire-protocol.md §10)', async () => {
    const res = await actions.request({ ...CALL, path: '/f', method: 'POST', formData: { a: 'x y', n: 1, s: 'a&b=c' } })
    assert.match(res.data.headers['content-type'], /^application\/x-www-form-urlencoded/)
    const parsed = Object.fromEntries(new URLSearchParams(res.data.body))
    assert.deepEqual(parsed, { a: 'x y', n: '1', s: 'a&b=c' })
    assert.ok(!res.data.body.startsWith('{'), 'not JSON')
  })

  test('body wins over formData', async () => {
    const res = await actions.request({ ...CALL, path: '/f', method: 'POST', body: { j: 1 }, formData: { a: 'b' } })
    assert.equal(res.data.body, '{"j":1}')
  })

  test('POST without a body sends an empty body', async () => {
    const res = await actions.request({ ...CALL, path: '/e', method: 'POST' })
    assert.equal(res.data.body, '')
  })

  test("caller headers reach the upstream; Scalekit's routing headers and client token do not", async () => {
    const res = await actions.request({
      ...CALL,
      path: '/h',
      headers: { 'X-Custom': 'v1', 'x-trace-id': 'abc-123', Accept: 'application/vnd.test+json' },
    })
    const h = res.data.headers
    assert.equal(h['x-custom'], 'v1')
    assert.equal(h['x-trace-id'], 'abc-123')
    assert.equal(h.accept, 'application/vnd.test+json')
    assert.equal(h.connection_name, undefined)
    assert.equal(h.identifier, undefined)
    // The upstream sees the account's credentials, not the client's Scalekit token.
    assert.equal(h.authorization, `Bearer ${ACCOUNT_TOKEN}`)
  })

  test('caller values cannot override the routing headers or the Scalekit token', async () => {
    const res = await actions.request({
      ...CALL,
      path: '/h',
      headers: { connection_name: 'other', Identifier: 'someone-else', Authorization: 'Bearer caller-token' },
    })
    assert.equal(res.status, 200)
    assert.equal(res.data.headers.authorization, `Bearer ${ACCOUNT_TOKEN}`)
    assert.equal(res.data.headers.identifier, undefined)
  })

  test('header values: numbers and arrays', async () => {
    const res = await actions.request({ ...CALL, path: '/h', headers: { 'x-n': 5, 'x-list': ['a', 'b'], 'x-skip': undefined } })
    assert.equal(res.data.headers['x-n'], '5')
    assert.equal(res.data.headers['x-list'], 'a, b')
    assert.equal(res.data.headers['x-skip'], undefined)
  })

  test('sends the SDK identity headers', async () => {
    const res = await actions.request({ ...CALL, path: '/h' })
    const h = res.data.headers
    assert.equal(h['x-api-version'], '20260727')
    assert.match(h['user-agent'], new RegExp(`Node/${process.version.replace(/\./g, '\\.')} \\(${process.platform}; `))
    assert.ok(h['x-sdk-version'])
  })
})

describe('response decoding (custom upstream)', () => {
  let local
  let upstream
  let close
  let actions
  const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28])
  const OCTETS = Buffer.from([0, 1, 2, 0xff, 0xc0, 0x80, 0xfe, 0x7f, 0x10])
  const ROUTES = {
    '/json-as-text': (res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('{"a":1,"b":[2]}') },
    '/json-no-type': (res) => { res.removeHeader('content-type'); res.writeHead(200); res.end('[1,2]') },
    '/bad-json': (res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{not json') },
    '/text': (res) => { res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }); res.end('héllo wörld') },
    '/number-text': (res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('42') },
    '/empty': (res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end() },
    '/no-content': (res) => { res.writeHead(204); res.end() },
    '/octets': (res) => { res.writeHead(200, { 'content-type': 'application/octet-stream' }); res.end(OCTETS) },
    '/png': (res) => { res.writeHead(200, { 'content-type': 'image/png' }); res.end(PNG) },
    '/pdf-json-looking': (res) => { res.writeHead(200, { 'content-type': 'application/pdf' }); res.end('{"a":1}') },
    '/gzip': (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
      res.end(zlib.gzipSync('{"zipped":"é"}'))
    },
    '/head': (res) => { res.writeHead(200, { 'content-type': 'application/json', 'x-len': '10' }); res.end() },
    '/cookies': (res) => {
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; HttpOnly'])
      res.setHeader('X-Upstream', 'yes')
      sendJson(res, 201, { created: true })
    },
  }
  before(async () => {
    ;({ upstream, local, close } = await startRouted(null, 'custom', (req, res) => {
      const route = ROUTES[new URL(req.url, 'http://x').pathname]
      if (route) return route(res)
      sendJson(res, 404, { error: 'no route' })
    }))
    actions = local.client().actions
  })
  after(() => close?.())

  const get = (path) => actions.request({ connectionName: 'custom', identifier: 'u', path })

  test('JSON is parsed whatever the content type', async () => {
    assert.deepEqual((await get('/json-as-text')).data, { a: 1, b: [2] })
    assert.deepEqual((await get('/json-no-type')).data, [1, 2])
    assert.equal((await get('/number-text')).data, 42)
  })

  test('invalid JSON with content-type application/json: the raw text', async () => {
    assert.equal((await get('/bad-json')).data, '{not json')
  })

  test('text is decoded as UTF-8', async () => {
    assert.equal((await get('/text')).data, 'héllo wörld')
  })

  test("an empty body gives ''", async () => {
    const res = await get('/empty')
    assert.equal(res.status, 200)
    assert.equal(res.data, '')
    const nc = await get('/no-content')
    assert.equal(nc.status, 204)
    assert.equal(nc.statusText, 'No Content')
    assert.equal(nc.data, '')
  })

  test('binary content types come back as a Buffer with the exact bytes', async () => {
    const oct = await get('/octets')
    assert.ok(Buffer.isBuffer(oct.data), 'octet-stream is a Buffer')
    assert.ok(oct.data.equals(OCTETS))
    const png = await get('/png')
    assert.ok(Buffer.isBuffer(png.data), 'image/png is a Buffer')
    assert.ok(png.data.equals(PNG))
    const pdf = await get('/pdf-json-looking')
    assert.ok(Buffer.isBuffer(pdf.data), 'application/pdf is a Buffer even if it looks like JSON')
    assert.equal(pdf.data.toString(), '{"a":1}')
  })

  test('a gzip-encoded answer is decompressed and content-encoding removed', async () => {
    const res = await get('/gzip')
    assert.deepEqual(res.data, { zipped: 'é' })
    assert.equal(res.headers['content-encoding'], undefined)
  })

  test("HEAD: status and headers, data ''", async () => {
    const res = await actions.request({ connectionName: 'custom', identifier: 'u', path: '/head', method: 'HEAD' })
    assert.equal(res.status, 200)
    assert.equal(res.headers['x-len'], '10')
    assert.equal(res.data, '')
  })

  test('set-cookie is an array; other headers lowercase strings; status relayed', async () => {
    const res = await get('/cookies')
    assert.equal(res.status, 201)
    assert.equal(res.statusText, 'Created')
    assert.deepEqual(res.headers['set-cookie'], ['a=1; Path=/', 'b=2; HttpOnly'])
    assert.equal(res.headers['x-upstream'], 'yes')
    assert.equal(res.headers['X-Upstream'], undefined)
    assert.deepEqual(res.data, { created: true })
  })

  test('the upstream receives the account token and the path under its base URL', async () => {
    upstream.requests.length = 0
    await actions.request({ connectionName: 'custom', identifier: 'u', path: '/text', queryParams: { q: 1 } })
    assert.equal(upstream.requests.length, 1)
    assert.equal(upstream.requests[0].url, '/text?q=1')
    assert.equal(upstream.requests[0].headers.authorization, 'Bearer t')
  })
})
