// README, Agent frameworks: the user's tools in the Vercel AI SDK's `generateText`, offline: a
// scripted model (MockLanguageModelV3 of `ai/test`) stands in for yours and calls one of them.
//
//   node examples/ai-sdk.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { ScalekitClient, ScalekitAccountNotConnectedException } from 'scalekit-native'
import { generateText, stepCountIs } from 'ai'
import { MockLanguageModelV3 } from 'ai/test'

const { actions } = ScalekitClient.fromEnv()
const tools = await actions.aiSdk.getTools({ identifier: 'user_123', connectionNames: ['gmail'] })

// A scripted model stands in for yours (e.g. `openai('gpt-4.1')`): it calls a tool, then answers.
const usage = { inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 0, text: 0, reasoning: 0 } }
const model = new MockLanguageModelV3({
  doGenerate: [
    { content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'gmail_get_profile', input: '{}' }], finishReason: { unified: 'tool-calls', raw: undefined }, usage, warnings: [] },
    { content: [{ type: 'text', text: 'Here is your Gmail profile.' }], finishReason: { unified: 'stop', raw: undefined }, usage, warnings: [] },
  ],
})

const result = await generateText({ model, tools, prompt: 'Show my Gmail profile', stopWhen: stepCountIs(3) })
for (const part of result.steps[0].content) {
  if (part.type === 'tool-result') console.log(part.toolName, part.output)   // the provider's answer
  if (part.type === 'tool-error' && part.error instanceof ScalekitAccountNotConnectedException) {
    console.log('Connect your account:', part.error.authorizationLink)        // the model read the link too
  }
}
console.log(result.text)
