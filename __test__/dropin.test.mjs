// Drop-in for code written against @scalekit-sdk/node 2.11 (README, "Migrating from
// @scalekit-sdk/node"): the official SDK and this client make the same calls against one
// LocalScalekit and must agree on what such code reads — the imports, the low-level namespaces,
// `unpackedDetails`, the class for an unreachable host, `listAppConnections({ query })` and the
// values of `listConnections`.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

import * as esm from '../index.mjs'
import EsmDefault from '../index.mjs'
import * as officialEsm from '@scalekit-sdk/node'
import OfficialEsmDefault from '@scalekit-sdk/node'
import { LocalScalekit } from '../index.js'
import { OFFICIAL_SDK_CONNECTIONS, closedPort, rejection as failure } from './helpers.mjs'

const require = createRequire(import.meta.url)
const Official = require('@scalekit-sdk/node')
const ours = require('../index.js')

const USER = 'ada@x.com'
let local
let official
let mine

before(async () => {
  local = await LocalScalekit.start({
    connections: [
      ...OFFICIAL_SDK_CONNECTIONS,
      { name: 'bearer-crm', provider: 'crm', authType: 'BEARER' },
      { name: 'basic-crm', provider: 'crm', authType: 'BASIC' },
    ],
    accounts: [
      { connectionName: 'gmail', identifier: USER, authorizationDetails: { oauth_token: { access_token: 't' } } },
    ],
  })
  official = new Official.ScalekitClient(local.url, local.clientId, local.clientSecret)
  mine = local.client()
})

after(async () => {
  await local?.close()
})

test('imports: the client class as Scalekit and as the default export, in CJS and ESM; isToolException', async () => {
  // CommonJS: `Scalekit` and `default` are the client class, and `__esModule` makes a compiled-TS
  // or bundled `import Scalekit from` take `default`.
  for (const [pkg, name] of [[Official, 'official'], [ours, 'ours']]) {
    assert.equal(pkg.Scalekit, pkg.ScalekitClient, name)
    assert.equal(pkg.default, pkg.ScalekitClient, name)
    assert.equal(pkg.__esModule, true, name)
    assert.equal(typeof pkg.isToolException, 'function', name)
  }
  // Node's ESM: the named exports, and a default that is the CommonJS exports (whose `default` is
  // the class), as the official package's.
  for (const [ns, dflt, cjs, name] of [[officialEsm, OfficialEsmDefault, Official, 'official'], [esm, EsmDefault, ours, 'ours']]) {
    assert.equal(ns.Scalekit, cjs.ScalekitClient, name)
    assert.equal(ns.ScalekitClient, cjs.ScalekitClient, name)
    assert.equal(ns.isToolException, cjs.isToolException, name)
    assert.equal(dflt, cjs, name)
    assert.equal(dflt.default, cjs.ScalekitClient, name)
  }

  // Every exception class and function the official package exports under these names exists here too.
  const names = Object.keys(Official).filter((n) => /^(Scalekit|isToolException$)/.test(n))
  const missing = names.filter((n) => !(n in ours) && n !== 'ScalekitValidateTokenFailureException')
  assert.deepEqual(missing, [])

  const tool = new ours.ScalekitToolException('x', { toolError: { code: 'E', message: 'm', executionId: 'ex' } })
  assert.equal(ours.isToolException(tool), true)
  assert.equal(ours.isToolException(new ours.ScalekitNotFoundException('x')), false)
  assert.equal(ours.isToolException({ isToolError: true }), false)
})

test('low-level namespaces: connectedAccounts and connection have the official method names', async () => {
  const methods = (o) => Object.getOwnPropertyNames(Object.getPrototypeOf(o)).filter((n) => n !== 'constructor')
  const officialAccounts = [...methods(official.connectedAccounts), 'upsertConnectedAccount']
  for (const name of officialAccounts) {
    assert.equal(typeof mine.connectedAccounts[name], 'function', `connectedAccounts.${name}`)
  }
  assert.equal(typeof mine.connection.listAppConnections, 'function')

  // The same calls, the official names (`connector`, `connectedAccount`), on both clients.
  const created = await mine.connectedAccounts.createConnectedAccount({
    connector: 'notion',
    identifier: 'bob@x.com',
    connectedAccount: { authorizationDetails: { details: { case: 'staticAuth', value: { details: { api_key: 'k1' } } } } },
  })
  assert.equal(created.connectedAccount.connector, 'notion')
  assert.equal(created.connectedAccount.status, 'ACTIVE')
  const theirs = await official.connectedAccounts.getConnectedAccountByIdentifier({ connector: 'notion', identifier: 'bob@x.com' })
  const got = await mine.connectedAccounts.getConnectedAccountByIdentifier({ connector: 'notion', identifier: 'bob@x.com' })
  assert.equal(got.connectedAccount.id, theirs.connectedAccount.id)
  assert.deepEqual(got.connectedAccount.authorizationDetails.details.value.details, { api_key: 'k1' })

  const updated = await mine.connectedAccounts.updateConnectedAccount({
    connector: 'notion', identifier: 'bob@x.com', connectedAccount: { apiConfig: { region: 'eu' } },
  })
  assert.deepEqual(updated.connectedAccount.apiConfig, { region: 'eu' })
  const listed = await mine.connectedAccounts.listConnectedAccounts({ connector: 'notion' })
  const officialListed = await official.connectedAccounts.listConnectedAccounts({ connector: 'notion' })
  assert.deepEqual(listed.connectedAccounts.map((a) => a.id), officialListed.connectedAccounts.map((a) => a.id))
  const link = await mine.connectedAccounts.getMagicLinkForConnectedAccount({ connector: 'gmail', identifier: 'eve@x.com' })
  assert.ok(link.link.startsWith(`${local.url}/magic/`), link.link)
  assert.deepEqual(await mine.connectedAccounts.deleteConnectedAccount({ connector: 'notion', identifier: 'bob@x.com' }), {})

  // The other client's names are refused by name, not ignored.
  const e = await failure(mine.connectedAccounts.getConnectedAccountByIdentifier({ connector: 'a', connectionName: 'b', identifier: 'u' }))
  assert.ok(e instanceof ours.ScalekitValidationException)
  assert.match(e.message, /takes connector, not connectionName/)
})

test('listAppConnections({ query }) and listConnections: the same connections and values as the official SDK', async () => {
  for (const params of [{}, { query: 'crm' }, { query: 'NOTION' }, { provider: 'crm' }, { provider: 'crm', query: 'basic' }]) {
    const theirs = await official.connection.listAppConnections(params)
    const got = await mine.connection.listAppConnections(params)
    assert.deepEqual(got.connections.map((c) => c.keyId), theirs.connections.map((c) => c.keyId), JSON.stringify(params))
    assert.deepEqual(got.connections.map((c) => c.providerKey), theirs.connections.map((c) => c.providerKey))
    assert.equal(got.totalSize, theirs.totalSize)
    // Every field the official ListConnection has, those at their defaults included (enums by name).
    for (const [i, official] of theirs.connections.entries()) {
      const { $typeName: _name, type: _type, status: _status, provider: _provider, ...plain } = official
      const { type, status, provider, ...rest } = got.connections[i]
      assert.deepEqual(rest, plain, JSON.stringify(params))
      assert.deepEqual([typeof type, typeof status, provider], ['string', 'string', 'CONNECTION_PROVIDER_UNSPECIFIED'])
    }
  }
  const crm = await mine.connection.listAppConnections({ query: 'crm' })
  assert.deepEqual(crm.connections.map((c) => c.keyId), ['bearer-crm', 'basic-crm'])

  // actions.listConnections: the official SDK maps the gRPC enums to names; REST reads the same table.
  const theirs = await official.actions.listConnections()
  const got = await mine.actions.listConnections()
  const values = (page) => page.connections.map(({ connectionName, provider, type, status, enabled }) =>
    ({ connectionName, provider, type, status, enabled }))
  assert.deepEqual(values(got), values(theirs))
  assert.deepEqual(got.connections.map((c) => c.type), ['OAUTH', 'API_KEY', 'BEARER', 'BASIC'])
  assert.ok(got.connections.every((c) => c.status === 'COMPLETED'))
})

test('unpackedDetails: the same keys as the official SDK (camelCase ErrorInfo)', async () => {
  const params = { connectionName: 'gmail', identifier: 'nobody@x.com' }
  const theirs = await failure(official.actions.getConnectedAccount(params))
  const got = await failure(mine.actions.getConnectedAccount(params))
  assert.equal(got.constructor.name, theirs.constructor.name)
  assert.equal(got.grpcStatus, theirs.grpcStatus)
  assert.equal(got.errorCode, theirs.errorCode)
  const keys = (e) => e.unpackedDetails.map((d) => Object.keys(d).filter((k) => k !== '$typeName' && d[k] !== undefined).sort())
  assert.ok(theirs.unpackedDetails.length > 0)
  assert.deepEqual(keys(got), keys(theirs))
  assert.equal(got.unpackedDetails[0].errorCode, theirs.unpackedDetails[0].errorCode)
  assert.deepEqual(got.errDetails, got.unpackedDetails)
})

test('an unreachable host: the official class, ScalekitServiceUnavailableException with httpStatus 503', { timeout: 60_000 }, async () => {
  const url = `http://127.0.0.1:${await closedPort()}`
  const theirs = await failure(new Official.ScalekitClient(url, 'id', 'secret').actions.listConnections())
  const got = await failure(new ours.ScalekitClient(url, 'id', 'secret', { maxRetries: 0 }).actions.listConnections())
  assert.equal(got.constructor.name, theirs.constructor.name)
  assert.ok(got instanceof ours.ScalekitServiceUnavailableException)
  assert.ok(got instanceof ours.ScalekitServerException)
  assert.equal(got.httpStatus, theirs.httpStatus)
  assert.equal(got.httpStatus, 503)
  assert.equal(got.grpcStatus, 14)
  // The proxy keeps its own class: nothing answered, so no status.
  const proxied = await failure(new ours.ScalekitClient(url, 'id', 'secret', { maxRetries: 0 }).actions.request({
    connectionName: 'gmail', identifier: USER, path: '/x',
  }))
  assert.ok(proxied instanceof ours.ScalekitNetworkException, proxied.constructor.name)
})

test('a proxied Scalekit error: grpcStatus is the body code (400 with code 9 is 9)', async () => {
  await mine.actions.createConnectedAccount({ connectionName: 'gmail', identifier: 'pending@x.com' })
  const e = await failure(mine.actions.request({ connectionName: 'gmail', identifier: 'pending@x.com', path: '/x' }))
  assert.equal(e.httpStatus, 400)
  assert.equal(e.data.code, 9)
  assert.equal(e.grpcStatus, 9)
})

test('LocalScalekit refuses credentials that do not fit the connection (400)', async () => {
  const e = await failure(mine.actions.createConnectedAccount({
    connectionName: 'notion', identifier: 'x@x.com', authorizationDetails: { oauthToken: { accessToken: 't' } },
  }))
  assert.ok(e instanceof ours.ScalekitBadRequestException, e.constructor.name)
  assert.equal(e.httpStatus, 400)
  assert.match(e.message, /API_KEY connection takes static_auth/)
  const theirs = await failure(official.actions.createConnectedAccount({
    connectionName: 'gmail', identifier: 'y@x.com',
    authorizationDetails: { details: { case: 'staticAuth', value: { details: { api_key: 'k' } } } },
  }))
  assert.ok(theirs instanceof Official.ScalekitBadRequestException, theirs.constructor.name)
  const e2 = await failure(mine.actions.updateConnectedAccount({
    connectionName: 'gmail', identifier: USER, authorizationDetails: { staticAuth: { details: { api_key: 'k' } } },
  }))
  assert.equal(e2.httpStatus, 400)
})
