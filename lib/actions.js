'use strict'
// `client.actions`: the same methods as `@scalekit-sdk/node`'s ActionsClient.

const util = require('node:util')
const { withSignal, settle } = require('./calls.js')
const { proxyOptions, unreadable, readBlob, isAbortSignal, refuseMore, throwMore } = require('./args.js')
const { defineCalls } = require('./methods.js')
const { pump, dropUpload, isDownload } = require('./streams.js')
const { ScalekitAbortException } = require('./exceptions.js')

/** Aborting `signal` while a streamed download is read destroys it (and closes its connection). */
function abortStreamWith(signal, stream) {
  const onAbort = () => stream.destroy(new ScalekitAbortException(undefined, { cause: signal.reason }))
  if (signal.aborted) return onAbort()
  signal.addEventListener('abort', onAbort, { once: true })
  stream.once('close', () => signal.removeEventListener('abort', onAbort))
}
const { reviveDates } = require('./dates.js')
const { McpClient } = require('./mcp.js')
const { ProvidersClient } = require('./providers.js')

// The agent-framework adapters, loaded on first use: a client that never asks for one does not pay
// for loading them when it starts (docs/architecture.md, "Runtime and lifetime").
const ADAPTERS = [
  ['aiSdk', () => require('./adapters/ai-sdk.js').AiSdkAdapter],
  ['langchain', () => require('./adapters/langchain.js').LangChainAdapter],
  ['openaiAgents', () => require('./adapters/openai-agents.js').OpenAIAgentsAdapter],
]

/** `object[name]`, made by `make()` on first read, then a plain read-only property. */
function defineLazy(object, name, make) {
  Object.defineProperty(object, name, {
    enumerable: true,
    configurable: true,
    get() {
      const value = make()
      Object.defineProperty(object, name, { value, enumerable: true })
      return value
    },
  })
}

class ActionsClient {
  #calls

  /** @param {Calls} calls the client's one `Calls` (shared with `tools`: one completion handler per native client) */
  constructor(calls) {
    this.#calls = calls
    /** `actions.mcp`: MCP configurations, instances and session tokens (lib/mcp.js). */
    Object.defineProperty(this, 'mcp', { value: new McpClient(calls), enumerable: true })
    /** `actions.providers`: custom providers (lib/providers.js). */
    Object.defineProperty(this, 'providers', { value: new ProvidersClient(calls), enumerable: true })
    // The agent-framework adapters (lib/adapters/): each loads its framework on first use only.
    const source = { calls, actions: this }
    for (const [name, load] of ADAPTERS) defineLazy(this, name, () => new (load())(source))
  }

  /** A call through `{envUrl}/proxy{path}`, forwarded by Scalekit with the user's credentials. */
  async request(params) {
    // `arguments`, not a rest parameter: the hot path allocates nothing for an argument never given.
    if (arguments.length > 1) {
      const refused = refuseMore('actions.request', 1, Array.prototype.slice.call(arguments, 1))
      if (refused) return refused
    }
    let options = proxyOptions(params)
    // Params Rust refuses without reading (not an object, or reads that throw) are not read here either.
    const p = options?.paramsKind === undefined && options?.paramsError === undefined ? params : {}
    let connectionName, identifier, path, method, signal
    try {
      ({ connectionName, identifier, path, method, signal } = p)
    } catch (e) {
      // An upload proxyOptions opened is never sent: release it.
      if (options?.uploads) dropUpload(options.uploads.id)
      options = unreadable(e)
    }
    if (options?.blob) await readBlob(options)
    if (options?.uploads === undefined && (signal === undefined || signal === null)) {
      return settle(await this.#calls.request(connectionName, identifier, path, method, options))
    }
    let started = false
    let response
    try {
      response = await withSignal(signal, (signalFields) => {
        started = true
        const call = this.#calls.request(connectionName, identifier, path, method, { ...options, ...signalFields })
        // Started after the call took its sink; ends by itself when the call stops reading.
        if (options?.uploads) pump(options.uploads.id, options.uploads.source)
        return call
      })
    } finally {
      // A call aborted before it started never takes its upload sink: release it.
      if (!started && options?.uploads) dropUpload(options.uploads.id)
    }
    settle(response)
    if (isAbortSignal(signal) && isDownload(response.data)) abortStreamWith(signal, response.data)
    return response
  }

  static {
    const send = async (client, method, params) => reviveDates(await client.#calls.accountsCall(method, params))
    defineCalls(this, 'actions', send, {
      calls: ['getAuthorizationLink', 'verifyConnectedAccountUser', 'getConnectedAccount', 'getConnectedAccountDetails',
        'waitForConnectedAccount',
        'createConnectedAccount', 'updateConnectedAccount', 'deleteConnectedAccount', 'getOrCreateConnectedAccount',
        'executeTool'],
      pages: { listConnectedAccounts: 'connectedAccounts', listConnections: 'connections' },
      aliases: { upsertConnectedAccount: 'getOrCreateConnectedAccount' },
    })
  }

  /**
   * Registers `fn` to change the input of the tools `toolNames` names (a name or an array) before
   * they run, on every path that runs a tool; returns the modifier. Modifiers run in the order added.
   */
  preModifier(toolNames, fn, ...more) {
    throwMore('actions.preModifier', 2, more)
    return this.#calls.modifiers.register('actions.preModifier', 'pre', toolNames, fn)
  }

  /** Registers `fn` to change the `data` of those tools' results. */
  postModifier(toolNames, fn, ...more) {
    throwMore('actions.postModifier', 2, more)
    return this.#calls.modifiers.register('actions.postModifier', 'post', toolNames, fn)
  }

  /** Adds a modifier `{ toolNames, type: 'pre' | 'post', fn }` (a ToolModifier, or a plain object). */
  addModifier(modifier, ...more) {
    throwMore('actions.addModifier', 1, more)
    return this.#calls.modifiers.add(modifier)
  }

  /** The modifiers, in the order added; those of `toolName`, and of `type`, when given. */
  getModifiers(toolName, type, ...more) {
    throwMore('actions.getModifiers', 2, more)
    return this.#calls.modifiers.query(toolName, type)
  }

  [util.inspect.custom]() {
    return 'ActionsClient {}'
  }
}

module.exports = { ActionsClient }
