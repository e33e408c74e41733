// README, Agent frameworks: the user's tools as LangChain.js StructuredTools, and a model's tool
// call (a fixed one here, no model needed) run with the user's connected account.
//
//   node examples/langchain.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { ScalekitClient } from 'scalekit-native'

const { actions } = ScalekitClient.fromEnv()
const tools = await actions.langchain.getTools({ identifier: 'user_123', connectionNames: ['gmail'] })
console.log(tools.map((tool) => tool.name))   // bind them to your chat model (`model.bindTools(tools)`) or give them to an agent

// The model's tool call runs with the user's connected account; the ToolMessage goes back to the model.
const tool = tools.find((t) => t.name === 'gmail_get_profile')
const toolMessage = await tool?.invoke({ type: 'tool_call', id: 'call_1', name: 'gmail_get_profile', args: {} })
console.log(toolMessage)   // status 'success' with the provider's answer as JSON, or 'error' with what went wrong
