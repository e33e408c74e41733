// Request and response bodies beyond JSON (issue 11): responseType, streamed downloads (abort and
// deadline mid-stream, non-2xx), streamed uploads (never retried), Blob and multipart FormData
// bodies. Each test runs against its own loopback fake Scalekit (helpers `fakeScalekitRaw`).
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { Readable } from 'node:stream'

import sk from '../index.js'
import { CALL, fakeScalekitRaw, readAll, sendJson, within, rejectsExactly, deferred, writeUntilClosed, MiB } from './helpers.mjs'

const {
  ScalekitException,
  ScalekitValidationException,
  ScalekitAbortException,
  ScalekitNotFoundException,
  ScalekitGatewayTimeoutException,
  ScalekitServiceUnavailableException,
} = sk

/** A fake whose proxy reads the request body, records it, and answers `answer(req, res, n, body)` (default 200 `{ok:true}`). */
async function recordingFake(t, answer) {
  const seen = []
  const fake = await fakeScalekitRaw(t, async (req, res, n) => {
    const body = await readAll(req)
    seen.push({ method: req.method, headers: req.headers, body })
    return answer ? answer(req, res, n, body) : sendJson(res, 200, { ok: true })
  })
  return { ...fake, seen }
}

/** `count` deterministic pieces of `size` bytes (each a different pattern), and all of them joined. */
function pieces(count, size) {
  const list = []
  for (let i = 0; i < count; i++) list.push(Buffer.alloc(size, crypto.createHash('sha256').update(`piece ${i}`).digest()))
  return { list, all: Buffer.concat(list) }
}

/** Parses a multipart body back with the platform's own parser (undici's `Request.formData()`). */
function parseMultipart(seen) {
  return new Request('http://x', {
    method: 'POST',
    headers: { 'content-type': seen.headers['content-type'] },
    body: seen.body,
    duplex: 'half',
  }).formData()
}

describe('responseType', () => {
  // Whitespace a JSON round trip would not keep: tells the raw text from a re-serialisation.
  const RAW = '{ "a": 1,  "b": [1, 2], "s": "é" }'
  const serveRaw = (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(RAW) })
    res.end(RAW)
  }

  test("'arraybuffer' gives a Buffer of a JSON answer's bytes", async (t) => {
    const fake = await recordingFake(t, serveRaw)
    const r = await within(fake.client().actions.request({ ...CALL, responseType: 'arraybuffer' }))
    assert.equal(r.status, 200)
    assert.ok(Buffer.isBuffer(r.data), `data is ${r.data?.constructor?.name}`)
    assert.ok(r.data.equals(Buffer.from(RAW)))
  })

  test("'text' gives the raw text of a JSON answer", async (t) => {
    const fake = await recordingFake(t, serveRaw)
    const r = await within(fake.client().actions.request({ ...CALL, responseType: 'text' }))
    assert.equal(r.data, RAW)
  })

  test("'json' parses; default (no responseType) parses too", async (t) => {
    const fake = await recordingFake(t, serveRaw)
    const client = fake.client()
    assert.deepEqual((await within(client.actions.request({ ...CALL, responseType: 'json' }))).data, { a: 1, b: [1, 2], s: 'é' })
    assert.deepEqual((await within(client.actions.request(CALL))).data, { a: 1, b: [1, 2], s: 'é' })
  })

  test('an invalid responseType rejects ScalekitValidationException naming it, and sends nothing', async (t) => {
    const fake = await recordingFake(t)
    for (const responseType of ['blob', 'document', 'STREAM', 42]) {
      const e = await rejectsExactly(fake.client().actions.request({ ...CALL, responseType }), ScalekitValidationException, `responseType ${String(responseType)}`)
      assert.match(e.message, /responseType/, `message for ${String(responseType)}: ${e.message}`)
      assert.equal(e.argument, 'responseType')
    }
    assert.equal(fake.counts.proxy, 0, 'no proxy request')
    assert.equal(fake.counts.token, 0, 'not even a token request')
  })
})

describe("responseType: 'stream'", () => {
  test('resolves with a Readable that iterates to the exact bytes; Readable.toWeb works', async (t) => {
    const bytes = crypto.randomBytes(3 * MiB + 17)
    const fake = await recordingFake(t, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      // Several writes, no content-length: a chunked answer.
      for (let i = 0; i < bytes.length; i += 100_000) res.write(bytes.subarray(i, i + 100_000))
      res.end()
    })
    const client = fake.client()
    const r = await within(client.actions.request({ ...CALL, responseType: 'stream' }))
    assert.equal(r.status, 200)
    assert.equal(r.headers['content-type'], 'application/json')
    assert.ok(r.data instanceof Readable, `data is ${r.data?.constructor?.name}`)
    assert.ok((await within(readAll(r.data))).equals(bytes))

    const w = await within(client.actions.request({ ...CALL, responseType: 'stream' }))
    const reader = Readable.toWeb(w.data).getReader()
    const chunks = []
    for (;;) {
      const { done, value } = await within(reader.read())
      if (done) break
      chunks.push(value)
    }
    assert.ok(Buffer.concat(chunks).equals(bytes))
  })

  test('resolves at the head, before the body has been sent', async (t) => {
    const release = deferred()
    const fake = await recordingFake(t, async (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('first ')
      await release.promise
      res.end('last')
    })
    // If the call waited for the whole body it would never resolve (the server waits for us).
    const r = await within(fake.client().actions.request({ ...CALL, responseType: 'stream' }), 'the stream call')
    release.resolve()
    assert.equal((await within(readAll(r.data))).toString(), 'first last')
  })

  test('a non-2xx answer rejects with its class (404 → ScalekitNotFoundException), data decoded', async (t) => {
    const fake = await recordingFake(t, (req, res) => sendJson(res, 404, { error: 'nope', id: 7 }))
    const e = await rejectsExactly(fake.client().actions.request({ ...CALL, responseType: 'stream' }), ScalekitNotFoundException)
    assert.equal(e.status, 404)
    assert.deepEqual(e.data, { error: 'nope', id: 7 })
  })

  test('abort mid-stream: the stream errors with AbortError and the server sees its connection closed', async (t) => {
    const serverClosed = deferred()
    const fake = await recordingFake(t, (req, res) => {
      res.on('close', () => serverClosed.resolve({ finished: res.writableFinished }))
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      return writeUntilClosed(res, Buffer.alloc(64 * 1024, 7))
    })
    const controller = new AbortController()
    const reason = new Error('user went away')
    const r = await within(fake.client().actions.request({ ...CALL, responseType: 'stream', signal: controller.signal }))
    let got = 0
    const e = await within(
      (async () => {
        try {
          for await (const chunk of r.data) {
            got += chunk.length
            if (got >= MiB && !controller.signal.aborted) controller.abort(reason)
          }
        } catch (error) {
          return error
        }
        throw new Error('the stream ended instead of failing')
      })(),
      'the aborted stream',
    )
    assert.ok(e instanceof ScalekitAbortException, `got ${e?.constructor?.name}: ${e?.message}`)
    assert.ok(e instanceof ScalekitException)
    assert.equal(e.name, 'AbortError')
    assert.equal(e.cause, reason)
    assert.ok(r.data.destroyed)
    const { finished } = await within(serverClosed.promise, "the server response's close")
    assert.equal(finished, false, 'the server never finished: the client closed the connection')
  })

  test('deadline mid-stream: timeoutMs 500 with a stalled body → ScalekitGatewayTimeoutException', async (t) => {
    const serverClosed = deferred()
    const fake = await recordingFake(t, (req, res) => {
      res.on('close', () => serverClosed.resolve({ finished: res.writableFinished }))
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      res.write(Buffer.alloc(1000, 1))
      // …and then nothing: the body stalls until the client gives up.
    })
    const r = await within(fake.client().actions.request({ ...CALL, responseType: 'stream', timeoutMs: 500 }))
    const e = await rejectsExactly(readAll(r.data), ScalekitGatewayTimeoutException, 'reading the stalled stream')
    assert.ok(e instanceof ScalekitException)
    assert.equal((await within(serverClosed.promise)).finished, false)
  })
})

describe('streamed uploads', () => {
  test('a Readable body goes out chunked, bytes exact, default content-type octet-stream', async (t) => {
    const fake = await recordingFake(t)
    const { list, all } = pieces(40, 50_000)
    const r = await within(fake.client().actions.request({ ...CALL, method: 'POST', body: Readable.from(list) }))
    assert.equal(r.status, 200)
    const [seen] = fake.seen
    assert.ok(seen.body.equals(all))
    assert.equal(seen.headers['transfer-encoding'], 'chunked')
    assert.equal(seen.headers['content-length'], undefined)
    assert.equal(seen.headers['content-type'], 'application/octet-stream')
  })

  test('a web ReadableStream and an async iterable of strings and Uint8Arrays, bytes exact', async (t) => {
    const fake = await recordingFake(t)
    const client = fake.client()
    const { list, all } = pieces(10, 10_000)
    const web = new ReadableStream({
      start(controller) {
        for (const piece of list) controller.enqueue(new Uint8Array(piece))
        controller.close()
      },
    })
    await within(client.actions.request({ ...CALL, method: 'PUT', body: web, headers: { 'content-type': 'application/x-thing' } }))
    assert.ok(fake.seen[0].body.equals(all))
    assert.equal(fake.seen[0].headers['content-type'], 'application/x-thing')

    async function* parts() {
      yield 'héllo '
      yield new Uint8Array([0, 255, 10])
      yield Buffer.from(' wörld')
    }
    await within(client.actions.request({ ...CALL, method: 'POST', body: parts() }))
    assert.ok(fake.seen[1].body.equals(Buffer.concat([Buffer.from('héllo '), Buffer.from([0, 255, 10]), Buffer.from(' wörld')])))
  })

  test('a streamed upload answered 503 with retry: 3 is sent exactly once (POST and PUT); a Buffer body is retried', async (t) => {
    const fake = await recordingFake(t, (req, res) => sendJson(res, 503, { busy: true }, { 'retry-after': '0' }))
    const client = fake.client()
    const { list, all } = pieces(8, 8_000)

    const post = await rejectsExactly(
      client.actions.request({ ...CALL, method: 'POST', body: Readable.from(list), retry: 3 }),
      ScalekitServiceUnavailableException,
    )
    assert.deepEqual(post.data, { busy: true })
    assert.equal(fake.counts.proxy, 1, 'POST stream: one attempt')
    assert.ok(fake.seen[0].body.equals(all))

    const web = new ReadableStream({
      start(controller) {
        controller.enqueue(new Uint8Array(all))
        controller.close()
      },
    })
    await rejectsExactly(client.actions.request({ ...CALL, method: 'PUT', body: web, retry: 3 }), ScalekitServiceUnavailableException)
    assert.equal(fake.counts.proxy, 2, 'PUT stream: one attempt')

    // The same bytes as a Buffer are replayable: retried 3 times (the server counts every attempt).
    await rejectsExactly(client.actions.request({ ...CALL, method: 'POST', body: all, retry: 3 }), ScalekitServiceUnavailableException)
    assert.equal(fake.counts.proxy, 2 + 4, 'Buffer body: 1 + 3 attempts')
  })
})

describe('Blob and FormData bodies', () => {
  const fileBytes = Buffer.concat([Buffer.from([0, 1, 2, 255, 254, 13, 10, 45, 45]), crypto.randomBytes(100_000)])

  test("a Blob body: content-type from its type, content-length its size, exact bytes; the caller's content-type wins", async (t) => {
    const fake = await recordingFake(t)
    const client = fake.client()
    const blob = new Blob([fileBytes], { type: 'image/png' })
    await within(client.actions.request({ ...CALL, method: 'POST', body: blob }))
    const [seen] = fake.seen
    assert.equal(seen.headers['content-type'], 'image/png')
    assert.equal(seen.headers['content-length'], String(blob.size))
    assert.equal(seen.headers['transfer-encoding'], undefined)
    assert.ok(seen.body.equals(fileBytes))

    await within(client.actions.request({ ...CALL, method: 'PUT', body: blob, headers: { 'Content-Type': 'application/x-mine' } }))
    assert.equal(fake.seen[1].headers['content-type'], 'application/x-mine')
    assert.equal(fake.seen[1].headers['content-length'], String(blob.size))
    assert.ok(fake.seen[1].body.equals(fileBytes))
  })

  function form() {
    const fd = new FormData()
    fd.append('title', 'héllo wörld & co')
    fd.append('file', new Blob([fileBytes], { type: 'image/png' }), 'photo.png')
    return fd
  }

  async function assertMultipart(seen) {
    assert.match(seen.headers['content-type'], /^multipart\/form-data; boundary=\S+$/)
    const boundary = seen.headers['content-type'].split('boundary=')[1]
    assert.ok(seen.body.includes(`--${boundary}`), 'the body is delimited by the boundary of the content-type')
    const parsed = await parseMultipart(seen)
    assert.deepEqual([...parsed.keys()], ['title', 'file'])
    assert.equal(parsed.get('title'), 'héllo wörld & co')
    const file = parsed.get('file')
    assert.ok(file instanceof Blob, `file is ${file?.constructor?.name}`)
    assert.equal(file.name, 'photo.png')
    assert.equal(file.type, 'image/png')
    assert.ok(Buffer.from(await file.arrayBuffer()).equals(fileBytes))
  }

  test('formData: a web FormData goes out multipart, parsed back intact by a standard parser', async (t) => {
    const fake = await recordingFake(t)
    await within(fake.client().actions.request({ ...CALL, method: 'POST', formData: form() }))
    await assertMultipart(fake.seen[0])
  })

  test('body: a web FormData goes out multipart too', async (t) => {
    const fake = await recordingFake(t)
    await within(fake.client().actions.request({ ...CALL, method: 'POST', body: form() }))
    await assertMultipart(fake.seen[0])
  })

  test('formData: a plain object stays urlencoded', async (t) => {
    const fake = await recordingFake(t)
    await within(fake.client().actions.request({ ...CALL, method: 'POST', formData: { a: 1, b: 'x y' } }))
    assert.equal(fake.seen[0].headers['content-type'], 'application/x-www-form-urlencoded')
    assert.equal(fake.seen[0].body.toString(), 'a=1&b=x+y')
  })
})
