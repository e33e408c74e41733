// Response size limits (issue 11): `maxResponseBytes` on the decoded bytes of a buffered answer,
// decompression bombs, a declared length over the limit. Memory is asserted as RSS growth, never
// time; the memory-heavy tests come first so that their baselines are not lowered by memory that
// earlier tests freed but the allocator kept.
import { test, describe, before } from 'node:test'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import zlib from 'node:zlib'
import { Readable } from 'node:stream'

import sk from '../index.js'
import { fakeScalekitRaw, startRawServer, readAll, within, rejectsExactly, deferred, rssSampler, MiB } from './helpers.mjs'

const { ScalekitException, ScalekitResponseTooLargeException, ScalekitValidationException } = sk

const CALL = { connectionName: 'conn', identifier: 'user@example.com', path: '/v1/thing' }
const GiB = 1024 * MiB
const DEFAULT_LIMIT = 128 * MiB

/** `total` zero bytes, compressed by `compressor` as a stream (never holding the inflated bytes). */
async function bomb(total, compressor) {
  const zeros = Buffer.alloc(MiB)
  let left = total
  const source = new Readable({
    read() {
      if (left === 0) return this.push(null)
      const n = Math.min(left, zeros.length)
      left -= n
      this.push(zeros.subarray(0, n))
    },
  })
  return readAll(source.pipe(compressor))
}

describe('decompression bombs', () => {
  let gzipBomb
  before(async () => {
    gzipBomb = await bomb(GiB, zlib.createGzip())
  })

  test('gzip: ~1 MB on the wire inflating to 1 GiB → ScalekitResponseTooLargeException at the default limit, RSS bounded', { timeout: 120_000 }, async (t) => {
    assert.ok(gzipBomb.length < 2 * MiB, `the bomb is ${gzipBomb.length} bytes on the wire`)
    const fake = await fakeScalekitRaw(t, async (req, res) => {
      await readAll(req)
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': gzipBomb.length })
      res.end(gzipBomb)
    })
    const client = fake.client()
    global.gc?.()
    const rss = rssSampler()
    const e = await rejectsExactly(client.actions.request(CALL), ScalekitResponseTooLargeException, 'the gzip bomb')
    const { growth } = rss.stop()
    t.diagnostic(`gzip bomb (${gzipBomb.length} bytes → 1 GiB): peak RSS growth ${(growth / MiB).toFixed(1)} MiB`)
    assert.ok(e instanceof ScalekitException)
    assert.equal(e.limit, DEFAULT_LIMIT)
    assert.ok(growth < 400 * MiB, `peak RSS growth ${(growth / MiB).toFixed(1)} MiB`)
  })

  test('deflate and brotli bombs (256 MiB inflated) stop at a 16 MiB per-call limit', { timeout: 120_000 }, async (t) => {
    const bombs = {
      deflate: await bomb(256 * MiB, zlib.createDeflate()),
      br: await bomb(256 * MiB, zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } })),
    }
    const fake = await fakeScalekitRaw(t, async (req, res) => {
      await readAll(req)
      const encoding = req.url.endsWith('/br') ? 'br' : 'deflate'
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-encoding': encoding })
      res.end(bombs[encoding])
    })
    const client = fake.client()
    for (const encoding of ['deflate', 'br']) {
      global.gc?.()
      const rss = rssSampler()
      const e = await rejectsExactly(
        client.actions.request({ ...CALL, path: `/v1/${encoding}`, maxResponseBytes: 16 * MiB }),
        ScalekitResponseTooLargeException,
        `the ${encoding} bomb`,
      )
      const { growth } = rss.stop()
      t.diagnostic(`${encoding} bomb (${bombs[encoding].length} bytes → 256 MiB): peak RSS growth ${(growth / MiB).toFixed(1)} MiB`)
      assert.equal(e.limit, 16 * MiB)
      assert.ok(growth < 128 * MiB, `${encoding}: peak RSS growth ${(growth / MiB).toFixed(1)} MiB`)
    }
  })
})

describe('maxResponseBytes', () => {
  const LIMIT = MiB + 7
  const bytes = crypto.randomBytes(LIMIT + 1)

  /** Serves `bytes` up to `/v1/<n>` bytes, chunked (`?chunked`) or with its content-length. */
  async function sizedFake(t) {
    return fakeScalekitRaw(t, async (req, res) => {
      await readAll(req)
      const url = new URL(req.url, 'http://x')
      const body = bytes.subarray(0, Number(url.pathname.split('/').pop()))
      if (url.searchParams.has('chunked')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' })
        for (let i = 0; i < body.length; i += 65_536) res.write(body.subarray(i, i + 65_536))
        res.end()
      } else {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
        res.end(body)
      }
    })
  }

  for (const chunked of [false, true]) {
    const how = chunked ? 'chunked' : 'with content-length'
    test(`${how}: a body exactly at the limit resolves byte-exact; one byte over rejects`, async (t) => {
      const fake = await sizedFake(t)
      const query = chunked ? '?chunked' : ''
      // The client option…
      const client = fake.client({ maxResponseBytes: LIMIT })
      const at = await within(client.actions.request({ ...CALL, path: `/v1/${LIMIT}${query}` }))
      assert.ok(Buffer.isBuffer(at.data))
      assert.ok(at.data.equals(bytes.subarray(0, LIMIT)), 'byte-exact at the limit')
      const over = await rejectsExactly(client.actions.request({ ...CALL, path: `/v1/${LIMIT + 1}${query}` }), ScalekitResponseTooLargeException)
      assert.equal(over.limit, LIMIT)
      // …and the per-call one, which overrides it.
      // (Not below the token answer's 39 bytes: the client option limits the token answer too.)
      const other = fake.client({ maxResponseBytes: 100 })
      const perCall = await within(other.actions.request({ ...CALL, path: `/v1/${LIMIT}${query}`, maxResponseBytes: LIMIT }))
      assert.ok(perCall.data.equals(bytes.subarray(0, LIMIT)))
      const overPerCall = await rejectsExactly(
        fake.client().actions.request({ ...CALL, path: `/v1/${LIMIT + 1}${query}`, maxResponseBytes: LIMIT }),
        ScalekitResponseTooLargeException,
      )
      assert.equal(overPerCall.limit, LIMIT)
    })
  }

  for (const [label, options, perCall, limit] of [
    ['a per-call limit', undefined, MiB, MiB],
    ['the default limit (128 MiB)', undefined, undefined, DEFAULT_LIMIT],
  ]) {
    test(`a content-length over ${label} is refused before the body is read, and the connection dropped`, async (t) => {
      const release = deferred()
      const serverClosed = deferred()
      const fake = await fakeScalekitRaw(t, async (req, res) => {
        await readAll(req)
        res.on('close', () => serverClosed.resolve({ finished: res.writableFinished }))
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': limit + 1 })
        res.write(Buffer.alloc(64 * 1024, 1))
        // The rest is only written once the client has answered: a client that waited for the
        // body would hang here (and fail `rejectsExactly`'s hang detector).
        await release.promise
        res.end(Buffer.alloc(limit + 1 - 64 * 1024, 1))
      })
      t.after(() => release.resolve())
      const e = await rejectsExactly(
        fake.client(options).actions.request({ ...CALL, maxResponseBytes: perCall }),
        ScalekitResponseTooLargeException,
      )
      assert.equal(e.limit, limit)
      const { finished } = await within(serverClosed.promise, "the server response's close")
      assert.equal(finished, false, 'the client dropped the connection before the body was sent')
      release.resolve()
    })
  }
})

// A URL over the 65,534 bytes a request URL can hold is the caller's argument, not a network
// failure: refused by name before anything is sent, and not repeated in the message.
test('a path, query or identifier too long for any request URL is refused by name, nothing sent', async (t) => {
  const fake = await fakeScalekitRaw(t, (req, res) => res.end('{}'))
  const client = fake.client({ maxRetries: 0 })
  const long = 'x'.repeat(70_000)
  const cases = [
    ['path', client.actions.request({ ...CALL, path: `/v1/${long}` })],
    ['queryParams', client.actions.request({ ...CALL, queryParams: { q: long } })],
    ['params', client.actions.getConnectedAccount({ connectionName: 'conn', identifier: long })],
  ]
  for (const [argument, call] of cases) {
    const e = await rejectsExactly(call, ScalekitValidationException, argument)
    assert.equal(e.argument, argument)
    assert.match(e.message, /a request URL holds at most 65534 bytes/)
    assert.ok(!e.message.includes('xxxx'), 'the URL is not repeated')
  }
  assert.deepEqual({ proxy: fake.counts.proxy, other: fake.counts.other }, { proxy: 0, other: 0 })
})

// Scalekit's own answers have a fixed limit: their error does not advise raising maxResponseBytes.
test('a control-plane answer over its fixed limit: the message does not advise maxResponseBytes', async (t) => {
  const { url } = await startRawServer(t, async (req, res) => {
    await readAll(req)
    if (req.url === '/oauth/token') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"t","expires_in":3600}')
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': DEFAULT_LIMIT + 1 })
    res.write('{')
  })
  const client = new sk.ScalekitClient(url, 'id', 'secret', { maxResponseBytes: 4 * DEFAULT_LIMIT })
  const e = await rejectsExactly(
    client.actions.listConnectedAccounts(),
    ScalekitResponseTooLargeException,
  )
  assert.equal(e.limit, DEFAULT_LIMIT)
  assert.equal(e.message, `Scalekit's answer is larger than the ${DEFAULT_LIMIT} bytes its answers may take`)
})

// A body that breaks off while it is read: the message names the request it belongs to.
test('a body that fails while being read: the message names the URL (without its query)', async (t) => {
  const fake = await fakeScalekitRaw(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    res.end(Buffer.from('not gzip at all, not at all'))
  })
  const e = await rejectsExactly(
    fake.client({ maxRetries: 0 }).actions.request({ ...CALL, queryParams: { q: 'private' } }),
    sk.ScalekitNetworkException,
  )
  assert.match(e.message, new RegExp(`^reading the response body of ${fake.url}/proxy/v1/thing failed: `))
  assert.ok(!e.message.includes('private'), e.message)
})
