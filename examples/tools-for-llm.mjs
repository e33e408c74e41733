// README, Tools: the user's tools for a model, and the model's tool call run.
//
//   node examples/tools-for-llm.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { ScalekitClient } from 'scalekit-native'

const { tools } = ScalekitClient.fromEnv()
const { definitions, execute } = await tools.forLLM({ identifier: 'user_123', format: 'openai' })
console.log(definitions.map((d) => d.function.name))   // give `definitions` to the model as its `tools`

// The model answers with a tool call (a fixed one here); run it with the user's connected account:
const toolCall = { id: 'call_1', function: { name: 'gmail_get_profile', arguments: '{}' } }
const { data } = await execute(toolCall.function.name, toolCall.function.arguments)
const toolMessage = { role: 'tool', tool_call_id: toolCall.id, content: JSON.stringify(data) }
console.log(toolMessage)                                // goes back to the model
