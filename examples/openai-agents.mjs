// README, Agent frameworks: the user's tools in an OpenAI Agents SDK agent, run offline: a scripted
// model stands in for OpenAI's and calls one of them.
//
//   node examples/openai-agents.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { ScalekitClient } from 'scalekit-native'
import { Agent, run, setTracingDisabled, Usage } from '@openai/agents'

const { actions } = ScalekitClient.fromEnv()
const tools = await actions.openaiAgents.getTools({ identifier: 'user_123', connectionNames: ['gmail'] })

setTracingDisabled(true)   // a scripted run has nothing to send to OpenAI's traces
let turn = 0
const agent = new Agent({
  name: 'Assistant',
  instructions: 'Help the user with their Gmail',
  tools,
  // A scripted model stands in for OpenAI's (the default, with OPENAI_API_KEY): it calls a tool, then answers.
  model: {
    async getResponse() {
      turn += 1
      return turn === 1
        ? { usage: new Usage(), output: [{ type: 'function_call', callId: 'call_1', name: 'gmail_get_profile', arguments: '{}', status: 'completed' }] }
        : { usage: new Usage(), output: [{ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Here is your Gmail profile.' }] }] }
    },
    async *getStreamedResponse() {},
  },
})

const result = await run(agent, 'Show my Gmail profile')
for (const item of result.newItems) {
  if (item.type === 'tool_call_output_item') console.log(item.output)   // the provider's answer, or the failure the model read
}
console.log(result.finalOutput)
