// Auto-pagination (docs/architecture.md, "Pages"): the promise of a list call is also
// async-iterable over every item of every page; pages are fetched only as the loop reaches them.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import v8 from 'node:v8'
import vm from 'node:vm'

import sk from '../index.js'
import { rejection, startServer, sendJson } from './helpers.mjs'

const { LocalScalekit, ScalekitAbortException, ScalekitException, ScalekitValidationException } = sk

const COUNT = 25
const identifier = 'pager'
let local
let client

before(async () => {
  const accounts = []
  for (let i = 0; i < COUNT; i++) {
    accounts.push({ connectionName: 'crm', identifier: `user-${String(i).padStart(2, '0')}`, authorizationDetails: { oauth_token: { access_token: `t${i}` } } })
  }
  accounts.push({ connectionName: 'other', identifier, authorizationDetails: { oauth_token: { access_token: 'x' } } })
  const tools = []
  for (let i = 0; i < COUNT; i++) {
    tools.push({ name: `other_tool_${String(i).padStart(2, '0')}`, connection: 'other', request: { path: `/v1/t${i}` } })
  }
  local = await LocalScalekit.start({
    connections: [{ name: 'crm', authType: 'OAUTH' }, { name: 'other', authType: 'OAUTH' }],
    accounts,
    tools,
  })
  client = local.client()
})
after(() => local?.close())

/** Requests served for `endpoint` while `run` ran. */
async function served(endpoint, run) {
  local.resetStats()
  const result = await run()
  return { result, requests: local.stats()[endpoint] }
}

async function collect(iterable, limit = Infinity) {
  const items = []
  for await (const item of iterable) {
    items.push(item)
    if (items.length >= limit) break
  }
  return items
}

describe('listConnectedAccounts', () => {
  test('await gives the first page, as before', async () => {
    const { result, requests } = await served('connected_accounts.list', () =>
      client.actions.listConnectedAccounts({ connectionName: 'crm', pageSize: 10 }))
    assert.equal(result.connectedAccounts.length, 10)
    assert.notEqual(result.nextPageToken, '')
    assert.equal(requests, 1)
  })

  test(`for await walks all ${COUNT} accounts with pageSize 10: three page requests`, async () => {
    const { result, requests } = await served('connected_accounts.list', () =>
      collect(client.actions.listConnectedAccounts({ connectionName: 'crm', pageSize: 10 })))
    assert.equal(requests, 3)
    const identifiers = result.map((a) => a.identifier)
    assert.deepEqual(identifiers, [...new Set(identifiers)].sort(), 'each account once, in order')
    assert.equal(identifiers.length, COUNT, 'the filter applies to every page')
    assert.ok(result[0].updatedAt instanceof Date, 'items are revived as on the first page')
  })

  test('breaking out of the loop fetches no further page', async () => {
    const firstOnly = await served('connected_accounts.list', () =>
      collect(client.actions.listConnectedAccounts({ connectionName: 'crm', pageSize: 10 }), 3))
    assert.equal(firstOnly.result.length, 3)
    assert.equal(firstOnly.requests, 1)
    const two = await served('connected_accounts.list', () =>
      collect(client.actions.listConnectedAccounts({ connectionName: 'crm', pageSize: 10 }), 12))
    assert.equal(two.requests, 2)
  })

  test('the signal applies to every page', async () => {
    const controller = new AbortController()
    local.resetStats()
    const seen = []
    const e = await rejection((async () => {
      for await (const account of client.actions.listConnectedAccounts({ connectionName: 'crm', pageSize: 10, signal: controller.signal })) {
        seen.push(account)
        if (seen.length === 10) controller.abort()
      }
    })())
    assert.ok(e instanceof ScalekitAbortException, e)
    assert.equal(seen.length, 10)
    assert.equal(local.stats()['connected_accounts.list'], 1, 'the next page was never requested')
  })

  test('bad params reject the loop as they reject the await', async () => {
    const e = await rejection(collect(client.actions.listConnectedAccounts({ pageSize: 1000 })))
    assert.ok(e instanceof ScalekitValidationException, e)
    assert.equal(e.argument, 'pageSize')
  })

  test('listConnections pages the same way', async () => {
    const all = await collect(client.actions.listConnections({ pageSize: 1 }))
    assert.deepEqual(all.map((c) => c.connectionName).sort(), ['crm', 'other'])
  })
})

describe('tools listings', () => {
  for (const [name, endpoint, list] of [
    ['listTools', 'tools.list', (o) => client.tools.listTools(o)],
    ['listScopedTools', 'tools.scoped', (o) => client.tools.listScopedTools(identifier, o)],
    ['listAvailableTools', 'tools.available', (o) => client.tools.listAvailableTools(identifier, o)],
  ]) {
    test(`${name}: await gives the first page; for await walks all ${COUNT} tools in 3 pages; break stops`, async () => {
      const first = await served(endpoint, () => list({ pageSize: 10 }))
      assert.equal(first.result.tools.length, 10)
      assert.equal(first.requests, 1)
      const all = await served(endpoint, () => collect(list({ pageSize: 10 })))
      assert.equal(all.requests, 3)
      assert.equal(all.result.length, COUNT)
      const tool = (item) => item.tool ?? item
      assert.equal(new Set(all.result.map((item) => tool(item).definition.name)).size, COUNT)
      assert.ok(tool(all.result[COUNT - 1]).updatedAt instanceof Date, 'later pages are revived too')
      const early = await served(endpoint, () => collect(list({ pageSize: 10 }), 1))
      assert.equal(early.requests, 1)
    })
  }
})

test('a filter.summary listing walks the tool names of every page', async () => {
  const names = await served('tools.list', () => collect(client.tools.listTools({ pageSize: 10, filter: { summary: true } })))
  assert.equal(names.requests, 3)
  assert.equal(names.result.length, COUNT)
  assert.ok(names.result.every((n) => typeof n === 'string' && n.startsWith('other_tool_')), names.result.join())
})

test('a server handing out a token already followed ends the walk (no endless loop)', async (t) => {
  // Pages A → B → A …, and a first page asked with token X that answers X again.
  const next = { '': 'A', A: 'B', B: 'A', X: 'X' }
  const asked = []
  const { url } = await startServer(t, (req, res) => {
    const u = new URL(req.url, 'http://x')
    if (u.pathname === '/oauth/token') return sendJson(res, 200, { access_token: 't', expires_in: 3600 })
    const token = u.searchParams.get('page_token') ?? ''
    asked.push(token)
    sendJson(res, 200, { connected_accounts: [{ id: `ca_${token || 'first'}` }], total_size: 3, next_page_token: next[token] })
  })
  const { actions } = new sk.ScalekitClient(url, 'id', 'secret')
  const ids = (await collect(actions.listConnectedAccounts({}))).map((a) => a.id)
  assert.deepEqual(ids, ['ca_first', 'ca_A', 'ca_B'])
  assert.deepEqual(asked, ['', 'A', 'B'])
  asked.length = 0
  assert.equal((await collect(actions.listConnectedAccounts({ pageToken: 'X' }))).length, 1)
  assert.deepEqual(asked, ['X'])
})

/**
 * A fake Scalekit whose every list page is empty and names a fresh next page (`token(n)` for the
 * n-th page request): `asked()` counts the page requests, `onPage(n)` runs before each answer.
 */
async function endlessPages(t, { token = (n) => `t${n}`, onPage = () => {}, items = () => [] } = {}) {
  let asked = 0
  const server = await startServer(t, (req, res) => {
    // The helper keeps every request; the memory test must not count them.
    server.requests.length = 0
    if (new URL(req.url, 'http://x').pathname === '/oauth/token') return sendJson(res, 200, { access_token: 't', expires_in: 3600 })
    asked++
    onPage(asked)
    sendJson(res, 200, { connected_accounts: items(asked), tools: [], total_size: 0, next_page_token: token(asked) })
  })
  return { client: new sk.ScalekitClient(server.url, 'id', 'secret'), asked: () => asked }
}

test('empty pages with a fresh token each: the walk ends after 1000 in a row, with a ScalekitException', { timeout: 60_000 }, async (t) => {
  // Every 500th page has an item: the empty pages between never reach 1000 in a row, so the walk
  // goes on past them; after the last item, 1000 empty pages end it.
  const { client, asked } = await endlessPages(t, { items: (n) => (n % 500 === 0 && n <= 1500 ? [{ id: `ca_${n}` }] : []) })
  const e = await rejection(collect(client.actions.listConnectedAccounts({})))
  assert.equal(e.constructor, ScalekitException, e)
  assert.match(e.message, /^actions\.listConnectedAccounts: the listing did not end after 1000 pages in a row without an item \(the server kept answering with a next page token\)$/)
  assert.equal(asked(), 2500, 'the items up to page 1500, then 1000 empty pages')
  const tools = await endlessPages(t)
  const te = await rejection(collect(tools.client.tools.listTools({})))
  assert.match(te.message, /^tools\.listTools: the listing did not end after 1000 pages in a row/)
  assert.equal(tools.asked(), 1000)
})

test('a listing of more than 1000 pages with items is walked to its end', { timeout: 60_000 }, async (t) => {
  const { client, asked } = await endlessPages(t, { items: (n) => [{ id: `ca_${n}` }], token: (n) => (n < 1500 ? `t${n}` : '') })
  const ids = (await collect(client.actions.listConnectedAccounts({ pageSize: 1 }))).map((a) => a.id)
  assert.equal(ids.length, 1500)
  assert.equal(ids.at(-1), 'ca_1500')
  assert.equal(asked(), 1500)
})

test('the walk does not keep every token it followed: 1000 pages of 12 000-character tokens', async (t) => {
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc')
  const heap = {}
  const { client } = await endlessPages(t, {
    token: (n) => `${n}:`.padEnd(12_000, 'p'),
    onPage: (n) => {
      // While the walk waits for page n: what it holds then, after a full collection.
      if (n === 100 || n === 1000) {
        gc()
        heap[n] = process.memoryUsage().heapUsed
      }
    },
  })
  const e = await rejection(collect(client.actions.listConnectedAccounts({})))
  assert.equal(e.constructor, ScalekitException, e)
  const growth = heap[1000] - heap[100]
  t.diagnostic(`heap growth from page 100 to page 1000: ${(growth / 1024 / 1024).toFixed(1)} MiB`)
  // Keeping each token would hold 900 × 12 000 bytes, about 10 MiB.
  assert.ok(growth < 4 * 1024 * 1024, `the heap grew by ${growth} bytes over 900 pages`)
})
