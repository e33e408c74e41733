// What the Python SDK 2.21 has that @scalekit-sdk/node 2.11 lacks (docs/wire-protocol.md §15):
// `actions.getConnectedAccountDetails` (no credentials; what waitForConnectedAccount polls) and
// tool modifiers on every path that runs a tool.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'

import * as sk from '../index.js'
import { rejection } from './helpers.mjs'

const USER = 'ada@x.com'
let local
let client

before(async () => {
  local = await sk.LocalScalekit.start({
    connections: [{ name: 'crm', provider: 'CRM' }],
    accounts: [{ connectionName: 'crm', identifier: USER, authorizationDetails: { oauth_token: { access_token: 'secret-token' } } }],
    tools: [
      {
        name: 'crm_get_contact',
        connection: 'crm',
        description: 'Get one contact',
        inputSchema: { type: 'object', required: ['contact_id'], properties: { contact_id: { type: 'string' } } },
        request: { method: 'GET', path: '/contacts/{contact_id}' },
      },
    ],
  })
  client = local.client()
})

after(async () => {
  await local?.close()
})

test('getConnectedAccountDetails: the account without its credentials, over the details route', async () => {
  const before = local.stats()
  const { connectedAccount } = await client.actions.getConnectedAccountDetails({ connectionName: 'crm', identifier: USER })
  assert.equal(connectedAccount.status, 'ACTIVE')
  assert.equal(connectedAccount.connector, 'crm')
  assert.ok(connectedAccount.updatedAt instanceof Date)
  assert.equal(connectedAccount.authorizationDetails, undefined)
  assert.ok(!JSON.stringify(connectedAccount).includes('secret-token'))
  const full = await client.actions.getConnectedAccount({ connectionName: 'crm', identifier: USER })
  assert.equal(full.connectedAccount.id, connectedAccount.id)
  assert.equal(full.connectedAccount.authorizationDetails.details.value.accessToken, 'secret-token')
  const after = local.stats()
  assert.equal(after['connected_accounts.details'] - before['connected_accounts.details'], 1)

  const e = await rejection(client.actions.getConnectedAccountDetails({ connectionName: 'crm', identifier: 'nobody' }))
  assert.ok(e instanceof sk.ScalekitNotFoundException, e.constructor.name)
  const bad = await rejection(client.actions.getConnectedAccountDetails({}))
  assert.ok(bad instanceof sk.ScalekitValidationException, bad.constructor.name)

  // waitForConnectedAccount polls the details route, never the credentials.
  const gets = local.stats()['connected_accounts.get']
  const waited = await client.actions.waitForConnectedAccount({ connectionName: 'crm', identifier: USER })
  assert.equal(waited.connectedAccount.id, connectedAccount.id)
  assert.equal(waited.connectedAccount.authorizationDetails, undefined)
  assert.equal(local.stats()['connected_accounts.get'], gets)
})

test('modifiers change the input and the result on every path that runs a tool', async () => {
  const { actions } = local.client()
  const seenInputs = []
  const pre = actions.preModifier('crm_get_contact', (input) => {
    seenInputs.push(input)
    return { ...input, contact_id: `c-${input.contact_id}` }
  })
  const post = actions.postModifier(['crm_get_contact'], async (data) => ({ ...data, modified: true }))
  assert.ok(pre instanceof sk.ToolModifier)
  assert.deepEqual(actions.getModifiers('crm_get_contact').map((m) => m.type), ['pre', 'post'])
  assert.deepEqual(actions.getModifiers('crm_get_contact', 'post'), [post])
  assert.deepEqual(actions.getModifiers('other_tool'), [])
  assert.equal(actions.getModifiers().length, 2)

  // actions.executeTool: the upstream (the echo) saw the modified input; the result was modified.
  const viaActions = await actions.executeTool({ toolName: 'crm_get_contact', identifier: USER, connector: 'crm', toolInput: { contact_id: '7' } })
  assert.equal(viaActions.data.path, '/contacts/c-7')
  assert.equal(viaActions.data.modified, true)
  assert.deepEqual(seenInputs.at(-1), { contact_id: '7' })

  // tools.executeTool of the same client.
  const client2 = local.client()
  client2.actions.addModifier({ toolNames: 'crm_get_contact', type: 'pre', fn: (input) => ({ contact_id: `t-${input.contact_id}` }) })
  client2.actions.addModifier(new sk.ToolModifier('crm_get_contact', 'post', (data) => ({ path: data.path, by: 'tools' })))
  const viaTools = await client2.tools.executeTool({ toolName: 'crm_get_contact', identifier: USER, connector: 'crm', params: { contact_id: '8' } })
  assert.deepEqual(viaTools.data, { path: '/contacts/t-8', by: 'tools' })

  // Another client has its own modifiers: none here.
  const plain = await local.client().actions.executeTool({ toolName: 'crm_get_contact', identifier: USER, connector: 'crm', toolInput: { contact_id: '9' } })
  assert.equal(plain.data.path, '/contacts/9')
  assert.equal(plain.data.modified, undefined)
})

test('forLLM(...).execute runs through the modifiers (the adapters execute through it)', async () => {
  const c = local.client()
  c.actions.preModifier('crm_get_contact', (input) => ({ contact_id: `llm-${input.contact_id}` }))
  c.actions.postModifier('crm_get_contact', (data) => ({ seen: data.path }))
  const { execute } = await c.tools.forLLM({ identifier: USER, format: 'openai' })
  assert.deepEqual((await execute('crm_get_contact', '{"contact_id":"1"}')).data, { seen: '/contacts/llm-1' })
  assert.deepEqual((await execute('crm_get_contact', { contact_id: '2' })).data, { seen: '/contacts/llm-2' })
})

test('a modifier that is not one is refused by name', () => {
  const { actions } = local.client()
  for (const [call, pattern] of [
    [() => actions.preModifier([], () => ({})), /toolNames must be a tool name or a non-empty array/],
    [() => actions.preModifier(['a', 1], () => ({})), /toolNames must be/],
    [() => actions.postModifier('a', 'not a function'), /the modifier must be a function, got a string/],
    [() => actions.addModifier({ toolNames: 'a', type: 'around', fn: () => ({}) }), /type must be 'pre' or 'post', got "around"/],
  ]) {
    assert.throws(call, (e) => e instanceof sk.ScalekitValidationException && pattern.test(e.message))
  }
  assert.deepEqual(actions.getModifiers(), [])
})

test('tools.searchTools: ranked by BM25, best first, with each connection readiness', async () => {
  const search = await sk.LocalScalekit.start({
    connections: [
      { name: 'gmail', provider: 'GMAIL' },
      { name: 'gmail-work', provider: 'GMAIL' },
      { name: 'slack', provider: 'SLACK' },
      { name: 'notion', provider: 'NOTION' },
    ],
    accounts: [
      { connectionName: 'gmail', identifier: USER, authorizationDetails: { oauth_token: { access_token: 'a' } } },
      { connectionName: 'gmail-work', identifier: USER, status: 'EXPIRED', authorizationDetails: { oauth_token: { access_token: 'b' } } },
      { connectionName: 'slack', identifier: USER, status: 'DISCONNECTED' },
    ],
    tools: [
      { name: 'slack_send_message', connection: 'slack', description: 'Send a message to a Slack channel', request: { method: 'POST', path: '/chat' } },
      { name: 'gmail_send_email', connection: 'gmail', description: 'Send an email message from Gmail', request: { method: 'POST', path: '/send' } },
      { name: 'gmail_list_labels', connection: 'gmail', description: 'List the labels of a mailbox', request: { path: '/labels' } },
      { name: 'notion_create_page', connection: 'notion', description: 'Create a page in a Notion workspace', request: { method: 'POST', path: '/pages' } },
    ],
  })
  try {
    const { tools } = search.client()
    const { tools: found } = await tools.searchTools({ query: 'send an email', identifier: USER })
    assert.equal(found[0].name, 'gmail_send_email')
    assert.ok(found.every((t, i) => i === 0 || found[i - 1].score >= t.score), 'best first')
    assert.ok(!found.some((t) => t.name === 'notion_create_page'), 'no word in common: not listed')
    // Both GMAIL connections of this identifier, each with its own readiness.
    assert.deepEqual(found[0].connections.map((c) => [c.connectionName, c.readinessState]), [
      ['gmail', 'READY'], ['gmail-work', 'NEEDS_REAUTH'],
    ])
    assert.ok(found[0].connections.every((c) => c.connectedAccountId.startsWith('ca_')))
    assert.equal(found[0].provider, 'GMAIL')
    assert.equal(found[0].description, 'Send an email message from Gmail')

    const slack = await tools.searchTools({ query: 'slack channel message', identifier: USER, topK: 1 })
    assert.deepEqual(slack.tools.map((t) => t.name), ['slack_send_message'])
    assert.deepEqual(slack.tools[0].connections.map((c) => c.readinessState), ['NEEDS_CONNECTION'])
    // No account on NOTION: an empty list; no identifier: empty lists too.
    const notion = await tools.searchTools({ query: 'notion page', identifier: USER })
    assert.deepEqual(notion.tools[0].connections, [])
    const anonymous = await tools.searchTools({ query: 'send' })
    assert.ok(anonymous.tools.length >= 2 && anonymous.tools.every((t) => t.connections.length === 0))

    for (const [params, argument] of [[{}, 'query'], [{ query: 'x', topK: -1 }, 'topK'], [{ query: 'x', top_k: 2 }, 'top_k']]) {
      const e = await rejection(tools.searchTools(params))
      assert.ok(e instanceof sk.ScalekitValidationException, e.constructor.name)
      assert.equal(e.argument, argument)
    }
    assert.equal(search.stats()['tools.search'], 4)
  } finally {
    await search.close()
  }
})

test('actions.providers: custom providers created, listed, updated and deleted', async () => {
  const { providers } = local.client().actions
  const authPatterns = [{ type: 'API_KEY', displayName: 'API key', isMcp: true, fields: [{ fieldName: 'api_key', label: 'API key' }] }]
  const { provider } = await providers.createCustomProvider({
    displayName: 'Acme Docs MCP', proxyUrl: 'https://docs.acme.example/mcp', description: 'Docs', authPatterns, metadata: { region: 'eu' },
  })
  assert.equal(provider.identifier, 'acme_docs_mcp')
  assert.equal(provider.displayName, 'Acme Docs MCP')
  assert.equal(provider.isCustom, true)
  assert.equal(provider.isCustomMcp, true)
  assert.deepEqual(provider.authPatterns, authPatterns)
  assert.deepEqual(provider.metadata, { region: 'eu' })

  const custom = await providers.listProviders({ providerType: 'CUSTOM' })
  assert.deepEqual(custom.providers.map((p) => p.identifier), ['acme_docs_mcp'])
  assert.equal(custom.totalSize, 1)
  const defaults = await providers.listProviders({ providerType: 0 })
  assert.deepEqual(defaults.providers.map((p) => [p.identifier, p.isCustom]), [['CRM', false]])
  const all = await providers.listProviders()
  assert.equal(all.totalSize, 2)
  const one = await providers.listProviders({ identifier: 'acme_docs_mcp' })
  assert.equal(one.providers[0].description, 'Docs')

  const { provider: updated } = await providers.updateCustomProvider({
    identifier: 'acme_docs_mcp', displayName: 'Acme Docs', proxyUrl: 'https://docs.acme.example/v2',
  })
  assert.equal(updated.displayName, 'Acme Docs')
  assert.equal(updated.description, 'Docs', 'kept when not given')
  assert.deepEqual(updated.metadata, {}, 'replaced as a whole: none given clears it')

  const conflict = await rejection(providers.createCustomProvider({ displayName: 'acme docs', proxyUrl: 'https://x.example' }))
  assert.ok(conflict instanceof sk.ScalekitConflictException, conflict.constructor.name)
  const badUrl = await rejection(providers.createCustomProvider({ displayName: 'Other', proxyUrl: 'http://x.example' }))
  assert.ok(badUrl instanceof sk.ScalekitBadRequestException, badUrl.constructor.name)
  const unknown = await rejection(providers.createCustomProvider({ displayName: 'Other', proxyUrl: 'https://x', proxy_url: 'y' }))
  assert.ok(unknown instanceof sk.ScalekitValidationException, unknown.constructor.name)
  assert.match(unknown.message, /takes no "proxy_url"/)

  assert.deepEqual(await providers.deleteCustomProvider({ identifier: 'acme_docs_mcp' }), {})
  const gone = await rejection(providers.deleteCustomProvider({ identifier: 'acme_docs_mcp' }))
  assert.ok(gone instanceof sk.ScalekitNotFoundException, gone.constructor.name)
  assert.equal((await providers.listProviders({ providerType: 'CUSTOM' })).totalSize, 0)
})
