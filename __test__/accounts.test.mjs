// Every connected-account method of `client.actions` against LocalScalekit (issue 4): shapes of the
// results (camelCase, string enums, Dates, oneof `details: {case, value}`), the lifecycle of docs/wire-protocol.md §8,
// getOrCreate's GET → POST/PUT order (counted with `local.stats()`), list pagination and filters,
// client-side validation that sends nothing, and the emulator's server-side §5 validation.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import sk from '../index.js'
import { startServer, rejection, statsDelta } from './helpers.mjs'

const {
  LocalScalekit,
  ConnectorStatus,
  ConnectorType,
  ScalekitValidationException,
  ScalekitServerException,
  ScalekitBadRequestException,
  ScalekitNotFoundException,
  ScalekitForbiddenException,
} = sk

/** Asserts how many connected_accounts calls (get, create, update…) the stats counted since `before`. */
function assertCalls(before, expected) {
  const d = statsDelta(local, before)
  for (const [op, n] of Object.entries(expected)) assert.equal(d[`connected_accounts.${op}`], n, op)
}

/** The rejection of `promise`, asserted to be a ScalekitNotFoundException with httpStatus 404. */
async function notFound(promise) {
  const e = await rejection(promise)
  assert.ok(e instanceof ScalekitNotFoundException, `got ${e.constructor.name}: ${e.message}`)
  assert.equal(e.httpStatus, 404)
  return e
}

// Connections of the shared emulator. Each test uses its own connection or identifiers, so that
// list results and counts do not depend on the other tests.
const CONNECTIONS = [
  { name: 'crm', authType: 'API_KEY', apiKey: { header: 'X-API-Key' } },
  { name: 'mail', authType: 'OAUTH' },
  { name: 'pager', authType: 'API_KEY' },
  { name: 'filt-a', provider: 'alpha', authType: 'API_KEY' },
  { name: 'filt-b', provider: 'beta', authType: 'BEARER' },
  { name: 'filt-c', provider: 'gamma', authType: 'BASIC' },
  { name: 'goc', authType: 'OAUTH' },
  { name: 'link', authType: 'OAUTH' },
  { name: 'verify', authType: 'OAUTH' },
]

let local
let actions

before(async () => {
  local = await LocalScalekit.start({ connections: CONNECTIONS })
  actions = local.client().actions
})
after(() => local?.close())

const apiKey = (key) => ({ staticAuth: { details: { api_key: key } } })

/** Creates the `crm` account of `identifier` holding the API key `key` (and `apiConfig`, when given). */
async function createCrm(identifier, key, apiConfig) {
  const r = await actions.createConnectedAccount({ connectionName: 'crm', identifier, authorizationDetails: apiKey(key), ...(apiConfig && { apiConfig }) })
  return r.connectedAccount
}

function assertAccountShape(account) {
  assert.equal(typeof account.id, 'string')
  assert.match(account.id, /^ca_\d+$/)
  assert.match(account.connectionId, /^conn_\d+$/)
  assert.ok(account.updatedAt instanceof Date, `updatedAt is a Date, got ${account.updatedAt}`)
  assert.ok(!Number.isNaN(account.updatedAt.getTime()))
  assert.ok(Object.values(ConnectorStatus).includes(account.status), `status ${account.status}`)
  assert.ok(Object.values(ConnectorType).includes(account.authorizationType), `type ${account.authorizationType}`)
  for (const key of Object.keys(account)) assert.doesNotMatch(key, /_/, `camelCase field names, got ${key}`)
}

describe('createConnectedAccount', () => {
  test('official oneof shape {details: {case: staticAuth, value}} → ACTIVE, credentials and apiConfig stored', async () => {
    const r = await actions.createConnectedAccount({
      connectionName: 'crm',
      identifier: 'create-oneof',
      authorizationDetails: { details: { case: 'staticAuth', value: { details: { api_key: 'k' } } } },
      apiConfig: { region: 'eu' },
    })
    assert.deepEqual(Object.keys(r), ['connectedAccount'])
    const a = r.connectedAccount
    assertAccountShape(a)
    assert.equal(a.identifier, 'create-oneof')
    assert.equal(a.connector, 'crm')
    assert.equal(a.status, ConnectorStatus.ACTIVE)
    assert.equal(a.status, 'ACTIVE')
    assert.equal(a.authorizationType, ConnectorType.API_KEY)
    assert.deepEqual(a.apiConfig, { region: 'eu' })
    assert.equal(a.authorizationDetails.details.case, 'staticAuth')
    assert.deepEqual(a.authorizationDetails.details.value.details, { api_key: 'k' })
    // Stored as the wire shape.
    const stored = local.accounts().find((x) => x.id === a.id)
    assert.deepEqual(stored.authorization_details, { static_auth: { details: { api_key: 'k' } } })
  })

  test('plain shape {staticAuth: {details}}', async () => {
    const { connectedAccount: a } = await actions.createConnectedAccount({
      connectionName: 'crm',
      identifier: 'create-plain',
      authorizationDetails: apiKey('plain-key'),
    })
    assert.equal(a.status, ConnectorStatus.ACTIVE)
    assert.equal(a.authorizationDetails.details.case, 'staticAuth')
    assert.deepEqual(a.authorizationDetails.details.value.details, { api_key: 'plain-key' })
  })

  test('plain shape {oauthToken: {accessToken}} (camelCase members become snake_case on the wire)', async () => {
    const { connectedAccount: a } = await actions.createConnectedAccount({
      connectionName: 'mail',
      identifier: 'create-oauth',
      authorizationDetails: { oauthToken: { accessToken: 'at-1', refreshToken: 'rt-1', scopes: ['read'] } },
    })
    assert.equal(a.status, ConnectorStatus.ACTIVE)
    assert.equal(a.authorizationType, ConnectorType.OAUTH)
    assert.equal(a.authorizationDetails.details.case, 'oauthToken')
    assert.equal(a.authorizationDetails.details.value.accessToken, 'at-1')
    assert.equal(a.authorizationDetails.details.value.refreshToken, 'rt-1')
    assert.deepEqual(a.authorizationDetails.details.value.scopes, ['read'])
    const stored = local.accounts().find((x) => x.id === a.id)
    assert.equal(stored.authorization_details.oauth_token.access_token, 'at-1')
  })

  test('without credentials → PENDING_AUTH; a second create of the same account → ScalekitConflictException', async () => {
    const { connectedAccount: a } = await actions.createConnectedAccount({ connectionName: 'mail', identifier: 'create-pending' })
    assert.equal(a.status, ConnectorStatus.PENDING_AUTH)
    const e = await rejection(actions.createConnectedAccount({ connectionName: 'mail', identifier: 'create-pending' }))
    assert.ok(e instanceof sk.ScalekitConflictException, `got ${e.constructor.name}: ${e.message}`)
    assert.equal(e.httpStatus, 409)
  })
})

describe('getConnectedAccount', () => {
  test('by connectedAccountId and by connectionName + identifier: the same account, with credentials', async () => {
    const created = await createCrm('get-me', 'get-key', { v: 1 })
    const byId = await actions.getConnectedAccount({ connectedAccountId: created.id })
    const byName = await actions.getConnectedAccount({ connectionName: 'crm', identifier: 'get-me' })
    assert.deepEqual(Object.keys(byId), ['connectedAccount'])
    for (const { connectedAccount: a } of [byId, byName]) {
      assertAccountShape(a)
      assert.equal(a.id, created.id)
      assert.equal(a.identifier, 'get-me')
      assert.equal(a.connector, 'crm')
      assert.equal(a.connectionId, created.connectionId)
      assert.equal(a.status, ConnectorStatus.ACTIVE)
      assert.equal(a.authorizationDetails.details.case, 'staticAuth')
      assert.deepEqual(a.authorizationDetails.details.value, { details: { api_key: 'get-key' } })
      assert.deepEqual(a.apiConfig, { v: 1 })
    }
  })

  test('unknown account → ScalekitNotFoundException (httpStatus 404, grpcStatus 5)', async () => {
    const e = await notFound(actions.getConnectedAccount({ connectionName: 'crm', identifier: 'nobody-here' }))
    assert.ok(e instanceof ScalekitServerException)
    assert.equal(e.grpcStatus, 5)
  })
})

describe('updateConnectedAccount', () => {
  test('merges apiConfig into the stored one and replaces the credentials', async () => {
    const a = await createCrm('update-me', 'old', { a: 1, b: 2 })
    const before = local.stats()
    const r = await actions.updateConnectedAccount({
      connectionName: 'crm',
      identifier: 'update-me',
      authorizationDetails: apiKey('new'),
      apiConfig: { b: 3, c: 4 },
    })
    assert.equal(statsDelta(local, before)['connected_accounts.update'], 1)
    assert.deepEqual(Object.keys(r), ['connectedAccount'])
    assert.equal(r.connectedAccount.id, a.id)
    assert.deepEqual(r.connectedAccount.apiConfig, { a: 1, b: 3, c: 4 })
    assert.deepEqual(r.connectedAccount.authorizationDetails.details.value.details, { api_key: 'new' })
    assert.ok(r.connectedAccount.updatedAt.getTime() >= a.updatedAt.getTime())

    // By id, only apiConfig: the credentials stay.
    const r2 = await actions.updateConnectedAccount({ connectedAccountId: a.id, apiConfig: { d: 5 } })
    assert.deepEqual(r2.connectedAccount.apiConfig, { a: 1, b: 3, c: 4, d: 5 })
    const got = (await actions.getConnectedAccount({ connectedAccountId: a.id })).connectedAccount
    assert.deepEqual(got.authorizationDetails.details.value.details, { api_key: 'new' })
    assert.deepEqual(got.apiConfig, { a: 1, b: 3, c: 4, d: 5 })
  })

  test('unknown account → ScalekitNotFoundException', async () => {
    await notFound(actions.updateConnectedAccount({ connectionName: 'crm', identifier: 'no-such', apiConfig: { x: 1 } }))
  })
})

describe('deleteConnectedAccount', () => {
  test('resolves {} and the account is gone (get → 404, delete again → 404)', async () => {
    const a = await createCrm('delete-me', 'x')
    assert.deepEqual(await actions.deleteConnectedAccount({ connectedAccountId: a.id }), {})
    await notFound(actions.getConnectedAccount({ connectedAccountId: a.id }))
    const e2 = await rejection(actions.getConnectedAccount({ connectionName: 'crm', identifier: 'delete-me' }))
    assert.ok(e2 instanceof ScalekitNotFoundException)
    const e3 = await rejection(actions.deleteConnectedAccount({ connectionName: 'crm', identifier: 'delete-me' }))
    assert.ok(e3 instanceof ScalekitNotFoundException, `got ${e3.constructor.name}: ${e3.message}`)
    assert.equal(local.accounts().some((x) => x.id === a.id), false)
  })

  test('by connectionName + identifier', async () => {
    await actions.createConnectedAccount({ connectionName: 'crm', identifier: 'delete-by-name', authorizationDetails: apiKey('x') })
    assert.deepEqual(await actions.deleteConnectedAccount({ connectionName: 'crm', identifier: 'delete-by-name' }), {})
    const e = await rejection(actions.getConnectedAccount({ connectionName: 'crm', identifier: 'delete-by-name' }))
    assert.ok(e instanceof ScalekitNotFoundException)
  })
})

describe('listConnectedAccounts', () => {
  test('pagination: 5 accounts, pageSize 2 → 3 pages, each account once, last nextPageToken ""', async () => {
    const ids = new Set()
    for (let i = 0; i < 5; i++) {
      const { connectedAccount } = await actions.createConnectedAccount({
        connectionName: 'pager',
        identifier: `page-user-${i}`,
        authorizationDetails: apiKey(`k${i}`),
      })
      ids.add(connectedAccount.id)
    }
    const seen = []
    const sizes = []
    let pageToken
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 10, 'pagination terminates')
      const r = await actions.listConnectedAccounts({ connectionName: 'pager', pageSize: 2, pageToken })
      assert.deepEqual(Object.keys(r).sort(), ['connectedAccounts', 'nextPageToken', 'prevPageToken', 'totalSize'])
      assert.equal(r.totalSize, 5)
      assert.equal(typeof r.nextPageToken, 'string')
      assert.equal(typeof r.prevPageToken, 'string')
      if (pages === 0) assert.equal(r.prevPageToken, '')
      else assert.notEqual(r.prevPageToken, '')
      sizes.push(r.connectedAccounts.length)
      for (const a of r.connectedAccounts) {
        assertAccountShape(a)
        assert.equal(a.connector, 'pager')
        // List items carry no credentials and no apiConfig.
        assert.equal(a.authorizationDetails, undefined)
        assert.equal(a.apiConfig, undefined)
        seen.push(a.id)
      }
      if (r.nextPageToken === '') break
      pageToken = r.nextPageToken
    }
    assert.deepEqual(sizes, [2, 2, 1])
    assert.equal(seen.length, 5)
    assert.deepEqual(new Set(seen), ids)
  })

  test('filters: connectionName, identifier, query (case-insensitive), connectionNames, provider', async () => {
    const mk = (connectionName, identifier) =>
      actions.createConnectedAccount({
        connectionName,
        identifier,
        authorizationDetails: { staticAuth: { details: { api_key: 'k', token: 't', username: 'u', password: 'p' } } },
      })
    await mk('filt-a', 'alice@example.com')
    await mk('filt-a', 'shared-user')
    await mk('filt-b', 'shared-user')
    await mk('filt-b', 'bob@example.com')
    await mk('filt-c', 'carol@example.com')

    const key = (a) => `${a.connector}/${a.identifier}`
    const list = async (params) => {
      const r = await actions.listConnectedAccounts(params)
      assert.equal(r.totalSize, r.connectedAccounts.length)
      return r.connectedAccounts.map(key).sort()
    }
    assert.deepEqual(await list({ connectionName: 'filt-a' }), ['filt-a/alice@example.com', 'filt-a/shared-user'])
    assert.deepEqual(await list({ identifier: 'shared-user' }), ['filt-a/shared-user', 'filt-b/shared-user'])
    assert.deepEqual(await list({ connectionName: 'filt-b', identifier: 'shared-user' }), ['filt-b/shared-user'])
    assert.deepEqual(await list({ query: 'ALICE' }), ['filt-a/alice@example.com'])
    assert.deepEqual(await list({ connectionNames: ['filt-b', 'filt-c'] }), [
      'filt-b/bob@example.com',
      'filt-b/shared-user',
      'filt-c/carol@example.com',
    ])
    assert.deepEqual(await list({ provider: 'gamma' }), ['filt-c/carol@example.com'])
    assert.deepEqual(await list({ connectionName: 'filt-a', query: 'nothing-matches-this' }), [])
  })

  test('connectionName and connectionNames together → ScalekitBadRequestException from the server', async () => {
    const before = local.stats()
    const e = await rejection(actions.listConnectedAccounts({ connectionName: 'filt-a', connectionNames: ['filt-b'] }))
    assert.ok(e instanceof ScalekitBadRequestException, `got ${e.constructor.name}: ${e.message}`)
    assert.equal(e.httpStatus, 400)
    assert.equal(e.grpcStatus, 3)
    assert.equal(statsDelta(local, before)['connected_accounts.list'], 1)
  })
})

describe('getOrCreateConnectedAccount / upsertConnectedAccount', () => {
  test('creates once (GET + POST), then returns the same account (GET only)', async () => {
    const params = { connectionName: 'goc', identifier: 'goc-user' }
    let before = local.stats()
    const first = await actions.getOrCreateConnectedAccount(params)
    assertCalls(before, { get: 1, create: 1, update: 0 })
    assert.deepEqual(Object.keys(first), ['connectedAccount'])
    // The default create sends an empty oauth_token: not usable credentials.
    assert.equal(first.connectedAccount.status, ConnectorStatus.PENDING_AUTH)

    before = local.stats()
    const second = await actions.getOrCreateConnectedAccount(params)
    assertCalls(before, { get: 1, create: 0, update: 0 })
    assert.equal(second.connectedAccount.id, first.connectedAccount.id)
    assert.equal(local.accounts().filter((a) => a.connector === 'goc' && a.identifier === 'goc-user').length, 1)
  })

  test('an existing account with apiConfig but no authorizationDetails: GET only, apiConfig ignored', async () => {
    const first = await actions.getOrCreateConnectedAccount({ connectionName: 'crm', identifier: 'goc-cfg', authorizationDetails: apiKey('k'), apiConfig: { a: 1 } })
    const before = local.stats()
    const second = await actions.getOrCreateConnectedAccount({ connectionName: 'crm', identifier: 'goc-cfg', apiConfig: { a: 2, b: 3 } })
    assertCalls(before, { get: 1, update: 0, create: 0 })
    assert.equal(second.connectedAccount.id, first.connectedAccount.id)
    assert.deepEqual(second.connectedAccount.apiConfig, { a: 1 })
  })

  test('a lookup error other than 404 is re-thrown, nothing is created', async () => {
    const before = local.stats()
    const e = await rejection(actions.getOrCreateConnectedAccount({ connectionName: 'goc', identifier: 'i'.repeat(101) }))
    assert.ok(e instanceof ScalekitBadRequestException, `got ${e.constructor.name}: ${e.message}`)
    assertCalls(before, { get: 1, create: 0, update: 0 })
  })

  test('trims connectionName and identifier before the lookup', async () => {
    const a = await actions.getOrCreateConnectedAccount({ connectionName: 'goc', identifier: 'goc-trim' })
    const before = local.stats()
    const b = await actions.getOrCreateConnectedAccount({ connectionName: ' goc ', identifier: '  goc-trim\t' })
    assert.equal(b.connectedAccount.id, a.connectedAccount.id)
    assert.equal(statsDelta(local, before)['connected_accounts.create'], 0)
  })

  test('with authorizationDetails on an existing account → GET + PUT, credentials replaced', async () => {
    const params = { connectionName: 'goc', identifier: 'goc-upd' }
    const first = await actions.getOrCreateConnectedAccount(params)
    assert.equal(first.connectedAccount.status, ConnectorStatus.PENDING_AUTH)
    const before = local.stats()
    const r = await actions.getOrCreateConnectedAccount({
      ...params,
      authorizationDetails: { details: { case: 'oauthToken', value: { accessToken: 'fresh-at' } } },
    })
    assertCalls(before, { get: 1, update: 1, create: 0 })
    assert.equal(r.connectedAccount.id, first.connectedAccount.id)
    assert.equal(r.connectedAccount.authorizationDetails.details.value.accessToken, 'fresh-at')
    const got = await actions.getConnectedAccount({ connectedAccountId: first.connectedAccount.id })
    assert.equal(got.connectedAccount.authorizationDetails.details.value.accessToken, 'fresh-at')
  })

  test('with credentials on a new account → ACTIVE at once', async () => {
    const r = await actions.getOrCreateConnectedAccount({
      connectionName: 'crm',
      identifier: 'goc-active',
      authorizationDetails: apiKey('k-goc'),
      apiConfig: { tier: 'gold' },
    })
    assert.equal(r.connectedAccount.status, ConnectorStatus.ACTIVE)
    assert.deepEqual(r.connectedAccount.apiConfig, { tier: 'gold' })
  })

  test('upsertConnectedAccount is the same composite', async () => {
    const params = { connectionName: 'goc', identifier: 'upsert-user' }
    let before = local.stats()
    const first = await actions.upsertConnectedAccount(params)
    assertCalls(before, { get: 1, create: 1 })
    before = local.stats()
    const second = await actions.upsertConnectedAccount({ ...params, authorizationDetails: { oauthToken: { accessToken: 'up-at' } } })
    assertCalls(before, { get: 1, create: 0, update: 1 })
    assert.equal(second.connectedAccount.id, first.connectedAccount.id)
    assert.equal(second.connectedAccount.authorizationDetails.details.value.accessToken, 'up-at')
  })
})

describe('getAuthorizationLink and verifyConnectedAccountUser', () => {
  test('following the link makes the account ACTIVE with an emulator-issued token pair', async () => {
    const r = await actions.getAuthorizationLink({ connectionName: 'link', identifier: 'link-user' })
    assert.deepEqual(Object.keys(r).sort(), ['expiry', 'link'])
    assert.match(r.link, /^http:\/\/127\.0\.0\.1:\d+\//)
    assert.ok(r.link.startsWith(local.url))
    assert.ok(r.expiry instanceof Date)
    assert.ok(r.expiry.getTime() > Date.now())
    const pending = (await actions.getConnectedAccount({ connectionName: 'link', identifier: 'link-user' })).connectedAccount
    assert.equal(pending.status, ConnectorStatus.PENDING_AUTH)

    const page = await fetch(r.link)
    await page.arrayBuffer()
    assert.equal(page.status, 200)
    const a = (await actions.getConnectedAccount({ connectionName: 'link', identifier: 'link-user' })).connectedAccount
    assert.equal(a.id, pending.id)
    assert.equal(a.status, ConnectorStatus.ACTIVE)
    assert.equal(a.authorizationDetails.details.case, 'oauthToken')
    assert.ok(a.authorizationDetails.details.value.accessToken.length > 0)
    assert.ok(a.authorizationDetails.details.value.refreshToken.length > 0)
    assert.ok(a.tokenExpiresAt instanceof Date)

    // A link works once.
    const again = await fetch(r.link)
    await again.arrayBuffer()
    assert.equal(again.status, 404)
  })

  test('userVerifyUrl: 302 to it with auth_request_id and state, PENDING_VERIFICATION until verified', async (t) => {
    const app = await startServer(t, (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('verify page')
    })
    const userVerifyUrl = `${app.url}/verify`
    const identifier = 'verify-user@example.com'
    const { link } = await actions.getAuthorizationLink({ connectionName: 'verify', identifier, state: 's1', userVerifyUrl })

    const consent = await fetch(link, { redirect: 'manual' })
    await consent.arrayBuffer()
    assert.equal(consent.status, 302)
    const location = new URL(consent.headers.get('location'))
    assert.equal(location.origin, app.url)
    assert.equal(location.pathname, '/verify')
    const authRequestId = location.searchParams.get('auth_request_id')
    assert.ok(authRequestId, `auth_request_id in ${location}`)
    assert.equal(location.searchParams.get('state'), 's1')

    // The browser lands on the app's verify page.
    const landing = await fetch(location)
    assert.equal(await landing.text(), 'verify page')
    assert.equal(app.requests.length, 1)
    assert.equal(new URL(app.requests[0].url, app.url).searchParams.get('auth_request_id'), authRequestId)

    let a = (await actions.getConnectedAccount({ connectionName: 'verify', identifier })).connectedAccount
    assert.equal(a.status, ConnectorStatus.PENDING_VERIFICATION)

    const wrong = await rejection(actions.verifyConnectedAccountUser({ authRequestId, identifier: 'someone-else@example.com' }))
    assert.ok(wrong instanceof ScalekitForbiddenException, `got ${wrong.constructor.name}: ${wrong.message}`)
    assert.equal(wrong.httpStatus, 403)
    a = (await actions.getConnectedAccount({ connectionName: 'verify', identifier })).connectedAccount
    assert.equal(a.status, ConnectorStatus.PENDING_VERIFICATION)

    const ok = await actions.verifyConnectedAccountUser({ authRequestId, identifier })
    assert.deepEqual(Object.keys(ok), ['postUserVerifyRedirectUrl'])
    assert.match(ok.postUserVerifyRedirectUrl, /^https?:\/\//)
    a = (await actions.getConnectedAccount({ connectionName: 'verify', identifier })).connectedAccount
    assert.equal(a.status, ConnectorStatus.ACTIVE)

    await notFound(actions.verifyConnectedAccountUser({ authRequestId, identifier }))
    const unknown = await rejection(actions.verifyConnectedAccountUser({ authRequestId: 'ar_unknown', identifier }))
    assert.ok(unknown instanceof ScalekitNotFoundException, `got ${unknown.constructor.name}: ${unknown.message}`)
  })

  test('local.setAccountStatus(connection, identifier, EXPIRED) shows in getConnectedAccount and list', async () => {
    await actions.createConnectedAccount({ connectionName: 'crm', identifier: 'expire-me', authorizationDetails: apiKey('k') })
    local.setAccountStatus('crm', 'expire-me', 'EXPIRED')
    const a = (await actions.getConnectedAccount({ connectionName: 'crm', identifier: 'expire-me' })).connectedAccount
    assert.equal(a.status, ConnectorStatus.EXPIRED)
    const listed = await actions.listConnectedAccounts({ connectionName: 'crm', identifier: 'expire-me' })
    assert.equal(listed.connectedAccounts[0].status, ConnectorStatus.EXPIRED)
    // Re-authorizing through a magic link makes it ACTIVE again.
    const { link } = await actions.getAuthorizationLink({ connectionName: 'crm', identifier: 'expire-me' })
    const page = await fetch(link)
    await page.arrayBuffer()
    assert.equal(page.status, 200)
    assert.equal((await actions.getConnectedAccount({ connectionName: 'crm', identifier: 'expire-me' })).connectedAccount.status, ConnectorStatus.ACTIVE)
  })
})

describe('magic links for static-credential connections, identifiers that need encoding, scoping', () => {
  test('a BASIC account created without credentials takes them from the link (?username=&password=)', async () => {
    const { connectedAccount } = await actions.createConnectedAccount({ connectionName: 'filt-c', identifier: 'link-basic' })
    assert.equal(connectedAccount.status, ConnectorStatus.PENDING_AUTH)
    const { link } = await actions.getAuthorizationLink({ connectedAccountId: connectedAccount.id })
    const page = await fetch(`${link}?username=u1&password=p1`)
    await page.arrayBuffer()
    assert.equal(page.status, 200)
    const a = (await actions.getConnectedAccount({ connectedAccountId: connectedAccount.id })).connectedAccount
    assert.equal(a.status, ConnectorStatus.ACTIVE)
    assert.deepEqual(a.authorizationDetails.details.value.details, { username: 'u1', password: 'p1' })
  })

  test('identifiers with +, @, spaces and non-ASCII round-trip through get and list', async () => {
    for (const identifier of ['a+b@example.com', 'first last', 'üser/1?x=y&z']) {
      const { connectedAccount } = await actions.createConnectedAccount({ connectionName: 'crm', identifier, authorizationDetails: apiKey('k') })
      const got = (await actions.getConnectedAccount({ connectionName: 'crm', identifier })).connectedAccount
      assert.equal(got.id, connectedAccount.id, identifier)
      assert.equal(got.identifier, identifier)
      const listed = await actions.listConnectedAccounts({ connectionName: 'crm', identifier })
      assert.deepEqual(listed.connectedAccounts.map((x) => x.id), [connectedAccount.id], identifier)
    }
  })

  test('organizationId / userId scope the account', async () => {
    const scope = { organizationId: 'org_scope', userId: 'usr_scope' }
    const { connectedAccount } = await actions.createConnectedAccount({ connectionName: 'crm', identifier: 'scoped', ...scope, authorizationDetails: apiKey('k') })
    assert.equal((await actions.getConnectedAccount({ connectionName: 'crm', identifier: 'scoped', ...scope })).connectedAccount.id, connectedAccount.id)
    const e = await rejection(actions.getConnectedAccount({ connectionName: 'crm', identifier: 'scoped' }))
    assert.ok(e instanceof ScalekitNotFoundException, `got ${e.constructor.name}`)
    assert.deepEqual((await actions.listConnectedAccounts({ organizationId: 'org_scope' })).connectedAccounts.map((x) => x.id), [connectedAccount.id])
    assert.deepEqual((await actions.listConnectedAccounts({ userId: 'usr_scope' })).connectedAccounts.map((x) => x.id), [connectedAccount.id])
  })
})

describe('LocalScalekit configuration', () => {
  test('seeded accounts (JS options) and a JSON configFile whose values the JS options override', async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'skn-cfg-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const configFile = path.join(dir, 'local.json')
    await writeFile(configFile, JSON.stringify({
      clientId: 'skc_file',
      clientSecret: 'file-secret',
      connections: [{ name: 'filed', provider: 'files', authType: 'BEARER' }],
      accounts: [{ connectionName: 'filed', identifier: 'seeded-ok', authorizationDetails: { static_auth: { details: { token: 't' } } } }],
    }))
    const other = await LocalScalekit.start({ configFile, clientId: 'skc_js' })
    t.after(() => other.close())
    assert.equal(other.clientId, 'skc_js')
    assert.equal(other.clientSecret, 'file-secret')
    const acts = other.client().actions
    const seeded = (await acts.getConnectedAccount({ connectionName: 'filed', identifier: 'seeded-ok' })).connectedAccount
    assert.equal(seeded.status, ConnectorStatus.ACTIVE)
    assert.equal(seeded.provider, 'files')
    assert.equal(seeded.authorizationType, ConnectorType.BEARER_TOKEN)

    const js = await LocalScalekit.start({
      connections: [{ name: 'seeded', authType: 'OAUTH' }],
      accounts: [
        { connectionName: 'seeded', identifier: 'with-token', authorizationDetails: { oauth_token: { access_token: 'at' } } },
        { connectionName: 'seeded', identifier: 'no-token' },
        { connectionName: 'seeded', identifier: 'expired', status: 'EXPIRED', authorizationDetails: { oauth_token: { access_token: 'old' } } },
      ],
    })
    t.after(() => js.close())
    const list = await js.client().actions.listConnectedAccounts({ connectionName: 'seeded' })
    assert.deepEqual(
      Object.fromEntries(list.connectedAccounts.map((a) => [a.identifier, a.status])),
      { 'with-token': 'ACTIVE', 'no-token': 'PENDING_AUTH', expired: 'EXPIRED' },
    )
  })
})

describe('listConnections and executeTool', () => {
  test('listConnections: every configured connection, camelCase', async () => {
    const r = await actions.listConnections()
    assert.deepEqual(Object.keys(r).sort(), ['connections', 'nextPageToken', 'prevPageToken', 'totalSize'])
    assert.equal(r.totalSize, CONNECTIONS.length)
    assert.equal(r.nextPageToken, '')
    assert.deepEqual(r.connections.map((c) => c.connectionName).sort(), CONNECTIONS.map((c) => c.name).sort())
    const crm = r.connections.find((c) => c.connectionName === 'crm')
    assert.match(crm.id, /^conn_\d+$/)
    assert.equal(crm.type, 'API_KEY')
    assert.equal(crm.provider, 'crm')
    assert.equal(crm.enabled, true)
    assert.equal(typeof crm.status, 'string')
    assert.equal(r.connections.find((c) => c.connectionName === 'filt-a').provider, 'alpha')
    assert.equal(r.connections.find((c) => c.connectionName === 'mail').type, 'OAUTH')
  })

  test('executeTool with the built-in emulator_echo tool', async () => {
    const before = local.stats()
    const r = await actions.executeTool({
      toolName: 'emulator_echo',
      toolInput: { max_results: 1, nested: { camelCase: true } },
      connector: 'crm',
      identifier: 'tool-user',
    })
    assert.equal(statsDelta(local, before).execute_tool, 1)
    assert.deepEqual(Object.keys(r).sort(), ['data', 'executionId'])
    assert.deepEqual(r.data.params, { max_results: 1, nested: { camelCase: true } })
    assert.equal(r.data.connector, 'crm')
    assert.equal(r.data.identifier, 'tool-user')
    assert.equal(typeof r.executionId, 'string')
    assert.ok(r.executionId.length > 0)
  })

  test('executeTool with an unknown tool → ScalekitNotFoundException', async () => {
    const e = await rejection(actions.executeTool({ toolName: 'no_such_tool', connector: 'crm', identifier: 'u' }))
    assert.ok(e instanceof ScalekitNotFoundException, `got ${e.constructor.name}: ${e.message}`)
  })
})

describe('client-side validation: ScalekitValidationException, nothing sent', () => {
  const cases = [
    ['getConnectedAccount({})', () => actions.getConnectedAccount({}), 'either connectedAccountId or connectionName + identifier is required'],
    ['getConnectedAccount(name only)', () => actions.getConnectedAccount({ connectionName: 'crm' }), 'either connectedAccountId or connectionName + identifier is required'],
    ['getConnectedAccount(blank id)', () => actions.getConnectedAccount({ connectedAccountId: '   ' }), 'either connectedAccountId or connectionName + identifier is required'],
    ['updateConnectedAccount(identifier only)', () => actions.updateConnectedAccount({ identifier: 'x', apiConfig: {} }), 'either connectedAccountId or connectionName + identifier is required'],
    ['deleteConnectedAccount({})', () => actions.deleteConnectedAccount({}), 'either connectedAccountId or connectionName + identifier is required'],
    ['createConnectedAccount({})', () => actions.createConnectedAccount({}), 'connectionName is required'],
    ['createConnectedAccount(blank name)', () => actions.createConnectedAccount({ connectionName: '  ', identifier: 'x' }), 'connectionName is required'],
    ['createConnectedAccount(no identifier)', () => actions.createConnectedAccount({ connectionName: 'crm' }), 'identifier is required'],
    ['getOrCreateConnectedAccount({})', () => actions.getOrCreateConnectedAccount({ identifier: 'x' }), 'connectionName is required'],
    ['upsertConnectedAccount(no identifier)', () => actions.upsertConnectedAccount({ connectionName: 'crm', identifier: ' ' }), 'identifier is required'],
    ['verifyConnectedAccountUser({})', () => actions.verifyConnectedAccountUser({ identifier: 'x' }), 'authRequestId is required'],
    ['verifyConnectedAccountUser(no identifier)', () => actions.verifyConnectedAccountUser({ authRequestId: 'ar_1' }), 'identifier is required'],
    ['executeTool({})', () => actions.executeTool({ connector: 'crm' }), 'toolName is required'],
    ['executeTool(blank)', () => actions.executeTool({ toolName: '  ' }), 'toolName is required'],
  ]
  for (const [name, call, message] of cases) {
    test(`${name} → ${message}`, async () => {
      const before = local.stats()
      const e = await rejection(call())
      assert.ok(e instanceof ScalekitValidationException, `got ${e.constructor.name}: ${e.message}`)
      assert.ok(e instanceof sk.ScalekitException)
      assert.equal(e.message, message)
      assert.deepEqual(local.stats(), before, 'nothing reached LocalScalekit')
    })
  }

  test('a client whose first call is invalid fetches no token either', async () => {
    const fresh = local.client().actions
    const before = local.stats()
    await rejection(fresh.getConnectedAccount({}))
    await rejection(fresh.createConnectedAccount({ identifier: 'x' }))
    await rejection(fresh.executeTool({}))
    assert.deepEqual(local.stats(), before)
  })
})

describe('server-side validation (docs/wire-protocol.md §5): 400, code 3, from LocalScalekit', () => {
  const cases = [
    ['connectedAccountId without the ca_ prefix', 'connected_accounts.get', () => actions.getConnectedAccount({ connectedAccountId: 'bad' }), /ca_/],
    ['an identifier over 100 characters (create)', 'connected_accounts.create', () => actions.createConnectedAccount({ connectionName: 'crm', identifier: 'x'.repeat(101), authorizationDetails: apiKey('k') }), /identifier/],
    ['an identifier over 100 characters (get)', 'connected_accounts.get', () => actions.getConnectedAccount({ connectionName: 'crm', identifier: 'y'.repeat(101) }), /identifier/],
    ['a connector outside ^[a-zA-Z0-9_: -]*$', 'connected_accounts.get', () => actions.getConnectedAccount({ connectionName: 'bad/name!', identifier: 'u' }), /connector/],
    ['an organizationId over 32 characters', 'connected_accounts.list', () => actions.listConnectedAccounts({ organizationId: 'o'.repeat(33) }), /organization_id/],
    ['a state over 512 characters', 'magic_link', () => actions.getAuthorizationLink({ connectionName: 'link', identifier: 'v-state', state: 's'.repeat(513) }), /state/],
    ['an auth_request_id over 1000 characters', 'verify', () => actions.verifyConnectedAccountUser({ authRequestId: 'a'.repeat(1001), identifier: 'u' }), /auth_request_id/],
  ]
  test('the limits are inclusive: an identifier of exactly 100 characters and a 32-character ca_ id are accepted', async () => {
    const identifier = 'z'.repeat(100)
    const { connectedAccount } = await actions.createConnectedAccount({ connectionName: 'crm', identifier, authorizationDetails: apiKey('k') })
    assert.equal(connectedAccount.identifier, identifier)
    const e = await rejection(actions.getConnectedAccount({ connectedAccountId: 'ca_' + '9'.repeat(29) }))
    assert.ok(e instanceof ScalekitNotFoundException, `a well-formed unknown id is a 404, got ${e.constructor.name}: ${e.message}`)
  })

  for (const [name, endpoint, call, pattern] of cases) {
    test(name, async () => {
      const before = local.stats()
      const e = await rejection(call())
      assert.ok(e instanceof ScalekitBadRequestException, `got ${e.constructor.name}: ${e.message}`)
      assert.equal(e.httpStatus, 400)
      assert.equal(e.grpcStatus, 3)
      assert.match(e.message, pattern)
      assert.equal(e.data?.code, 3, 'the §2 error body')
      assert.equal(typeof e.data?.message, 'string')
      assert.ok(Array.isArray(e.data?.details))
      assert.equal(statsDelta(local, before)[endpoint], 1, `${endpoint} answered it`)
    })
  }
})
