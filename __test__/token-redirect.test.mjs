// A token request answered with a redirect (docs/wire-protocol.md §2 "Redirects", §3): its body
// holds the client secret, so it is never followed, least of all to another origin; the failure
// names the redirect and not the secret. The official SDK (axios/follow-redirects) does follow a
// 307/308 and sends the body, secret included, to the other origin: a deliberate difference (§10).
// Control-plane calls follow no redirect either.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import util from 'node:util'

import sk from '../index.js'
import { startServer, sendJson, rejection } from './helpers.mjs'

const require = createRequire(import.meta.url)
const Official = require('@scalekit-sdk/node')

const SECRET = 'cs-REDIRECTED-secret-91c2'
const CALL = { connectionName: 'gmail', identifier: 'u@x.com' }

/** Where a redirect points: records every request it receives, answers a token. */
async function elsewhere(t) {
  return startServer(t, (req, res) => sendJson(res, 200, { access_token: 'stolen', expires_in: 3600 }))
}

/** Everything a server received, as one string (to look for the secret in). */
const seen = (server) => server.requests.map((r) => `${r.method} ${r.url} ${JSON.stringify(r.headers)} ${r.body}`).join('\n')

for (const status of [307, 308]) {
  test(`a ${status} from the token endpoint to another origin is not followed`, async (t) => {
    const second = await elsewhere(t)
    const first = await startServer(t, (req, res) => {
      res.writeHead(status, { location: `${second.url}/oauth/token?from=first`, 'content-length': 0 })
      res.end()
    })
    const client = new sk.ScalekitClient(first.url, 'skc_1', SECRET, { maxRetries: 0 })
    const e = await rejection(client.actions.getConnectedAccount(CALL))
    assert.ok(e instanceof sk.ScalekitServerException, String(e))
    assert.equal(e.httpStatus, status)
    assert.equal(
      e.message,
      `token request redirected with status ${status} to ${second.url}/oauth/token: not followed, ` +
        'as the token request (with the client secret) goes only to the envUrl',
    )
    for (const form of [e.message, e.stack, util.inspect(e, { depth: Infinity }), JSON.stringify(e)]) {
      assert.ok(!String(form).includes(SECRET), `the secret in ${form}`)
    }
    assert.equal(first.requests.length, 1)
    assert.ok(first.requests[0].body.toString().includes(`client_secret=${SECRET}`))
    assert.deepEqual(second.requests, [], 'the second server never hears of the token request')
  })
}

test('same origin too: the token request follows no redirect, not even into {envUrl}/proxy/', async (t) => {
  const server = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') {
      res.writeHead(307, { location: '/proxy/token', 'content-length': 0 })
      return res.end()
    }
    sendJson(res, 200, { access_token: 'proxied', expires_in: 3600 })
  })
  const client = new sk.ScalekitClient(server.url, 'skc_1', SECRET, { maxRetries: 0 })
  const e = await rejection(client.actions.getConnectedAccount(CALL))
  assert.match(e.message, /^token request redirected with status 307 to http:\/\/[^/]+\/proxy\/token: not followed/)
  assert.deepEqual(server.requests.map((r) => r.url), ['/oauth/token'])
})

test('a control-plane call answered with a 307 to another origin is not followed either', async (t) => {
  const second = await elsewhere(t)
  const first = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: 'tok-1', expires_in: 3600 })
    res.writeHead(307, { location: `${second.url}${req.url}`, 'content-length': 0 })
    res.end()
  })
  const client = new sk.ScalekitClient(first.url, 'skc_1', SECRET, { maxRetries: 0 })
  const e = await rejection(client.actions.createConnectedAccount({
    ...CALL,
    authorizationDetails: { oauthToken: { accessToken: 'account-credential' } },
  }))
  assert.equal(e.httpStatus, 307, String(e))
  assert.deepEqual(second.requests, [])
})

test('the official SDK follows the token redirect and sends the secret to the other origin (evidence)', async (t) => {
  const second = await elsewhere(t)
  const first = await startServer(t, (req, res) => {
    res.writeHead(307, { location: `${second.url}/oauth/token`, 'content-length': 0 })
    res.end()
  })
  const official = new Official.ScalekitClient(first.url, 'skc_1', SECRET)
  await official.coreClient.authenticateClient()
  assert.equal(official.coreClient.accessToken, 'stolen')
  assert.equal(second.requests.length, 1)
  assert.ok(seen(second).includes(`client_secret=${SECRET}`), seen(second))
})
