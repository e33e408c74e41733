// No silent misuse, and stacks that reach the caller (README, "Migrating from
// @scalekit-sdk/node"): a param or option this client does not take is refused by name, a method
// outside HTTP's is refused, and nothing is sent for any of them; an envUrl that is not an
// environment's URL fails naming it. A rejected call's exception shows the caller's frames.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'

import * as sk from '../index.js'
import { startServer, sendJson, rejection } from './helpers.mjs'

const HERE = fileURLToPath(import.meta.url)

/** A server standing in for Scalekit that counts every request it receives. */
async function counting(t, answer = (req, res) => sendJson(res, 200, { access_token: 't', expires_in: 3600 })) {
  const seen = []
  const server = await startServer(t, (req, res, body) => {
    seen.push(`${req.method} ${req.url}`)
    answer(req, res, body)
  })
  return { ...server, seen }
}

test('actions.request refuses params it does not take, by name, with axios hints; nothing is sent', async (t) => {
  const server = await counting(t)
  const client = new sk.ScalekitClient(server.url, 'id', 'secret')
  const call = { connectionName: 'c', identifier: 'u', path: '/x' }
  for (const [extra, pattern] of [
    [{ data: { a: 1 } }, /actions\.request does not take "data" \(axios's `data` is `body` here\)/],
    [{ params: { q: 1 } }, /"params" \(axios's `params` is `queryParams` here\)/],
    [{ timeOutMs: 5 }, /does not take "timeOutMs": it takes connectionName, identifier, path/],
  ]) {
    const e = await rejection(client.actions.request({ ...call, ...extra }))
    assert.ok(e instanceof sk.ScalekitValidationException, e.constructor.name)
    assert.equal(e.argument, 'params')
    assert.match(e.message, pattern)
  }
  // With a signal too (the other path through actions.request).
  const e = await rejection(client.actions.request({ ...call, data: 'x', signal: new AbortController().signal }))
  assert.match(e.message, /"data"/)
  assert.deepEqual(server.seen, [])
})

test('a method outside HTTP is refused; nothing is sent', async (t) => {
  const server = await counting(t)
  const client = new sk.ScalekitClient(server.url, 'id', 'secret')
  for (const method of ['PSOT', 'fetch', 'CONNECT']) {
    const e = await rejection(client.actions.request({ connectionName: 'c', identifier: 'u', path: '/x', method }))
    assert.ok(e instanceof sk.ScalekitValidationException, e.constructor.name)
    assert.equal(e.argument, 'method')
    assert.match(e.message, /is not an HTTP method/)
  }
  assert.deepEqual(server.seen, [])
})

test('client options it does not take are refused by name, from the constructor and fromEnv', async () => {
  assert.throws(() => new sk.ScalekitClient('https://acme.scalekit.dev', 'id', 'secret', { timeout: 5 }), (e) => {
    assert.ok(e instanceof sk.ScalekitValidationException, e.constructor.name)
    assert.equal(e.argument, 'options')
    assert.match(e.message, /"timeout" is not a client option \(it is `timeoutMs`/)
    return true
  })
  assert.throws(() => new sk.ScalekitClient('https://acme.scalekit.dev', 'id', 'secret', { httpsAgent: {} }),
    /"httpsAgent" is not a client option \(use `ca` and `proxy`\)/)
  assert.throws(() => sk.ScalekitClient.fromEnv({ retries: 1 }), /"retries" is not a client option/)
})

test('an envUrl with a path: the failure names the URL and says what an envUrl is', async (t) => {
  const server = await counting(t, (req, res) => sendJson(res, 404, { error: 'not found' }))
  const client = new sk.ScalekitClient(`${server.url}/api/v1`, 'id', 'secret', { maxRetries: 0 })
  const e = await rejection(client.actions.listConnections())
  assert.ok(e instanceof sk.ScalekitNotFoundException, e.constructor.name)
  assert.ok(e.message.includes(`${server.url}/api/v1/oauth/token is not a token endpoint`), e.message)
  assert.match(e.message, /envUrl is the URL of your Scalekit environment, such as https:\/\/acme\.scalekit\.dev without a path \(this envUrl holds "\/api\/v1"\)/)
  assert.deepEqual(server.seen, ['POST /api/v1/oauth/token'])
})

test("a rejected call's stack holds the caller's frame; it is thrown where the outcome arrives", async (t) => {
  const server = await counting(t, (req, res) => {
    if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: 't', expires_in: 3600 })
    sendJson(res, 404, { code: 5, message: 'nothing here' })
  })
  const client = new sk.ScalekitClient(server.url, 'id', 'secret', { maxRetries: 0 })
  // Each awaits its call, as user code does: V8 then links its frame to the rejection.
  async function callerOfRequest() {
    const response = await client.actions.request({ connectionName: 'c', identifier: 'u', path: '/x' })
    return response
  }
  async function callerOfAccounts() {
    const account = await client.actions.getConnectedAccount({ connectionName: 'c', identifier: 'u' })
    return account
  }
  async function callerOfTools() {
    const page = await client.tools.listTools()
    return page
  }
  for (const [caller, Class] of [
    [callerOfRequest, sk.ScalekitNotFoundException],
    [callerOfAccounts, sk.ScalekitNotFoundException],
    [callerOfTools, sk.ScalekitNotFoundException],
  ]) {
    const e = await rejection(caller())
    assert.ok(e instanceof Class, e.constructor.name)
    assert.ok(e.stack.includes(caller.name), `${caller.name} is missing from:\n${e.stack}`)
    assert.ok(e.stack.includes(HERE), `${HERE} is missing from:\n${e.stack}`)
    // The first line is the exception's, then the library's method, not the completion drain.
    assert.ok(!/\bdrain\b/.test(e.stack), e.stack)
  }
})
