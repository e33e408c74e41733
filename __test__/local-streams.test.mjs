// Large bodies through LocalScalekit's Tool Proxy (issue 11, point 6): the emulator streams both
// ways, so a 1 GiB download from its echo upstream and a 1 GiB upload to it arrive byte-exact
// while neither this process nor the emulator holds the body.
//
// Each test allows 3 min on a slow machine: the file's limit in scripts/test-node.mjs, above both:
// file-timeout-ms: 420000
import { test } from 'node:test'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { Readable } from 'node:stream'

import { startLocal, rssSampler, MiB } from './helpers.mjs'

const GiB = 1024 * MiB
const CALL = { connectionName: 'files', identifier: 'user@example.com' }
// Both sides run in this process (the emulator on the addon's runtime): the bound covers both.
const RSS_BOUND = 200 * MiB
const SEEDED = { accounts: [{ ...CALL, authorizationDetails: { oauth_token: { access_token: 'upstream-token' } } }] }

/** The echo's `/bytes/{n}` pattern: byte i is i % 251. */
function patternDigest(n) {
  const block = Buffer.alloc(251 * 4096)
  for (let i = 0; i < block.length; i++) block[i] = i % 251
  const hash = crypto.createHash('sha256')
  for (let done = 0; done < n; done += block.length) hash.update(block.subarray(0, Math.min(block.length, n - done)))
  return hash.digest('hex')
}

test('a 1 GiB download through the Tool Proxy streams byte-exact with bounded memory', { timeout: 180_000 }, async (t) => {
  const local = await startLocal(t, SEEDED)
  const client = local.client()
  const rss = rssSampler()
  const r = await client.actions.request({ ...CALL, path: `/bytes/${GiB}`, responseType: 'stream', timeoutMs: 170_000 })
  assert.equal(r.status, 200)
  assert.equal(r.headers['content-length'], String(GiB))
  const hash = crypto.createHash('sha256')
  let bytes = 0
  for await (const chunk of r.data) {
    bytes += chunk.length
    hash.update(chunk)
  }
  const { growth } = rss.stop()
  assert.equal(bytes, GiB)
  assert.equal(hash.digest('hex'), patternDigest(GiB))
  assert.ok(growth < RSS_BOUND, `peak RSS growth ${(growth / MiB).toFixed(1)} MiB`)
})

test('a 1 GiB upload through the Tool Proxy reaches the echo byte-exact with bounded memory', { timeout: 180_000 }, async (t) => {
  const local = await startLocal(t, SEEDED)
  const client = local.client()
  const sent = crypto.createHash('sha256')
  const chunk = Buffer.alloc(MiB)
  async function* produce() {
    for (let i = 0; i < 1024; i++) {
      chunk.fill(i % 256)
      sent.update(chunk)
      yield Buffer.from(chunk)
    }
  }
  const rss = rssSampler()
  const r = await client.actions.request({
    ...CALL, path: '/upload', method: 'POST', body: Readable.from(produce()),
    headers: { 'content-type': 'application/octet-stream' }, timeoutMs: 170_000,
  })
  const { growth } = rss.stop()
  assert.equal(r.status, 200)
  assert.equal(r.data.bodyBytes, GiB)
  assert.equal(r.data.bodySha256, sent.digest('hex'))
  assert.equal(r.data.body, undefined)
  assert.ok(growth < RSS_BOUND, `peak RSS growth ${(growth / MiB).toFixed(1)} MiB`)
})
