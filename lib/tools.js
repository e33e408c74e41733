'use strict'
// `client.tools`: the same methods as `@scalekit-sdk/node`'s ToolsClient, and `forLLM`.

const util = require('node:util')
const { withSignal } = require('./calls.js')
const { accountCall } = require('./args.js')

/** `updatedAt` crosses the native boundary as an RFC 3339 string and reaches users as a Date. */
function reviveTool(tool) {
  if (tool && typeof tool.updatedAt === 'string') tool.updatedAt = new Date(tool.updatedAt)
}

function reviveTools(result) {
  if (Array.isArray(result.tools)) {
    for (const item of result.tools) reviveTool(item.tool !== undefined ? item.tool : item)
  }
  return result
}

/** `(identifier, options)` → one params object; a non-object `options` goes on for Rust to refuse. */
function withIdentifier(identifier, options) {
  if (options === undefined || options === null) return { identifier }
  if (typeof options !== 'object') return options
  return { ...options, identifier }
}

class ToolsClient {
  #calls

  /** @param {Calls} calls the client's one `Calls`, shared with `actions` */
  constructor(calls) {
    this.#calls = calls
  }

  async #call(method, params) {
    const call = accountCall(params)
    const signal = call.paramsKind === undefined ? params.signal : undefined
    const response = await withSignal(signal, (signalFields) =>
      this.#calls.accounts(method, signalFields === undefined ? call : { ...call, ...signalFields }))
    return response.data
  }

  /** The environment's tool catalog: `{ tools, nextPageToken, prevPageToken, totalSize, toolNames }`. */
  async listTools(options) {
    return reviveTools(await this.#call('listTools', options === undefined || options === null ? {} : options))
  }

  /** The tools `identifier` can run (those of its connected accounts), each with its `connectedAccountId`. */
  async listScopedTools(identifier, options) {
    return reviveTools(await this.#call('listScopedTools', withIdentifier(identifier, options)))
  }

  /** The tools available to `identifier`. */
  async listAvailableTools(identifier, options) {
    return reviveTools(await this.#call('listAvailableTools', withIdentifier(identifier, options)))
  }

  /** Runs a tool (deadline `toolTimeoutMs`); retried on 503 only with `retry`, as a retry can run it twice. */
  executeTool(params) {
    // The official ToolsClient names the tool's input `params` (ActionsClient: `toolInput`).
    if (params === null || typeof params !== 'object') return this.#call('executeTool', params)
    const { params: toolInput, toolInput: _ignored, ...rest } = params
    return this.#call('executeTool', { ...rest, toolInput })
  }

  /**
   * The scoped tools of `identifier` (all pages) as LLM function definitions, in the OpenAI or
   * Anthropic format, and `execute(name, args)` to run a model's tool call.
   */
  async forLLM(options) {
    const { definitions, accounts } = await this.#call('forLLM', options)
    const identifier = options.identifier
    const execute = (name, args, callOptions) => this.#call('executeLLMTool', {
      toolName: name,
      identifier,
      arguments: args,
      tools: accounts,
      signal: callOptions?.signal,
      retry: callOptions?.retry,
    })
    return { definitions, execute }
  }

  [util.inspect.custom]() {
    return 'ToolsClient {}'
  }
}

module.exports = { ToolsClient }
