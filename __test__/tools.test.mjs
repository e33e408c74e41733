// `client.tools` against a fake Scalekit answering the ToolService REST bindings
// (docs/wire-protocol.md §11): queries, result shapes, paging, forLLM, and executeTool's retries.

import { test, describe } from 'node:test'
import assert from 'node:assert/strict'

import sk from '../index.js'
import { startServer, sendJson, rejection } from './helpers.mjs'

const { ScalekitClient, ScalekitValidationException, ScalekitServiceUnavailableException } = sk

const TOOL = {
  id: 'tol_1',
  provider: 'GMAIL',
  tags: ['mail'],
  is_default: true,
  updated_at: '2026-01-02T03:04:05Z',
  definition: {
    name: 'gmail_send',
    description: 'Sends a mail',
    input_schema: { type: 'object', properties: { to_address: { type: 'string' } }, required: ['to_address'] },
  },
  metadata: { some_key: { nested_key: 1 } },
}
const TOOL_2 = { ...TOOL, id: 'tol_2', is_default: false, definition: { name: 'gmail_list', description: 'Lists', input_schema: { type: 'object' } } }

/** A fake Scalekit: a token, then `api(req, res, body, n)` for `/api/v1/*` (n counts per path). */
async function fakeScalekit(t, api) {
  const hits = new Map()
  const server = await startServer(t, (req, res, body) => {
    if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: 't', expires_in: 3600 })
    const path = req.url.split('?')[0]
    hits.set(path, (hits.get(path) ?? 0) + 1)
    return api(req, res, body.length ? JSON.parse(body) : undefined, hits.get(path))
  })
  const calls = (path) => server.requests.filter((r) => r.url.split('?')[0] === path)
  return { ...server, calls, client: (options) => new ScalekitClient(server.url, 'skc_1', 'secret', options) }
}

describe('client.tools', () => {
  test('listTools: dotted snake_case query, camelCase result, Structs untouched', async (t) => {
    const fake = await fakeScalekit(t, (req, res) =>
      sendJson(res, 200, { tools: [TOOL], next_page_token: 'n2', total_size: 2, tool_names: ['gmail_send'] }))
    const client = fake.client()
    assert.equal(client.tools, client.tools, 'tools is a stable property')
    const result = await client.tools.listTools({
      filter: { toolName: ['a', 'b'], provider: 'GMAIL', summary: true },
      pageSize: 50,
      pageToken: 'p1',
    })
    assert.equal(
      fake.calls('/api/v1/tools')[0].url,
      '/api/v1/tools?filter.provider=GMAIL&filter.tool_name=a&filter.tool_name=b&filter.summary=true&page_size=50&page_token=p1',
    )
    assert.deepEqual(result, {
      tools: [{
        id: 'tol_1',
        provider: 'GMAIL',
        tags: ['mail'],
        definition: TOOL.definition,
        metadata: { some_key: { nested_key: 1 } },
        isDefault: true,
        updatedAt: new Date('2026-01-02T03:04:05Z'),
      }],
      nextPageToken: 'n2',
      prevPageToken: '',
      totalSize: 2,
      toolNames: ['gmail_send'],
    })
    await client.tools.listTools()
    assert.equal(fake.calls('/api/v1/tools')[1].url, '/api/v1/tools')
  })

  test('listScopedTools and listAvailableTools take the identifier first', async (t) => {
    const fake = await fakeScalekit(t, (req, res) => {
      if (req.url.startsWith('/api/v1/tools/scoped')) {
        return sendJson(res, 200, { tools: [{ tool: TOOL, identifier: 'u@x.com', connected_account_id: 'ca_1' }], total_size: 1 })
      }
      return sendJson(res, 200, { tools: [TOOL_2], total_size: 1 })
    })
    const client = fake.client()
    const scoped = await client.tools.listScopedTools('u@x.com', {
      filter: { connectionNames: ['gmail'], providers: ['GOOGLE'], toolNames: ['x'] },
    })
    assert.equal(
      fake.calls('/api/v1/tools/scoped')[0].url,
      '/api/v1/tools/scoped?identifier=u%40x.com&filter.connection_names=gmail&filter.providers=GOOGLE&filter.tool_names=x',
    )
    assert.equal(scoped.tools[0].identifier, 'u@x.com')
    assert.equal(scoped.tools[0].connectedAccountId, 'ca_1')
    assert.deepEqual(scoped.tools[0].tool.definition, TOOL.definition)
    assert.ok(scoped.tools[0].tool.updatedAt instanceof Date)
    const available = await client.tools.listAvailableTools('u@x.com', { pageSize: 10 })
    assert.equal(fake.calls('/api/v1/tools/available')[0].url, '/api/v1/tools/available?identifier=u%40x.com&page_size=10')
    assert.equal(available.tools[0].id, 'tol_2')
    assert.equal(available.tools[0].isDefault, false)
  })

  test('argument rules are checked before anything is sent', async (t) => {
    const fake = await fakeScalekit(t, (req, res) => sendJson(res, 200, {}))
    const client = fake.client()
    for (const [call, argument] of [
      [() => client.tools.listScopedTools(undefined), 'identifier'],
      [() => client.tools.listAvailableTools('  '), 'identifier'],
      [() => client.tools.listTools({ pageSize: 1001 }), 'pageSize'],
      [() => client.tools.listTools({ filter: { toolName: 'a' } }), 'toolName'],
      [() => client.tools.forLLM({ identifier: 'u', format: 'gemini' }), 'format'],
      [() => client.tools.executeTool({ toolName: 't', retry: 'yes' }), 'retry'],
    ]) {
      const e = await rejection(call())
      assert.ok(e instanceof ScalekitValidationException, String(e))
      assert.equal(e.argument, argument, e.message)
    }
    assert.equal(fake.requests.length, 0)
  })

  test('executeTool is not retried on 503 unless the caller opts in; lists are', async (t) => {
    const fake = await fakeScalekit(t, (req, res) => sendJson(res, 503, { code: 14, message: 'busy' }))
    const client = fake.client({ maxRetries: 1 })
    const input = { to_address: 'a@b.c' }
    const call = { toolName: 'gmail_send', identifier: 'u', params: input }
    const actionsCall = { toolName: 'gmail_send', identifier: 'u', toolInput: input }
    for (const run of [() => client.tools.executeTool(call), () => client.actions.executeTool(actionsCall)]) {
      const before = fake.calls('/api/v1/execute_tool').length
      const e = await rejection(run())
      assert.ok(e instanceof ScalekitServiceUnavailableException, String(e))
      assert.equal(fake.calls('/api/v1/execute_tool').length - before, 1, 'sent once: a retry can run a tool twice')
    }
    const before = fake.calls('/api/v1/execute_tool').length
    await rejection(client.tools.executeTool({ ...call, retry: 1 }))
    assert.equal(fake.calls('/api/v1/execute_tool').length - before, 2, 'retry: 1 opts in')
    const body = JSON.parse(fake.calls('/api/v1/execute_tool').at(-1).body)
    assert.deepEqual(body, { tool_name: 'gmail_send', identifier: 'u', params: { to_address: 'a@b.c' } }, 'retry is not sent')
    await rejection(client.tools.listTools())
    assert.equal(fake.calls('/api/v1/tools').length, 2, 'a list is retried (maxRetries 1)')
  })

  test('toolTimeoutMs is the deadline of the tools calls', async (t) => {
    const fake = await fakeScalekit(t, () => {}) // never answers
    const client = fake.client({ toolTimeoutMs: 300, timeoutMs: 60_000 })
    const e = await rejection(client.tools.listTools())
    assert.equal(e.message, '[deadline_exceeded] timeout of 300ms exceeded')
  })

  for (const format of ['openai', 'anthropic']) {
    test(`forLLM (${format}): every page, definitions, and execute`, async (t) => {
      const fake = await fakeScalekit(t, (req, res, body) => {
        if (req.url.startsWith('/api/v1/tools/scoped')) {
          const page2 = req.url.includes('page_token=p2')
          const tool = page2 ? TOOL_2 : TOOL
          return sendJson(res, 200, {
            tools: [{ tool, identifier: 'u', connected_account_id: page2 ? 'ca_2' : 'ca_1' }],
            next_page_token: page2 ? '' : 'p2',
            total_size: 2,
          })
        }
        return sendJson(res, 200, { data: { echoed: body.params }, execution_id: 'ex_1' })
      })
      const client = fake.client()
      const { definitions, execute } = await client.tools.forLLM({ identifier: 'u', connectionNames: ['gmail'], format })
      assert.deepEqual(fake.calls('/api/v1/tools/scoped').map((r) => r.url), [
        '/api/v1/tools/scoped?identifier=u&filter.connection_names=gmail',
        '/api/v1/tools/scoped?identifier=u&filter.connection_names=gmail&page_token=p2',
      ])
      const schema = TOOL.definition.input_schema
      if (format === 'openai') {
        assert.deepEqual(definitions[0], { type: 'function', function: { name: 'gmail_send', description: 'Sends a mail', parameters: schema } })
        assert.equal(definitions[1].function.name, 'gmail_list')
      } else {
        assert.deepEqual(definitions[0], { name: 'gmail_send', description: 'Sends a mail', input_schema: schema })
        assert.equal(definitions[1].name, 'gmail_list')
      }
      // The model's arguments arrive as a JSON string (OpenAI) or an object (Anthropic).
      const fromString = await execute('gmail_send', '{"to_address":"a@b.c"}')
      assert.deepEqual(fromString, { data: { echoed: { to_address: 'a@b.c' } }, executionId: 'ex_1' })
      await execute('gmail_list', { q: 1 })
      const bodies = fake.calls('/api/v1/execute_tool').map((r) => JSON.parse(r.body))
      assert.deepEqual(bodies, [
        { tool_name: 'gmail_send', identifier: 'u', params: { to_address: 'a@b.c' }, connected_account_id: 'ca_1' },
        { tool_name: 'gmail_list', identifier: 'u', params: { q: 1 }, connected_account_id: 'ca_2' },
      ])
      for (const [name, args] of [['unknown_tool', {}], ['gmail_send', '{not json'], ['gmail_send', 5]]) {
        const e = await rejection(execute(name, args))
        assert.ok(e instanceof ScalekitValidationException, String(e))
      }
      const unknown = await rejection(execute('unknown_tool', {}))
      assert.match(unknown.message, /unknown tool "unknown_tool"/)
      assert.equal(fake.calls('/api/v1/execute_tool').length, 2, 'refused calls send nothing')
    })
  }
})
