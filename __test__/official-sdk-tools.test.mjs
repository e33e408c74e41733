// `tools.*` parity (issue 14; docs/wire-protocol.md §11, §12): the official @scalekit-sdk/node
// 2.11.0 (gRPC) and this client (REST) make the same calls against one LocalScalekit with a tool
// catalog and must agree: the same tools, names, definitions and metadata (Struct keys untouched),
// page tokens and totalSize, execute data, error classes, and what the upstream received.
// Only representation differs, and `plain` below undoes exactly that: protobuf-es messages
// (`$typeName`) become plain objects, a Timestamp a Date, a bigint a number; unset fields (absent
// on one side, `undefined` on the other) are left out.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

import { LocalScalekit } from '../index.js'
import { startServer, sendJson, rejection } from './helpers.mjs'

const require = createRequire(import.meta.url)
const Official = require('@scalekit-sdk/node')

/** A protobuf-es value as this client represents it (see the file comment). */
function plain(value) {
  if (typeof value === 'bigint') return Number(value)
  if (Array.isArray(value)) return value.map(plain)
  if (value === null || typeof value !== 'object' || value instanceof Date) return value
  if (value.$typeName === 'google.protobuf.Timestamp') {
    return new Date(Number(value.seconds) * 1000 + Math.floor(value.nanos / 1e6))
  }
  const out = {}
  for (const [key, v] of Object.entries(value)) {
    if (key !== '$typeName' && v !== undefined) out[key] = plain(v)
  }
  return out
}

/** What both sides' failures must share (the execution id aside, which differs per run). */
function failure(e) {
  return {
    name: e.constructor.name,
    httpStatus: e.httpStatus,
    grpcStatus: e.grpcStatus,
    errorCode: e.errorCode,
    message: e.message,
    isToolError: e.isToolError === true,
    toolErrorCode: e.toolErrorCode,
    toolErrorMessage: e.toolErrorMessage,
  }
}

const USER = 'u@x.com'
let upstream
let local
let official
let ours

before(async () => {
  // The provider behind both connections: records what it receives (the injected credentials
  // included) and answers a fixed JSON, or 503 on `/fail`.
  upstream = await startServer(null, (req, res, body) => {
    if (req.url.startsWith('/fail')) return sendJson(res, 503, { error: 'down for maintenance' })
    sendJson(res, 200, { method: req.method, url: req.url, body: body.toString(), nested_key: { snake_case: [1, 'two'] } })
  })
  local = await LocalScalekit.start({
    connections: [
      { name: 'crm', provider: 'CRM', upstreamUrl: upstream.url },
      { name: 'keys', authType: 'API_KEY', apiKey: { header: 'X-Key' }, upstreamUrl: upstream.url },
    ],
    accounts: [
      { connectionName: 'crm', identifier: USER, authorizationDetails: { oauth_token: { access_token: 'tok-crm' } } },
      { connectionName: 'keys', identifier: USER, authorizationDetails: { static_auth: { details: { api_key: 'key-1' } } } },
      { connectionName: 'keys', identifier: 'v@x.com' },
    ],
    tools: [
      {
        name: 'crm_get_contact',
        connection: 'crm',
        description: 'Get one contact',
        inputSchema: { type: 'object', required: ['contact_id'], properties: { contact_id: { type: 'string' }, with_notes: { type: 'boolean' } } },
        request: { method: 'GET', path: '/contacts/{contact_id}' },
      },
      {
        name: 'crm_create_contact',
        connection: 'crm',
        description: 'Create a contact',
        inputSchema: { type: 'object', required: ['full_name'], properties: { full_name: { type: 'string' }, max_age: { type: 'integer' } } },
        request: { method: 'POST', path: '/contacts' },
      },
      { name: 'crm_list_contacts', connection: 'crm', description: 'List contacts', request: { path: '/contacts' } },
      { name: 'crm_fail', connection: 'crm', description: 'Always fails upstream', request: { method: 'POST', path: '/fail' } },
      { name: 'keys_search', connection: 'keys', description: 'Search by key', request: { path: '/search' } },
    ],
  })
  official = new Official.ScalekitClient(local.url, local.clientId, local.clientSecret).tools
  ours = local.client().tools
})

after(async () => {
  await local?.close()
  await upstream?.close()
})

/** Runs `call` on both clients and asserts the (normalised) results are equal; returns ours. */
async function agree(label, call) {
  const theirs = plain(await call(official))
  const mine = plain(await call(ours))
  assert.deepStrictEqual(mine, theirs, label)
  return mine
}

/** Every page of a list call on both clients, page by page. */
async function agreeOnPages(label, call) {
  const pages = []
  let token
  do {
    const page = await agree(`${label}, page ${pages.length + 1}`, (tools) => call(tools, token))
    pages.push(page)
    token = page.nextPageToken
  } while (token && pages.length < 10)
  return pages
}

test('listTools: the whole catalog, pages, and every filter', async () => {
  const all = await agree('no options', (tools) => tools.listTools())
  assert.equal(all.totalSize, 5)
  assert.deepEqual(all.tools.map((t) => t.definition.name), [
    'crm_get_contact', 'crm_create_contact', 'crm_list_contacts', 'crm_fail', 'keys_search',
  ])
  const first = all.tools[0]
  assert.ok(first.updatedAt instanceof Date)
  assert.deepEqual(Object.keys(first.definition).sort(), ['description', 'input_schema', 'name'])
  assert.deepEqual(Object.keys(first.definition.input_schema.properties), ['contact_id', 'with_notes'])

  const pages = await agreeOnPages('pageSize 2', (tools, pageToken) => tools.listTools({ pageSize: 2, pageToken }))
  assert.deepEqual(pages.map((p) => [p.tools.length, p.totalSize, p.prevPageToken === '', p.nextPageToken === '']), [
    [2, 5, true, false], [2, 5, false, false], [1, 5, false, true],
  ])

  for (const [filter, names] of [
    [{ provider: 'crm' }, ['crm_get_contact', 'crm_create_contact', 'crm_list_contacts', 'crm_fail']],
    [{ connector: 'keys' }, ['keys_search']],
    [{ toolName: ['keys_search', 'crm_fail'] }, ['crm_fail', 'keys_search']],
    [{ identifier: 'v@x.com' }, ['keys_search']],
    [{ query: 'CONTACT' }, ['crm_get_contact', 'crm_create_contact', 'crm_list_contacts']],
    [{ query: 'create contact', provider: 'CRM' }, ['crm_create_contact']],
    [{ summary: false, connector: 'crm', query: 'fail' }, ['crm_fail']],
  ]) {
    const result = await agree(JSON.stringify(filter), (tools) => tools.listTools({ filter }))
    assert.deepEqual(result.tools.map((t) => t.definition.name), names, JSON.stringify(filter))
    assert.equal(result.totalSize, names.length)
  }

  const summaries = await agreeOnPages('summary', (tools, pageToken) =>
    tools.listTools({ filter: { summary: true, provider: 'CRM' }, pageSize: 3, pageToken }))
  assert.deepEqual(summaries.map((p) => p.toolNames), [
    ['crm_get_contact', 'crm_create_contact', 'crm_list_contacts'], ['crm_fail'],
  ])
  assert.deepEqual(summaries.map((p) => p.tools), [[], []])
})

test('listTools: refused filters fail alike', async () => {
  for (const filter of [{ query: 'ab' }, { provider: 'p'.repeat(51) }, { connector: 'a/b' }, { connectedAccountId: 'acc_1' }]) {
    const theirs = await rejection(official.listTools({ filter }))
    const mine = await rejection(ours.listTools({ filter }))
    assert.deepStrictEqual(failure(mine), failure(theirs), JSON.stringify(filter))
    assert.equal(mine.constructor.name, 'ScalekitBadRequestException')
  }
})

test('listScopedTools and listAvailableTools: pages, filters, account ids', async () => {
  const pages = await agreeOnPages('scoped', (tools, pageToken) => tools.listScopedTools(USER, { filter: {}, pageSize: 2, pageToken }))
  const items = pages.flatMap((p) => p.tools)
  assert.equal(items.length, 5)
  assert.equal(pages[0].totalSize, 5)
  const accounts = local.accounts()
  const crmId = accounts.find((a) => a.connector === 'crm').id
  assert.deepEqual([...new Set(items.slice(0, 4).map((i) => i.connectedAccountId))], [crmId])
  assert.ok(items.every((i) => i.identifier === USER))

  for (const filter of [{ connectionNames: ['keys'] }, { providers: ['crm'] }, { toolNames: ['crm_fail', 'keys_search'] }]) {
    await agree(`scoped ${JSON.stringify(filter)}`, (tools) => tools.listScopedTools(USER, { filter }))
  }
  // v@x.com's account is not ACTIVE: nothing is scoped to it.
  const none = await agree('scoped, not ACTIVE', (tools) => tools.listScopedTools('v@x.com', { filter: {} }))
  assert.equal(none.totalSize, 0)

  const available = await agreeOnPages('available', (tools, pageToken) => tools.listAvailableTools(USER, { pageSize: 3, pageToken }))
  assert.deepEqual(available.map((p) => p.tools.length), [3, 2])
  await agree('available, no options', (tools) => tools.listAvailableTools(USER))
})

/** The upstream requests of one execution on each client, made of `call`. */
async function executeOnBoth(label, call) {
  const before = upstream.requests.length
  const result = await agree(label, async (tools) => {
    const { executionId, ...rest } = await call(tools)
    assert.match(executionId, /^exec_/, label)
    return rest
  })
  return { result, received: upstream.requests.slice(before) }
}

test('executeTool: the same data; the upstream saw the injected credentials for both', async () => {
  const get = await executeOnBoth('get by identifier', (tools) =>
    tools.executeTool({ toolName: 'crm_get_contact', identifier: USER, params: { contact_id: 'c 1', with_notes: true } }))
  assert.deepEqual(get.result.data, { method: 'GET', url: '/contacts/c%201?with_notes=true', body: '', nested_key: { snake_case: [1, 'two'] } })
  assert.equal(get.received.length, 2)
  for (const r of get.received) assert.equal(r.headers.authorization, 'Bearer tok-crm')

  const keysId = local.accounts().find((a) => a.connector === 'keys' && a.identifier === USER).id
  const search = await executeOnBoth('by connected account id', (tools) =>
    tools.executeTool({ toolName: 'keys_search', connectedAccountId: keysId, params: { q: ['a', 'b'] } }))
  assert.equal(search.result.data.url, '/search?q=a&q=b')
  assert.deepEqual(search.received.map((r) => [r.headers['x-key'], r.headers.authorization]), [['key-1', undefined], ['key-1', undefined]])

  const create = await executeOnBoth('POST body', (tools) =>
    tools.executeTool({ toolName: 'crm_create_contact', identifier: USER, connector: 'crm', params: { full_name: 'Ada', max_age: 36 } }))
  assert.deepEqual(JSON.parse(create.result.data.body), { full_name: 'Ada', max_age: 36 })
  for (const r of create.received) {
    assert.equal(r.headers.authorization, 'Bearer tok-crm')
    assert.equal(r.headers['content-type'], 'application/json')
  }
})

test('executeTool failures: schema refusal (nothing reaches the upstream), upstream failure, unknown tool', async () => {
  const before = upstream.requests.length
  for (const params of [{}, { full_name: 3 }, { full_name: 'Ada', max_age: 1.5 }]) {
    const call = { toolName: 'crm_create_contact', identifier: USER, params }
    const theirs = await rejection(official.executeTool(call))
    const mine = await rejection(ours.executeTool(call))
    assert.deepStrictEqual(failure(mine), failure(theirs), JSON.stringify(params))
    assert.equal(mine.constructor.name, 'ScalekitBadRequestException')
    assert.equal(mine.errorCode, 'INVALID_ARGUMENT')
  }
  assert.equal(upstream.requests.length, before, 'a refused input reaches no upstream')

  const call = { toolName: 'crm_fail', identifier: USER, params: { x: 1 } }
  const theirs = await rejection(official.executeTool(call))
  const mine = await rejection(ours.executeTool(call))
  assert.deepStrictEqual(failure(mine), failure(theirs))
  assert.equal(mine.constructor.name, 'ScalekitToolException')
  assert.equal(mine.errorCode, 'TOOL_ERROR')
  assert.equal(mine.toolErrorCode, '503')
  assert.match(mine.executionId, /^exec_/)
  assert.match(theirs.executionId, /^exec_/)
  const failed = upstream.requests.slice(before)
  assert.deepEqual(failed.map((r) => [r.url, r.headers.authorization]), [['/fail', 'Bearer tok-crm'], ['/fail', 'Bearer tok-crm']])

  // An unknown tool, an account that is not ACTIVE, an account of another connection.
  for (const [other, name] of [
    [{ toolName: 'no_such_tool', identifier: USER }, 'ScalekitNotFoundException'],
    [{ toolName: 'keys_search', identifier: 'v@x.com' }, 'ScalekitBadRequestException'],
    [{ toolName: 'keys_search', identifier: USER, connector: 'crm' }, 'ScalekitBadRequestException'],
  ]) {
    const mine = await rejection(ours.executeTool(other))
    assert.deepStrictEqual(failure(mine), failure(await rejection(official.executeTool(other))), JSON.stringify(other))
    assert.equal(mine.constructor.name, name, mine.message)
  }
  assert.equal(upstream.requests.length, before + 2, 'none of these reached the upstream')
})
