// LocalScalekit as an MCP gateway, used by the official MCP TypeScript SDK's client
// (@modelcontextprotocol/sdk: Client + StreamableHTTPClientTransport), offline
// (docs/wire-protocol.md §13): an MCP configuration and a session token minted over REST, then
// tools/list and tools/call through the gateway to an upstream of the test, which sees the
// injected credential; READ_ONLY tokens; 401 without a token or with a forged one; a user who is
// not connected, whose link makes the next call succeed; a connection's own server; HTTPS.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, createSign } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'

import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

import { ROOT, outputOf, rejection, runNode, sendJson, startLocal, startServer } from './helpers.mjs'

const TOOLS = [
  {
    name: 'crm_list',
    connection: 'crm',
    description: 'List contacts',
    annotations: { readOnlyHint: true, openWorldHint: false },
    inputSchema: { type: 'object', properties: { limit: { type: 'integer' } } },
    request: { path: '/contacts' },
  },
  {
    name: 'crm_delete',
    connection: 'crm',
    description: 'Delete a contact',
    annotations: { destructiveHint: true },
    inputSchema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
    request: { method: 'DELETE', path: '/contacts/{id}' },
  },
  { name: 'mail_send', connection: 'mail', description: 'Send a mail', request: { method: 'POST', path: '/send' } },
  { name: 'mail_search', connection: 'mail', annotations: { readOnlyHint: true }, request: { path: '/search' } },
]

/**
 * An upstream that answers what it got, and LocalScalekit with `crm` and `mail` routed to it,
 * `u1` connected to both, the catalog above and the configuration `assistant` (every crm tool,
 * and mail_search).
 */
async function setup(t, extra = {}) {
  const upstream = await startServer(t, (req, res) =>
    sendJson(res, 200, { method: req.method, path: req.url, authorization: req.headers.authorization ?? null }),
  )
  const oauth = (connectionName, token) => ({ connectionName, identifier: 'u1', authorizationDetails: { oauth_token: { access_token: token } } })
  const local = await startLocal(t, {
    connections: [
      { name: 'crm', provider: 'HUBSPOT', upstreamUrl: upstream.url },
      { name: 'mail', provider: 'GMAIL', upstreamUrl: upstream.url },
    ],
    accounts: [oauth('crm', 'tok-crm'), oauth('mail', 'tok-mail')],
    tools: TOOLS,
    mcpConfigs: [
      { name: 'assistant', description: 'CRM and mail search', connectionToolMappings: [{ connectionName: 'crm' }, { connectionName: 'mail', tools: ['mail_search'] }] },
    ],
    ...extra,
  })
  return { local, upstream }
}

/** One HTTP(S) request to LocalScalekit (trusting its CA with `tls`): `{ status, headers, body }`. */
function send(local, method, pathname, { headers = {}, body } = {}) {
  const url = new URL(pathname, local.url)
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method, headers, ca: local.caCertificate ?? undefined, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (text += d))
      res.on('end', () => {
        let parsed = text
        try {
          parsed = JSON.parse(text)
        } catch {}
        resolve({ status: res.statusCode, headers: res.headers, body: parsed })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** A control-plane call with an access token of LocalScalekit's: the JSON answer, checked 2xx. */
async function api(local, method, pathname, body) {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: local.clientId, client_secret: local.clientSecret })
  const token = await send(local, 'POST', '/oauth/token', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() })
  assert.equal(token.status, 200, JSON.stringify(token.body))
  const headers = { authorization: `Bearer ${token.body.access_token}`, 'content-type': 'application/json' }
  const res = await send(local, method, pathname, { headers, body: body && JSON.stringify(body) })
  assert.ok(res.status < 300, `${method} ${pathname}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

/** The `assistant` configuration's server URL and a session token of it for `identifier`. */
async function configToken(local, identifier, extra = {}) {
  const { configs } = await api(local, 'GET', '/api/v1/mcp/configs?filter.name=assistant')
  const { token } = await api(local, 'POST', `/api/v1/mcp/configs/${configs[0].id}/tokens`, { identifier, ...extra })
  return { url: configs[0].mcp_server_url, token }
}

/** Connection `name`'s own server URL and a session token of it for `identifier`. */
async function connectionToken(local, name, identifier) {
  const { token } = await api(local, 'POST', `/api/v1/mcp/connections/${name}/tokens`, { identifier })
  return { url: `${local.url}/mcp/v3/connections/${name}`, token }
}

/** An MCP client connected to `url` with `token` as bearer (none: no Authorization header). */
async function connect(t, url, token) {
  const client = new Client({ name: 'scalekit-native-tests', version: '1.0.0' })
  const headers = token === undefined ? {} : { Authorization: `Bearer ${token}` }
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } })
  await client.connect(transport)
  t.after(() => client.close())
  return client
}

const names = (list) => list.tools.map((tool) => tool.name)

/** The text of a tool error result. */
function toolError(result) {
  assert.equal(result.isError, true, JSON.stringify(result))
  return result.content[0].text
}

test('a configuration, a session token, tools/list and tools/call with the credential injected', async (t) => {
  const { local, upstream } = await setup(t)
  const { url, token } = await configToken(local, 'u1')
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/mcp\/v3\/servers\/[0-9a-f-]{36}$/)
  const client = await connect(t, url, token)
  assert.equal(client.getServerVersion().name, 'LocalScalekit')
  const listed = await client.listTools()
  assert.deepEqual(names(listed), ['crm_list', 'crm_delete', 'mail_search'])
  assert.deepEqual(listed.tools[0], {
    name: 'crm_list',
    description: 'List contacts',
    inputSchema: { type: 'object', properties: { limit: { type: 'integer' } } },
    annotations: { readOnlyHint: true, openWorldHint: false },
  })
  assert.deepEqual(listed.tools[1].annotations, { destructiveHint: true })

  const result = await client.callTool({ name: 'crm_list', arguments: { limit: 2 } })
  assert.equal(result.isError, false, JSON.stringify(result))
  assert.deepEqual(result.structuredContent, { method: 'GET', path: '/contacts?limit=2', authorization: 'Bearer tok-crm' })
  assert.deepEqual(JSON.parse(result.content[0].text), result.structuredContent)
  assert.equal(upstream.requests.length, 1)

  // Input the schema refuses: a tool error, and the provider is not called.
  const refused = await client.callTool({ name: 'crm_delete', arguments: {} })
  assert.equal(toolError(refused), "params.id: required by the tool's input_schema")
  assert.equal(upstream.requests.length, 1)
  const deleted = await client.callTool({ name: 'crm_delete', arguments: { id: 'c 1' } })
  assert.equal(deleted.structuredContent.path, '/contacts/c%201')
  assert.equal(deleted.structuredContent.method, 'DELETE')
  assert.ok(local.stats()['mcp.gateway'] >= 5)
})

test('a READ_ONLY token lists only read-only tools and is refused the others', async (t) => {
  const { local, upstream } = await setup(t)
  const { url, token } = await configToken(local, 'u1', { access_level: 'READ_ONLY' })
  const client = await connect(t, url, token)
  assert.deepEqual(names(await client.listTools()), ['crm_list', 'mail_search'])
  const denied = await client.callTool({ name: 'crm_delete', arguments: { id: 'c1' } })
  assert.match(toolError(denied), /not read-only/)
  assert.equal(upstream.requests.length, 0, 'the provider was not called')
  const allowed = await client.callTool({ name: 'mail_search', arguments: { q: 'x' } })
  assert.equal(allowed.structuredContent.authorization, 'Bearer tok-mail')
})

/** A JWT signed RS256 with `key` (a node:crypto private key), with this header and payload. */
function signJwt(header, payload, key) {
  const part = (v) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const input = `${part(header)}.${part(payload)}`
  const signature = createSign('RSA-SHA256').update(input).sign(key).toString('base64url')
  return `${input}.${signature}`
}

test('401 with a Bearer challenge without a token, and with a forged one', async (t) => {
  const { local } = await setup(t)
  const { url, token } = await configToken(local, 'u1')
  const none = await rejection(connect(t, url, undefined))
  assert.equal(none.code, 401, String(none))

  const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()))
  assert.equal(header.alg, 'RS256')
  assert.equal(payload.sub, 'u1')
  // The same header and claims, signed with another key.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const forged = signJwt(header, payload, privateKey)
  assert.equal((await rejection(connect(t, url, forged))).code, 401)
  // The real signature over claims changed to act for someone else.
  const parts = token.split('.')
  const tampered = `${parts[0]}.${Buffer.from(JSON.stringify({ ...payload, sub: 'u2' })).toString('base64url')}.${parts[2]}`
  assert.equal((await rejection(connect(t, url, tampered))).code, 401)

  const raw = await send(local, 'POST', new URL(url).pathname, {
    headers: { authorization: `Bearer ${forged}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  })
  assert.equal(raw.status, 401)
  assert.match(raw.headers['www-authenticate'], /^Bearer realm="[^"]+", error="invalid_token"/)
  // The key the real tokens verify with is published.
  const { keys } = (await send(local, 'GET', '/keys')).body
  assert.equal(keys[0].kid, header.kid)
})

test('a user who is not connected gets a link; following it makes the next call succeed', async (t) => {
  const { local, upstream } = await setup(t)
  const { url, token } = await connectionToken(local, 'mail', 'newcomer')
  const client = await connect(t, url, token)
  assert.deepEqual(names(await client.listTools()), ['mail_send', 'mail_search'])
  const first = await client.callTool({ name: 'mail_send', arguments: { to: 'a@example.com' } })
  const text = toolError(first)
  assert.match(text, /"newcomer" on connection "mail" is not connected \(PENDING_AUTH\)/)
  const link = /(https?:\/\/\S+\/magic\/\S+)/.exec(text)?.[1]
  assert.ok(link?.startsWith(`${local.url}/magic/`), text)
  assert.equal(upstream.requests.length, 0)

  const page = await fetch(link)
  assert.equal(page.status, 200)
  await page.text()
  const second = await client.callTool({ name: 'mail_send', arguments: { to: 'a@example.com' } })
  assert.equal(second.isError, false, JSON.stringify(second))
  assert.match(second.structuredContent.authorization, /^Bearer emu_at_/)
  assert.equal(upstream.requests[0].body.toString(), '{"to":"a@example.com"}')
})

test("a connection's own MCP server serves every tool of the connection", async (t) => {
  const { local } = await setup(t)
  const { url, token } = await connectionToken(local, 'crm', 'u1')
  const client = await connect(t, url, token)
  assert.deepEqual(names(await client.listTools()), ['crm_list', 'crm_delete'])
  const result = await client.callTool({ name: 'crm_list', arguments: {} })
  assert.equal(result.structuredContent.authorization, 'Bearer tok-crm')
  // A configuration's token does not open it.
  const other = await configToken(local, 'u1')
  assert.equal((await rejection(connect(t, url, other.token))).code, 401)
})

test('over HTTPS, with the CA trusted through NODE_EXTRA_CA_CERTS', async (t) => {
  const { local } = await setup(t, { tls: true })
  assert.match(local.url, /^https:\/\//)
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skn-mcp-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const ca = path.join(dir, 'ca.pem')
  await writeFile(ca, local.caCertificate)
  const { url, token } = await configToken(local, 'u1')
  assert.match(url, /^https:\/\//)
  const script = path.join(ROOT, '__test__', 'support', 'mcp_client.mjs')
  const r = await runNode([script, url, token, 'crm_list', '{"limit":1}'], {
    t,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: ca },
    stdin: 'ignore',
    timeoutMs: 30_000,
  })
  assert.equal(r.code, 0, outputOf(r))
  const { server, tools, result } = JSON.parse(r.stdout)
  assert.equal(server.name, 'LocalScalekit')
  assert.deepEqual(tools, ['crm_list', 'crm_delete', 'mail_search'])
  assert.deepEqual(result.structuredContent, { method: 'GET', path: '/contacts?limit=1', authorization: 'Bearer tok-crm' })
})
