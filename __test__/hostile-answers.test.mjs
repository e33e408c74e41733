// What a hostile or broken server's answers give (docs/wire-protocol.md §2): a timestamp the client
// cannot read is left out, never an `Invalid Date`.
import { test } from 'node:test'
import assert from 'node:assert/strict'

import sk from '../index.js'
import dates from '../lib/dates.js'
import { startServer, sendJson } from './helpers.mjs'

const { ScalekitClient } = sk

const TOKEN = { access_token: 't', expires_in: 3600 }

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
