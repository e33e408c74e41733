// No silent misuse, and stacks that reach the caller (README, "Migrating from
// @scalekit-sdk/node"): a param or option this client does not take is refused by name, a method
// outside HTTP's is refused, and nothing is sent for any of them; an envUrl that is not an
// environment's URL fails naming it. A rejected call's exception shows the caller's frames.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import util from 'node:util'

import * as sk from '../index.js'
import { startServer, sendJson, rejection } from './helpers.mjs'

const HERE = fileURLToPath(import.meta.url)

/** A server standing in for Scalekit that counts every request it receives. */
async function counting(t, answer = (req, res) => sendJson(res, 200, { access_token: 't', expires_in: 3600 })) {
  const seen = []
  const server = await startServer(t, (req, res, body) => {
    seen.push(`${req.method} ${req.url}`)
    answer(req, res, body)
  })
  return { ...server, seen }
}

test('actions.request refuses params it does not take, by name, with axios hints; nothing is sent', async (t) => {
  const server = await counting(t)
  const client = new sk.ScalekitClient(server.url, 'id', 'secret')
  const call = { connectionName: 'c', identifier: 'u', path: '/x' }
  for (const [extra, pattern] of [
    [{ data: { a: 1 } }, /actions\.request does not take "data" \(axios's `data` is `body` here\)/],
    [{ params: { q: 1 } }, /"params" \(axios's `params` is `queryParams` here\)/],
    [{ timeOutMs: 5 }, /does not take "timeOutMs": it takes connectionName, identifier, path/],
  ]) {
    const e = await rejection(client.actions.request({ ...call, ...extra }))
    assert.ok(e instanceof sk.ScalekitValidationException, e.constructor.name)
    assert.equal(e.argument, 'params')
    assert.match(e.message, pattern)
  }
  // With a signal too (the other path through actions.request).
  const e = await rejection(client.actions.request({ ...call, data: 'x', signal: new AbortController().signal }))
  assert.match(e.message, /"data"/)
  assert.deepEqual(server.seen, [])
})

test('a method outside HTTP is refused; nothing is sent', async (t) => {
  const server = await counting(t)
  const client = new sk.ScalekitClient(server.url, 'id', 'secret')
  for (const method of ['PSOT', 'fetch', 'CONNECT']) {
    const e = await rejection(client.actions.request({ connectionName: 'c', identifier: 'u', path: '/x', method }))
    assert.ok(e instanceof sk.ScalekitValidationException, e.constructor.name)
    assert.equal(e.argument, 'method')
    assert.match(e.message, /is not an HTTP method/)
  }
  assert.deepEqual(server.seen, [])
})

test('client options it does not take are refused by name, from the constructor and fromEnv', async () => {
  assert.throws(() => new sk.ScalekitClient('https://acme.scalekit.dev', 'id', 'secret', { timeout: 5 }), (e) => {
    assert.ok(e instanceof sk.ScalekitValidationException, e.constructor.name)
    assert.equal(e.argument, 'options')
    assert.match(e.message, /"timeout" is not a client option \(it is `timeoutMs`/)
    return true
  })
  assert.throws(() => new sk.ScalekitClient('https://acme.scalekit.dev', 'id', 'secret', { httpsAgent: {} }),
    /"httpsAgent" is not a client option \(use `ca` and `proxy`\)/)
  assert.throws(() => sk.ScalekitClient.fromEnv({ retries: 1 }), /"retries" is not a client option/)
})

test('an envUrl with a path: the failure names the URL and says what an envUrl is', async (t) => {
  const server = await counting(t, (req, res) => sendJson(res, 404, { error: 'not found' }))
  const client = new sk.ScalekitClient(`${server.url}/api/v1`, 'id', 'secret', { maxRetries: 0 })
  const e = await rejection(client.actions.listConnections())
  assert.ok(e instanceof sk.ScalekitNotFoundException, e.constructor.name)
  assert.ok(e.message.includes(`${server.url}/api/v1/oauth/token is not a token endpoint`), e.message)
  assert.match(e.message, /envUrl is the URL of your Scalekit environment, such as https:\/\/acme\.scalekit\.dev without a path \(this envUrl holds "\/api\/v1"\)/)
  assert.deepEqual(server.seen, ['POST /api/v1/oauth/token'])
})

test("a rejected call's stack holds the caller's frame; it is thrown where the outcome arrives", async (t) => {
  const server = await counting(t, (req, res) => {
    if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: 't', expires_in: 3600 })
    sendJson(res, 404, { code: 5, message: 'nothing here' })
  })
  const client = new sk.ScalekitClient(server.url, 'id', 'secret', { maxRetries: 0 })
  // Each awaits its call, as user code does: V8 then links its frame to the rejection.
  async function callerOfRequest() {
    const response = await client.actions.request({ connectionName: 'c', identifier: 'u', path: '/x' })
    return response
  }
  async function callerOfAccounts() {
    const account = await client.actions.getConnectedAccount({ connectionName: 'c', identifier: 'u' })
    return account
  }
  async function callerOfTools() {
    const page = await client.tools.listTools()
    return page
  }
  for (const [caller, Class] of [
    [callerOfRequest, sk.ScalekitNotFoundException],
    [callerOfAccounts, sk.ScalekitNotFoundException],
    [callerOfTools, sk.ScalekitNotFoundException],
  ]) {
    const e = await rejection(caller())
    assert.ok(e instanceof Class, e.constructor.name)
    assert.ok(e.stack.includes(caller.name), `${caller.name} is missing from:\n${e.stack}`)
    assert.ok(e.stack.includes(HERE), `${HERE} is missing from:\n${e.stack}`)
    // The first line is the exception's, then the library's method, not the completion drain.
    assert.ok(!/\bdrain\b/.test(e.stack), e.stack)
  }
})

// The auditor's defects (second reader): each refused by name, as a rejected promise, with nothing sent.

/** A LocalScalekit with two accounts and a tool, and a function counting what it served. */
async function seeded(t) {
  const local = await sk.LocalScalekit.start({
    accounts: [
      { connectionName: 'gmail', identifier: 'alice', authorizationDetails: { oauth_token: { access_token: 'a' } } },
      { connectionName: 'gmail', identifier: 'bob', authorizationDetails: { oauth_token: { access_token: 'b' } } },
    ],
    tools: [{ name: 'gmail_send', connection: 'gmail', request: { method: 'POST', path: '/send' } }],
  })
  t.after(() => local.close())
  const client = local.client()
  // The token is fetched first, so that only the calls under test count.
  await client.actions.listConnections()
  local.resetStats()
  const served = () => Object.entries(local.stats()).filter(([name, n]) => name !== 'token' && n > 0)
  return { local, client, served }
}

/** Asserts `call()` returns a promise (no synchronous throw) that rejects with ScalekitValidationException. */
async function refusedBy(call, argument, message) {
  let promise
  assert.doesNotThrow(() => { promise = call() })
  assert.ok(promise instanceof Promise, 'a promise')
  const e = await rejection(promise)
  assert.ok(e instanceof sk.ScalekitValidationException, `${e?.constructor?.name}: ${e?.message}`)
  assert.equal(e.argument, argument, e.message)
  if (message) assert.match(e.message, message)
  return e
}

test('a list method whose params throw when read rejects once; no synchronous throw, no unhandled rejection', async (t) => {
  const { client, served } = await seeded(t)
  const unhandled = []
  const onUnhandled = (reason) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  t.after(() => process.off('unhandledRejection', onUnhandled))
  const params = () => ({ get pageToken() { throw new Error('pageToken getter') } })
  for (const call of [
    () => client.actions.listConnections(params()),
    () => client.actions.listConnectedAccounts(params()),
    () => client.actions.mcp.listConfigs(params()),
    () => client.actions.mcp.listInstances(params()),
    () => client.tools.listTools(params()),
    () => client.tools.listScopedTools('u', params()),
    () => client.tools.listAvailableTools('u', params()),
  ]) {
    await refusedBy(call, 'params', /params cannot be serialised: pageToken getter/)
  }
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.deepEqual(unhandled, [])
  assert.deepEqual(served(), [])
})

test('tools methods reject, never throw, when their params throw when read', async (t) => {
  const { client, served } = await seeded(t)
  const bad = { toolName: 'x', get identifier() { throw new Error('boom') } }
  await refusedBy(() => client.tools.executeTool(bad), 'params', /boom/)
  await refusedBy(() => client.tools.listScopedTools('u', bad), 'params', /boom/)
  await refusedBy(() => client.tools.listAvailableTools('u', bad), 'params', /boom/)
  await refusedBy(() => client.tools.searchTools({ query: 'q', get identifier() { throw new Error('boom') } }), 'params')
  assert.deepEqual(served(), [])
})

test('params whose reads throw (a Proxy) are ScalekitValidationException naming params, with the reason', async (t) => {
  const { client, served } = await seeded(t)
  const trap = () => new Proxy({}, { get() { throw new Error('trap') }, ownKeys() { throw new Error('trap') } })
  await refusedBy(() => client.actions.request(trap()), 'params', /trap/)
  await refusedBy(() => client.actions.getConnectedAccount(trap()), 'params', /trap/)
  await refusedBy(() => client.actions.executeTool(trap()), 'params', /trap/)
  await refusedBy(() => client.actions.mcp.getConfig(trap()), 'params', /trap/)
  await refusedBy(() => client.connectedAccounts.listConnectedAccounts(trap()), 'params', /trap/)
  // A getter on one of the fields actions.request reads itself (not through its options).
  for (const field of ['connectionName', 'identifier', 'path', 'method', 'signal']) {
    const params = { connectionName: 'gmail', identifier: 'alice', path: '/x' }
    Object.defineProperty(params, field, { enumerable: true, get() { throw new Error(`trap ${field}`) } })
    await refusedBy(() => client.actions.request(params), 'params', new RegExp(`trap ${field}`))
  }
  assert.deepEqual(served(), [])
})

test('NaN and ±Infinity given for a string param are refused as the number 123 is; nothing is created', async (t) => {
  const { client, local, served } = await seeded(t)
  const details = { oauthToken: { accessToken: 't' } }
  for (const value of [123, NaN, Infinity, -Infinity]) {
    await refusedBy(() => client.actions.createConnectedAccount({ connectionName: 'gmail', identifier: value, authorizationDetails: details }),
      'identifier', /^identifier must be a string$/)
  }
  await refusedBy(() => client.actions.getAuthorizationLink({ connectionName: NaN, identifier: 'u' }), 'connectionName', /must be a string/)
  await refusedBy(() => client.tools.listScopedTools(NaN), 'identifier', /must be a string/)
  await refusedBy(() => client.connectedAccounts.getConnectedAccountByIdentifier({ connector: Infinity, identifier: 'u' }),
    'connector', /^connector must be a string$/)
  // The numeric options still refuse NaN by name, in their own words.
  await refusedBy(() => client.actions.mcp.createSessionToken({ mcpConfigId: 'c', identifier: 'u', expiresInSeconds: NaN }),
    'expiresInSeconds', /must be a number/)
  assert.deepEqual(served(), [])
  // The string "NaN" is a string.
  await client.actions.createConnectedAccount({ connectionName: 'gmail', identifier: 'NaN', authorizationDetails: details })
  assert.deepEqual(local.accounts().map((a) => a.identifier).sort(), ['NaN', 'alice', 'bob'])
})

test('a Symbol or a function param is refused by its path, not dropped: the call never runs unfiltered', async (t) => {
  const { client, served } = await seeded(t)
  for (const value of [Symbol('alice'), () => 'alice']) {
    const kind = typeof value === 'symbol' ? 'a symbol' : 'a function'
    await refusedBy(() => client.actions.listConnectedAccounts({ identifier: value }), 'identifier',
      new RegExp(`^identifier cannot be ${kind}: JSON cannot carry it`))
    await refusedBy(() => client.actions.mcp.listInstances({ filter: { userIdentifier: value } }), 'filter.userIdentifier')
    await refusedBy(() => client.tools.listTools({ filter: { connector: value } }), 'filter.connector')
    await refusedBy(() => client.actions.executeTool({ toolName: 'gmail_send', identifier: 'alice', toolInput: { to: ['x', value] } }),
      'toolInput.to[1]')
  }
  // NaN below the top level would be sent as null.
  await refusedBy(() => client.actions.executeTool({ toolName: 'gmail_send', identifier: 'alice', toolInput: { n: NaN } }),
    'toolInput.n', /toolInput\.n cannot be NaN: JSON cannot carry it \(it would be sent as null\)/)
  assert.deepEqual(served(), [])
})

test("each executeTool refuses the other client's name for the tool input, saying which it takes", async (t) => {
  const { client, served } = await seeded(t)
  await refusedBy(() => client.tools.executeTool({ toolName: 'gmail_send', identifier: 'alice', toolInput: { to: 'x' } }),
    'toolInput', /^tools\.executeTool takes params, not toolInput$/)
  await refusedBy(() => client.actions.executeTool({ toolName: 'gmail_send', identifier: 'alice', params: { to: 'x' } }),
    'params', /^actions\.executeTool takes the tool's input as toolInput, not params/)
  assert.deepEqual(served(), [])
  // The official names still work.
  const viaTools = await client.tools.executeTool({ toolName: 'gmail_send', identifier: 'alice', params: { to: 'x' } })
  assert.equal(viaTools.data.body, JSON.stringify({ to: 'x' }))
  const viaActions = await client.actions.executeTool({ toolName: 'gmail_send', identifier: 'alice', toolInput: { to: 'y' } })
  assert.equal(viaActions.data.body, JSON.stringify({ to: 'y' }))
})

test('the tool-modifier API refuses wrong types and extra arguments, synchronously, by name', async (t) => {
  const { client } = await seeded(t)
  const { actions } = client
  const throwsNaming = (fn, argument, message) => assert.throws(fn, (e) => {
    assert.ok(e instanceof sk.ScalekitValidationException, `${e?.constructor?.name}: ${e?.message}`)
    assert.equal(e.argument, argument)
    if (message) assert.match(e.message, message)
    return true
  })
  throwsNaming(() => actions.preModifier('t', (d) => d, { once: true }), 'arguments[2]', /^actions\.preModifier takes no third argument, got object$/)
  throwsNaming(() => actions.postModifier('t', (d) => d, 1), 'arguments[2]')
  throwsNaming(() => actions.addModifier({ toolNames: 't', type: 'pre', fn: (d) => d }, 1), 'arguments[1]')
  throwsNaming(() => actions.getModifiers('t', 'pre', 1), 'arguments[2]')
  throwsNaming(() => actions.getModifiers(1, 2), 'toolName', /toolName must be a tool name, got a number/)
  throwsNaming(() => actions.getModifiers('t', 'around'), 'type', /type must be 'pre' or 'post', got "around"/)
  throwsNaming(() => new sk.ToolModifier(1, 2, 3), 'toolNames', /^new ToolModifier: toolNames must be/)
  throwsNaming(() => new sk.ToolModifier('t', 'pre', 3), 'fn')
  throwsNaming(() => new sk.ToolModifier('t', 'pre', (d) => d, 'extra'), 'arguments[3]')
  assert.deepEqual(actions.getModifiers(), [])
  const m = new sk.ToolModifier(['t'], 'post', (d) => d)
  assert.equal(actions.addModifier(m), m)
  assert.deepEqual(actions.getModifiers('t', 'post'), [m])
  assert.deepEqual(actions.getModifiers(undefined, null), [m])
})

test('LocalScalekit#setAccountStatus names a missing or wrong-typed argument', async (t) => {
  const { local } = await seeded(t)
  for (const [args, argument] of [
    [[], 'connectionName'],
    [['gmail', 'alice'], 'status'],
    [[1, 'alice', 'ACTIVE'], 'connectionName'],
    [['gmail', Symbol('u'), 'ACTIVE'], 'identifier'],
  ]) {
    assert.throws(() => local.setAccountStatus(...args), (e) => {
      assert.ok(e instanceof sk.ScalekitValidationException, `${e?.constructor?.name}: ${e?.message}`)
      assert.equal(e.argument, argument)
      assert.match(e.message, new RegExp(`^${argument} must be a string, got `))
      return true
    })
  }
  local.setAccountStatus('gmail', 'alice', 'EXPIRED')
  assert.equal(local.accounts().find((a) => a.identifier === 'alice').status, 'EXPIRED')
})

test('LocalScalekit.start refuses NaN, arrays, empty credentials and wrong types by option name, in JS words', async () => {
  for (const [options, argument, message] of [
    [{ port: NaN }, 'options.port', /^options\.port must be a whole number from 0 to 65535, got NaN$/],
    [{ tokenTtlSeconds: NaN }, 'options.tokenTtlSeconds', /got NaN$/],
    [{ tokenTtlSeconds: -Infinity }, 'options.tokenTtlSeconds', /got -Infinity$/],
    [[], 'options', /^options must be an object, got an array$/],
    [{ clientSecret: '' }, 'options.clientSecret', /^options\.clientSecret must be a non-empty string, got an empty string$/],
    [{ clientId: '' }, 'options.clientId', /non-empty string/],
    [{ port: 'abc' }, 'options.port', /^options\.port must be a whole number from 0 to 65535, got "abc"$/],
    [{ tokenTtlSeconds: -1 }, 'options.tokenTtlSeconds', /got -1$/],
    [{ inlineEcho: 'yes' }, 'options.inlineEcho', /must be a boolean/],
    [{ host: Symbol('h') }, 'options.host', /cannot be a symbol/],
    [{ connections: [{ name: 'x', nme: 'y' }] }, 'options.connections', /unknown field `nme`/],
    [{ get port() { throw new Error('getter') } }, 'options', /getter/],
  ]) {
    const e = await rejection(sk.LocalScalekit.start(options))
    assert.ok(e instanceof sk.ScalekitValidationException, `${util.inspect(options)}: ${e?.constructor?.name}: ${e?.message}`)
    assert.equal(e.argument, argument, e.message)
    assert.match(e.message, message)
    assert.doesNotMatch(e.message, /line \d+ column/)
  }
})

// Every connected-account and tools method: a param name it does not take is refused by name
// (err.argument is that name), with the name meant, before anything is sent (no token request
// either); every name of its typed params is taken (crates/scalekit-core/src/accounts/keys.rs).
const ACCOUNT_REF = { connectionName: 'gmail', identifier: 'u', connectedAccountId: 'ca_1', organizationId: 'o', userId: 'us' }
const CONNECTOR_REF = { connector: 'gmail', identifier: 'u', connectedAccountId: 'ca_1', organizationId: 'o', userId: 'us' }
const DETAILS = { authorizationDetails: { oauthToken: { accessToken: 'a' } }, apiConfig: { k: 1 } }
const signal = new AbortController().signal
/** [method, call with params, every typed param, a misspelt name and the name meant] */
const METHODS = [
  ['actions.getConnectedAccount', (c, p) => c.actions.getConnectedAccount(p), { ...ACCOUNT_REF, signal }, 'conectedAccountId', 'connectedAccountId'],
  ['actions.getConnectedAccountDetails', (c, p) => c.actions.getConnectedAccountDetails(p), { ...ACCOUNT_REF, signal }, 'identifer', 'identifier'],
  ['actions.waitForConnectedAccount', (c, p) => c.actions.waitForConnectedAccount(p), { ...ACCOUNT_REF, timeoutMs: 50, pollIntervalMs: 10, signal }, 'timeoutMS', 'timeoutMs'],
  ['actions.createConnectedAccount', (c, p) => c.actions.createConnectedAccount(p), { connectionName: 'gmail', identifier: 'u', organizationId: 'o', userId: 'us', ...DETAILS, signal }, 'authorisationDetails', 'authorizationDetails'],
  ['actions.updateConnectedAccount', (c, p) => c.actions.updateConnectedAccount(p), { ...ACCOUNT_REF, ...DETAILS, signal }, 'apiconfig', 'apiConfig'],
  ['actions.deleteConnectedAccount', (c, p) => c.actions.deleteConnectedAccount(p), { ...ACCOUNT_REF, signal }, 'userID', 'userId'],
  ['actions.listConnectedAccounts', (c, p) => c.actions.listConnectedAccounts(p), { connectionName: 'gmail', identifier: 'u', organizationId: 'o', userId: 'us', provider: 'google', pageSize: 5, pageToken: 't', query: 'q', connectionNames: ['gmail'], signal }, 'indentifier', 'identifier'],
  ['actions.getOrCreateConnectedAccount', (c, p) => c.actions.getOrCreateConnectedAccount(p), { connectionName: 'gmail', identifier: 'u', organizationId: 'o', userId: 'us', ...DETAILS, signal }, 'conectionName', 'connectionName'],
  ['actions.getOrCreateConnectedAccount', (c, p) => c.actions.upsertConnectedAccount(p), { connectionName: 'gmail', identifier: 'u', organizationId: 'o', userId: 'us', ...DETAILS, signal }, 'organisationId', 'organizationId'],
  ['actions.getAuthorizationLink', (c, p) => c.actions.getAuthorizationLink(p), { ...ACCOUNT_REF, state: 's', userVerifyUrl: 'https://app.example.com/v', signal }, 'userVerifyURL', 'userVerifyUrl'],
  ['actions.verifyConnectedAccountUser', (c, p) => c.actions.verifyConnectedAccountUser(p), { authRequestId: 'r', identifier: 'u', signal }, 'authRequestID', 'authRequestId'],
  ['actions.listConnections', (c, p) => c.actions.listConnections(p), { pageSize: 5, pageToken: 't', provider: 'google', signal }, 'pagesize', 'pageSize'],
  ['actions.executeTool', (c, p) => c.actions.executeTool(p), { toolName: 't', toolInput: {}, identifier: 'u', connectedAccountId: 'ca_1', connector: 'gmail', organizationId: 'o', userId: 'us', agentRunId: 'r', retry: false, signal }, 'toolname', 'toolName'],
  ['connectedAccounts.listConnectedAccounts', (c, p) => c.connectedAccounts.listConnectedAccounts(p), { connector: 'gmail', identifier: 'u', organizationId: 'o', userId: 'us', provider: 'google', pageSize: 5, pageToken: 't', query: 'q', connectionNames: ['gmail'], signal }, 'indentifier', 'identifier'],
  ['connectedAccounts.createConnectedAccount', (c, p) => c.connectedAccounts.createConnectedAccount(p), { connector: 'gmail', identifier: 'u', organizationId: 'o', userId: 'us', connectedAccount: DETAILS, signal }, 'conector', 'connector'],
  ['connectedAccounts.getOrCreateConnectedAccount', (c, p) => c.connectedAccounts.getOrCreateConnectedAccount(p), { connector: 'gmail', identifier: 'u', organizationId: 'o', userId: 'us', ...DETAILS, signal }, 'connectr', 'connector'],
  ['connectedAccounts.getOrCreateConnectedAccount', (c, p) => c.connectedAccounts.upsertConnectedAccount(p), { connector: 'gmail', identifier: 'u', organizationId: 'o', userId: 'us', ...DETAILS, signal }, 'identfier', 'identifier'],
  ['connectedAccounts.updateConnectedAccount', (c, p) => c.connectedAccounts.updateConnectedAccount(p), { ...CONNECTOR_REF, connectedAccount: DETAILS, signal }, 'connectedAcount', 'connectedAccount'],
  ['connectedAccounts.deleteConnectedAccount', (c, p) => c.connectedAccounts.deleteConnectedAccount(p), { ...CONNECTOR_REF, signal }, 'userid', 'userId'],
  ['connectedAccounts.getMagicLinkForConnectedAccount', (c, p) => c.connectedAccounts.getMagicLinkForConnectedAccount(p), { ...CONNECTOR_REF, state: 's', userVerifyUrl: 'https://app.example.com/v', signal }, 'stat', 'state'],
  ['connectedAccounts.verifyConnectedAccountUser', (c, p) => c.connectedAccounts.verifyConnectedAccountUser(p), { authRequestId: 'r', identifier: 'u', signal }, 'authRequest', 'authRequestId'],
  ['connectedAccounts.getConnectedAccountByIdentifier', (c, p) => c.connectedAccounts.getConnectedAccountByIdentifier(p), { ...CONNECTOR_REF, signal }, 'indentifier', 'identifier'],
  ['connection.listAppConnections', (c, p) => c.connection.listAppConnections(p), { pageSize: 5, pageToken: 't', provider: 'google', query: 'q', signal }, 'querry', 'query'],
  ['tools.listTools', (c, p) => c.tools.listTools(p), { filter: { provider: 'google' }, pageSize: 5, pageToken: 't', signal }, 'filters', 'filter'],
  ['tools.listScopedTools', (c, p) => c.tools.listScopedTools('u', p), { filter: { providers: ['google'] }, pageSize: 5, pageToken: 't', signal }, 'pageTokn', 'pageToken'],
  ['tools.listAvailableTools', (c, p) => c.tools.listAvailableTools('u', p), { pageSize: 5, pageToken: 't', signal }, 'page_size', 'pageSize'],
  ['tools.executeTool', (c, p) => c.tools.executeTool(p), { toolName: 't', params: {}, identifier: 'u', connectedAccountId: 'ca_1', connector: 'gmail', organizationId: 'o', userId: 'us', retry: false, signal }, 'parmas', 'params'],
  ['tools.searchTools', (c, p) => c.tools.searchTools(p), { query: 'send mail', identifier: 'u', topK: 3, signal }, 'top_k', 'topK'],
  ['tools.forLLM', (c, p) => c.tools.forLLM(p), { identifier: 'u', connectionNames: ['gmail'], providers: ['google'], toolNames: ['t'], format: 'openai', pageSize: 5, signal }, 'fromat', 'format'],
]

test('every account and tools method refuses a name it does not take, naming it; nothing is sent', async (t) => {
  const server = await counting(t)
  const client = new sk.ScalekitClient(server.url, 'id', 'secret')
  for (const [method, call, params, wrong, meant] of METHODS) {
    const { [meant]: _, ...rest } = params
    const e = await rejection(call(client, { ...rest, [wrong]: params[meant] ?? 'x' }))
    assert.ok(e instanceof sk.ScalekitValidationException, `${method}: ${e.constructor.name} ${e.message}`)
    assert.equal(e.argument, wrong, method)
    assert.equal(e.message, `${method} takes no "${wrong}"; it takes ${meant}`)
  }
  // Nothing close: every name it takes.
  const e = await rejection(client.actions.verifyConnectedAccountUser({ authRequestId: 'r', identifier: 'u', xyz: 1 }))
  assert.equal(e.message, 'actions.verifyConnectedAccountUser takes no "xyz"; it takes authRequestId, identifier, signal')
  // The names refused with messages of their own keep them.
  assert.match((await rejection(client.connectedAccounts.listConnectedAccounts({ connectionName: 'g' }))).message,
    /takes connector, not connectionName/)
  assert.match((await rejection(client.actions.executeTool({ toolName: 't', params: {} }))).message, /as toolInput, not params/)
  assert.match((await rejection(client.tools.executeTool({ toolName: 't', toolInput: {} }))).message, /takes params, not toolInput/)
  assert.equal((await rejection(client.tools.executeTool({ toolName: 't', agentRunId: 'r' }))).argument, 'agentRunId')
  assert.deepEqual(server.seen, [])
})

test('every name of each method\'s typed params is taken', async (t) => {
  const server = await counting(t, (req, res) => sendJson(res, 200, req.url.includes('/oauth/token')
    ? { access_token: 't', expires_in: 3600 } : {}))
  const client = new sk.ScalekitClient(server.url, 'id', 'secret', { maxRetries: 0 })
  for (const [method, call, params] of METHODS) {
    try {
      await call(client, { ...params })
    } catch (e) {
      assert.doesNotMatch(String(e.message), /takes no|, not /, `${method}: ${e.message}`)
    }
  }
  assert.ok(server.seen.length > METHODS.length, 'the calls were sent')
})

// A view's params are checked by its target's rules; the refusal names what the caller gave.
test('a view names a bad value by the name it takes (params, connector, connectedAccount.<field>)', async (t) => {
  const { client, served } = await seeded(t)
  await refusedBy(() => client.tools.executeTool({ toolName: 'gmail_send', identifier: 'alice', params: 5 }), 'params', /^params /)
  await refusedBy(() => client.connectedAccounts.getConnectedAccountByIdentifier({ connector: 5, identifier: 'alice' }),
    'connector', /^connector must be a string$/)
  await refusedBy(() => client.connectedAccounts.createConnectedAccount({
    connector: 'gmail', identifier: 'carol', connectedAccount: { authorizationDetails: 5 },
  }), 'connectedAccount.authorizationDetails', /^connectedAccount\.authorizationDetails /)
  assert.deepEqual(served(), [])
})
