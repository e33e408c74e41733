// No silently ignored arguments (docs/architecture.md, "Argument rules"): every public method of
// `actions` and `tools` refuses an argument after those it takes with ScalekitValidationException
// naming it, and sends nothing; options such as `signal` go in its params object.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'

import sk from '../index.js'
import { rejection } from './helpers.mjs'

const { LocalScalekit, ScalekitValidationException } = sk

let local
let client

before(async () => {
  local = await LocalScalekit.start({ connections: [{ name: 'crm', authType: 'OAUTH' }] })
  client = local.client()
})
after(() => local?.close())

const ref = { connectionName: 'crm', identifier: 'u' }
// Each public method with valid leading arguments (those it takes).
const METHODS = [
  ['actions.request', (...more) => client.actions.request({ ...ref, path: '/x' }, ...more), 1],
  ['actions.getAuthorizationLink', (...more) => client.actions.getAuthorizationLink(ref, ...more), 1],
  ['actions.verifyConnectedAccountUser', (...more) => client.actions.verifyConnectedAccountUser({ authRequestId: 'a', identifier: 'u' }, ...more), 1],
  ['actions.getConnectedAccount', (...more) => client.actions.getConnectedAccount(ref, ...more), 1],
  ['actions.waitForConnectedAccount', (...more) => client.actions.waitForConnectedAccount(ref, ...more), 1],
  ['actions.createConnectedAccount', (...more) => client.actions.createConnectedAccount(ref, ...more), 1],
  ['actions.updateConnectedAccount', (...more) => client.actions.updateConnectedAccount(ref, ...more), 1],
  ['actions.deleteConnectedAccount', (...more) => client.actions.deleteConnectedAccount(ref, ...more), 1],
  ['actions.listConnectedAccounts', (...more) => client.actions.listConnectedAccounts({}, ...more), 1],
  ['actions.getOrCreateConnectedAccount', (...more) => client.actions.getOrCreateConnectedAccount(ref, ...more), 1],
  ['actions.upsertConnectedAccount', (...more) => client.actions.upsertConnectedAccount(ref, ...more), 1],
  ['actions.listConnections', (...more) => client.actions.listConnections({}, ...more), 1],
  ['actions.executeTool', (...more) => client.actions.executeTool({ toolName: 't', identifier: 'u' }, ...more), 1],
  ['tools.listTools', (...more) => client.tools.listTools({}, ...more), 1],
  ['tools.listScopedTools', (...more) => client.tools.listScopedTools('u', {}, ...more), 2],
  ['tools.listAvailableTools', (...more) => client.tools.listAvailableTools('u', {}, ...more), 2],
  ['tools.executeTool', (...more) => client.tools.executeTool({ toolName: 't', identifier: 'u' }, ...more), 1],
  ['tools.forLLM', (...more) => client.tools.forLLM({ identifier: 'u', format: 'openai' }, ...more), 1],
]

const EXTRAS = [
  ['an AbortSignal', () => AbortSignal.abort(), /got an AbortSignal: options such as signal go in the params object/],
  ['{ signal }', () => ({ signal: new AbortController().signal }), /got object/],
  ['a number', () => 1, /got number/],
]

const requests = () => Object.values(local.stats()).reduce((a, b) => a + b, 0)

test('every public method refuses an extra argument, naming it, and sends nothing', async () => {
  local.resetStats()
  const ordinal = ['first', 'second', 'third']
  for (const [name, call, takes] of METHODS) {
    for (const [what, extra, message] of EXTRAS) {
      const e = await rejection(call(extra()))
      assert.ok(e instanceof ScalekitValidationException, `${name} with ${what}: ${e}`)
      assert.equal(e.argument, `arguments[${takes}]`, name)
      assert.match(e.message, new RegExp(`^${name.replace('.', '\\.')} takes no ${ordinal[takes]} argument`), name)
      assert.match(e.message, message, `${name} with ${what}`)
    }
    // After explicit undefineds, the first argument given is the one named.
    const later = await rejection(call(undefined, 'x'))
    assert.equal(later.argument, `arguments[${takes + 1}]`, name)
  }
  assert.equal(requests(), 0, JSON.stringify(local.stats()))
})

test('an explicit undefined is no argument: the call goes on', async () => {
  const page = await client.actions.listConnections({}, undefined)
  assert.ok(Array.isArray(page.connections))
  const tools = await client.tools.listScopedTools('u', undefined, undefined)
  assert.ok(Array.isArray(tools.tools))
})

test('a list promise refused for an extra argument also rejects its for await', async () => {
  const e = await rejection((async () => {
    for await (const _ of client.actions.listConnectedAccounts({}, AbortSignal.abort())) { /* never */ }
  })())
  assert.ok(e instanceof ScalekitValidationException, e)
})

test("forLLM's execute refuses a fourth argument", async () => {
  await client.actions.createConnectedAccount({ ...ref, authorizationDetails: { oauthToken: { accessToken: 'a' } } })
  const { execute } = await client.tools.forLLM({ identifier: 'u', format: 'openai' })
  local.resetStats()
  const e = await rejection(execute('t', '{}', {}, AbortSignal.abort()))
  assert.ok(e instanceof ScalekitValidationException, e)
  assert.equal(e.argument, 'arguments[3]')
  assert.equal(requests(), 0)
})

test('NaN and ±Infinity options are refused by name, not read as absent', async () => {
  local.resetStats()
  const cases = [
    ['timeoutMs', () => client.actions.waitForConnectedAccount({ ...ref, timeoutMs: Infinity })],
    ['pollIntervalMs', () => client.actions.waitForConnectedAccount({ ...ref, pollIntervalMs: NaN })],
    ['pageSize', () => client.actions.listConnectedAccounts({ pageSize: -Infinity })],
    ['pageSize', () => client.tools.listTools({ pageSize: NaN })],
  ]
  for (const [argument, call] of cases) {
    const e = await rejection(call())
    assert.ok(e instanceof ScalekitValidationException, e)
    assert.equal(e.argument, argument)
  }
  assert.equal(requests(), 0, JSON.stringify(local.stats()))
})
