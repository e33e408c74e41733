'use strict'
// `actions.openaiAgents`: the user's tools as OpenAI Agents SDK FunctionTools (non-strict JSON schema).

const { defineAdapter, failureText, isAbort } = require('./shared.js')

/**
 * `FunctionTool[]` from `tool()` of `@openai/agents`. A tool resolves its `data`; a failure, and
 * input that is not JSON, become the text the model reads (`errorFunction`); an abort of the run's
 * signal rejects.
 */
const OpenAIAgentsAdapter = defineAdapter('OpenAIAgentsAdapter', 'actions.openaiAgents.getTools', ['@openai/agents'],
  ([{ tool, ModelBehaviorError }], tools) => tools.map((t) => tool({
    name: t.name,
    description: t.description,
    parameters: t.parameters,
    // Scalekit's schemas are not written for strict mode (every property required, no extras).
    strict: false,
    execute: async (input, _runContext, details) => (await t.run(input, details?.signal)).data,
    errorFunction: (_runContext, error) => {
      if (isAbort(error)) throw error
      // The SDK's own failure before `execute`: the model's input is not JSON.
      return failureText(error, t.name, error instanceof ModelBehaviorError)
    },
  })))

module.exports = { OpenAIAgentsAdapter }
