// README, Tools: modifiers change a tool's input before it runs and its result after.
//
//   node examples/modifiers.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { ScalekitClient } from 'scalekit-native'

const { actions, tools } = ScalekitClient.fromEnv()

// Every call that runs gmail_get_profile goes through them: actions.executeTool, tools.executeTool,
// forLLM's execute and the agent-framework adapters.
actions.preModifier('gmail_get_profile', (input) => ({ ...input, format: 'minimal' }))
actions.postModifier(['gmail_get_profile'], (data) => ({ profile: data, fetchedAt: new Date().toISOString() }))

const { execute } = await tools.forLLM({ identifier: 'user_123', format: 'openai' })
const { data } = await execute('gmail_get_profile', '{}')
console.log(data)   // { profile: { … }, fetchedAt: '…' }
console.log(actions.getModifiers('gmail_get_profile').map((m) => m.type))   // [ 'pre', 'post' ]
