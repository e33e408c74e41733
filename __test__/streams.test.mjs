// 1 GiB streamed downloads and uploads (issue 11): byte-exact by sha256 computed on both sides,
// RSS growth bounded (memory, never time), and backpressure both ways: a paused consumer stops
// the server's writes, a paused server stops the producer's reads. The server and the client
// share this process, so the RSS bounds cover both.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { Readable } from 'node:stream'

import sk from '../index.js'
import { fakeScalekitRaw, readAll, sendJson, within, deferred, rssSampler, drainOrClose, MiB } from './helpers.mjs'

const CALL = { connectionName: 'conn', identifier: 'user@example.com', path: '/v1/thing' }
const GiB = 1024 * MiB
const RSS_BOUND = 200 * MiB
// Bytes that may sit between the two ends of a paused stream: socket buffers on both sides,
// hyper's and the body channel's chunks, the Readable's high-water mark.
const IN_TRANSIT_BOUND = 64 * MiB

const BASE = crypto.randomBytes(MiB)

/**
 * Chunk `i` of a deterministic body: 1 MiB of BASE with `i` in its first 8 bytes, so that a
 * lost, repeated or reordered chunk changes the sha256. A new Buffer each time (nothing holds it).
 */
function chunkAt(i) {
  const chunk = Buffer.allocUnsafe(MiB)
  BASE.copy(chunk)
  chunk.writeBigUInt64BE(BigInt(i))
  return chunk
}

/** A Readable of `count` deterministic chunks; `produced.bytes` and `produced.sha256()` tell what it gave. */
function generated(count) {
  const hash = crypto.createHash('sha256')
  const produced = { bytes: 0, sha256: () => hash.digest('hex') }
  let i = 0
  const stream = new Readable({
    highWaterMark: MiB,
    read() {
      if (i === count) return this.push(null)
      const chunk = chunkAt(i++)
      hash.update(chunk)
      produced.bytes += chunk.length
      this.push(chunk)
    },
  })
  return { stream, produced }
}

/**
 * A fake whose proxy answers `count` deterministic chunks with backpressure, hashing them;
 * `sent` tells how far it got: `{ bytes, waitingForDrain, sha256, closed }`.
 */
async function downloadFake(t, count) {
  const sent = { bytes: 0, waitingForDrain: false, sha256: undefined, closed: deferred(), finished: false }
  const fake = await fakeScalekitRaw(t, async (req, res) => {
    await readAll(req)
    res.on('close', () => sent.closed.resolve(res.writableFinished))
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': count * MiB })
    const hash = crypto.createHash('sha256')
    for (let i = 0; i < count && !res.destroyed; i++) {
      const chunk = chunkAt(i)
      hash.update(chunk)
      sent.bytes += chunk.length
      if (!res.write(chunk)) {
        sent.waitingForDrain = true
        await drainOrClose(res)
        sent.waitingForDrain = false
      }
    }
    sent.sha256 = hash.digest('hex')
    res.end()
  })
  return { ...fake, sent }
}

describe('streamed downloads', () => {
  test('1 GiB with responseType stream: byte-exact by sha256, RSS growth bounded', { timeout: 180_000 }, async (t) => {
    const fake = await downloadFake(t, 1024)
    const client = fake.client()
    global.gc?.()
    const rss = rssSampler()
    const r = await within(client.actions.request({ ...CALL, responseType: 'stream' }))
    assert.ok(r.data instanceof Readable)
    const hash = crypto.createHash('sha256')
    let bytes = 0
    for await (const chunk of r.data) {
      hash.update(chunk)
      bytes += chunk.length
    }
    const { growth } = rss.stop()
    t.diagnostic(`1 GiB streamed download: peak RSS growth ${(growth / MiB).toFixed(1)} MiB`)
    assert.equal(bytes, GiB)
    assert.equal(hash.digest('hex'), fake.sent.sha256)
    assert.ok(growth < RSS_BOUND, `peak RSS growth ${(growth / MiB).toFixed(1)} MiB`)
  })

  test('a paused consumer stops the server: it is left waiting for drain, far from the end', { timeout: 120_000 }, async (t) => {
    const fake = await downloadFake(t, 1024)
    const r = await within(fake.client().actions.request({ ...CALL, responseType: 'stream' }))
    let consumed = 0
    await within(
      new Promise((resolve) => {
        const onData = (chunk) => {
          consumed += chunk.length
          if (consumed >= 8 * MiB) {
            r.data.pause()
            r.data.off('data', onData)
            resolve()
          }
        }
        r.data.on('data', onData)
      }),
    )
    // The consumer is slow: it reads nothing for half a second (the time the server has to show
    // that it is held back, not a timing assertion).
    await new Promise((resolve) => setTimeout(resolve, 500))
    const { bytes, waitingForDrain } = fake.sent
    t.diagnostic(`paused after ${consumed / MiB} MiB read: the server had written ${(bytes / MiB).toFixed(1)} MiB`)
    assert.ok(waitingForDrain, 'the server is blocked on its socket')
    assert.ok(bytes < GiB, 'the server did not write the whole body')
    assert.ok(bytes - consumed < IN_TRANSIT_BOUND, `${((bytes - consumed) / MiB).toFixed(1)} MiB written beyond what was read`)
    // Giving up on the stream closes the connection.
    r.data.destroy()
    assert.equal(await within(fake.sent.closed.promise, "the server response's close"), false)
  })
})

/** A fake whose proxy hashes the request body as it arrives (optionally pausing) and answers what it saw. */
async function uploadFake(t, { pauseAfter } = {}) {
  const received = { bytes: 0, paused: deferred(), resume: deferred() }
  const fake = await fakeScalekitRaw(t, async (req, res) => {
    const hash = crypto.createHash('sha256')
    let paused = false
    for await (const chunk of req) {
      hash.update(chunk)
      received.bytes += chunk.length
      if (pauseAfter !== undefined && !paused && received.bytes >= pauseAfter) {
        paused = true
        received.paused.resolve()
        // No read while paused: the request's socket fills up.
        await received.resume.promise
      }
    }
    sendJson(res, 200, {
      bytes: received.bytes,
      sha256: hash.digest('hex'),
      contentLength: req.headers['content-length'] ?? null,
      transferEncoding: req.headers['transfer-encoding'] ?? null,
    })
  })
  return { ...fake, received }
}

describe('streamed uploads', () => {
  test('1 GiB from a Readable: byte-exact by sha256 on the server, chunked, RSS growth bounded', { timeout: 180_000 }, async (t) => {
    const fake = await uploadFake(t)
    const { stream, produced } = generated(1024)
    global.gc?.()
    const rss = rssSampler()
    const r = await within(fake.client().actions.request({ ...CALL, method: 'POST', body: stream }), 'the 1 GiB upload', 150_000)
    const { growth } = rss.stop()
    t.diagnostic(`1 GiB streamed upload: peak RSS growth ${(growth / MiB).toFixed(1)} MiB`)
    assert.equal(r.data.bytes, GiB)
    assert.equal(produced.bytes, GiB)
    assert.equal(r.data.sha256, produced.sha256())
    assert.equal(r.data.transferEncoding, 'chunked')
    assert.equal(r.data.contentLength, null)
    assert.ok(growth < RSS_BOUND, `peak RSS growth ${(growth / MiB).toFixed(1)} MiB`)
  })

  test("with the caller's content-length: the server sees it, and no chunked encoding", {
    timeout: 120_000,
  }, async (t) => {
    const fake = await uploadFake(t)
    const { stream, produced } = generated(16)
    const r = await within(fake.client().actions.request({
      ...CALL,
      method: 'PUT',
      body: stream,
      headers: { 'Content-Length': String(16 * MiB) },
    }))
    assert.equal(r.data.contentLength, String(16 * MiB))
    assert.equal(r.data.transferEncoding, null)
    assert.equal(r.data.bytes, 16 * MiB)
    assert.equal(r.data.sha256, produced.sha256())
  })

  test('a paused server stops the producer: it is not read far beyond what the server took', { timeout: 120_000 }, async (t) => {
    const fake = await uploadFake(t, { pauseAfter: 8 * MiB })
    const { stream, produced } = generated(256)
    const call = fake.client().actions.request({ ...CALL, method: 'POST', body: stream })
    await within(fake.received.paused.promise, 'the server pausing')
    // The server reads nothing for half a second (the time the producer has to show that it is
    // held back, not a timing assertion).
    await new Promise((resolve) => setTimeout(resolve, 500))
    const read = produced.bytes
    const taken = fake.received.bytes
    t.diagnostic(`server paused after ${(taken / MiB).toFixed(1)} MiB: ${(read / MiB).toFixed(1)} MiB produced`)
    assert.ok(read - taken < IN_TRANSIT_BOUND, `${((read - taken) / MiB).toFixed(1)} MiB produced beyond what the server took`)
    fake.received.resume.resolve()
    const r = await within(call, 'the upload after the pause', 60_000)
    assert.equal(r.data.bytes, 256 * MiB)
    assert.equal(r.data.sha256, produced.sha256())
  })
})
