// Typings of the agent-framework adapters (`actions.aiSdk`, `actions.langchain`,
// `actions.openaiAgents`; README, "Agent frameworks"). They are here, apart from index.d.ts, as the
// only file that names the frameworks' packages. Each is an optional peer dependency: the
// `@ts-ignore` above its import keeps this file compiling for apps that do not install it (the
// types from that package are then `any`); where it is installed, they are its own types.

// @ts-ignore: optional peer dependency `ai`; `any` when it is not installed
import type { ToolSet } from 'ai'
// @ts-ignore: optional peer dependency `@langchain/core`; `any` when it is not installed
import type { StructuredTool } from '@langchain/core/tools'
// @ts-ignore: optional peer dependency `@openai/agents`; `any` when it is not installed
import type { FunctionTool } from '@openai/agents'
import type { CallOptions } from './index.js'

/** Which of the user's scoped tools to list (every page), as `tools.forLLM`; `signal` aborts the listing. */
export interface AgentToolsParams extends CallOptions {
  identifier: string
  connectionNames?: string[]
  providers?: string[]
  toolNames?: string[]
  /** 0–1000. Accepted as the Python SDK's `page_size`; every page is read either way. */
  pageSize?: number
}

/** `actions.aiSdk`: for the Vercel AI SDK (`ai`). */
export interface AiSdkAdapter {
  /**
   * A ToolSet for `generateText` / `streamText`. A failed call throws (the AI SDK sends its message
   * to the model as a tool error); `abortSignal` aborts it.
   */
  getTools(params: AgentToolsParams): Promise<ToolSet>
}

/** `actions.langchain`: for LangChain.js (`@langchain/core`). */
export interface LangChainAdapter {
  /**
   * StructuredTools: `invoke(args)` resolves the result as JSON text, or a failure as text the model
   * reads (a ToolMessage with status 'error' for a tool call); the config's `signal` aborts it.
   */
  getTools(params: AgentToolsParams): Promise<StructuredTool[]>
}

/** `actions.openaiAgents`: for the OpenAI Agents SDK (`@openai/agents`). */
export interface OpenAIAgentsAdapter {
  /**
   * FunctionTools (non-strict JSON schemas): a failure resolves as text the model reads; the run's
   * signal aborts a call.
   */
  getTools<TContext = unknown>(params: AgentToolsParams): Promise<Array<FunctionTool<TContext, any, unknown>>>
}
