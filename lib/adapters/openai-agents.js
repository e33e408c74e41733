'use strict'
// `actions.openaiAgents`: the user's tools as OpenAI Agents SDK FunctionTools (non-strict JSON schema).

const util = require('node:util')
const { getTools, failureText, isAbort } = require('./shared.js')

class OpenAIAgentsAdapter {
  #source

  constructor(source) {
    this.#source = source
  }

  /**
   * `FunctionTool[]` from `tool()` of `@openai/agents`. A tool resolves its `data`; a failure, and
   * input that is not JSON, become the text the model reads (`errorFunction`); an abort of the
   * run's signal rejects.
   */
  getTools(params, ...more) {
    return getTools(this.#source, 'actions.openaiAgents.getTools', params, more, ['@openai/agents'], ([{ tool, ModelBehaviorError }], tools) =>
      tools.map((t) => tool({
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
  }

  [util.inspect.custom]() {
    return 'OpenAIAgentsAdapter {}'
  }
}

module.exports = { OpenAIAgentsAdapter }
