'use strict'
// `actions.langchain`: the user's tools as LangChain.js StructuredTools (`@langchain/core`).

const { defineAdapter, failureText, isAbort } = require('./shared.js')

/** The tool class of each loaded `@langchain/core` (it extends that copy's DynamicStructuredTool). */
const classes = new WeakMap()

function toolClass(core, { ToolMessage }) {
  if (classes.has(core)) return classes.get(core)
  const { DynamicStructuredTool, ToolInputParsingException } = core

  /** A failure as LangChain hands results back: a ToolMessage with status 'error' for a tool call. */
  function failure(error, toolName, toolCallId, invalidInput) {
    if (isAbort(error)) throw error
    const content = failureText(error, toolName, invalidInput)
    return toolCallId === undefined ? content : new ToolMessage({ status: 'error', content, tool_call_id: toolCallId, name: toolName })
  }

  class ScalekitTool extends DynamicStructuredTool {
    constructor(t) {
      super({
        name: t.name,
        description: t.description,
        schema: t.parameters,
        // LangChain's place for what a tool is beyond its schema: the MCP hints (readOnlyHint, …).
        ...(t.annotations ? { metadata: { annotations: t.annotations } } : {}),
        verboseParsingErrors: true,
        func: async (input, _runManager, config) => {
          try {
            return JSON.stringify((await t.run(input, config?.signal)).data)
          } catch (error) {
            return failure(error, t.name, config?.toolCall?.id, false)
          }
        },
      })
    }

    // LangChain checks the input against the schema before `func` runs, and throws: that is the
    // model's invalid input, which it must read as a result too.
    async call(arg, config, tags) {
      try {
        return await super.call(arg, config, tags)
      } catch (error) {
        if (!(error instanceof ToolInputParsingException)) throw error
        return failure(error, this.name, arg?.type === 'tool_call' ? arg.id : config?.toolCall?.id, true)
      }
    }
  }
  classes.set(core, ScalekitTool)
  return ScalekitTool
}

/**
 * `StructuredTool[]`. `invoke(args)` resolves the tool's `data` as JSON text, or the failure as text
 * the model reads; `invoke(toolCall)` a ToolMessage (status 'error' for a failure). The config's
 * `signal` aborts the call (it rejects).
 */
const LangChainAdapter = defineAdapter('LangChainAdapter', 'actions.langchain.getTools',
  ['@langchain/core/tools', '@langchain/core/messages'], ([core, messages], tools) => {
    const ScalekitTool = toolClass(core, messages)
    return tools.map((t) => new ScalekitTool(t))
  })

module.exports = { LangChainAdapter }
