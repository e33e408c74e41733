// The agent-framework adapters (`actions.aiSdk`, `actions.langchain`, `actions.openaiAgents`;
// README, "Agent frameworks") run for real, each framework as installed from devDependencies,
// against LocalScalekit with a tool catalog whose connection reaches a provider of the test's own:
// results, the failures the model must read, abort, the deadline, tracing, a missing package and
// the typings.
import { test, describe, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

import { generateText, stepCountIs } from 'ai'
import { MockLanguageModelV3 } from 'ai/test'
import { ToolMessage } from '@langchain/core/messages'
import { RunContext } from '@openai/agents'

import sk from '../index.js'
import { ROOT, startServer, startLocal, sendJson, rejection } from './helpers.mjs'

const {
  ScalekitClient,
  ScalekitException,
  ScalekitAbortException,
  ScalekitToolException,
  ScalekitBadRequestException,
  ScalekitValidationException,
  ScalekitAccountNotConnectedException,
  ScalekitMissingPackageException,
  subscribeTracing,
} = sk
const { importInstead } = createRequire(import.meta.url)('../lib/adapters/shared.js')

const IDENTIFIER = 'user_1'
const TOKEN = 'crm-token-123'
const CONTACTS = [{ id: 1, name: 'Ada Lovelace' }, { id: 2, name: 'Grace Hopper' }]

// A tool failure must come back as a result, never as a rejection nobody handles.
const unhandled = []
const onUnhandled = (reason) => unhandled.push(reason)
process.on('unhandledRejection', onUnhandled)
after(() => {
  process.off('unhandledRejection', onUnhandled)
  assert.deepEqual(unhandled, [], 'no unhandled rejection')
})

/**
 * The provider (answers only with the account's OAuth token injected, and tells which Authorization
 * it saw), and LocalScalekit with the `crm` connection to it, the user's account and four tools.
 */
async function catalog(t, clientOptions) {
  let local
  // The seeded token, or the one LocalScalekit issued when the user authorized again.
  const token = () => local.accounts()[0].authorization_details.oauth_token.access_token
  let arrived
  const slowArrived = new Promise((resolve) => { arrived = resolve })
  let closed
  const slowClosed = new Promise((resolve) => { closed = resolve })
  const provider = await startServer(t, (req, res) => {
    const url = new URL(req.url, 'http://provider')
    if (req.headers.authorization !== `Bearer ${token()}`) return sendJson(res, 401, { error: 'no token' })
    if (url.pathname === '/v1/contacts') {
      const limit = Number(url.searchParams.get('limit') ?? 10)
      return sendJson(res, 200, { contacts: CONTACTS.slice(0, limit), authorization: req.headers.authorization })
    }
    if (url.pathname.startsWith('/v1/contacts/')) return sendJson(res, 200, { contact: CONTACTS[0] })
    if (url.pathname === '/v1/broken') return sendJson(res, 500, { error: 'the CRM is down' })
    if (url.pathname === '/v1/slow') {
      // Never answers: the call stays in flight until it is aborted or times out.
      req.socket.once('close', closed)
      return arrived()
    }
    return sendJson(res, 404, {})
  })
  local = await startLocal(t, {
    connections: [{ name: 'crm', authType: 'OAUTH', upstreamUrl: provider.url }],
    accounts: [{ connectionName: 'crm', identifier: IDENTIFIER, authorizationDetails: { oauth_token: { access_token: TOKEN } } }],
    tools: [
      {
        name: 'crm_list_contacts',
        connection: 'crm',
        description: 'Lists the CRM contacts of the user',
        annotations: { readOnlyHint: true, openWorldHint: false },
        inputSchema: { type: 'object', properties: { limit: { type: 'integer' } } },
        request: { method: 'GET', path: '/v1/contacts' },
      },
      {
        name: 'crm_get_contact',
        connection: 'crm',
        description: 'Gets one contact',
        // `id` fills the path but is not `required`: the frameworks let {} through, LocalScalekit refuses it.
        inputSchema: { type: 'object', properties: { id: { type: 'string' } } },
        request: { method: 'GET', path: '/v1/contacts/{id}' },
      },
      { name: 'crm_broken', connection: 'crm', description: 'Always fails', request: { method: 'GET', path: '/v1/broken' } },
      { name: 'crm_slow', connection: 'crm', description: 'Never answers', request: { method: 'GET', path: '/v1/slow' } },
    ],
  })
  const client = new ScalekitClient(local.url, local.clientId, local.clientSecret, clientOptions)
  const calls = (p) => provider.requests.filter((r) => r.url.split('?')[0] === p)
  return { provider, local, client, calls, slowArrived, slowClosed }
}

const EXPECTED = { contacts: [CONTACTS[0]], authorization: `Bearer ${TOKEN}` }

/** The text a not-connected failure gives the model: the link LocalScalekit issued. */
function assertNotConnectedText(text, local) {
  assert.match(text, /The user's "crm" account is not connected \(its status is EXPIRED\)/)
  const link = new RegExp(`${local.url.replace(/[.]/g, '\\.')}/magic/\\S+`).exec(text)?.[0]
  assert.ok(link, `the text holds the authorization link: ${text}`)
  return link
}

/**
 * Following the link connects the account again (what the user does), so the link is the right one;
 * LocalScalekit then injects the new token it issued.
 */
async function follow(link, local) {
  const page = await fetch(link)
  await page.arrayBuffer()
  assert.equal(page.status, 200)
  assert.equal(local.accounts()[0].status, 'ACTIVE')
  return { contacts: [CONTACTS[0]], authorization: `Bearer ${local.accounts()[0].authorization_details.oauth_token.access_token}` }
}

// ------------------------------------------------------------------------------------------------
// Vercel AI SDK
// ------------------------------------------------------------------------------------------------

const USAGE = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } }

/** A model that calls `toolName` with `input` (JSON text), then answers; `prompts` has what each call got. */
function modelCalling(toolName, input) {
  const prompts = []
  const model = new MockLanguageModelV3({
    doGenerate: async ({ prompt }) => {
      prompts.push(prompt)
      if (prompts.length === 1) {
        return { content: [{ type: 'tool-call', toolCallId: 'call_1', toolName, input }], finishReason: { unified: 'tool-calls', raw: undefined }, usage: USAGE, warnings: [] }
      }
      return { content: [{ type: 'text', text: 'Done.' }], finishReason: { unified: 'stop', raw: undefined }, usage: USAGE, warnings: [] }
    },
  })
  /** What the model was given back for its tool call. */
  const toolOutput = () => prompts[1]?.at(-1)?.content?.[0]?.output
  return { model, prompts, toolOutput }
}

/** One `generateText` run in which the model calls `toolName`: the tool part of step 1, and what the model read. */
async function aiSdkRun(tools, toolName, input, abortSignal) {
  const { model, toolOutput } = modelCalling(toolName, input)
  const result = await generateText({ model, tools, prompt: 'Help me with my CRM', stopWhen: stepCountIs(3), abortSignal })
  const part = result.steps[0].content.find((p) => p.type === 'tool-result' || p.type === 'tool-error')
  return { result, part, output: toolOutput() }
}

describe('Vercel AI SDK: actions.aiSdk.getTools', () => {
  test('generateText runs the catalog tool the model calls; the result is the provider answer with the injected credential', async (t) => {
    const { client, local, calls } = await catalog(t)
    const tools = await client.actions.aiSdk.getTools({ identifier: IDENTIFIER })
    assert.deepEqual(Object.keys(tools).sort(), ['crm_broken', 'crm_get_contact', 'crm_list_contacts', 'crm_slow'])
    assert.equal(tools.crm_list_contacts.description, 'Lists the CRM contacts of the user')
    assert.deepEqual(tools.crm_list_contacts.inputSchema.jsonSchema, { type: 'object', properties: { limit: { type: 'integer' } } })

    const { result, part, output } = await aiSdkRun(tools, 'crm_list_contacts', '{"limit":1}')
    assert.equal(part.type, 'tool-result', String(part.error))
    assert.deepEqual(part.output, EXPECTED)
    assert.deepEqual(output, { type: 'json', value: EXPECTED }, 'the model read the result')
    assert.equal(result.text, 'Done.')
    assert.deepEqual(calls('/v1/contacts').map((r) => r.url), ['/v1/contacts?limit=1'])
    assert.equal(local.stats().execute_tool, 1)
  })

  test('a tool error, an account that is not connected (with its link) and invalid input reach the model as tool errors', async (t) => {
    const { client, local, calls } = await catalog(t)
    const tools = await client.actions.aiSdk.getTools({ identifier: IDENTIFIER })

    const broken = await aiSdkRun(tools, 'crm_broken', '{}')
    assert.equal(broken.part.type, 'tool-error')
    assert.ok(broken.part.error instanceof ScalekitToolException, String(broken.part.error))
    assert.equal(broken.output.type, 'error-text')
    assert.match(broken.output.value, /crm_broken failed: upstream answered 500 .*the CRM is down/)

    const invalid = await aiSdkRun(tools, 'crm_list_contacts', '{"limit":"many"}')
    assert.ok(invalid.part.error instanceof ScalekitBadRequestException, String(invalid.part.error))
    assert.match(invalid.output.value, /params\.limit: must be of type integer/)
    assert.deepEqual(calls('/v1/contacts'), [], 'refused before the provider was called')

    local.setAccountStatus('crm', IDENTIFIER, 'EXPIRED')
    const expired = await aiSdkRun(tools, 'crm_list_contacts', '{"limit":1}')
    const error = expired.part.error
    assert.ok(error instanceof ScalekitAccountNotConnectedException, String(error))
    assert.equal(error.connectionName, 'crm')
    assert.equal(error.identifier, IDENTIFIER)
    assert.equal(error.status, 'EXPIRED')
    assert.equal(error.connectedAccountId, local.accounts()[0].id)
    assert.ok(error.cause instanceof ScalekitBadRequestException)
    const link = assertNotConnectedText(expired.output.value, local)
    assert.equal(error.authorizationLink, link)
    assert.doesNotMatch(expired.output.value, new RegExp(TOKEN), 'no credential in what the model reads')

    const reconnected = await follow(link, local)
    const again = await aiSdkRun(tools, 'crm_list_contacts', '{"limit":1}')
    assert.equal(again.part.type, 'tool-result', String(again.part.error))
    assert.deepEqual(again.part.output, reconnected)
  })

  test("generateText's abortSignal aborts a tool call in flight", { timeout: 30_000 }, async (t) => {
    const { client, slowArrived, slowClosed } = await catalog(t)
    const tools = await client.actions.aiSdk.getTools({ identifier: IDENTIFIER })
    const controller = new AbortController()
    slowArrived.then(() => controller.abort())
    const e = await rejection(aiSdkRun(tools, 'crm_slow', '{}', controller.signal))
    assert.equal(e.name, 'AbortError', String(e))
    await slowClosed // the provider's request was dropped: the call was cancelled, not left running

    // The tool's own execute, as the AI SDK calls it, rejects with the client's abort.
    const direct = new AbortController()
    direct.abort()
    const aborted = await rejection(tools.crm_slow.execute({}, { toolCallId: 'c', messages: [], abortSignal: direct.signal }))
    assert.ok(aborted instanceof ScalekitAbortException, String(aborted))
  })
})

// ------------------------------------------------------------------------------------------------
// LangChain.js
// ------------------------------------------------------------------------------------------------

const toolCall = (name, args) => ({ type: 'tool_call', id: 'call_9', name, args })

describe('LangChain: actions.langchain.getTools', () => {
  test('tool.invoke resolves the provider answer (JSON text); a tool call resolves a ToolMessage', async (t) => {
    const { client } = await catalog(t)
    const tools = await client.actions.langchain.getTools({ identifier: IDENTIFIER, toolNames: ['crm_list_contacts'] })
    assert.deepEqual(tools.map((x) => x.name), ['crm_list_contacts'])
    const [list] = tools
    assert.equal(list.description, 'Lists the CRM contacts of the user')
    assert.deepEqual(list.schema, { type: 'object', properties: { limit: { type: 'integer' } } })

    assert.deepEqual(JSON.parse(await list.invoke({ limit: 1 })), EXPECTED)
    const message = await list.invoke(toolCall('crm_list_contacts', { limit: 1 }))
    assert.ok(message instanceof ToolMessage)
    assert.equal(message.status, 'success')
    assert.equal(message.tool_call_id, 'call_9')
    assert.deepEqual(JSON.parse(message.content), EXPECTED)
  })

  test('failures resolve as text the model reads (ToolMessage status "error" for a tool call)', async (t) => {
    const { client, local, calls } = await catalog(t)
    const byName = Object.fromEntries((await client.actions.langchain.getTools({ identifier: IDENTIFIER })).map((x) => [x.name, x]))

    assert.match(await byName.crm_broken.invoke({}), /^crm_broken failed: upstream answered 500 .*the CRM is down/)
    const failed = await byName.crm_broken.invoke(toolCall('crm_broken', {}))
    assert.ok(failed instanceof ToolMessage)
    assert.equal(failed.status, 'error')
    assert.equal(failed.tool_call_id, 'call_9')
    assert.match(failed.content, /^crm_broken failed: /)

    // Refused by LangChain's own schema check, and by LocalScalekit's.
    const wrongType = await byName.crm_list_contacts.invoke({ limit: 'many' })
    assert.match(wrongType, /^Invalid input for crm_list_contacts: .*did not match expected schema[\s\S]*limit/)
    const wrongTypeCall = await byName.crm_list_contacts.invoke(toolCall('crm_list_contacts', { limit: 'many' }))
    assert.equal(wrongTypeCall.status, 'error')
    assert.match(wrongTypeCall.content, /^Invalid input for crm_list_contacts/)
    assert.match(await byName.crm_get_contact.invoke({}), /^Invalid input for crm_get_contact: .*params\.id: required by the tool's path/)
    assert.deepEqual(calls('/v1/contacts'), [])

    local.setAccountStatus('crm', IDENTIFIER, 'EXPIRED')
    const text = await byName.crm_list_contacts.invoke({ limit: 1 })
    const expired = await byName.crm_list_contacts.invoke(toolCall('crm_list_contacts', { limit: 1 }))
    assert.equal(expired.status, 'error')
    assertNotConnectedText(expired.content, local)
    const reconnected = await follow(assertNotConnectedText(text, local), local)
    assert.deepEqual(JSON.parse(await byName.crm_list_contacts.invoke({ limit: 1 })), reconnected)
  })

  test("the config's signal aborts a tool call in flight", { timeout: 30_000 }, async (t) => {
    const { client, slowArrived, slowClosed } = await catalog(t)
    const [slow] = await client.actions.langchain.getTools({ identifier: IDENTIFIER, toolNames: ['crm_slow'] })
    const controller = new AbortController()
    slowArrived.then(() => controller.abort())
    const e = await rejection(slow.invoke({}, { signal: controller.signal }))
    assert.ok(e instanceof ScalekitAbortException, String(e))
    await slowClosed
  })
})

// ------------------------------------------------------------------------------------------------
// OpenAI Agents SDK
// ------------------------------------------------------------------------------------------------

describe('OpenAI Agents: actions.openaiAgents.getTools', () => {
  test('FunctionTool.invoke(runContext, json) resolves the provider answer; the schema is non-strict', async (t) => {
    const { client } = await catalog(t)
    const tools = await client.actions.openaiAgents.getTools({ identifier: IDENTIFIER, connectionNames: ['crm'] })
    const list = tools.find((x) => x.name === 'crm_list_contacts')
    assert.equal(list.type, 'function')
    assert.equal(list.strict, false)
    assert.equal(list.description, 'Lists the CRM contacts of the user')
    assert.deepEqual(list.parameters, { type: 'object', properties: { limit: { type: 'integer' } } })
    assert.deepEqual(tools.find((x) => x.name === 'crm_broken').parameters, { type: 'object', properties: {} })
    assert.deepEqual(await list.invoke(new RunContext(), '{"limit":1}'), EXPECTED)
  })

  test('failures resolve as text the model reads', async (t) => {
    const { client, local, calls } = await catalog(t)
    const byName = Object.fromEntries((await client.actions.openaiAgents.getTools({ identifier: IDENTIFIER })).map((x) => [x.name, x]))
    const rc = new RunContext()
    assert.match(await byName.crm_broken.invoke(rc, '{}'), /^crm_broken failed: upstream answered 500 .*the CRM is down/)
    assert.match(await byName.crm_list_contacts.invoke(rc, '{not json'), /^Invalid input for crm_list_contacts: Invalid JSON input/)
    assert.match(await byName.crm_list_contacts.invoke(rc, '{"limit":"many"}'), /^Invalid input for crm_list_contacts: .*params\.limit: must be of type integer/)
    assert.deepEqual(calls('/v1/contacts'), [])

    local.setAccountStatus('crm', IDENTIFIER, 'PENDING_AUTH')
    const text = await byName.crm_list_contacts.invoke(rc, '{"limit":1}')
    assert.match(text, /its status is PENDING_AUTH/)
    const reconnected = await follow(/http\S+\/magic\/\S+/.exec(text)[0], local)
    assert.deepEqual(await byName.crm_list_contacts.invoke(rc, '{"limit":1}'), reconnected)
  })

  test("the run's signal (details.signal) aborts a tool call in flight", { timeout: 30_000 }, async (t) => {
    const { client, slowArrived, slowClosed } = await catalog(t)
    const [slow] = await client.actions.openaiAgents.getTools({ identifier: IDENTIFIER, toolNames: ['crm_slow'] })
    const controller = new AbortController()
    slowArrived.then(() => controller.abort())
    const e = await rejection(slow.invoke(new RunContext(), '{}', { signal: controller.signal }))
    assert.equal(e.name, 'AbortError', String(e))
    await slowClosed
  })

  test("the client's toolTimeoutMs is each call's deadline; its expiry is a result too", async (t) => {
    const { client } = await catalog(t, { toolTimeoutMs: 300 })
    const [slow] = await client.actions.openaiAgents.getTools({ identifier: IDENTIFIER, toolNames: ['crm_slow'] })
    assert.match(await slow.invoke(new RunContext(), '{}'), /^crm_slow could not run: .*timeout of 300ms exceeded/)
  })
})

// ------------------------------------------------------------------------------------------------
// The one listing, tracing, arguments, missing packages
// ------------------------------------------------------------------------------------------------

describe('the adapters share one listing and one execute path', () => {
  test("each lists what forLLM lists, with one listing call per getTools, and executes as kind 'tool'", async (t) => {
    const { client, local } = await catalog(t)
    const filter = { identifier: IDENTIFIER, toolNames: ['crm_list_contacts', 'crm_broken'] }
    const { definitions } = await client.tools.forLLM({ ...filter, format: 'openai' })
    const expected = definitions.map((d) => [d.function.name, d.function.description])
    local.resetStats()
    const aiSdk = await client.actions.aiSdk.getTools(filter)
    const langchain = await client.actions.langchain.getTools(filter)
    const openai = await client.actions.openaiAgents.getTools(filter)
    assert.equal(local.stats()['tools.scoped'], 3)
    assert.deepEqual(Object.entries(aiSdk).map(([name, x]) => [name, x.description]), expected)
    assert.deepEqual(langchain.map((x) => [x.name, x.description]), expected)
    assert.deepEqual(openai.map((x) => [x.name, x.description]), expected)

    const events = []
    const stop = subscribeTracing({ start: (e) => events.push(e) })
    try {
      await langchain[0].invoke({ limit: 1 })
      await openai[0].invoke(new RunContext(), '{"limit":1}')
      await aiSdk.crm_list_contacts.execute({ limit: 1 }, { toolCallId: 'c', messages: [] })
    } finally {
      stop()
    }
    const tools = events.filter((e) => e.kind === 'tool')
    assert.deepEqual(tools.map((e) => `${e.method} ${e.path}`), Array(3).fill('POST /api/v1/execute_tool'))
  })

  test('arguments are checked before anything is sent', async (t) => {
    const { client, local } = await catalog(t)
    local.resetStats()
    for (const adapter of [client.actions.aiSdk, client.actions.langchain, client.actions.openaiAgents]) {
      for (const [call, argument] of [
        [() => adapter.getTools({ identifier: IDENTIFIER, connectionName: 'crm' }), 'connectionName'],
        [() => adapter.getTools({ identifier: IDENTIFIER, pageSize: 1001 }), 'pageSize'],
        [() => adapter.getTools({ identifier: IDENTIFIER, toolNames: 'crm_list_contacts' }), 'toolNames'],
        [() => adapter.getTools({ connectionNames: ['crm'] }), 'identifier'],
      ]) {
        const e = await rejection(call())
        assert.ok(e instanceof ScalekitValidationException, String(e))
        assert.equal(e.argument, argument, e.message)
      }
      const second = await rejection(adapter.getTools({ identifier: IDENTIFIER }, { signal: AbortSignal.timeout(1000) }))
      assert.ok(second instanceof ScalekitValidationException, String(second))
      assert.match(second.message, /getTools takes no second argument/)
    }
    assert.equal(local.stats()['tools.scoped'], 0)
  })

  test("params.signal aborts the listing", async (t) => {
    const { client, local } = await catalog(t)
    local.resetStats()
    for (const adapter of [client.actions.aiSdk, client.actions.langchain, client.actions.openaiAgents]) {
      const e = await rejection(adapter.getTools({ identifier: IDENTIFIER, signal: AbortSignal.abort() }))
      assert.ok(e instanceof ScalekitAbortException, String(e))
    }
    assert.equal(local.stats()['tools.scoped'], 0)
  })

  test('pageSize sets the size of each page, and every page is read', async (t) => {
    const { client, local } = await catalog(t)
    local.resetStats()
    assert.equal((await client.actions.langchain.getTools({ identifier: IDENTIFIER })).length, 4)
    assert.equal(local.stats()['tools.scoped'], 1, 'one page of the default size')
    local.resetStats()
    assert.equal((await client.actions.langchain.getTools({ identifier: IDENTIFIER, pageSize: 1 })).length, 4)
    assert.ok(local.stats()['tools.scoped'] >= 4, 'a page per tool')
  })
})

describe('a framework that is not installed', () => {
  const ADAPTERS = [
    ['aiSdk', 'ai', 'ai'],
    ['langchain', '@langchain/core/tools', '@langchain/core'],
    ['openaiAgents', '@openai/agents', '@openai/agents'],
  ]
  for (const [adapter, specifier, packageName] of ADAPTERS) {
    test(`actions.${adapter}.getTools names the package to install, before any request`, async (t) => {
      const { client, local } = await catalog(t)
      importInstead.set(specifier, 'scalekit-native-not-installed')
      t.after(() => importInstead.delete(specifier))
      local.resetStats()
      const e = await rejection(client.actions[adapter].getTools({ identifier: IDENTIFIER }))
      assert.ok(e instanceof ScalekitMissingPackageException, String(e))
      assert.ok(e instanceof ScalekitException)
      assert.equal(e.packageName, packageName)
      assert.equal(e.message, `actions.${adapter}.getTools needs the package "${packageName}", which is not installed: npm install ${packageName}`)
      assert.equal(e.cause.code, 'ERR_MODULE_NOT_FOUND')
      assert.equal(local.stats()['tools.scoped'], 0)
    })
  }

  test("a framework's own missing dependency is the one named", async (t) => {
    const { client } = await catalog(t)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skn-missing-peer-'))
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
    const stand = path.join(dir, 'framework.mjs')
    fs.writeFileSync(stand, "import 'scalekit-native-missing-peer/sub'\n")
    importInstead.set('ai', pathToFileURL(stand).href)
    t.after(() => importInstead.delete('ai'))
    const e = await rejection(client.actions.aiSdk.getTools({ identifier: IDENTIFIER }))
    assert.ok(e instanceof ScalekitMissingPackageException, String(e))
    assert.equal(e.packageName, 'scalekit-native-missing-peer')
  })
})

// ------------------------------------------------------------------------------------------------
// Typings
// ------------------------------------------------------------------------------------------------

/** `tsc --strict --noEmit` of `files` with `compilerOptions` in `dir`: `{ status, output }`. */
function tsc(dir, files, compilerOptions) {
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }))
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir, '--pretty', 'false'], {
    encoding: 'utf8',
    timeout: 180_000,
  })
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error?.message ?? ''}` }
}

const STRICT = { strict: true, noEmit: true, target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: false, types: ['node'] }

describe('typings', () => {
  test('__test__/agent-frameworks-consumer.ts compiles under tsc --strict against the frameworks\' own types', { timeout: 200_000 }, () => {
    const base = JSON.parse(fs.readFileSync(path.join(ROOT, '__test__', 'tsconfig.json'), 'utf8'))
    assert.ok(base.files.includes('agent-frameworks-consumer.ts'), 'npm run typecheck compiles it too')
    const dir = fs.mkdtempSync(path.join(ROOT, '__test__', '.tsc-'))
    try {
      const { status, output } = tsc(dir, ['../agent-frameworks-consumer.ts'], { ...base.compilerOptions, strict: true })
      assert.equal(status, 0, output)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  test('an app without any of the frameworks installed still compiles (nodenext and bundler)', { timeout: 200_000 }, () => {
    const app = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'skn-no-frameworks-'))
    try {
      const pkg = path.join(app, 'node_modules', 'scalekit-native')
      fs.mkdirSync(pkg, { recursive: true })
      for (const f of ['package.json', 'index.d.ts', 'adapters.d.ts']) fs.copyFileSync(path.join(ROOT, f), path.join(pkg, f))
      fs.mkdirSync(path.join(app, 'node_modules', '@types'))
      fs.symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(app, 'node_modules', '@types', 'node'), 'junction')
      fs.writeFileSync(path.join(app, 'app.mts'), [
        "import { ScalekitClient, ScalekitMissingPackageException } from 'scalekit-native'",
        "const { actions } = new ScalekitClient('https://acme.scalekit.dev', 'id', 'secret')",
        "const toolSet = await actions.aiSdk.getTools({ identifier: 'u' })",
        "const langchain = await actions.langchain.getTools({ identifier: 'u', toolNames: ['t'] })",
        "const agents = await actions.openaiAgents.getTools({ identifier: 'u' })",
        'console.log(toolSet, langchain.length, agents.length, ScalekitMissingPackageException.name)',
      ].join('\n'))
      for (const options of [STRICT, { ...STRICT, module: 'esnext', moduleResolution: 'bundler' }]) {
        const { status, output } = tsc(app, ['app.mts'], options)
        assert.equal(status, 0, `${options.moduleResolution}: ${output}`)
      }
      // The check would see a framework missing: the same app fails when it imports one itself.
      fs.writeFileSync(path.join(app, 'uses.mts'), "import type { ToolSet } from 'ai'\nexport type T = ToolSet\n")
      const { status, output } = tsc(app, ['app.mts', 'uses.mts'], STRICT)
      assert.notEqual(status, 0)
      assert.match(output, /uses\.mts.*Cannot find module 'ai'/)
    } finally {
      fs.rmSync(app, { recursive: true, force: true })
    }
  })
})

test("the tools' MCP hints travel where the framework keeps a tool's metadata (AI SDK, LangChain)", async (t) => {
  const { client } = await catalog(t)
  const hints = { readOnlyHint: true, openWorldHint: false }
  const toolSet = await client.actions.aiSdk.getTools({ identifier: IDENTIFIER })
  assert.deepEqual(toolSet.crm_list_contacts.metadata, { annotations: hints })
  assert.equal(toolSet.crm_broken.metadata, undefined, 'a tool without hints has none')
  const tools = await client.actions.langchain.getTools({ identifier: IDENTIFIER })
  // LangChain keeps metadata of its own there too.
  assert.deepEqual(tools.find((x) => x.name === 'crm_list_contacts').metadata?.annotations, hints)
  assert.equal(tools.find((x) => x.name === 'crm_broken').metadata?.annotations, undefined)
})

