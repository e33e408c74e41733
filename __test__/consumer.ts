// A TypeScript consumer of the public typings; `npm run typecheck` compiles it with --noEmit.
// It imports the package by name, as a user's app does, so `exports` and `types` are checked too.
import {
  ScalekitClient,
  LocalScalekit,
  ScalekitException,
  ScalekitServerException,
  ScalekitValidationException,
  ScalekitNotFoundException,
  ScalekitGatewayTimeoutException,
  ScalekitNetworkException,
  ScalekitResponseTooLargeException,
  type ProxyResponse,
  type RequestBody,
  type RequestParams,
  type AuthorizationLink,
  type LocalScalekitOptions,
  type ScalekitClientOptions,
} from 'scalekit-native'

import { Readable } from 'node:stream'

interface Customer {
  id: string
}

export async function flow(): Promise<void> {
  const options: LocalScalekitOptions = {
    connections: [{ name: 'crm', authType: 'API_KEY', apiKey: { header: 'X-API-Key' } }],
    accounts: [{ connectionName: 'crm', identifier: 'user_1', authorizationDetails: { static_auth: { details: { api_key: 'k' } } } }],
    tokenTtlSeconds: 60,
    tools: [{ name: 'crm_list', connection: 'crm', annotations: { readOnlyHint: true, openWorldHint: false }, request: { path: '/v1/customers' } }],
    mcpConfigs: [{ name: 'crm-reader', description: 'Reads the CRM', connectionToolMappings: [{ connectionName: 'crm', tools: ['crm_list'] }] }],
  }
  const local: LocalScalekit = await LocalScalekit.start(options)
  const env: string = local.env().SCALEKIT_ENV_URL
  const client = new ScalekitClient(local.url, local.clientId, local.clientSecret, { toolTimeoutMs: 5_000, maxRetries: 1 })
  const fromEnv: ScalekitClient = ScalekitClient.fromEnv({ timeoutMs: 1_000 })
  void fromEnv
  void env
  const networks: ScalekitClientOptions[] = [
    { ca: '-----BEGIN CERTIFICATE-----' },
    { ca: [Buffer.from(''), ''], proxy: 'http://user:pass@proxy.internal:3128' },
    { proxy: false },
    // @ts-expect-error: proxy is a URL string or false
    { proxy: true },
  ]
  void networks

  const link: AuthorizationLink = await client.actions.getAuthorizationLink({ connectionName: 'crm', identifier: 'user_1', state: 's' })
  const expiry: Date | undefined = link.expiry
  void expiry

  const params: RequestParams = {
    connectionName: 'crm',
    identifier: 'user_1',
    path: '/v1/customers',
    method: 'POST',
    queryParams: { page: 1, tags: ['a', 'b'], since: new Date(0), filter: { name: 'x' } },
    body: { name: 'Ada' },
    headers: { 'X-Trace': 'abc', 'X-Count': 2 },
    timeoutMs: 1_000,
    retry: false,
  }
  const response: ProxyResponse<Customer> = await client.actions.request<Customer>(params)
  const id: string = response.data.id
  const status: number = response.status
  const header: string | string[] | undefined = response.headers['content-type']
  void id
  void status
  void header

  await client.actions.request({ connectionName: 'crm', identifier: 'user_1', path: 'raw', body: Buffer.from('x'), formData: { a: 1 } })

  // Streamed and binary bodies.
  const download = await client.actions.request({ connectionName: 'crm', identifier: 'user_1', path: '/file', responseType: 'stream' })
  const readable: Readable = download.data
  for await (const chunk of readable) void (chunk as Buffer)
  const bytes: Buffer = (await client.actions.request({ connectionName: 'crm', identifier: 'user_1', path: '/f', responseType: 'arraybuffer' })).data
  const text: string = (await client.actions.request({ connectionName: 'crm', identifier: 'user_1', path: '/f', responseType: 'text' })).data
  void [bytes, text]
  const form = new FormData()
  form.append('file', new Blob(['hi'], { type: 'text/plain' }), 'hi.txt')
  const bodies: RequestBody[] = [Readable.from(['a']), new Blob(['x']), form, (async function* () { yield new Uint8Array(1) })()]
  for (const body of bodies) await client.actions.request({ connectionName: 'crm', identifier: 'user_1', path: '/up', method: 'POST', body })
  await client.actions.request({ connectionName: 'crm', identifier: 'user_1', path: '/up', method: 'POST', formData: form, maxResponseBytes: 1024 })
  try {
    await client.actions.request({ connectionName: 'crm', identifier: 'user_1', path: '/big', maxResponseBytes: 10 })
  } catch (err) {
    if (err instanceof ScalekitResponseTooLargeException) {
      const limit: number = err.limit
      void limit
    }
  }

  try {
    await client.actions.request({ connectionName: 'crm', identifier: 'user_1', path: '/missing' })
  } catch (err) {
    if (err instanceof ScalekitNotFoundException) {
      const s: number = err.httpStatus
      const g: number = err.grpcStatus
      const code: string | null = err.errorCode
      const data: unknown = err.data
      void [s, g, code, data]
    } else if (err instanceof ScalekitGatewayTimeoutException) {
      const s: number = err.httpStatus
      void s
    } else if (err instanceof ScalekitServerException) {
      const h: Record<string, string | string[]> = err.headers
      void h
    } else if (err instanceof ScalekitValidationException) {
      const arg: string = err.argument
      void arg
    } else if (err instanceof ScalekitNetworkException || err instanceof ScalekitException) {
      const m: string = err.message
      void m
    }
  }

  const stats = local.stats()
  const proxied: number = stats.proxy
  void proxied
  local.revokeTokens()
  await local.close()
}

// @ts-expect-error: connectionName is required
const missing: RequestParams = { identifier: 'x', path: '/x' }
void missing

import { ConnectorStatus, ConnectorType, type ConnectedAccount, type ListConnectedAccountsResponse } from 'scalekit-native'

export async function lifecycle(client: ScalekitClient): Promise<void> {
  const { connectedAccount } = await client.actions.getOrCreateConnectedAccount({
    connectionName: 'crm',
    identifier: 'user_1',
    authorizationDetails: { details: { case: 'staticAuth', value: { details: { api_key: 'k' } } } },
  })
  const account: ConnectedAccount | undefined = connectedAccount
  if (account?.status === ConnectorStatus.ACTIVE && account.authorizationType === ConnectorType.API_KEY) {
    const details = account.authorizationDetails?.details
    if (details?.case === 'staticAuth') {
      const key: unknown = details.value.details['api_key']
      void key
    }
    const updated: Date | undefined = account.updatedAt
    void updated
  }
  await client.actions.upsertConnectedAccount({ connectionName: 'gmail', identifier: 'u', authorizationDetails: { oauthToken: { accessToken: 'a' } } })
  await client.actions.createConnectedAccount({ connectionName: 'crm', identifier: 'u2', apiConfig: { region: 'eu' } })
  await client.actions.updateConnectedAccount({ connectedAccountId: 'ca_1', authorizationDetails: { staticAuth: { details: { token: 't' } } } })
  const page: ListConnectedAccountsResponse = await client.actions.listConnectedAccounts({ connectionName: 'crm', pageSize: 10 })
  const next: string = page.nextPageToken
  void next
  await client.actions.deleteConnectedAccount({ connectionName: 'crm', identifier: 'u2' })
  const { postUserVerifyRedirectUrl } = await client.actions.verifyConnectedAccountUser({ authRequestId: 'r', identifier: 'u' })
  void postUserVerifyRedirectUrl
  const { connections } = await client.actions.listConnections()
  const name: string | undefined = connections[0]?.connectionName
  void name
  const tool = await client.actions.executeTool<{ ok: boolean }>({ toolName: 'emulator_echo', connector: 'crm', identifier: 'u' })
  const ok: boolean | undefined = tool.data?.ok
  void ok
}

import { ScalekitToolRateLimitException } from 'scalekit-native'
export function toolFields(e: unknown): string | undefined {
  if (e instanceof ScalekitToolRateLimitException) {
    const code: string = e.toolErrorCode
    const status: number = e.httpStatus
    return `${code} ${status} ${e.executionId}`
  }
  return undefined
}

import type { Tool, ScopedTool, OpenAIToolDefinition, AnthropicToolDefinition, ListToolsResponse } from 'scalekit-native'
export async function tools(client: ScalekitClient): Promise<void> {
  const catalog: ListToolsResponse = await client.tools.listTools({ filter: { toolName: ['gmail_send'], provider: 'GMAIL' }, pageSize: 50 })
  const first: Tool | undefined = catalog.tools[0]
  const schemaType = first?.definition.input_schema?.['type']
  void schemaType
  const scoped = await client.tools.listScopedTools('u@x.com', { filter: { connectionNames: ['gmail'] } })
  const item: ScopedTool | undefined = scoped.tools[0]
  const accountId: string | undefined = item?.connectedAccountId
  void accountId
  const available = await client.tools.listAvailableTools('u@x.com', { pageSize: 10 })
  const when: Date | undefined = available.tools[0]?.updatedAt
  void when
  await client.tools.executeTool({ toolName: 'gmail_send', identifier: 'u@x.com', params: { to: 'a' }, retry: true })

  const openai = await client.tools.forLLM({ identifier: 'u@x.com', format: 'openai' })
  const fn: OpenAIToolDefinition | undefined = openai.definitions[0]
  const fnName: string | undefined = fn?.function.name
  void fnName
  const result = await openai.execute<{ id: string }>('gmail_send', '{"to":"a"}')
  const id: string | undefined = result.data?.id
  void id
  const anthropic = await client.tools.forLLM({ identifier: 'u@x.com', format: 'anthropic', connectionNames: ['gmail'] })
  const def: AnthropicToolDefinition | undefined = anthropic.definitions[0]
  const schema = def?.input_schema
  void schema
  await anthropic.execute('gmail_send', { to: 'a' }, { retry: 1 })
}

import type { PagePromise, ConnectedAccountForList, ListScopedToolsResponse } from 'scalekit-native'
export async function ergonomics(client: ScalekitClient, signal: AbortSignal): Promise<void> {
  const { connectedAccount } = await client.actions.waitForConnectedAccount({
    connectionName: 'crm', identifier: 'u', timeoutMs: 120_000, pollIntervalMs: 250, signal,
  })
  const active: string | undefined = connectedAccount?.status
  await client.actions.waitForConnectedAccount({ connectedAccountId: 'ca_1' })
  void active

  const pages: PagePromise<ListConnectedAccountsResponse, ConnectedAccountForList> =
    client.actions.listConnectedAccounts({ pageSize: 10, signal })
  const firstPage: ListConnectedAccountsResponse = await pages
  void firstPage
  for await (const account of client.actions.listConnectedAccounts({ pageSize: 10 })) {
    const id: string = account.id
    void id
  }
  for await (const connection of client.actions.listConnections()) void (connection.connectionName satisfies string)
  for await (const tool of client.tools.listTools({ pageSize: 100 })) void (tool.definition satisfies object)
  const scoped: PagePromise<ListScopedToolsResponse, ScopedTool> = client.tools.listScopedTools('u')
  for await (const item of scoped) void (item.connectedAccountId satisfies string)
  for await (const tool of client.tools.listAvailableTools('u')) void (tool.id satisfies string)
  // @ts-expect-error: the signal goes in params, not as a second argument
  await client.actions.listConnections({}, AbortSignal.abort())
  // @ts-expect-error: waitForConnectedAccount takes no pageSize
  await client.actions.waitForConnectedAccount({ connectedAccountId: 'ca_1', pageSize: 1 })
}

export async function toolNames(tools: import('scalekit-native').ToolsClient): Promise<string[]> {
  // A summary listing walks names; a plain one walks tools.
  const names: string[] = []
  for await (const name of tools.listTools({ filter: { summary: true } })) names.push(name.toUpperCase())
  for await (const tool of tools.listTools({ pageSize: 5 })) names.push(tool.definition.name ?? tool.id)
  return names
}

import type {
  McpClient,
  McpConfig,
  McpInstance,
  McpSessionToken,
  ConnectionToolMapping,
  ConnectionToolMappingInput,
  CreateMcpSessionTokenParams,
  ListMcpConfigsResponse,
  McpConnectionAuthState,
  McpInstanceConnectionAuthState,
} from 'scalekit-native'
export async function mcp(client: ScalekitClient, signal: AbortSignal): Promise<void> {
  const m: McpClient = client.actions.mcp
  const mappings: ConnectionToolMappingInput[] = [{ connectionName: 'gmail', tools: ['gmail_send'] }, { connectionName: 'slack' }]
  const { config } = await m.createConfig({ name: 'daily', description: 'd', connectionToolMappings: mappings, signal })
  const created: McpConfig = config
  const mapping: ConnectionToolMapping | undefined = created.connectionToolMappings[0]
  const status: string | undefined = mapping?.connectedAccountStatus
  void status
  // A mapping read back can be sent again as it is.
  await m.updateConfig({ configId: created.id, connectionToolMappings: created.connectionToolMappings })
  await m.getConfig({ configId: created.id })
  const page: ListMcpConfigsResponse = await m.listConfigs({ filter: { name: 'daily', mcpServerUrl: created.mcpServerUrl }, search: 'da', pageSize: 30 })
  void (page.totalSize satisfies number)
  for await (const each of m.listConfigs()) void (each.name satisfies string)
  const { instance } = await m.ensureInstance({ configName: 'daily', userIdentifier: 'u', name: 'mine' })
  const used: Date | undefined = (instance satisfies McpInstance).lastUsedAt
  void used
  await m.updateInstance({ instanceId: instance.id, configName: 'other' })
  await m.getInstance({ instanceId: instance.id })
  for await (const each of m.listInstances({ filter: { userIdentifier: 'u' } })) void (each.userIdentifier satisfies string)
  const { connections } = await m.getInstanceAuthState({ instanceId: instance.id, includeAuthLinks: true })
  void (connections satisfies McpInstanceConnectionAuthState[])
  const { connectedAccounts } = await m.listMcpConnectedAccounts({ configId: created.id, identifier: 'u', includeAuthLink: true })
  const link: string | undefined = (connectedAccounts satisfies McpConnectionAuthState[])[0]?.authenticationLink
  void link
  const byConfig: McpSessionToken = await m.createSessionToken({ mcpConfigId: created.id, identifier: 'u', expiresInSeconds: 900 })
  const byConnection = await m.createSessionToken({ connectionName: 'gmail', identifier: 'u', accessLevel: 'READ_ONLY' })
  const until: Date | undefined = byConnection.expiresAt
  void [byConfig.token satisfies string, until]
  // @ts-expect-error: exactly one of mcpConfigId and connectionName
  const both: CreateMcpSessionTokenParams = { mcpConfigId: 'c', connectionName: 'g', identifier: 'u' }
  void both
  // @ts-expect-error: one of them is required
  await m.createSessionToken({ identifier: 'u' })
  // @ts-expect-error: accessLevel is FULL or READ_ONLY
  await m.createSessionToken({ mcpConfigId: 'c', identifier: 'u', accessLevel: 'read' })
  // @ts-expect-error: the signal goes in params, not as a second argument
  await m.getConfig({ configId: 'c' }, { signal })
  await m.deleteInstance({ instanceId: instance.id })
  await m.deleteConfig({ configId: created.id })
}
