// The agent-framework adapters' typings against the frameworks' own types (`npm run typecheck`,
// strict): what each getTools resolves must be what `generateText`, LangChain and an OpenAI Agent take.
import {
  ScalekitClient,
  ScalekitAccountNotConnectedException,
  ScalekitMissingPackageException,
  type AgentToolsParams,
} from 'scalekit-native'

import { generateText, stepCountIs, type ToolSet } from 'ai'
import { MockLanguageModelV3 } from 'ai/test'
import type { StructuredTool, StructuredToolInterface } from '@langchain/core/tools'
import { Agent, RunContext, type FunctionTool, type Tool } from '@openai/agents'

export async function aiSdk(client: ScalekitClient): Promise<string | undefined> {
  const params: AgentToolsParams = { identifier: 'user_1', connectionNames: ['crm'], providers: ['CRM'], toolNames: ['crm_list'], pageSize: 100 }
  const tools: ToolSet = await client.actions.aiSdk.getTools(params)
  // @ts-expect-error: a ToolSet, not `any` (the package's own types are used where it is installed)
  const wrong: number = tools
  void wrong
  const result = await generateText({ model: new MockLanguageModelV3(), tools, prompt: 'List my contacts', stopWhen: stepCountIs(2) })
  for (const part of result.steps[0]?.content ?? []) {
    if (part.type === 'tool-error' && part.error instanceof ScalekitAccountNotConnectedException) {
      const link: string | undefined = part.error.authorizationLink
      const status: string = part.error.status
      return `${status} ${link}`
    }
  }
  return undefined
}

export async function langchain(client: ScalekitClient, signal: AbortSignal): Promise<unknown> {
  const tools: StructuredTool[] = await client.actions.langchain.getTools({ identifier: 'user_1', signal })
  const asInterfaces: StructuredToolInterface[] = tools
  // @ts-expect-error: StructuredTools, not `any`
  const wrong: string[] = tools
  void wrong
  return asInterfaces[0]?.invoke({ limit: 1 }, { signal })
}

export async function openaiAgents(client: ScalekitClient): Promise<unknown> {
  const tools: FunctionTool[] = await client.actions.openaiAgents.getTools({ identifier: 'user_1' })
  const withContext = await client.actions.openaiAgents.getTools<{ userId: string }>({ identifier: 'user_1' })
  const agent = new Agent<{ userId: string }>({ name: 'Assistant', instructions: 'Help the user', tools: withContext })
  const asTools: Tool[] = tools
  void agent
  void asTools
  return tools[0]?.invoke(new RunContext(), '{"limit":1}')
}

export async function missing(client: ScalekitClient): Promise<string> {
  try {
    await client.actions.openaiAgents.getTools({ identifier: 'user_1' })
    return ''
  } catch (err) {
    if (err instanceof ScalekitMissingPackageException) return err.packageName
    throw err
  }
}

export async function refused(client: ScalekitClient): Promise<void> {
  // @ts-expect-error: identifier is required
  await client.actions.aiSdk.getTools({ connectionNames: ['crm'] })
  // @ts-expect-error: no such parameter
  await client.actions.langchain.getTools({ identifier: 'u', format: 'openai' })
}
