// The client-credentials token: lazy, cached, single-flight, renewed in the background before expiry, refetched
// once on Scalekit's own 401 (code 16), never on a 401 relayed from the provider.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import util from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'

import sk from '../index.js'
import { startLocal, startRouted, startServer, startFront, sendJson, rejection } from './helpers.mjs'

const { ScalekitClient, ScalekitUnauthorizedException, ScalekitServerException } = sk

const ACCOUNT = { connectionName: 'conn', identifier: 'user@example.com', authorizationDetails: { oauth_token: { access_token: 'x' } } }
const CALL = { connectionName: 'conn', identifier: 'user@example.com', path: '/v1/customers' }

test('no token request at construction; the first call fetches one', async (t) => {
  const local = await startLocal(t, { accounts: [ACCOUNT] })
  const client = local.client()
  const client2 = new ScalekitClient(local.url, local.clientId, local.clientSecret)
  await sleep(50)
  assert.equal(local.stats().token, 0, 'constructing two clients sent nothing')
  const res = await client.actions.request(CALL)
  assert.equal(res.status, 200)
  const s = local.stats()
  assert.equal(s.token, 1)
  // The first proxy call already carries the token: no 401 round trip (2.11.0's bug).
  assert.equal(s.proxy, 1)
  assert.equal(s.echo, 1)
  // The second client is usable and still had no token: its first call fetches its own.
  assert.equal(client2.envUrl, local.url)
  assert.equal(client2.clientId, local.clientId)
  const res2 = await client2.actions.request(CALL)
  assert.equal(res2.status, 200)
  assert.deepEqual([local.stats().token, local.stats().proxy], [2, 2])
})

test('the token is cached: sequential calls make one token request', async (t) => {
  const local = await startLocal(t, { accounts: [ACCOUNT] })
  const client = local.client()
  for (let i = 0; i < 10; i++) {
    const res = await client.actions.request({ ...CALL, queryParams: { i } })
    assert.equal(res.status, 200)
  }
  const { link } = await client.actions.getAuthorizationLink({ connectionName: 'conn', identifier: 'other' })
  assert.ok(link)
  const s = local.stats()
  assert.equal(s.token, 1)
  assert.equal(s.proxy, 10)
  assert.equal(s.magic_link, 1)
})

test('each client has its own token', async (t) => {
  const local = await startLocal(t, { accounts: [ACCOUNT] })
  await local.client().actions.request(CALL)
  await local.client().actions.request(CALL)
  assert.equal(local.stats().token, 2)
})

test('1000 concurrent first calls share one token request', async (t) => {
  const local = await startLocal(t, { accounts: [ACCOUNT] })
  // The token answer is held until every call has been handed to the client, and 200 ms more:
  // every call asks for a token while the first fetch is still in flight.
  let tokenArrived
  const tokenSeen = new Promise((resolve) => (tokenArrived = resolve))
  let release
  const released = new Promise((resolve) => (release = resolve))
  const front = await startFront(t, local.url, (req) => {
    if (req.url !== '/oauth/token') return
    tokenArrived()
    return released
  })
  const client = new ScalekitClient(front.url, local.clientId, local.clientSecret)
  const calls = Array.from({ length: 1000 }, (_, i) => client.actions.request({ ...CALL, queryParams: { i } }))
  await tokenSeen
  await sleep(200)
  release()
  const results = await Promise.all(calls)
  assert.equal(results.length, 1000)
  const seen = new Set()
  for (const r of results) {
    assert.equal(r.status, 200)
    seen.add(r.data.query)
  }
  assert.equal(seen.size, 1000, 'each call got its own answer')
  assert.equal(results[7].data.query, 'i=7')
  const s = local.stats()
  assert.equal(s.token, 1)
  assert.equal(s.proxy, 1000)
  assert.equal(s.echo, 1000)
  assert.equal(front.requests.filter((r) => r.url === '/oauth/token').length, 1)
  const bearers = new Set(front.requests.filter((r) => r.url.startsWith('/proxy/')).map((r) => r.headers.authorization))
  assert.equal(bearers.size, 1, 'every call carried the one token')
})

test('concurrent first calls share one in-flight token request, even when it fails', async (t) => {
  // A fake Scalekit whose token endpoint takes 300 ms to refuse: every call starts while the
  // first fetch is still in flight.
  let tokens = 0
  const fake = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') {
      tokens++
      setTimeout(() => sendJson(res, 401, { error: 'invalid_client', error_description: 'bad credentials' }), 300)
      return
    }
    sendJson(res, 200, {})
  })
  const client = new ScalekitClient(fake.url, 'skc', 'wrong-secret-shared', { maxRetries: 0 })
  const settled = await Promise.allSettled(Array.from({ length: 50 }, () => client.actions.request(CALL)))
  for (const s of settled) {
    assert.equal(s.status, 'rejected')
    assert.ok(s.reason instanceof ScalekitUnauthorizedException, String(s.reason))
    assert.equal(s.reason.httpStatus, 401)
  }
  assert.equal(tokens, 1)
  assert.equal(fake.requests.filter((r) => r.url.startsWith('/proxy')).length, 0)
})

test('the token is renewed in the background inside its renewal window; calls go on with the valid old one meanwhile', async (t) => {
  // tokenTtlSeconds 4: the client renews a token from 90 % of its lifetime (3.6 s) and stops using
  // it at 99 % (3.96 s); in between, calls use it while the renewal runs in the background.
  const local = await startLocal(t, { accounts: [ACCOUNT], tokenTtlSeconds: 4 })
  const issued = [] // access tokens, in the order LocalScalekit issued them
  let renewalArrived
  const renewalSeen = new Promise((resolve) => (renewalArrived = resolve))
  let release
  const released = new Promise((resolve) => (release = resolve))
  let renewalHeld = false
  // The renewal is served by LocalScalekit at once, but its answer is held until a call has gone
  // through meanwhile. The timer only ends the wait when that call waits for this very answer
  // (renewal not in the background): then the assertions below fail.
  const front = await startFront(t, local.url, (req, answer) => {
    if (req.url !== '/oauth/token') return
    issued.push(JSON.parse(answer).access_token)
    if (issued.length !== 2) return
    renewalHeld = true
    renewalArrived()
    const timer = setTimeout(release, 3000)
    return released.finally(() => {
      clearTimeout(timer)
      renewalHeld = false
    })
  })
  const proxied = () => front.requests.filter((r) => r.url.startsWith('/proxy/'))
  const client = new ScalekitClient(front.url, local.clientId, local.clientSecret)

  // As soon as the renewal request is in, one more call, while its answer is held.
  const during = renewalSeen.then(async () => {
    const res = await client.actions.request({ ...CALL, queryParams: { phase: 'during' } })
    return { res, held: renewalHeld, tokens: local.stats().token }
  })
  let renewing = false
  renewalSeen.then(() => (renewing = true))
  // Calls every 20 ms until one of them sets the renewal off.
  while (!renewing) {
    const res = await client.actions.request(CALL)
    assert.equal(res.status, 200)
    if (!renewing) await sleep(20)
  }
  const d = await during
  release()
  assert.equal(d.res.status, 200)
  assert.equal(d.tokens, 2, 'a new token was fetched in the background')
  assert.ok(d.held, "the call was answered while the renewal's answer was held: it did not wait for the new token")
  const sent = proxied().filter((r) => r.url.includes('phase=during'))
  assert.equal(sent.length, 1, 'sent once: LocalScalekit took the old token (no 401, no re-authentication)')
  assert.equal(sent[0].headers.authorization, `Bearer ${issued[0]}`, 'the call used the old token')
  assert.ok(proxied().every((r) => r.headers.authorization === `Bearer ${issued[0]}`), 'every call so far used the old token')

  // Once the renewal's answer is in, calls use the new token; no other token is fetched.
  let res
  for (let i = 0; i < 100; i++) {
    res = await client.actions.request({ ...CALL, queryParams: { phase: 'after', i } })
    if (proxied().at(-1).headers.authorization === `Bearer ${issued[1]}`) break
    await sleep(20)
  }
  assert.equal(res.status, 200)
  assert.equal(proxied().at(-1).headers.authorization, `Bearer ${issued[1]}`)
  assert.equal(local.stats().token, 2)
  assert.equal(issued.length, 2)
})

test('revoked token (Scalekit 401, code 16): dropped, refetched once, the call retried once', async (t) => {
  const local = await startLocal(t, { accounts: [ACCOUNT] })
  const client = local.client()
  await client.actions.request(CALL)
  assert.equal(local.stats().token, 1)
  local.revokeTokens()
  local.resetStats()
  const res = await client.actions.request({ ...CALL, method: 'POST', body: { n: 1 } })
  assert.equal(res.status, 200)
  assert.equal(res.data.body, '{"n":1}')
  let s = local.stats()
  assert.equal(s.token, 1, 'exactly one extra token request')
  assert.equal(s.proxy, 2, 'the rejected call and its retry')
  assert.equal(s.echo, 1, 'the upstream saw the call once')
  // The new token is cached.
  await client.actions.request(CALL)
  s = local.stats()
  assert.equal(s.token, 1)
  assert.equal(s.proxy, 3)
})

test('revoked token on getAuthorizationLink: refetched, the call succeeds', async (t) => {
  const local = await startLocal(t)
  const client = local.client()
  await client.actions.getAuthorizationLink({ connectionName: 'conn', identifier: 'a' })
  local.revokeTokens()
  local.resetStats()
  const { link } = await client.actions.getAuthorizationLink({ connectionName: 'conn', identifier: 'b' })
  assert.match(link, /^http/)
  assert.equal(local.stats().token, 1)
})

test('tokens keep being revoked: the call fails with 401 after one refetch, no loop', async (t) => {
  // A fake Scalekit whose proxy always answers Scalekit's own 401.
  let tokens = 0
  const fake = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') {
      tokens++
      return sendJson(res, 200, { access_token: `tok-${tokens}`, expires_in: 3600 })
    }
    sendJson(res, 401, { code: 16, message: 'token is invalid or expired', details: [] })
  })
  const client = new ScalekitClient(fake.url, 'id', 'secret')
  const e = await rejection(client.actions.request(CALL))
  assert.ok(e instanceof ScalekitUnauthorizedException, String(e))
  assert.equal(e.httpStatus, 401)
  assert.equal(tokens, 2)
  const proxied = fake.requests.filter((r) => r.url.startsWith('/proxy/'))
  assert.equal(proxied.length, 2)
  assert.equal(proxied[0].headers.authorization, 'Bearer tok-1')
  assert.equal(proxied[1].headers.authorization, 'Bearer tok-2')
})

test("a 401 relayed from the provider is returned as is: no token refetch, no retry", async (t) => {
  const { upstream, local } = await startRouted(t, 'prov', (req, res) => sendJson(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' }), { identifier: 'u1', accessToken: 'provider-token' })
  const client = local.client()
  const e = await rejection(client.actions.request({ connectionName: 'prov', identifier: 'u1', path: '/me' }))
  assert.ok(e instanceof ScalekitUnauthorizedException, String(e))
  assert.ok(e instanceof ScalekitServerException)
  assert.equal(e.httpStatus, 401)
  assert.equal(e.status, 401)
  assert.deepEqual(e.data, { error: 'invalid_token' })
  assert.equal(e.headers['www-authenticate'], 'Bearer error="invalid_token"')
  const s = local.stats()
  assert.equal(s.token, 1, 'no extra token request')
  assert.equal(s.proxy, 1, 'no retry')
  assert.equal(upstream.requests.length, 1)
  assert.equal(upstream.requests[0].headers.authorization, 'Bearer provider-token')
})

test('wrong client secret: ScalekitUnauthorizedException without the secret, nothing proxied', async (t) => {
  const local = await startLocal(t, { accounts: [ACCOUNT] })
  const secret = 'wrong-Secret-Value-9f8e7d'
  const client = new ScalekitClient(local.url, local.clientId, secret)
  const e = await rejection(client.actions.request(CALL))
  assert.ok(e instanceof ScalekitUnauthorizedException, String(e))
  assert.equal(e.httpStatus, 401)
  for (const text of [e.message, e.stack, util.inspect(e, { depth: Infinity, showHidden: true }), JSON.stringify(e), String(e)]) {
    assert.ok(!String(text).includes(secret), `secret leaked in: ${text}`)
  }
  let s = local.stats()
  assert.equal(s.token, 1)
  assert.equal(s.proxy, 0)
  assert.equal(s.echo, 0)
  // A failed fetch is not cached: the next call asks again.
  const e2 = await rejection(client.actions.getAuthorizationLink({ connectionName: 'conn', identifier: 'x' }))
  assert.ok(e2 instanceof ScalekitUnauthorizedException)
  s = local.stats()
  assert.equal(s.token, 2)
  assert.equal(s.magic_link, 0)
})

test('wrong client id: ScalekitUnauthorizedException', async (t) => {
  const local = await startLocal(t, { accounts: [ACCOUNT] })
  const client = new ScalekitClient(local.url, 'skc_nobody', local.clientSecret)
  const e = await rejection(client.actions.request(CALL))
  assert.ok(e instanceof ScalekitUnauthorizedException, String(e))
  assert.equal(local.stats().proxy, 0)
})

test('the token request is the docs/wire-protocol.md §3 form POST', async (t) => {
  const fake = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: 'tok-form', expires_in: 3600 })
    sendJson(res, 200, { ok: true })
  })
  const client = new ScalekitClient(fake.url + '/', 'skc_id', 'secret/with&chars')
  await client.actions.request(CALL)
  const [tok, proxied] = fake.requests
  assert.equal(tok.method, 'POST')
  assert.equal(tok.url, '/oauth/token')
  assert.match(tok.headers['content-type'], /^application\/x-www-form-urlencoded/)
  assert.equal(tok.headers.authorization, undefined)
  assert.equal(tok.body.toString(), 'grant_type=client_credentials&client_id=skc_id&client_secret=secret%2Fwith%26chars')
  assert.equal(proxied.url, '/proxy/v1/customers')
  assert.equal(proxied.headers.authorization, 'Bearer tok-form')
})
