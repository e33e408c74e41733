'use strict'
// `client.actions`: the same methods as `@scalekit-sdk/node`'s ActionsClient.

const util = require('node:util')
const { withSignal } = require('./calls.js')
const { Readable } = require('node:stream')
const { proxyOptions, readBlob, isAbortSignal, refuseMore } = require('./args.js')
const { defineCalls } = require('./methods.js')
const { pump, dropUpload } = require('./streams.js')
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
const { AiSdkAdapter } = require('./adapters/ai-sdk.js')
const { LangChainAdapter } = require('./adapters/langchain.js')
const { OpenAIAgentsAdapter } = require('./adapters/openai-agents.js')

class ActionsClient {
  #calls

  /** @param {Calls} calls the client's one `Calls` (shared with `tools`: one completion handler per native client) */
  constructor(calls) {
    this.#calls = calls
    /** `actions.mcp`: MCP configurations, instances and session tokens (lib/mcp.js). */
    Object.defineProperty(this, 'mcp', { value: new McpClient(calls), enumerable: true })
    // The agent-framework adapters (lib/adapters/): each loads its framework on first use only.
    const source = { calls, actions: this }
    for (const [name, Adapter] of [['aiSdk', AiSdkAdapter], ['langchain', LangChainAdapter], ['openaiAgents', OpenAIAgentsAdapter]]) {
      Object.defineProperty(this, name, { value: new Adapter(source), enumerable: true })
    }
  }

  /** A call through `{envUrl}/proxy{path}`, forwarded by Scalekit with the user's credentials. */
  async request(params) {
    // `arguments`, not a rest parameter: the hot path allocates nothing for an argument never given.
    if (arguments.length > 1) {
      const refused = refuseMore('actions.request', 1, Array.prototype.slice.call(arguments, 1))
      if (refused) return refused
    }
    const options = proxyOptions(params)
    const p = options?.paramsKind === undefined ? params : {}
    const signal = p.signal
    if (options?.blob) await readBlob(options)
    if (options?.uploads === undefined && (signal === undefined || signal === null)) {
      return this.#calls.request(p.connectionName, p.identifier, p.path, p.method, options)
    }
    let started = false
    let response
    try {
      response = await withSignal(signal, (signalFields) => {
        started = true
        const call = this.#calls.request(p.connectionName, p.identifier, p.path, p.method, { ...options, ...signalFields })
        // Started after the call took its sink; ends by itself when the call stops reading.
        if (options?.uploads) pump(options.uploads.id, options.uploads.source)
        return call
      })
    } finally {
      // A call aborted before it started never takes its upload sink: release it.
      if (!started && options?.uploads) dropUpload(options.uploads.id)
    }
    if (isAbortSignal(signal) && response.data instanceof Readable) abortStreamWith(signal, response.data)
    return response
  }

  static {
    const send = async (client, method, params) => reviveDates(await client.#calls.accountsCall(method, params))
    defineCalls(this, 'actions', send, {
      calls: ['getAuthorizationLink', 'verifyConnectedAccountUser', 'getConnectedAccount', 'waitForConnectedAccount',
        'createConnectedAccount', 'updateConnectedAccount', 'deleteConnectedAccount', 'getOrCreateConnectedAccount',
        'executeTool'],
      pages: { listConnectedAccounts: 'connectedAccounts', listConnections: 'connections' },
      aliases: { upsertConnectedAccount: 'getOrCreateConnectedAccount' },
    })
  }

  [util.inspect.custom]() {
    return 'ActionsClient {}'
  }
}

module.exports = { ActionsClient }
