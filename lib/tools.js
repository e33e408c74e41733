'use strict'
// `client.tools`: the same methods as `@scalekit-sdk/node`'s ToolsClient, and `forLLM`.

const util = require('node:util')
const { refuseMore } = require('./args.js')
const { pagePromise } = require('./pages.js')
const { dateFields } = require('./dates.js')

/** `updatedAt` crosses the native boundary as an RFC 3339 string and reaches users as a Date. */
function reviveTool(tool) {
  dateFields(tool, ['updatedAt'])
}

function reviveTools(result) {
  if (Array.isArray(result.tools)) {
    for (const item of result.tools) reviveTool(item.tool !== undefined ? item.tool : item)
  }
  return result
}

/**
 * `(identifier, options)` → one params object; a non-object `options`, or one whose reads throw,
 * goes on as it is for Rust to refuse (lib/args.js `accountCall`).
 */
function withIdentifier(identifier, options) {
  if (options === undefined || options === null) return { identifier }
  if (typeof options !== 'object') return options
  try {
    return { ...options, identifier }
  } catch {
    return options
  }
}

/** A listTools page's items: its tools, or its tool names for a `filter.summary` listing. */
function toolsOrNames(page) {
  return page?.tools?.length > 0 ? page.tools : page?.toolNames
}

class ToolsClient {
  #calls

  /** @param {Calls} calls the client's one `Calls`, shared with `actions` */
  constructor(calls) {
    this.#calls = calls
  }

  #call(method, params) {
    return this.#calls.accountsCall(method, params)
  }

  async #list(method, params) {
    return reviveTools(await this.#call(method, params))
  }

  /**
   * A listing's first page, iterable over every tool of every page (lib/pages.js);
   * `withToken(pageToken)` is the same call's params for a following page.
   */
  #pages(method, params, refused, withToken, key = 'tools') {
    const first = refused ?? this.#list(method, params)
    return pagePromise(first, key, (pageToken) => this.#list(method, withToken(pageToken)), () => params?.pageToken,
      `tools.${method}`)
  }

  /** The environment's tool catalog: `{ tools, nextPageToken, prevPageToken, totalSize, toolNames }`. */
  listTools(options, ...more) {
    return this.#pages('listTools', options === undefined || options === null ? {} : options,
      refuseMore('tools.listTools', 1, more), (pageToken) => ({ ...options, pageToken }), toolsOrNames)
  }

  /** The tools `identifier` can run (those of its connected accounts), each with its `connectedAccountId`. */
  listScopedTools(identifier, options, ...more) {
    return this.#pages('listScopedTools', withIdentifier(identifier, options),
      refuseMore('tools.listScopedTools', 2, more), (pageToken) => withIdentifier(identifier, { ...options, pageToken }))
  }

  /** The tools available to `identifier`. */
  listAvailableTools(identifier, options, ...more) {
    return this.#pages('listAvailableTools', withIdentifier(identifier, options),
      refuseMore('tools.listAvailableTools', 2, more), (pageToken) => withIdentifier(identifier, { ...options, pageToken }))
  }

  /**
   * The catalog's tools ranked against `query` (the Python SDK's `search_tools`): `{ tools: [{ name,
   * provider, description, score, connections }] }`, best first; with `identifier`, `connections`
   * holds its accounts on each tool's provider with their `readinessState`.
   */
  searchTools(params, ...more) {
    return refuseMore('tools.searchTools', 1, more) ?? this.#call('searchTools', params)
  }

  /**
   * Runs a tool (deadline `toolTimeoutMs`); retried on 503 only with `retry`, as a retry can run it
   * twice. The input is `params`, as the official ToolsClient names it (`actions.executeTool`:
   * `toolInput`, which Rust refuses here by name).
   */
  executeTool(params, ...more) {
    return refuseMore('tools.executeTool', 1, more) ?? this.#call('tools.executeTool', params)
  }

  /**
   * The scoped tools of `identifier` (all pages) as LLM function definitions, in the OpenAI or
   * Anthropic format, and `execute(name, args)` to run a model's tool call.
   */
  async forLLM(options, ...more) {
    const refused = refuseMore('tools.forLLM', 1, more)
    if (refused) return refused
    const { definitions, execute } = await listForModel(this.#calls, options)
    return {
      definitions,
      execute: (name, args, callOptions, ...rest) => refuseMore('forLLM().execute', 3, rest) ?? execute(name, args, callOptions),
    }
  }

  [util.inspect.custom]() {
    return 'ToolsClient {}'
  }
}

/**
 * The one listing behind `forLLM` and the agent-framework adapters (lib/adapters/): every page of
 * the scoped tools of `options.identifier` as definitions in `options.format` (Rust builds them),
 * `accounts` (tool name → the connected account that runs it), `annotations` (tool name → its
 * MCP hints, `readOnlyHint` …, for the tools that have them), and `execute` running a listed
 * tool with that account (ExecuteTool: the tools deadline, tracing as kind 'tool', `signal`).
 */
async function listForModel(calls, options) {
  const { definitions, accounts, annotations = {} } = await calls.accountsCall('forLLM', options)
  const identifier = options.identifier
  const execute = (name, args, callOptions) => calls.accountsCall('executeLLMTool', {
    toolName: name,
    identifier,
    arguments: args,
    tools: accounts,
    signal: callOptions?.signal,
    retry: callOptions?.retry,
  })
  return { definitions, accounts, annotations, identifier, execute }
}

module.exports = { ToolsClient, listForModel }
