// `client.actions.mcp` against LocalScalekit (issue 21): every method of the client over the REST
// bindings, answered by the emulator's McpService, so that the client's requests and the
// emulator's answers are checked against each other, not each against its own reading of the wire
// (docs/wire-protocol.md §13). The session token minted this way opens the configuration's MCP
// server for the official MCP TypeScript SDK client.
import { test } from 'node:test'
import assert from 'node:assert/strict'

import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

import sk from '../index.js'
import { rejection, sendJson, startLocal, startServer } from './helpers.mjs'

async function setup(t) {
  const upstream = await startServer(t, (req, res) =>
    sendJson(res, 200, { path: req.url, authorization: req.headers.authorization ?? null }),
  )
  const local = await startLocal(t, {
    connections: [
      { name: 'crm', upstreamUrl: upstream.url },
      { name: 'mail', upstreamUrl: upstream.url },
    ],
    accounts: [{ connectionName: 'crm', identifier: 'u1', authorizationDetails: { oauth_token: { access_token: 'tok-crm' } } }],
    tools: [
      { name: 'crm_list', connection: 'crm', description: 'List contacts', annotations: { readOnlyHint: true }, request: { path: '/contacts' } },
      { name: 'crm_delete', connection: 'crm', request: { method: 'DELETE', path: '/contacts/1' } },
      { name: 'mail_search', connection: 'mail', annotations: { readOnlyHint: true }, request: { path: '/search' } },
    ],
  })
  return { local, mcp: local.client().actions.mcp }
}

test('configurations: create, get, list (every page, filters), update, delete', async (t) => {
  const { mcp } = await setup(t)
  const { config } = await mcp.createConfig({
    name: 'crm-only',
    description: 'CRM tools',
    connectionToolMappings: [{ connectionName: 'crm', tools: ['crm_list'] }],
  })
  assert.match(config.id, /\S/)
  assert.equal(config.name, 'crm-only')
  assert.equal(config.description, 'CRM tools')
  assert.deepEqual(config.connectionToolMappings.map((m) => [m.connectionName, m.tools]), [['crm', ['crm_list']]])
  assert.match(config.mcpServerUrl, /\/mcp\/v3\/servers\/\S+$/)

  assert.deepEqual((await mcp.getConfig({ configId: config.id })).config, config)
  for (let i = 0; i < 3; i++) await mcp.createConfig({ name: `extra-${i}`, connectionToolMappings: [{ connectionName: 'mail' }] })
  const names = []
  for await (const c of mcp.listConfigs({ pageSize: 2 })) names.push(c.name)
  assert.deepEqual(names.sort(), ['crm-only', 'extra-0', 'extra-1', 'extra-2'])
  const { configs } = await mcp.listConfigs({ filter: { name: 'crm-only' } })
  assert.deepEqual(configs.map((c) => c.id), [config.id])

  // A mapping read back can be sent again; the name is fixed.
  const { config: updated } = await mcp.updateConfig({
    configId: config.id,
    description: 'CRM and mail',
    connectionToolMappings: [...config.connectionToolMappings, { connectionName: 'mail' }],
  })
  assert.equal(updated.description, 'CRM and mail')
  assert.deepEqual(updated.connectionToolMappings.map((m) => m.connectionName), ['crm', 'mail'])

  const taken = await rejection(mcp.createConfig({ name: 'crm-only' }))
  assert.ok(taken instanceof sk.ScalekitException, String(taken))
  await mcp.deleteConfig({ configId: config.id })
  const gone = await rejection(mcp.getConfig({ configId: config.id }))
  assert.ok(gone instanceof sk.ScalekitNotFoundException, String(gone))
})

test('instances: ensure (get or create), get, list, update, auth state with links, delete', async (t) => {
  const { mcp } = await setup(t)
  await mcp.createConfig({ name: 'both', connectionToolMappings: [{ connectionName: 'crm' }, { connectionName: 'mail' }] })
  await mcp.createConfig({ name: 'crm-only', connectionToolMappings: [{ connectionName: 'crm' }] })
  const { instance } = await mcp.ensureInstance({ configName: 'both', userIdentifier: 'u1', name: 'u1 assistant' })
  assert.equal(instance.userIdentifier, 'u1')
  assert.equal(instance.name, 'u1 assistant')
  assert.equal(instance.config?.name, 'both')
  const again = await mcp.ensureInstance({ configName: 'both', userIdentifier: 'u1', name: 'u1 assistant' })
  assert.equal(again.instance.id, instance.id, 'ensure returns the existing instance')
  assert.equal((await mcp.getInstance({ instanceId: instance.id })).instance.id, instance.id)
  const listed = []
  for await (const i of mcp.listInstances({ filter: { userIdentifier: 'u1' } })) listed.push(i.id)
  assert.deepEqual(listed, [instance.id])

  const { connections } = await mcp.getInstanceAuthState({ instanceId: instance.id, includeAuthLinks: true })
  const byName = Object.fromEntries(connections.map((c) => [c.connectionName, c]))
  assert.equal(byName.crm.connectedAccountStatus, 'ACTIVE')
  assert.match(byName.mail.authenticationLink, /^http:\/\/127\.0\.0\.1:\d+\//, 'a link for the connection the user lacks')

  const { instance: renamed } = await mcp.updateInstance({ instanceId: instance.id, configName: 'crm-only' })
  assert.equal(renamed.config?.name, 'crm-only')
  await mcp.deleteInstance({ instanceId: instance.id })
  assert.ok((await rejection(mcp.getInstance({ instanceId: instance.id }))) instanceof sk.ScalekitNotFoundException)
})

test('listMcpConnectedAccounts, then a session token that the official MCP client uses; READ_ONLY lists only read-only tools', async (t) => {
  const { local, mcp } = await setup(t)
  const { config } = await mcp.createConfig({ name: 'crm', connectionToolMappings: [{ connectionName: 'crm' }] })
  const { connectedAccounts } = await mcp.listMcpConnectedAccounts({ configId: config.id, identifier: 'u1', includeAuthLink: true })
  assert.deepEqual(connectedAccounts.map((a) => [a.connectionName, a.connectedAccountStatus]), [['crm', 'ACTIVE']])

  const before = Date.now()
  const { token, expiresAt } = await mcp.createSessionToken({ mcpConfigId: config.id, identifier: 'u1', expiresInSeconds: 120 })
  assert.ok(expiresAt instanceof Date)
  assert.ok(Math.abs(expiresAt.getTime() - (before + 120_000)) < 10_000, `expiresAt ${expiresAt.toISOString()}`)
  const [, payload] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
  assert.equal(claims.sub, 'u1')
  assert.equal(claims.aud, config.mcpServerUrl)

  const connect = async (bearer) => {
    const client = new Client({ name: 'mcp-local-test', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(config.mcpServerUrl), { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } }))
    t.after(() => client.close())
    return client
  }
  const full = await connect(token)
  assert.deepEqual((await full.listTools()).tools.map((x) => x.name).sort(), ['crm_delete', 'crm_list'])
  const result = await full.callTool({ name: 'crm_list', arguments: {} })
  assert.equal(result.isError ?? false, false, JSON.stringify(result))
  assert.match(result.content[0].text, /Bearer tok-crm/)

  const { token: readOnly } = await mcp.createSessionToken({ mcpConfigId: config.id, identifier: 'u1', accessLevel: 'READ_ONLY' })
  const reader = await connect(readOnly)
  assert.deepEqual((await reader.listTools()).tools.map((x) => x.name), ['crm_list'])

  // A connection's own server, with a token made for it.
  const { token: connectionToken } = await mcp.createSessionToken({ connectionName: 'crm', identifier: 'u1' })
  const claimsOfConnection = JSON.parse(Buffer.from(connectionToken.split('.')[1], 'base64url').toString())
  assert.match(claimsOfConnection.aud, /\/mcp\/v3\/connections\/crm$/)
})

test("the server's own refusals reach the caller as the right classes; bad arguments send nothing", async (t) => {
  const { local, mcp } = await setup(t)
  const missing = await rejection(mcp.createSessionToken({ mcpConfigId: 'cfg_does_not_exist', identifier: 'u1' }))
  assert.ok(missing instanceof sk.ScalekitNotFoundException, String(missing))
  local.resetStats()
  const bad = await rejection(mcp.createSessionToken({ mcpConfigId: 'x', connectionName: 'crm', identifier: 'u1' }))
  assert.ok(bad instanceof sk.ScalekitValidationException, String(bad))
  const total = Object.values(local.stats()).reduce((a, b) => a + b, 0)
  assert.equal(total, 0, 'nothing reached LocalScalekit')
})
