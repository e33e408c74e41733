'use strict'
// `actions.aiSdk`: the user's tools as a Vercel AI SDK ToolSet for `generateText` / `streamText`.

const { defineAdapter } = require('./shared.js')

/**
 * `{ [name]: tool }`, built with the AI SDK's `tool` and `jsonSchema`. A tool resolves its `data`; a
 * failure throws, which the AI SDK turns into a tool-error part whose message the model reads.
 */
const AiSdkAdapter = defineAdapter('AiSdkAdapter', 'actions.aiSdk.getTools', ['ai'], ([{ tool, jsonSchema }], tools) =>
  Object.fromEntries(tools.map((t) => [t.name, tool({
    description: t.description,
    inputSchema: jsonSchema(t.parameters),
    // The AI SDK's place for what a tool is beyond its schema: the MCP hints (readOnlyHint, …).
    ...(t.annotations ? { metadata: { annotations: t.annotations } } : {}),
    execute: async (input, options) => (await t.run(input, options?.abortSignal)).data,
  })])))

module.exports = { AiSdkAdapter }
