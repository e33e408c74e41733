// `client.actions.mcp` (docs/wire-protocol.md §13) against a fake Scalekit that records every
// request: each method's REST binding, camelCase results with Dates, every page, argument errors
// that send nothing, error classes, abort, retries and tracing. examples/mcp.mjs (the README's
// sample) runs here against the same fake.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import dc from 'node:diagnostics_channel'
import path from 'node:path'

import sk from '../index.js'
import { ROOT, rejection, startServer, sendJson, runNode, outputOf, envWithoutScalekit } from './helpers.mjs'

const {
  ScalekitClient,
  ScalekitValidationException,
  ScalekitNotFoundException,
  ScalekitBadRequestException,
  ScalekitAbortException,
  ScalekitException,
  subscribeTracing,
} = sk

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl'
const WIRE_CONFIG = {
  id: 'cfg_1',
  name: 'daily',
  description: 'Daily digest',
  connection_tool_mappings: [{ connection_id: 'conn_1', connection_name: 'gmail', provider: 'GOOGLE', tools: ['gmail_send'] }],
  mcp_server_url: 'https://env.example/mcp/v3/servers/5f0c',
}
const WIRE_INSTANCE = {
  id: 'inst_1', name: 'mine', user_identifier: 'u@x.com', config: WIRE_CONFIG,
  last_used_at: '2026-03-01T10:00:00.123Z', updated_at: { seconds: 1_770_000_000, nanos: 0 }, url: 'https://env.example/mcp/i/1',
}

/** The answer a real Scalekit gives each route (`{}` for the deletes). */
function scalekitAnswer({ method, path: p }) {
  if (p.endsWith('/tokens')) return { token: TOKEN, expires_at: '2026-03-01T11:00:00Z' }
  if (p.endsWith(':get_auth_state')) return { connections: [{ connection_name: 'gmail', connected_account_status: 'ACTIVE' }] }
  if (p.endsWith('/connected_accounts')) return { connected_accounts: [{ connection_name: 'gmail', authentication_link: 'https://env.example/magic/1' }] }
  if (method === 'DELETE') return {}
  if (p === '/api/v1/mcp/configs' && method === 'GET') return { configs: [WIRE_CONFIG], total_size: 1 }
  if (p === '/api/v1/mcp/instances' && method === 'GET') return { instances: [WIRE_INSTANCE], total_size: 1 }
  if (p.startsWith('/api/v1/mcp/configs')) return { config: WIRE_CONFIG }
  return { instance: WIRE_INSTANCE }
}

/** What `answer` returns for a request left without an answer. */
const HANG = Symbol('hang')

/**
 * A fake Scalekit on 127.0.0.1: `/oauth/token`, then `answer(call)` → `[status, body, headers?]`
 * (default: 200 and `scalekitAnswer`), or `HANG` for no answer at all. `calls` holds every other request as
 * `{ method, path, query, body }` (path still percent-encoded; body parsed, or undefined).
 */
async function fakeScalekit(t, answer = () => undefined) {
  const calls = []
  const server = await startServer(t, (req, res, raw) => {
    const url = new URL(req.url, 'http://fake')
    if (url.pathname === '/oauth/token') return sendJson(res, 200, { access_token: 'at_1', expires_in: 3600 })
    const call = { method: req.method, path: url.pathname, query: url.search.slice(1), body: raw.length > 0 ? JSON.parse(raw) : undefined }
    calls.push(call)
    const answered = answer(call) ?? [200, scalekitAnswer(call)]
    if (answered === HANG) return
    const [status, body, headers] = answered
    sendJson(res, status, body, headers)
  })
  const client = new ScalekitClient(server.url, 'skc_1', 'secret', { maxRetries: 2, timeoutMs: 5_000 })
  return { client, mcp: client.actions.mcp, calls, server }
}

async function collect(iterable) {
  const items = []
  for await (const item of iterable) items.push(item)
  return items
}

// Each method, its params, and the request it must send: [method, path, query, body].
const BINDINGS = [
  ['listConfigs', { filter: { name: 'Daily', provider: 'GOOGLE', mcpServerUrl: 'https://e/s/1' }, search: 'da', pageSize: 30, pageToken: 'p1' },
    ['GET', '/api/v1/mcp/configs', 'filter.name=Daily&filter.provider=GOOGLE&filter.mcp_server_url=https%3A%2F%2Fe%2Fs%2F1&search=da&page_size=30&page_token=p1', undefined]],
  ['listConfigs', undefined, ['GET', '/api/v1/mcp/configs', '', undefined]],
  ['createConfig', { name: 'daily', description: 'Daily digest', connectionToolMappings: [{ connectionName: 'gmail', tools: ['gmail_send'] }, { connectionName: 'slack', tools: [] }] },
    ['POST', '/api/v1/mcp/configs', '', { name: 'daily', description: 'Daily digest', connection_tool_mappings: [{ connection_name: 'gmail', tools: ['gmail_send'] }, { connection_name: 'slack' }] }]],
  ['getConfig', { configId: 'cfg_1' }, ['GET', '/api/v1/mcp/configs/cfg_1', '', undefined]],
  ['updateConfig', { configId: 'cfg_1', description: 'new', connectionToolMappings: [{ connectionName: 'gmail', connectionId: 'conn_1', provider: 'GOOGLE', tools: [] }] },
    ['PUT', '/api/v1/mcp/configs/cfg_1', '', { description: 'new', connection_tool_mappings: [{ connection_name: 'gmail' }] }]],
  ['deleteConfig', { configId: 'cfg/1?x' }, ['DELETE', '/api/v1/mcp/configs/cfg%2F1%3Fx', '', undefined]],
  ['ensureInstance', { configName: 'daily', userIdentifier: 'u@x.com', name: 'mine' },
    ['POST', '/api/v1/mcp/instances', '', { name: 'mine', config_name: 'daily', user_identifier: 'u@x.com' }]],
  ['getInstance', { instanceId: 'inst_1' }, ['GET', '/api/v1/mcp/instances/inst_1', '', undefined]],
  ['updateInstance', { instanceId: 'inst_1', name: 'renamed', configName: 'other' },
    ['PATCH', '/api/v1/mcp/instances/inst_1', '', { name: 'renamed', config_name: 'other' }]],
  ['listInstances', { filter: { id: 'inst_1', name: 'mine', configName: 'daily', userIdentifier: 'u@x.com' }, search: 'mi', pageSize: 5 },
    ['GET', '/api/v1/mcp/instances', 'filter.id=inst_1&filter.name=mine&filter.config_name=daily&filter.user_identifier=u%40x.com&search=mi&page_size=5', undefined]],
  ['deleteInstance', { instanceId: 'inst_1' }, ['DELETE', '/api/v1/mcp/instances/inst_1', '', undefined]],
  ['getInstanceAuthState', { instanceId: 'inst_1', includeAuthLinks: true },
    ['POST', '/api/v1/mcp/instances/inst_1:get_auth_state', 'include_auth_links=true', undefined]],
  ['getInstanceAuthState', { instanceId: 'inst_1' }, ['POST', '/api/v1/mcp/instances/inst_1:get_auth_state', '', undefined]],
  ['listMcpConnectedAccounts', { configId: 'cfg_1', identifier: 'u@x.com', includeAuthLink: true },
    ['POST', '/api/v1/mcp/configs/cfg_1/connected_accounts', '', { identifier: 'u@x.com', include_auth_link: true }]],
  ['createSessionToken', { mcpConfigId: 'cfg_1', identifier: 'u@x.com', expiresInSeconds: 900, accessLevel: 'READ_ONLY' },
    ['POST', '/api/v1/mcp/configs/cfg_1/tokens', '', { identifier: 'u@x.com', expiry: '900s', access_level: 'READ_ONLY' }]],
  ['createSessionToken', { connectionName: 'github-connect', identifier: 'u@x.com' },
    ['POST', '/api/v1/mcp/connections/github-connect/tokens', '', { identifier: 'u@x.com' }]],
]

describe('each method sends its REST binding', () => {
  for (const [method, params, [verb, p, query, body]] of BINDINGS) {
    test(`${method}(${JSON.stringify(params) ?? ''}) → ${verb} ${p}`, async (t) => {
      const { mcp, calls } = await fakeScalekit(t)
      await mcp[method](params)
      assert.deepEqual(calls, [{ method: verb, path: p, query, body }])
    })
  }

  test('every method of the Python SDK is there, and covered above', () => {
    const methods = ['listConfigs', 'createConfig', 'getConfig', 'updateConfig', 'deleteConfig', 'ensureInstance', 'getInstance',
      'updateInstance', 'listInstances', 'deleteInstance', 'getInstanceAuthState', 'listMcpConnectedAccounts', 'createSessionToken']
    const client = new ScalekitClient('http://127.0.0.1:9', 'id', 'secret')
    assert.ok(client.actions.mcp instanceof sk.McpClient)
    for (const m of methods) assert.equal(typeof client.actions.mcp[m], 'function', m)
    assert.deepEqual([...new Set(BINDINGS.map(([m]) => m))].sort(), [...methods].sort())
  })
})

describe('results are the messages in camelCase, timestamps as Dates', () => {
  test('configs, instances, auth states, tokens, deletes', async (t) => {
    const { mcp } = await fakeScalekit(t)
    const config = {
      id: 'cfg_1', name: 'daily', description: 'Daily digest', mcpServerUrl: 'https://env.example/mcp/v3/servers/5f0c',
      connectionToolMappings: [{ connectionId: 'conn_1', connectionName: 'gmail', provider: 'GOOGLE', tools: ['gmail_send'] }],
    }
    assert.deepEqual(await mcp.getConfig({ configId: 'cfg_1' }), { config })
    const { instance } = await mcp.ensureInstance({ configName: 'daily', userIdentifier: 'u@x.com' })
    assert.deepEqual(instance, {
      id: 'inst_1', name: 'mine', userIdentifier: 'u@x.com', config, url: 'https://env.example/mcp/i/1',
      lastUsedAt: new Date('2026-03-01T10:00:00.123Z'), updatedAt: new Date(1_770_000_000_000),
    })
    assert.ok(instance.lastUsedAt instanceof Date)
    const [listed] = (await mcp.listInstances()).instances
    assert.ok(listed.updatedAt instanceof Date && listed.updatedAt.getTime() === 1_770_000_000_000)
    assert.deepEqual(await mcp.listConfigs(), { configs: [config], nextPageToken: '', prevPageToken: '', totalSize: 1 })

    const token = await mcp.createSessionToken({ mcpConfigId: 'cfg_1', identifier: 'u@x.com' })
    assert.deepEqual(token, { token: TOKEN, expiresAt: new Date('2026-03-01T11:00:00Z') })
    assert.ok(token.expiresAt instanceof Date)
    assert.deepEqual(await mcp.getInstanceAuthState({ instanceId: 'inst_1' }), {
      connections: [{ connectionId: '', connectionName: 'gmail', provider: '', connectedAccountId: '', connectedAccountStatus: 'ACTIVE', authenticationLink: '' }],
    })
    // The account fields of a configuration's rows are proto3 `optional`: absent when not sent.
    assert.deepEqual(await mcp.listMcpConnectedAccounts({ configId: 'cfg_1', identifier: 'u@x.com' }), {
      connectedAccounts: [{ connectionId: '', connectionName: 'gmail', provider: '', authenticationLink: 'https://env.example/magic/1' }],
    })
    assert.deepEqual(await mcp.deleteConfig({ configId: 'cfg_1' }), {})
    assert.deepEqual(await mcp.deleteInstance({ instanceId: 'inst_1' }), {})
  })

  test('a 2xx answer without what it is about is a ScalekitException, not an empty result', async (t) => {
    const { mcp } = await fakeScalekit(t, () => [200, {}])
    for (const call of [() => mcp.getConfig({ configId: 'c' }), () => mcp.getInstance({ instanceId: 'i' }),
      () => mcp.createSessionToken({ connectionName: 'gmail', identifier: 'u' })]) {
      const e = await rejection(call())
      assert.equal(e.constructor, ScalekitException, `${e.constructor.name}: ${e.message}`)
    }
  })
})

describe('pages', () => {
  /** Three pages of configurations (or instances), one item each, tokens '' → A → B. */
  function threePages({ path: p, query }) {
    const token = new URLSearchParams(query).get('page_token') ?? ''
    const next = { '': 'A', A: 'B', B: '' }[token]
    const id = `x_${token || 'first'}`
    const page = { next_page_token: next, total_size: 3 }
    return [200, p.endsWith('/configs') ? { ...page, configs: [{ ...WIRE_CONFIG, id }] } : { ...page, instances: [{ ...WIRE_INSTANCE, id }] }]
  }

  test('for await over listConfigs walks every page, with the same filter', async (t) => {
    const { mcp, calls } = await fakeScalekit(t, threePages)
    const configs = await collect(mcp.listConfigs({ filter: { provider: 'GOOGLE' }, pageSize: 1 }))
    assert.deepEqual(configs.map((c) => c.id), ['x_first', 'x_A', 'x_B'])
    assert.deepEqual(calls.map((c) => c.query), [
      'filter.provider=GOOGLE&page_size=1',
      'filter.provider=GOOGLE&page_size=1&page_token=A',
      'filter.provider=GOOGLE&page_size=1&page_token=B',
    ])
  })

  test('for await over listInstances yields instances with Dates; await alone fetches one page', async (t) => {
    const { mcp, calls } = await fakeScalekit(t, threePages)
    const first = await mcp.listInstances({ filter: { configName: 'daily' } })
    assert.equal(first.nextPageToken, 'A')
    assert.equal(calls.length, 1)
    const instances = await collect(mcp.listInstances())
    assert.deepEqual(instances.map((i) => i.id), ['x_first', 'x_A', 'x_B'])
    assert.ok(instances.every((i) => i.lastUsedAt instanceof Date))
    assert.equal(calls.length, 4)
  })
})

describe('argument errors name the argument and send nothing', () => {
  const BAD = [
    ['getConfig', { confgId: 'cfg_1' }, 'params', /actions\.mcp\.getConfig takes no "confgId"; it takes configId/],
    ['getConfig', {}, 'configId', /^configId is required$/],
    ['getConfig', undefined, 'params', /params must be an object/],
    ['getInstance', { instanceId: '..' }, 'instanceId', /cannot be/],
    ['listConfigs', { pageSize: 31 }, 'pageSize', /^pageSize must be a whole number from 0 to 30$/],
    ['listConfigs', { filter: { name: 'bad name' } }, 'filter.name', /letters, digits/],
    ['listConfigs', { filter: { nmae: 'x' } }, 'filter', /filter takes no "nmae"/],
    ['listInstances', { filter: { userIdentifier: 5 } }, 'filter.userIdentifier', /must be a string/],
    ['createConfig', { name: 'Daily Digest' }, 'name', /^name must be 1 to 100 characters of a-z, 0-9, _ and -/],
    ['createConfig', { name: 'x'.repeat(101) }, 'name', /1 to 100/],
    ['createConfig', { name: 'ok', connectionToolMappings: Array.from({ length: 26 }, (_, i) => ({ connectionName: `c${i}` })) },
      'connectionToolMappings', /at most 25/],
    ['createConfig', { name: 'ok', connectionToolMappings: [{ tools: ['t'] }] }, 'connectionToolMappings', /\[0\]\.connectionName is required/],
    ['updateConfig', { configId: 'cfg_1', name: 'renamed' }, 'params', /takes no "name"/],
    ['ensureInstance', { configName: 'daily' }, 'userIdentifier', /^userIdentifier is required$/],
    ['updateInstance', { instanceId: 'inst_1' }, 'name', /at least one of name and configName/],
    ['getInstanceAuthState', { instanceId: 'inst_1', includeAuthLinks: 'yes' }, 'includeAuthLinks', /must be a boolean/],
    ['listMcpConnectedAccounts', { configId: 'cfg_1' }, 'identifier', /^identifier is required$/],
    ['createSessionToken', { identifier: 'u' }, 'mcpConfigId', /either mcpConfigId or connectionName is required/],
    ['createSessionToken', { mcpConfigId: 'cfg_1', connectionName: 'gmail', identifier: 'u' }, 'connectionName', /not both/],
    ['createSessionToken', { mcpConfigId: 'cfg_1' }, 'identifier', /^identifier is required$/],
    ['createSessionToken', { mcpConfigId: 'cfg_1', identifier: 'x'.repeat(256) }, 'identifier', /at most 255/],
    ['createSessionToken', { mcpConfigId: 'cfg_1', identifier: 'u', expiresInSeconds: 59 }, 'expiresInSeconds', /60 to 86400/],
    ['createSessionToken', { mcpConfigId: 'cfg_1', identifier: 'u', expiresInSeconds: 86_401 }, 'expiresInSeconds', /60 to 86400/],
    ['createSessionToken', { mcpConfigId: 'cfg_1', identifier: 'u', expiresInSeconds: Number.NaN }, 'expiresInSeconds', /must be a number/],
    ['createSessionToken', { mcpConfigId: 'cfg_1', identifier: 'u', accessLevel: 'read_only' }, 'accessLevel', /'FULL' or 'READ_ONLY'/],
  ]

  test('each rule', async (t) => {
    const { mcp, server } = await fakeScalekit(t)
    for (const [method, params, argument, message] of BAD) {
      const e = await rejection(mcp[method](params))
      const label = `${method}(${JSON.stringify(params)})`
      assert.ok(e instanceof ScalekitValidationException, `${label}: ${e.constructor.name} ${e.message}`)
      assert.equal(e.argument, argument, label)
      assert.match(e.message, message, label)
    }
    assert.deepEqual(server.requests, [], 'nothing sent, not even a token request')
  })

  test('a second argument is refused, as every method refuses it', async (t) => {
    const { mcp, server } = await fakeScalekit(t)
    const e = await rejection(mcp.getConfig({ configId: 'cfg_1' }, { signal: AbortSignal.timeout(1000) }))
    assert.ok(e instanceof ScalekitValidationException)
    assert.equal(e.argument, 'arguments[1]')
    assert.match(e.message, /^actions\.mcp\.getConfig takes no second argument/)
    const signal = AbortSignal.abort()
    assert.ok(await rejection(mcp.listConfigs({}, signal)) instanceof ScalekitValidationException)
    assert.deepEqual(server.requests, [])
  })
})

describe('failures, retries and abort take the account calls\' rules', () => {
  test('404 → ScalekitNotFoundException, 400 → ScalekitBadRequestException', async (t) => {
    const { mcp } = await fakeScalekit(t, ({ path: p }) => p.endsWith('/missing')
      ? [404, { code: 5, message: 'mcp config missing not found', details: [{ '@type': 'type.googleapis.com/scalekit.v1.errdetails.ErrorInfo', error_code: 'NOT_FOUND' }] }]
      : [400, { code: 3, message: 'connection gmail has no active connected account for u' }])
    const missing = await rejection(mcp.getConfig({ configId: 'missing' }))
    assert.ok(missing instanceof ScalekitNotFoundException, `${missing.constructor.name}: ${missing.message}`)
    assert.equal(missing.httpStatus, 404)
    assert.equal(missing.grpcStatus, 5)
    assert.equal(missing.errorCode, 'NOT_FOUND')
    assert.match(missing.message, /\[not_found\] mcp config missing not found/)
    const bad = await rejection(mcp.createSessionToken({ mcpConfigId: 'cfg_1', identifier: 'u' }))
    assert.ok(bad instanceof ScalekitBadRequestException, `${bad.constructor.name}: ${bad.message}`)
    assert.equal(bad.httpStatus, 400)
    assert.ok(!bad.message.includes(TOKEN))
  })

  test('a 503 is retried, GET and POST alike (the control plane\'s rule), with the same token', async (t) => {
    const seen = new Map()
    const { mcp, calls, server } = await fakeScalekit(t, (call) => {
      const n = seen.get(call.path) ?? 0
      seen.set(call.path, n + 1)
      return n === 0 ? [503, { code: 14, message: 'try again' }, { 'retry-after': '0' }] : undefined
    })
    assert.equal((await mcp.getConfig({ configId: 'cfg_1' })).config.id, 'cfg_1')
    assert.equal((await mcp.createSessionToken({ connectionName: 'gmail', identifier: 'u' })).token, TOKEN)
    assert.deepEqual(calls.map((c) => `${c.method} ${c.path}`), [
      'GET /api/v1/mcp/configs/cfg_1', 'GET /api/v1/mcp/configs/cfg_1',
      'POST /api/v1/mcp/connections/gmail/tokens', 'POST /api/v1/mcp/connections/gmail/tokens',
    ])
    assert.equal(server.requests.filter((r) => r.url === '/oauth/token').length, 1)
    assert.ok(server.requests.filter((r) => r.url !== '/oauth/token').every((r) => r.headers.authorization === 'Bearer at_1'))
  })

  test('{ signal }: an abort rejects with ScalekitAbortException; an aborted signal sends nothing', async (t) => {
    let arrived
    const arrival = new Promise((resolve) => { arrived = resolve })
    const { mcp, calls } = await fakeScalekit(t, () => {
      arrived()
      return HANG
    })
    const controller = new AbortController()
    const reason = new Error('user left')
    const call = mcp.listMcpConnectedAccounts({ configId: 'cfg_1', identifier: 'u', signal: controller.signal })
    await arrival
    controller.abort(reason)
    const e = await rejection(call)
    assert.ok(e instanceof ScalekitAbortException, `${e.constructor.name}: ${e.message}`)
    assert.equal(e.cause, reason)
    const before = calls.length
    const early = await rejection(mcp.createSessionToken({ mcpConfigId: 'cfg_1', identifier: 'u', signal: AbortSignal.abort() }))
    assert.ok(early instanceof ScalekitAbortException)
    assert.equal(calls.length, before)
  })
})

test('tracing reports each call\'s route without its ids, and never the token', async (t) => {
  const events = []
  const unsubscribe = subscribeTracing({
    start: (e) => events.push(['start', e]),
    end: (e) => events.push(['end', e]),
    error: (e) => events.push(['error', e]),
  })
  t.after(unsubscribe)
  const { mcp } = await fakeScalekit(t, ({ path: p }) => p.includes('missing') ? [404, { code: 5, message: 'not found' }] : undefined)
  await mcp.createSessionToken({ mcpConfigId: 'cfg_1', identifier: 'u@x.com' })
  await mcp.createSessionToken({ connectionName: 'gmail', identifier: 'u@x.com' })
  await mcp.getInstanceAuthState({ instanceId: 'inst_1' })
  await rejection(mcp.deleteConfig({ configId: 'missing' }))
  const starts = events.filter(([kind, e]) => kind === 'start' && e.kind === 'control').map(([, e]) => `${e.method} ${e.path}`)
  assert.deepEqual(starts, [
    'POST /api/v1/mcp/configs/{mcp_config_id}/tokens',
    'POST /api/v1/mcp/connections/{key_id}/tokens',
    'POST /api/v1/mcp/instances/{instance_id}:get_auth_state',
    'DELETE /api/v1/mcp/configs/{config_id}',
  ])
  const error = events.find(([kind]) => kind === 'error')?.[1].error
  assert.ok(error instanceof ScalekitNotFoundException)
  const text = JSON.stringify(events, (_k, v) => v instanceof Error ? { message: v.message, stack: v.stack } : v)
  assert.ok(!text.includes(TOKEN), 'no event carries the session token')
  assert.ok(!text.includes('cfg_1') && !text.includes('inst_1'), 'nor an id')
  assert.equal(dc.channel('scalekit-native:request:start').hasSubscribers, true)
})

test('examples/mcp.mjs (the README sample) runs against a fake Scalekit', { timeout: 60_000 }, async (t) => {
  const { server, calls } = await fakeScalekit(t)
  const env = envWithoutScalekit({ SCALEKIT_ENV_URL: server.url, SCALEKIT_CLIENT_ID: 'skc_1', SCALEKIT_CLIENT_SECRET: 'secret' })
  const r = await runNode([path.join(ROOT, 'examples', 'mcp.mjs')], { t, env, stdin: 'ignore', timeoutMs: 50_000 })
  assert.equal(r.code, 0, outputOf(r))
  assert.match(r.stdout, /^gmail NOT_CONNECTED https:\/\/env\.example\/magic\/1$/m, outputOf(r))
  assert.match(r.stdout, /^https:\/\/env\.example\/mcp\/v3\/servers\/5f0c token of \d+ characters, until 2026-03-01T11:00:00\.000Z$/m)
  assert.match(r.stdout, /^daily \[ 'gmail' \]$/m)
  assert.ok(!r.stdout.includes(TOKEN), 'the sample prints no token')
  assert.deepEqual(calls.map((c) => `${c.method} ${c.path}`), [
    'POST /api/v1/mcp/configs',
    'POST /api/v1/mcp/configs/cfg_1/connected_accounts',
    'POST /api/v1/mcp/configs/cfg_1/tokens',
    'GET /api/v1/mcp/configs',
    'DELETE /api/v1/mcp/configs/cfg_1',
  ])
})
