// The official @scalekit-sdk/node 2.11.0, unchanged, against LocalScalekit (issue 13;
// docs/wire-protocol.md §12). The SDK calls the control plane over gRPC: connect-node's
// `createGrpcTransport`, HTTP/2 with prior knowledge on an `http://` envUrl, binary protobuf,
// `grpc-status-details-bin` carrying Scalekit's ErrorInfo. Only the token and the Tool Proxy
// (`request`) are plain HTTP.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

import { LocalScalekit } from '../index.js'
import { OFFICIAL_SDK_CONNECTIONS } from './helpers.mjs'

const require = createRequire(import.meta.url)
const { ScalekitClient, ScalekitNotFoundException, ScalekitUnauthorizedException } = require('@scalekit-sdk/node')
const {
  ConnectorStatus,
} = require('@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/connected_accounts/connected_accounts_pb')

let local
let actions

before(async () => {
  local = await LocalScalekit.start({
    connections: OFFICIAL_SDK_CONNECTIONS,
  })
  actions = new ScalekitClient(local.url, local.clientId, local.clientSecret).actions
})

after(async () => {
  await local?.close()
})

test('getAuthorizationLink: following the link makes the account ACTIVE', async () => {
  const { link, expiry } = await actions.getAuthorizationLink({ connectionName: 'gmail', identifier: 'ada@x.com' })
  assert.ok(link.startsWith(`${local.url}/magic/`), link)
  assert.equal(typeof expiry.seconds, 'bigint')
  const res = await fetch(link)
  await res.arrayBuffer()
  assert.equal(res.status, 200)

  const { connectedAccount } = await actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'ada@x.com' })
  assert.equal(connectedAccount.status, ConnectorStatus.ACTIVE)
  assert.equal(connectedAccount.connector, 'gmail')
  assert.equal(connectedAccount.provider, 'google')
  assert.equal(connectedAccount.authorizationDetails.details.case, 'oauthToken')
  assert.ok(connectedAccount.authorizationDetails.details.value.accessToken.length > 0)
  assert.equal(typeof connectedAccount.updatedAt.seconds, 'bigint')
  assert.ok(local.stats()['grpc.GetMagicLinkForConnectedAccount'] >= 1)
  assert.ok(local.stats()['grpc.GetConnectedAccountAuth'] >= 1)
})

test('getOrCreateConnectedAccount with an API key, then request: the key is injected upstream', async () => {
  const { connectedAccount } = await actions.getOrCreateConnectedAccount({
    connectionName: 'notion',
    identifier: 'bob@x.com',
    authorizationDetails: { details: { case: 'staticAuth', value: { details: { api_key: 'key-123' } } } },
  })
  assert.equal(connectedAccount.status, ConnectorStatus.ACTIVE)
  assert.deepEqual(connectedAccount.authorizationDetails.details.value.details, { api_key: 'key-123' })

  const res = await actions.request({ connectionName: 'notion', identifier: 'bob@x.com', path: '/v1/users/me' })
  assert.equal(res.status, 200)
  assert.equal(res.data.headers['x-api-key'], 'key-123')
  assert.equal(res.data.path, '/v1/users/me')
})

test('listConnectedAccounts and listConnections', async () => {
  await actions.getOrCreateConnectedAccount({ connectionName: 'gmail', identifier: 'cy@x.com' })
  const page = await actions.listConnectedAccounts({ connectionName: 'gmail' })
  const ids = page.connectedAccounts.map((a) => a.identifier)
  assert.ok(ids.includes('cy@x.com'), ids.join())
  assert.equal(page.totalSize, page.connectedAccounts.length)
  const cy = page.connectedAccounts.find((a) => a.identifier === 'cy@x.com')
  assert.equal(cy.status, ConnectorStatus.PENDING_AUTH)

  const { connections, totalSize } = await actions.listConnections()
  assert.equal(totalSize, 2)
  assert.deepEqual(
    connections.map((c) => [c.connectionName, c.provider, c.type, c.enabled]),
    [
      ['gmail', 'google', 'OAUTH', true],
      ['notion', 'notion', 'API_KEY', true],
    ],
  )
})

test('deleteConnectedAccount, then getConnectedAccount throws ScalekitNotFoundException', async () => {
  await actions.getOrCreateConnectedAccount({ connectionName: 'gmail', identifier: 'dee@x.com' })
  await actions.deleteConnectedAccount({ connectionName: 'gmail', identifier: 'dee@x.com' })
  await assert.rejects(actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'dee@x.com' }), (err) => {
    assert.ok(err instanceof ScalekitNotFoundException, `${err?.name}: ${err?.message}`)
    assert.equal(err.errorCode, 'NOT_FOUND')
    assert.equal(err.grpcStatus, 5)
    assert.equal(err.httpStatus, 404)
    assert.match(err.message, /^\[not_found\] connected account not found/)
    return true
  })
})

test('verifyConnectedAccountUser activates an account pending verification', async () => {
  const { link } = await actions.getAuthorizationLink({
    connectionName: 'gmail',
    identifier: 'eve@x.com',
    state: 'st-1',
    userVerifyUrl: 'https://app.example.com/verify',
  })
  const res = await fetch(link, { redirect: 'manual' })
  await res.arrayBuffer()
  assert.equal(res.status, 302)
  const location = new URL(res.headers.get('location'))
  assert.equal(location.searchParams.get('state'), 'st-1')
  const authRequestId = location.searchParams.get('auth_request_id')

  const pending = await actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'eve@x.com' })
  assert.equal(pending.connectedAccount.status, ConnectorStatus.PENDING_VERIFICATION)
  const { postUserVerifyRedirectUrl } = await actions.verifyConnectedAccountUser({ authRequestId, identifier: 'eve@x.com' })
  assert.ok(postUserVerifyRedirectUrl.startsWith(`${local.url}/verified?`), postUserVerifyRedirectUrl)
  const active = await actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'eve@x.com' })
  assert.equal(active.connectedAccount.status, ConnectorStatus.ACTIVE)
})

test('executeTool runs the built-in echo tool', async () => {
  const result = await actions.executeTool({
    toolName: 'emulator_echo',
    connector: 'gmail',
    identifier: 'ada@x.com',
    toolInput: { q: 'hello', n: 2 },
  })
  assert.deepEqual(result.data, { params: { q: 'hello', n: 2 }, connector: 'gmail', identifier: 'ada@x.com' })
  assert.match(result.executionId, /^exec_/)
  assert.ok(local.stats()['grpc.ExecuteTool'] >= 1)
})

test('a token LocalScalekit never issued is refused; a wrong client secret gets no link', async () => {
  const stranger = new ScalekitClient(local.url, local.clientId, 'wrong-secret')
  stranger.coreClient.accessToken = 'never-issued'
  const before = local.stats()
  // UNAUTHENTICATED, then the SDK's re-authentication is refused too (2.11.0 lets that token
  // error escape as is).
  await assert.rejects(stranger.actions.getAuthorizationLink({ connectionName: 'gmail', identifier: 'mallory@x.com' }))
  const after = local.stats()
  assert.equal(after['grpc.GetMagicLinkForConnectedAccount'], before['grpc.GetMagicLinkForConnectedAccount'] + 1)
  assert.equal(after.token, before.token + 1)
  const { totalSize } = await actions.listConnectedAccounts({ connectionName: 'gmail', identifier: 'mallory@x.com' })
  assert.equal(totalSize, 0)

  // A revoked token: UNAUTHENTICATED (code 16), so the SDK fetches a new one and retries once.
  const calls = local.stats()['grpc.GetConnectedAccountAuth']
  local.revokeTokens()
  const { connectedAccount } = await actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'ada@x.com' })
  assert.equal(connectedAccount.identifier, 'ada@x.com')
  assert.equal(local.stats()['grpc.GetConnectedAccountAuth'], calls + 2)
})

test('tokens that never work: ScalekitUnauthorizedException with errorCode UNAUTHENTICATED', async (t) => {
  // Every token expires at once: each of the SDK's 4 attempts is refused with code 16.
  const expiring = await LocalScalekit.start({ tokenTtlSeconds: 0 })
  t.after(() => expiring.close())
  const sdk = new ScalekitClient(expiring.url, expiring.clientId, expiring.clientSecret)
  await assert.rejects(sdk.actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'ada@x.com' }), (err) => {
    assert.ok(err instanceof ScalekitUnauthorizedException, `${err?.name}: ${err?.message}`)
    assert.equal(err.errorCode, 'UNAUTHENTICATED')
    assert.equal(err.grpcStatus, 16)
    assert.equal(err.message, '[unauthenticated] token is invalid or expired')
    return true
  })
  const stats = expiring.stats()
  assert.equal(stats['grpc.GetConnectedAccountAuth'], 4)
  assert.equal(stats.token, 3)
})

test('over TLS (ALPN h2): the official SDK in a child process trusting caCertificate', async (t) => {
  const secure = await LocalScalekit.start({ tls: true })
  t.after(() => secure.close())
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sdk-grpc-tls-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const caFile = path.join(dir, 'ca.pem')
  await writeFile(caFile, secure.caCertificate)
  const script = `
    const { ScalekitClient } = require(${JSON.stringify(require.resolve('@scalekit-sdk/node'))})
    const [url, id, secret] = process.argv.slice(1)
    ;(async () => {
      const { actions } = new ScalekitClient(url, id, secret)
      const { link } = await actions.getAuthorizationLink({ connectionName: 'gmail', identifier: 'tls@x.com' })
      const res = await fetch(link)
      await res.arrayBuffer()
      const { connectedAccount } = await actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'tls@x.com' })
      console.log(JSON.stringify({ link, authorized: res.status, status: connectedAccount.status }))
    })().catch((e) => { console.error(e); process.exit(1) })
  `
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: caFile }
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, secure.url, secure.clientId, secure.clientSecret], { env })
  const out = JSON.parse(stdout.trim().split('\n').pop())
  assert.ok(out.link.startsWith(`${secure.url}/magic/`), out.link)
  assert.equal(out.authorized, 200)
  assert.equal(out.status, ConnectorStatus.ACTIVE)
  // The SDK's first call goes out without a token (UNAUTHENTICATED), then again with one.
  assert.equal(secure.stats()['grpc.GetMagicLinkForConnectedAccount'], 2)
})
