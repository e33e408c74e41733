// What a hostile or broken server's answers cost and give (docs/wire-protocol.md §2): an error body
// within the 128 MiB cap costs its size a few times, not once per field copied out of it, and its
// message and errorCode are bounded ("Error body"); a timestamp the client cannot read is left
// out, never an `Invalid Date`. Memory is asserted as RSS growth, the memory-heavy test first.
import { test } from 'node:test'
import assert from 'node:assert/strict'

import sk from '../index.js'
import dates from '../lib/dates.js'
import { startServer, sendJson, rejection, rssSampler, MiB } from './helpers.mjs'

const { ScalekitClient, ScalekitBadRequestException, ScalekitUnauthorizedException } = sk

const TOKEN = { access_token: 't', expires_in: 3600 }
const CALL = { connectionName: 'conn', identifier: 'user@example.com', path: '/v1/thing' }
/** What an error keeps of one server text (Rust's `error_text::TEXT_LIMIT`), before its marker. */
const TEXT_LIMIT = 4096
const ERROR_INFO = 'type.googleapis.com/scalekit.v1.errdetails.ErrorInfo'

/** A google.rpc.Status body of about `size` bytes: half message (words), half ErrorInfo error_code. */
function statusBody(size) {
  return Buffer.from(JSON.stringify({
    code: 3,
    message: 'too long '.repeat(Math.floor(size / 2 / 9)),
    details: [{ '@type': ERROR_INFO, error_code: 'E'.repeat(size / 2) }],
  }))
}

/** A fake Scalekit answering `body` (JSON) with `status` to everything but the token request. */
async function answering(t, status, body) {
  const { url } = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') return sendJson(res, 200, TOKEN)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length })
    res.end(body)
  })
  return new ScalekitClient(url, 'id', 'secret', { maxRetries: 0 })
}

test('a 48 MiB Scalekit error body: message and errorCode bounded, RSS growth a few times the body (was ~18×)', { timeout: 120_000 }, async (t) => {
  const body = statusBody(48 * MiB)
  const client = await answering(t, 400, body)
  global.gc?.()
  const rss = rssSampler()
  const e = await rejection(client.actions.listConnectedAccounts({}))
  const { growth } = rss.stop()
  t.diagnostic(`${(body.length / MiB).toFixed(0)} MiB error body: peak RSS growth ${(growth / MiB).toFixed(1)} MiB`)
  assert.ok(e instanceof ScalekitBadRequestException, e)
  assert.ok(e.message.length < TEXT_LIMIT + 100, `message of ${e.message.length} characters`)
  assert.match(e.message, /^\[invalid_argument\] too long too long .*too long … \[\d+ bytes cut\]$/s)
  // The error code is one word longer than the limit: nothing of it is kept but how long it was.
  assert.equal(e.errorCode, `… [${24 * MiB} bytes cut]`)
  assert.ok(JSON.stringify(e.unpackedDetails).length < 2 * TEXT_LIMIT)
  assert.ok(growth < 6 * body.length, `peak RSS growth ${(growth / MiB).toFixed(1)} MiB for a ${(body.length / MiB).toFixed(0)} MiB body`)
})

test('a proxied error body: the message bounded, err.data the whole body and errDetails the very same object', async (t) => {
  const body = statusBody(4 * MiB)
  const client = await answering(t, 400, body)
  const e = await rejection(client.actions.request(CALL))
  assert.ok(e instanceof ScalekitBadRequestException, e)
  assert.ok(e.message.length < TEXT_LIMIT + 100, `message of ${e.message.length} characters`)
  assert.match(e.message, /^request failed with status 400 Bad Request: \[invalid_argument\] too long .* bytes cut\]$/s)
  assert.equal(e.errorCode, 'Bad Request')
  assert.equal(e.data.details[0].error_code.length, 2 * MiB, 'the body as it came')
  assert.equal(e.errDetails, e.data, 'not a copy')
})

test('a token endpoint error_description of 8 MiB: the message bounded', async (t) => {
  const description = 'no such client '.repeat(8 * MiB / 15)
  const { url } = await startServer(t, (req, res) => sendJson(res, 401, { error: 'invalid_client', error_description: description }))
  const client = new ScalekitClient(url, 'id', 'secret', { maxRetries: 0 })
  const e = await rejection(client.actions.listConnectedAccounts({}))
  assert.ok(e instanceof ScalekitUnauthorizedException, e)
  assert.ok(e.message.length < TEXT_LIMIT + 120, `message of ${e.message.length} characters`)
  assert.match(e.message, /^token request failed with status 401 Unauthorized: invalid_client: no such client .* bytes cut\]$/s)
  assert.equal(e.errorCode, 'invalid_client')
})

test('a timestamp the client cannot read is left out, as a malformed {seconds} one, never an Invalid Date', async (t) => {
  const account = {
    id: 'ca_1',
    status: 'ACTIVE',
    updated_at: 'garbage',
    token_expires_at: '2026-13-45T99:99:99Z',
    last_used_at: { seconds: 'x' },
  }
  const { url } = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') return sendJson(res, 200, TOKEN)
    sendJson(res, 200, {
      connected_account: account,
      connected_accounts: [account, { id: 'ca_2', updated_at: '2026-11-25T10:00:00Z', last_used_at: '2016-12-31T23:59:60Z' }],
      tools: [{ id: 't', updated_at: 'nope' }],
      link: 'https://example.com/magic',
      expiry: '2026-11-25T25:00:00Z',
    })
  })
  const client = new ScalekitClient(url, 'id', 'secret', { maxRetries: 0 })
  const unread = ['updatedAt', 'tokenExpiresAt', 'lastUsedAt']
  const { connectedAccount } = await client.actions.getConnectedAccount({ connectionName: 'c', identifier: 'i' })
  for (const name of unread) assert.ok(!(name in connectedAccount), `${name}: ${connectedAccount[name]}`)
  const { connectedAccounts } = await client.actions.listConnectedAccounts({})
  for (const name of unread) assert.ok(!(name in connectedAccounts[0]), `${name}: ${connectedAccounts[0][name]}`)
  assert.deepEqual(connectedAccounts[1].updatedAt, new Date('2026-11-25T10:00:00Z'))
  // A leap second is RFC 3339 that Date cannot read: Rust passes it on as the second before it ends.
  assert.deepEqual(connectedAccounts[1].lastUsedAt, new Date('2016-12-31T23:59:59.999Z'))
  const { tools } = await client.tools.listTools({})
  assert.ok(!('updatedAt' in tools[0]), `updatedAt: ${tools[0].updatedAt}`)
  const link = await client.actions.getAuthorizationLink({ connectionName: 'c', identifier: 'i' })
  assert.deepEqual(link, { link: 'https://example.com/magic' })
})

test('lib/dates.js leaves out a timestamp string a Date cannot read, whatever Rust sent', () => {
  const result = dates.reviveDates({
    connectedAccount: { updatedAt: 'garbage', tokenExpiresAt: '2026-11-25T10:00:00Z' },
    connectedAccounts: [{ lastUsedAt: '2016-12-31T23:59:60Z' }],
  })
  assert.ok(!('updatedAt' in result.connectedAccount))
  assert.deepEqual(result.connectedAccount.tokenExpiresAt, new Date('2026-11-25T10:00:00Z'))
  assert.ok(!('lastUsedAt' in result.connectedAccounts[0]), 'a leap second Date cannot read')
  const mcp = dates.reviveMcpDates({ instance: { updatedAt: 'x' }, expiresAt: 'y' })
  assert.deepEqual(mcp, { instance: {} })
})
