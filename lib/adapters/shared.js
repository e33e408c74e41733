'use strict'
// What the agent-framework adapters (ai-sdk.js, langchain.js, openai-agents.js) share: loading a
// framework only when its adapter is used, the user's tools from the one listing (lib/tools.js,
// `listForModel`, as `forLLM`) with one way to run them, and the text a failure shows the model.

const util = require('node:util')
const { listForModel } = require('../tools.js')
const { refuseMore } = require('../args.js')
const X = require('../exceptions.js')

/**
 * A test seam: specifier → the specifier imported instead, so that a test can stand a framework
 * that is installed here in for one that is not.
 */
const importInstead = new Map()

/** `zod/v4` → `zod`, `@langchain/core/tools` → `@langchain/core`; a path → undefined. */
function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes(':')) return undefined
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

/**
 * `import(specifier)` (the frameworks may be ESM-only), or ScalekitMissingPackageException naming
 * the package to install: `specifier`'s own, or one it needs that is missing (e.g. a peer).
 */
async function loadOptional(specifier, feature) {
  const imported = importInstead.get(specifier) ?? specifier
  try {
    return await import(imported)
  } catch (e) {
    const missing = /Cannot find (?:package|module) '([^']+)'/.exec(e?.message ?? '')?.[1]
    const name = missing === undefined ? undefined : packageOf(missing)
    if ((e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') || name === undefined) throw e
    throw new X.ScalekitMissingPackageException(name === packageOf(imported) ? packageOf(specifier) : name, feature, { cause: e })
  }
}

const PARAMS = ['identifier', 'connectionNames', 'providers', 'toolNames', 'pageSize', 'signal']

/** The adapters' own argument rule; Rust checks the values (pageSize included) as for `forLLM`. */
function checkParams(method, params) {
  const unknown = Object.keys(params).find((key) => !PARAMS.includes(key))
  if (unknown !== undefined) {
    throw new X.ScalekitValidationException(`${method}: unknown parameter "${unknown}" (it takes ${PARAMS.join(', ')})`, unknown)
  }
}

/** A tool's input schema as every framework takes one: a JSON object schema with `properties`. */
function objectSchema(schema) {
  return { type: 'object', properties: {}, ...schema }
}

/**
 * The error a failed tool call reports. The account being not ACTIVE (FAILED_PRECONDITION, or the
 * provider refusing its credentials while it is no longer ACTIVE) becomes
 * ScalekitAccountNotConnectedException with the link to connect it again; anything else is kept.
 */
async function explain(source, tool, error, signal) {
  const accountProblem = error?.grpcStatus === 9 || error instanceof X.ScalekitToolUnauthorizedException
  if (!accountProblem || typeof tool.accountId !== 'string' || tool.accountId === '') return error
  try {
    const { connectedAccount: account } = await source.actions.getConnectedAccount({ connectedAccountId: tool.accountId, signal })
    if (!account || account.status === 'ACTIVE') return error
    let authorizationLink
    try {
      ({ link: authorizationLink } = await source.actions.getAuthorizationLink({
        connectionName: account.connector, identifier: account.identifier, signal,
      }))
    } catch (e) {
      if (e instanceof X.ScalekitAbortException) return e
    }
    return new X.ScalekitAccountNotConnectedException({
      toolName: tool.name,
      connectionName: account.connector,
      identifier: account.identifier,
      connectedAccountId: account.id,
      status: account.status,
      authorizationLink,
    }, { cause: error })
  } catch (e) {
    // The lookup failing tells nothing about the account: the tool call's own error stands.
    return e instanceof X.ScalekitAbortException ? e : error
  }
}

/**
 * `params`' tools from the one listing, framework-neutral: `{ name, description, parameters, annotations?,
 * run(input, signal) }`; `run` resolves `{ data, executionId }` or rejects with the error to report.
 */
async function listTools(source, method, params) {
  if (params === null || typeof params !== 'object') return listForModel(source.calls, params) // Rust refuses it
  checkParams(method, params)
  const { definitions, accounts, annotations, identifier, execute } = await listForModel(source.calls, { ...params, format: 'openai' })
  return definitions.map(({ function: { name, description, parameters } }) => {
    const tool = { name, identifier, accountId: accounts[name] }
    const run = async (input, signal) => {
      try {
        return await execute(name, input, { signal })
      } catch (error) {
        throw await explain(source, tool, error, signal)
      }
    }
    return { name, description, parameters: objectSchema(parameters), annotations: annotations[name], run }
  })
}

/** An abort stays an abort in every framework: the caller stopped the run, there is no result. */
function isAbort(error) {
  return error instanceof X.ScalekitAbortException || error?.name === 'AbortError'
}

/**
 * What the model reads when a call of `toolName` failed (LangChain and OpenAI Agents hand it text;
 * the AI SDK sends a thrown error's message). `invalidInput`: the framework refused the input.
 */
function failureText(error, toolName, invalidInput = false) {
  if (error instanceof X.ScalekitAccountNotConnectedException) return error.message
  const message = error?.message ?? String(error)
  const refused = error instanceof X.ScalekitValidationException ||
    (error instanceof X.ScalekitBadRequestException && error.grpcStatus === 3 && !error.isToolError)
  if (invalidInput || refused) {
    return `Invalid input for ${toolName}: ${message.replace(/\.$/, '')}. Call it again with input that matches its schema.`
  }
  if (error?.isToolError) return `${toolName} failed: ${error.toolErrorMessage || message}`
  return `${toolName} could not run: ${message}`
}

/**
 * An adapter class (`actions.<name>`): its `getTools(params)` loads `specifiers` (in order, before
 * any request, so that a missing one fails fast), lists the tools and resolves `build(modules, tools)`.
 */
function defineAdapter(className, method, specifiers, build) {
  const Adapter = class {
    #source

    /** @param {{ calls: Calls, actions: ActionsClient }} source the client's calls, and `actions` for account look-ups */
    constructor(source) {
      this.#source = source
    }

    async getTools(params, ...more) {
      const refused = refuseMore(method, 1, more)
      if (refused) return refused
      const modules = []
      for (const specifier of specifiers) modules.push(await loadOptional(specifier, method))
      return build(modules, await listTools(this.#source, method, params))
    }

    [util.inspect.custom]() {
      return `${className} {}`
    }
  }
  Object.defineProperty(Adapter, 'name', { value: className })
  return Adapter
}

module.exports = { defineAdapter, loadOptional, importInstead, failureText, isAbort }
