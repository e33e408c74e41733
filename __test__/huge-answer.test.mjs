// An answer too large for a JavaScript value (issue 11): it must fail only its own call, never the
// process or the other calls in flight. In a file of its own, so that its RSS baseline is the
// process's (node --test runs each file in its own process).
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'

import sk from '../index.js'
import { fakeScalekitRaw, readAll, sendJson, within, rejectsExactly, deferred, rssSampler, drainOrClose, MiB } from './helpers.mjs'

const { ScalekitException } = sk

const CALL = { connectionName: 'conn', identifier: 'user@example.com', path: '/v1/thing' }

/** Writes `total` bytes of `chunk` (repeated) to `res` with backpressure, then ends it. */
async function writeRepeated(res, chunk, total) {
  let left = total
  while (left > 0 && !res.destroyed) {
    const n = Math.min(left, chunk.length)
    left -= n
    if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) await drainOrClose(res)
  }
  res.end()
}

describe('an answer too large for a JavaScript value', () => {
  test('a 600 MB text answer (maxResponseBytes 700 MiB) rejects only its call; 5 calls in flight resolve; the process goes on', { timeout: 120_000 }, async (t) => {
    const SIZE = 600 * 1000 * 1000
    const bigSent = deferred()
    const fake = await fakeScalekitRaw(t, async (req, res, n) => {
      await readAll(req)
      if (req.url.startsWith('/proxy/v1/big')) {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': SIZE })
        // One 1 MiB buffer written again and again: the server never holds the 600 MB.
        await writeRepeated(res, Buffer.alloc(MiB, 'a'), SIZE)
        bigSent.resolve()
        return
      }
      // The small calls are answered once the big body has been sent: they are in flight while
      // it is read and converted.
      await bigSent.promise
      sendJson(res, 200, { n: Number(req.url.split('/').pop()) })
    })
    const client = fake.client({ maxResponseBytes: 700 * MiB })
    global.gc?.()
    const rss = rssSampler()
    const big = client.actions.request({ ...CALL, path: '/v1/big' })
    const small = [1, 2, 3, 4, 5].map((i) => client.actions.request({ ...CALL, path: `/v1/small/${i}` }))
    const e = await rejectsExactly(big, ScalekitException, 'the 600 MB call')
    const results = await within(Promise.all(small), 'the 5 calls in flight')
    const { growth } = rss.stop()
    t.diagnostic(`600 MB answer: peak RSS growth ${(growth / MiB).toFixed(1)} MiB`)
    assert.match(e.message, /too large for a JavaScript value/)
    assert.match(e.message, new RegExp(String(SIZE)), `the message gives the size: ${e.message}`)
    assert.deepEqual(results.map((r) => r.data), [1, 2, 3, 4, 5].map((n) => ({ n })))
    // The process survived: the same client still works.
    assert.deepEqual((await within(client.actions.request({ ...CALL, path: '/v1/small/6' }))).data, { n: 6 })
    assert.ok(growth < 1536 * MiB, `peak RSS growth ${(growth / MiB).toFixed(1)} MiB`)
  })
})
