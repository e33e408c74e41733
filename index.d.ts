// Public typings of scalekit-native (hand-written; binding.d.ts is the generated native layer).

import type { Readable } from 'node:stream'
import type { AiSdkAdapter, LangChainAdapter, OpenAIAgentsAdapter } from './adapters.js'

export type { AgentToolsParams, AiSdkAdapter, LangChainAdapter, OpenAIAgentsAdapter } from './adapters.js'

export interface ScalekitClientOptions {
  /** Deadline of each control-plane call (connected accounts, magic links, `actions.mcp`, `actions.providers`), retries included. Default 20000. */
  timeoutMs?: number
  /** Default deadline of `actions.request`, `executeTool` and every `tools` call, retries included. Default 60000. */
  toolTimeoutMs?: number
  /** Retries of transient failures (see README, "Retries"). Whole number 0–10, default 2. */
  maxRetries?: number
  /**
   * The most bytes a buffered answer may decode to (after gzip/deflate/brotli). Default 134217728
   * (128 MiB). Over it, the call rejects with ScalekitResponseTooLargeException and the connection
   * is dropped.
   */
  maxResponseBytes?: number
  /**
   * Certificate authorities to trust, PEM (one or more certificates each), as `https.Agent` takes them. They are
   * added to the bundled Mozilla roots, the OS store and `NODE_EXTRA_CA_CERTS` (README, "Networks"); an unreadable
   * one throws ScalekitValidationException (`argument: 'ca'`).
   */
  ca?: string | Buffer | Array<string | Buffer>
  /**
   * A proxy for every call (`http://` or `https://`, `user:password@` allowed), replacing `HTTPS_PROXY` /
   * `HTTP_PROXY` / `ALL_PROXY` (`NO_PROXY` still applies); `false` ignores those variables. Default: the
   * variables, read when the client is created. Credentials never appear in errors or output.
   */
  proxy?: string | false
  /**
   * The client's retry budget (README, "Retry budget"): a bucket of tokens shared by all its calls;
   * a retry costs 5 (10 after a failed connection), a success puts 1 back (or, after retrying, its
   * last retry's cost). When the bucket cannot pay, the failure is returned without retrying. A whole number
   * of tokens 0–1000000 (0: never retry); `false`: no limit; default 500.
   */
  retryBudget?: number | false
}

export type HttpMethod =
  | 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS'
  | 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options'
  | (string & {})

export type QueryValue = string | number | boolean | bigint | Date | null | undefined | QueryValue[] | { [key: string]: QueryValue }

export type HeaderValue = string | number | boolean | ReadonlyArray<string | number> | null | undefined

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** Every async method also takes `signal`: aborting it rejects the call with ScalekitAbortException. */
export interface CallOptions {
  signal?: AbortSignal
}

export interface RequestParams extends CallOptions {
  /** The connection's name in Scalekit (sent as the `connection_name` header). */
  connectionName: string
  /** The connected account's identifier, e.g. the user's email (sent as the `identifier` header). */
  identifier: string
  /** Provider path, appended to `{envUrl}/proxy`; a leading `/` is added. Must stay under `/proxy/`. */
  path: string
  /** Default `GET`. */
  method?: HttpMethod
  /** Serialised as axios (the official SDK) does: `a=x+y`, `arr[]=1`, `obj[k]=v`; or a URLSearchParams. */
  queryParams?: Record<string, QueryValue> | URLSearchParams
  /**
   * Object/array: JSON. String, Buffer, typed array: sent as is. URLSearchParams: urlencoded.
   * Blob/File: its bytes, typed by its `type`, with its length. FormData: multipart/form-data.
   * A Readable, a web ReadableStream or an async iterable of bytes: streamed (chunked unless you
   * set `content-length`), with backpressure, and never retried.
   */
  body?: RequestBody | null
  /**
   * An object, string or URLSearchParams: sent `application/x-www-form-urlencoded`. A web FormData
   * (fields and files): sent `multipart/form-data`, streamed. Used when `body` is not given.
   */
  formData?: Record<string, QueryValue> | string | URLSearchParams | FormData | null
  /** Caller headers; Scalekit's routing and identity headers are set after them and win. */
  headers?: Record<string, HeaderValue>
  /** Deadline of this call, retries included. Default: the client's `toolTimeoutMs`. */
  timeoutMs?: number
  /**
   * `false` or `0`: never retry. A number: up to that many retries, whatever the method.
   * Default: the client's `maxRetries`, for idempotent methods only.
   */
  retry?: boolean | number
  /** This call's `maxResponseBytes`. Default: the client's. */
  maxResponseBytes?: number
  /**
   * How `data` is decoded (axios's names). Default: a Buffer for binary content types, else
   * JSON when it parses, else text. `'stream'`: resolves once the head arrives, `data` a Readable.
   */
  responseType?: ResponseType
}

export type ResponseType = 'stream' | 'arraybuffer' | 'text' | 'json'

/** Every kind of body `actions.request` sends. */
export type RequestBody =
  | object
  | string
  | Buffer
  | ArrayBufferView
  | ArrayBuffer
  | URLSearchParams
  | Blob
  | FormData
  | Readable
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>

/** What `actions.request` resolves: the provider's answer, as the official SDK's AxiosResponse fields. */
export interface ProxyResponse<T = any> {
  status: number
  statusText: string
  /** Lowercase names; `set-cookie` as an array. */
  headers: Record<string, string | string[]>
  /**
   * The body: parsed JSON when it parses (whatever the content type), else the text (`''` when
   * empty); a Buffer for binary content types (octet-stream, pdf, zip, image, audio, video).
   */
  data: T
}

export interface ConnectedAccountRef extends CallOptions {
  connectionName?: string
  identifier?: string
  connectedAccountId?: string
  organizationId?: string
  userId?: string
}

export interface GetAuthorizationLinkParams extends ConnectedAccountRef {
  /** Returned to your `userVerifyUrl` with the `auth_request_id`, to protect against CSRF. */
  state?: string
  /** Where Scalekit sends the user after consent, to confirm their identity (`verifyConnectedAccountUser`). */
  userVerifyUrl?: string
}

export interface AuthorizationLink {
  /** Open this in the user's browser to connect (or reconnect) their account. */
  link: string
  /** When the link stops working. */
  expiry?: Date
}

/** Connected-account status names (the official SDK's enum, as strings). */
export declare const ConnectorStatus: {
  readonly CONNECTION_STATUS_UNSPECIFIED: 'CONNECTION_STATUS_UNSPECIFIED'
  readonly ACTIVE: 'ACTIVE'
  readonly EXPIRED: 'EXPIRED'
  readonly PENDING_AUTH: 'PENDING_AUTH'
  readonly PENDING_VERIFICATION: 'PENDING_VERIFICATION'
  readonly DISCONNECTED: 'DISCONNECTED'
}
export type ConnectorStatus = (typeof ConnectorStatus)[keyof typeof ConnectorStatus]

/** Connected-account authorization types (the official SDK's enum, as strings). */
export declare const ConnectorType: {
  readonly CONNECTION_TYPE_UNSPECIFIED: 'CONNECTION_TYPE_UNSPECIFIED'
  readonly OAUTH: 'OAUTH'
  readonly API_KEY: 'API_KEY'
  readonly BASIC_AUTH: 'BASIC_AUTH'
  readonly BEARER_TOKEN: 'BEARER_TOKEN'
  readonly CUSTOM: 'CUSTOM'
  readonly BASIC: 'BASIC'
  readonly OAUTH_M2M: 'OAUTH_M2M'
  readonly TRELLO_OAUTH1: 'TRELLO_OAUTH1'
  readonly GOOGLE_DWD: 'GOOGLE_DWD'
  readonly TRUSTED_IDP: 'TRUSTED_IDP'
  readonly SMART_FHIR: 'SMART_FHIR'
  readonly NO_AUTH: 'NO_AUTH'
}
export type ConnectorType = (typeof ConnectorType)[keyof typeof ConnectorType]

export interface OAuthToken {
  accessToken: string
  refreshToken: string
  scopes: string[]
  domain: string
}
export interface StaticAuth {
  /** Connector fields, e.g. `api_key`, `token`, `username`, `password`, `domain`; keys are not renamed. */
  details: Record<string, unknown>
}
export interface GoogleDwd {
  subject: string
  accessToken: string
  scopes: string[]
  tokenExpiresAt?: Date
}
export interface TrustedIdp {
  dbUser: string
  accessKeyId: string
  expiry?: Date
}

/** The official SDK's oneof shape. */
export interface AuthorizationDetails {
  details:
    | { case: 'oauthToken'; value: OAuthToken }
    | { case: 'staticAuth'; value: StaticAuth }
    | { case: 'googleDwd'; value: GoogleDwd }
    | { case: 'trustedIdp'; value: TrustedIdp }
    | { case?: undefined; value?: undefined }
}

/** What methods accept: the official oneof shape, or a plain one such as `{ staticAuth: { details } }`. */
export type AuthorizationDetailsInput =
  | { details: { case: 'oauthToken'; value: Partial<OAuthToken> } }
  | { details: { case: 'staticAuth'; value: StaticAuth } }
  | { details: { case: 'googleDwd'; value: { subject: string } } }
  | { details: { case: 'trustedIdp'; value: { dbUser: string } } }
  | { oauthToken: Partial<OAuthToken> }
  | { staticAuth: StaticAuth }
  | { googleDwd: { subject: string } }
  | { trustedIdp: { dbUser: string } }

/** A connected account as list results give it (no credentials, no apiConfig). */
export interface ConnectedAccountForList {
  id: string
  identifier: string
  provider: string
  /** The connection name. */
  connector: string
  connectionId: string
  status: ConnectorStatus
  authorizationType: ConnectorType
  tokenExpiresAt?: Date
  updatedAt?: Date
  lastUsedAt?: Date
}

export interface ConnectedAccount extends ConnectedAccountForList {
  authorizationDetails?: AuthorizationDetails
  apiConfig?: Record<string, unknown>
}

export interface ConnectedAccountResponse {
  connectedAccount?: ConnectedAccount
}

export interface ConnectedAccountWriteParams extends CallOptions {
  connectionName: string
  identifier: string
  authorizationDetails?: AuthorizationDetailsInput
  organizationId?: string
  userId?: string
  apiConfig?: Record<string, unknown>
}

export interface UpdateConnectedAccountParams extends ConnectedAccountRef {
  authorizationDetails?: AuthorizationDetailsInput
  apiConfig?: Record<string, unknown>
}

export interface ListConnectedAccountsParams extends CallOptions {
  connectionName?: string
  identifier?: string
  organizationId?: string
  userId?: string
  provider?: string
  /** Page size (server default when omitted or 0). */
  pageSize?: number
  pageToken?: string
  /** Case-insensitive text search. */
  query?: string
  /** Not together with `connectionName`. */
  connectionNames?: string[]
}

export interface ListConnectedAccountsResponse {
  connectedAccounts: ConnectedAccountForList[]
  totalSize: number
  /** `''` on the last page. */
  nextPageToken: string
  prevPageToken: string
}

/**
 * The promise of a list call's first page, also async-iterable over every item of every page:
 * `await` gives the first page; `for await` fetches each next page (by `nextPageToken`) only when
 * the loop reaches it, with the same params and `signal`, and nothing more after a `break`. It
 * ends at a token it already followed; a listing that still names a next page after 1000 pages
 * rejects the loop with a `ScalekitException`.
 */
export interface PagePromise<Page, Item> extends Promise<Page>, AsyncIterable<Item> {}

export interface WaitForConnectedAccountParams extends ConnectedAccountRef {
  /** How long to wait for ACTIVE, in ms (default 300000); then `ScalekitGatewayTimeoutException`. */
  timeoutMs?: number
  /** The first pause between polls, in ms (default 500); pauses double up to 5 s (or up to this, when longer). */
  pollIntervalMs?: number
}

export interface VerifyConnectedAccountUserParams extends CallOptions {
  /** From the `auth_request_id` query parameter Scalekit sent to your `userVerifyUrl`. */
  authRequestId: string
  identifier: string
}

export interface VerifyConnectedAccountUserResponse {
  postUserVerifyRedirectUrl: string
}

export interface ListConnectionsParams extends CallOptions {
  pageSize?: number
  pageToken?: string
  provider?: string
}

export interface AppConnection {
  id: string
  type: string
  status: string
  enabled: boolean
  provider: string
  connectionName: string
  createdAt?: Date
}

export interface ListConnectionsResponse {
  connections: AppConnection[]
  nextPageToken: string
  prevPageToken: string
  totalSize: number
}

export interface ExecuteToolParams extends CallOptions {
  toolName: string
  /** The tool's input (`params`, `tools.executeTool`'s name for it, is refused by name). */
  toolInput?: Record<string, unknown>
  identifier?: string
  connectedAccountId?: string
  connector?: string
  organizationId?: string
  userId?: string
  agentRunId?: string
}

export interface ExecuteToolResponse<T = Record<string, unknown>> {
  data?: T
  executionId: string
}

// ---------------------------------------------------------------------------------------------
// actions.mcp (README, "MCP")
// ---------------------------------------------------------------------------------------------

/** One connection of an MCP configuration and the tools it exposes from it. */
export interface ConnectionToolMapping {
  connectionId: string
  connectionName: string
  provider: string
  /** Empty: every tool of the connection. */
  tools: string[]
  /** The user's account on the connection, where the answer is about one user. */
  connectedAccountId?: string
  connectedAccountStatus?: string
}

/**
 * A mapping as `createConfig` and `updateConfig` take it. The fields only answers fill are
 * accepted (a mapping read from a configuration can be sent back) and not sent.
 */
export interface ConnectionToolMappingInput extends Partial<Omit<ConnectionToolMapping, 'connectionName'>> {
  connectionName: string
}

export interface McpConfig {
  /** e.g. `cfg_…` */
  id: string
  /** 1–100 characters of a–z, 0–9, `_` and `-`; unique; fixed once created. */
  name: string
  description: string
  connectionToolMappings: ConnectionToolMapping[]
  /** The configuration's MCP server, which its session tokens open (`''` where the environment has none). */
  mcpServerUrl: string
}

/** A user's instance of a configuration. */
export interface McpInstance {
  /** e.g. `inst_…` */
  id: string
  name: string
  userIdentifier: string
  config?: McpConfig
  lastUsedAt?: Date
  updatedAt?: Date
  url: string
}

/** A connection of a configuration, for one user (`listMcpConnectedAccounts`). */
export interface McpConnectionAuthState {
  connectionId: string
  connectionName: string
  provider: string
  /** Absent when the user has no account on the connection. */
  connectedAccountId?: string
  connectedAccountStatus?: string
  /** With `includeAuthLink` (where the connection has a key), else `''`. */
  authenticationLink: string
}

/** A connection of an instance (`getInstanceAuthState`). */
export interface McpInstanceConnectionAuthState {
  connectionId: string
  connectionName: string
  provider: string
  connectedAccountId: string
  connectedAccountStatus: string
  /** With `includeAuthLinks`, else `''`. */
  authenticationLink: string
}

export interface McpSessionToken {
  /** A bearer token (a JWT) for one MCP server: a secret, as a password is. */
  token: string
  expiresAt?: Date
}

export interface McpPaging extends CallOptions {
  /** 0–30 (0 or absent: the server's default). */
  pageSize?: number
  pageToken?: string
}

export interface ListMcpConfigsParams extends McpPaging {
  filter?: { id?: string; name?: string; provider?: string; mcpServerUrl?: string }
  /** Look-ahead search on the names. */
  search?: string
}

export interface ListMcpInstancesParams extends McpPaging {
  filter?: { id?: string; name?: string; configName?: string; userIdentifier?: string }
  /** Look-ahead search on the names and user identifiers. */
  search?: string
}

export interface CreateMcpConfigParams extends CallOptions {
  name: string
  description?: string
  /** At most 25. */
  connectionToolMappings?: ConnectionToolMappingInput[]
}

export interface McpConfigRef extends CallOptions {
  configId: string
}

export interface UpdateMcpConfigParams extends McpConfigRef {
  description?: string
  connectionToolMappings?: ConnectionToolMappingInput[]
}

export interface McpInstanceRef extends CallOptions {
  instanceId: string
}

export interface EnsureMcpInstanceParams extends CallOptions {
  configName: string
  userIdentifier: string
  name?: string
}

/** At least one of `name` and `configName`. */
export interface UpdateMcpInstanceParams extends McpInstanceRef {
  name?: string
  configName?: string
}

export interface GetMcpInstanceAuthStateParams extends McpInstanceRef {
  /** Fresh authorization links for every connection. */
  includeAuthLinks?: boolean
}

export interface ListMcpConnectedAccountsParams extends McpConfigRef {
  identifier: string
  /** Creates the missing accounts (pending) and gives each connection a fresh link. */
  includeAuthLink?: boolean
}

export interface McpSessionTokenOptions extends CallOptions {
  /** The user the token acts for: 1–255 characters. */
  identifier: string
  /** 60–86400 (default: the server's, 1 h). */
  expiresInSeconds?: number
  /** `READ_ONLY`: only the tools annotated read-only. Default: every tool. */
  accessLevel?: 'FULL' | 'READ_ONLY'
}

/** Exactly one of `mcpConfigId` (the configuration's MCP server) and `connectionName` (that connection's own). */
export type CreateMcpSessionTokenParams =
  | (McpSessionTokenOptions & { mcpConfigId: string; connectionName?: never })
  | (McpSessionTokenOptions & { connectionName: string; mcpConfigId?: never })

export interface McpPage {
  /** `''` on the last page. */
  nextPageToken: string
  prevPageToken: string
  totalSize: number
}

export interface ListMcpConfigsResponse extends McpPage {
  configs: McpConfig[]
}

export interface ListMcpInstancesResponse extends McpPage {
  instances: McpInstance[]
}

/** `client.actions.mcp`: the official Python SDK's `actions.mcp`, each method taking one params object. */
export declare class McpClient {
  private constructor()
  /** The first page; `for await` walks every configuration of every page. */
  listConfigs(params?: ListMcpConfigsParams): PagePromise<ListMcpConfigsResponse, McpConfig>
  createConfig(params: CreateMcpConfigParams): Promise<{ config: McpConfig }>
  getConfig(params: McpConfigRef): Promise<{ config: McpConfig }>
  /** The description and the mappings (the name is fixed once created). */
  updateConfig(params: UpdateMcpConfigParams): Promise<{ config: McpConfig }>
  deleteConfig(params: McpConfigRef): Promise<Record<string, never>>
  /** The user's instance of the configuration, created when it does not exist. */
  ensureInstance(params: EnsureMcpInstanceParams): Promise<{ instance: McpInstance }>
  getInstance(params: McpInstanceRef): Promise<{ instance: McpInstance }>
  updateInstance(params: UpdateMcpInstanceParams): Promise<{ instance: McpInstance }>
  /** The first page; `for await` walks every instance of every page. */
  listInstances(params?: ListMcpInstancesParams): PagePromise<ListMcpInstancesResponse, McpInstance>
  deleteInstance(params: McpInstanceRef): Promise<Record<string, never>>
  getInstanceAuthState(params: GetMcpInstanceAuthStateParams): Promise<{ connections: McpInstanceConnectionAuthState[] }>
  listMcpConnectedAccounts(params: ListMcpConnectedAccountsParams): Promise<{ connectedAccounts: McpConnectionAuthState[] }>
  /** A token for `Authorization: Bearer …` on the MCP server of a configuration or of a connection. */
  createSessionToken(params: CreateMcpSessionTokenParams): Promise<McpSessionToken>
}

/** An auth pattern of a custom provider: a free-form object (`type`, `displayName`, `fields`, `isMcp`, …). */
export interface AuthPattern {
  /** 'OAUTH', 'BEARER', 'API_KEY', 'NO_AUTH', or another type Scalekit reports. */
  type: string
  [field: string]: unknown
}

export interface Provider {
  id: string
  /** Derived by Scalekit from the display name; names the provider in update and delete. */
  identifier: string
  displayName: string
  description: string
  categories: string[]
  authPatterns: AuthPattern[]
  iconSrc: string
  proxyUrl: string
  proxyEnabled: boolean
  isCustom: boolean
  isCustomMcp: boolean
  metadata: Record<string, string>
  [field: string]: unknown
}

export interface CustomProviderFields extends CallOptions {
  /** 1–200 characters of letters, digits and spaces. */
  displayName: string
  /** `https://…` */
  proxyUrl: string
  proxyEnabled?: boolean
  description?: string
  authPatterns?: AuthPattern[]
  iconSrc?: string
  /** At most 20 pairs; keys 3–25 characters, values 1–256. An update replaces the whole map. */
  metadata?: Record<string, string>
}

export interface ListProvidersParams extends CallOptions {
  /** Absent: every provider. */
  providerType?: 'DEFAULT' | 'CUSTOM' | 'ALL' | 0 | 1 | 2
  identifier?: string
  pageSize?: number
  pageToken?: string
}

export interface ListProvidersResponse {
  providers: Provider[]
  nextPageToken: string
  prevPageToken: string
  totalSize: number
}

export declare class ProvidersClient {
  private constructor()
  createCustomProvider(params: CustomProviderFields): Promise<{ provider: Provider }>
  updateCustomProvider(params: CustomProviderFields & { identifier: string }): Promise<{ provider: Provider }>
  deleteCustomProvider(params: CallOptions & { identifier: string }): Promise<Record<string, never>>
  listProviders(params?: ListProvidersParams): Promise<ListProvidersResponse>
}

export type ToolModifierType = 'pre' | 'post'
/** A pre modifier gets and returns the tool's input; a post modifier its result's `data`. May be async. */
export type ToolModifierFunction = (data: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>
export interface ToolModifierInit {
  toolNames: string | string[]
  type: ToolModifierType
  fn: ToolModifierFunction
}
export declare class ToolModifier {
  /** @throws {ScalekitValidationException} naming `toolNames`, `type` or `fn` when it is not what it must be. */
  constructor(toolNames: string | string[], type: ToolModifierType, fn: ToolModifierFunction)
  readonly toolNames: string[]
  readonly type: ToolModifierType
  readonly fn: ToolModifierFunction
  /** `data` through `fn` when `toolName` is one of this modifier's tools, else unchanged. */
  apply(toolName: string, data: Record<string, unknown>): Record<string, unknown> | Promise<Record<string, unknown>>
}

export declare class ActionsClient {
  private constructor()
  /** MCP configurations, their per-user instances, and session tokens for their MCP servers. */
  readonly mcp: McpClient
  /** Custom providers (the Python SDK's `actions.providers`). */
  readonly providers: ProvidersClient
  /**
   * A call through `{envUrl}/proxy{path}`, forwarded by Scalekit with the user's credentials injected.
   * With `responseType: 'stream'`, `data` is a Readable of the body (destroy it to stop the download).
   */
  request(params: RequestParams & { responseType: 'stream' }): Promise<ProxyResponse<Readable>>
  request(params: RequestParams & { responseType: 'arraybuffer' }): Promise<ProxyResponse<Buffer>>
  request(params: RequestParams & { responseType: 'text' }): Promise<ProxyResponse<string>>
  request<T = any>(params: RequestParams): Promise<ProxyResponse<T>>
  /** A magic link to authorize a connected account (by id, or connection name + identifier). */
  getAuthorizationLink(params: GetAuthorizationLinkParams): Promise<AuthorizationLink>
  /** Confirms the user after your `userVerifyUrl` received `auth_request_id`; the account becomes ACTIVE. */
  verifyConnectedAccountUser(params: VerifyConnectedAccountUserParams): Promise<VerifyConnectedAccountUserResponse>
  /** By `connectedAccountId`, or `connectionName` + `identifier`; includes the credentials. */
  getConnectedAccount(params: ConnectedAccountRef): Promise<ConnectedAccountResponse>
  /** The account without its credentials (`authorizationDetails` absent). */
  getConnectedAccountDetails(params: ConnectedAccountRef): Promise<ConnectedAccountResponse>
  /**
   * Resolves `{ connectedAccount }` as soon as the account is ACTIVE (e.g. once the user followed
   * the authorization link), polling `getConnectedAccount`; an account that does not exist yet is
   * waited for. Not ACTIVE within `timeoutMs`: `ScalekitGatewayTimeoutException` naming its status.
   */
  waitForConnectedAccount(params: WaitForConnectedAccountParams): Promise<ConnectedAccountResponse>
  createConnectedAccount(params: ConnectedAccountWriteParams): Promise<ConnectedAccountResponse>
  updateConnectedAccount(params: UpdateConnectedAccountParams): Promise<ConnectedAccountResponse>
  deleteConnectedAccount(params: ConnectedAccountRef): Promise<Record<string, never>>
  /** The first page; `for await (const account of actions.listConnectedAccounts(...))` walks every page. */
  listConnectedAccounts(params?: ListConnectedAccountsParams): PagePromise<ListConnectedAccountsResponse, ConnectedAccountForList>
  /** The existing account (updated when `authorizationDetails` is given), or a new one. */
  getOrCreateConnectedAccount(params: ConnectedAccountWriteParams): Promise<ConnectedAccountResponse>
  /** Alias of `getOrCreateConnectedAccount`. */
  upsertConnectedAccount(params: ConnectedAccountWriteParams): Promise<ConnectedAccountResponse>
  /** The first page; `for await` over it walks every connection of every page. */
  listConnections(params?: ListConnectionsParams): PagePromise<ListConnectionsResponse, AppConnection>
  /** Runs a Scalekit tool for a connected account; deadline `toolTimeoutMs`. */
  executeTool<T = Record<string, unknown>>(params: ExecuteToolCallParams): Promise<ExecuteToolResponse<T>>
  /** Changes the input of the named tools before they run, on every path that runs a tool (the Python SDK's `pre_modifier`). */
  preModifier(toolNames: string | string[], fn: ToolModifierFunction): ToolModifier
  /** Changes the `data` of the named tools' results (the Python SDK's `post_modifier`). */
  postModifier(toolNames: string | string[], fn: ToolModifierFunction): ToolModifier
  addModifier(modifier: ToolModifier | ToolModifierInit): ToolModifier
  /**
   * In the order added; those naming `toolName`, and of `type`, when given. The modifier methods are
   * synchronous: a wrong or extra argument throws ScalekitValidationException naming it.
   */
  getModifiers(toolName?: string, type?: ToolModifierType): ToolModifier[]
  /** The user's tools for the Vercel AI SDK (needs `ai`, loaded on first use). */
  readonly aiSdk: AiSdkAdapter
  /** The user's tools for LangChain.js (needs `@langchain/core`, loaded on first use). */
  readonly langchain: LangChainAdapter
  /** The user's tools for the OpenAI Agents SDK (needs `@openai/agents`, loaded on first use). */
  readonly openaiAgents: OpenAIAgentsAdapter
}

export interface ExecuteToolCallParams extends ExecuteToolParams {
  /**
   * Retries on 503 / a connection failure: `true` for the client's `maxRetries`, or a count (0–10).
   * Off by default: a retried tool call can run the tool twice.
   */
  retry?: boolean | number
}

/** A tool's definition: its keys as the server sent them (`input_schema` stays snake_case). */
export interface ToolDefinition {
  name?: string
  description?: string
  input_schema?: { [key: string]: JsonValue }
  [key: string]: JsonValue | undefined
}

export interface ToolsExecuteToolParams extends Omit<ExecuteToolCallParams, 'toolInput' | 'agentRunId'> {
  /** The tool's input, as the official ToolsClient names it (`toolInput` is refused by name). */
  params?: Record<string, unknown>
}

export interface Tool {
  /** `tol_…` */
  id: string
  provider: string
  tags: string[]
  definition: ToolDefinition
  metadata: { [key: string]: JsonValue }
  isDefault: boolean
  updatedAt?: Date
}

export interface ScopedTool {
  tool: Tool
  identifier: string
  connectedAccountId: string
}

export interface ToolPage<T> {
  tools: T[]
  /** `''` on the last page. */
  nextPageToken: string
  prevPageToken: string
  totalSize: number
}

export interface ListToolsResponse extends ToolPage<Tool> {
  /** Filled when `filter.summary` is true (then `tools` is empty). */
  toolNames: string[]
}
export type ListScopedToolsResponse = ToolPage<ScopedTool>
export type ListAvailableToolsResponse = ToolPage<Tool>

export interface ToolFilter {
  summary?: boolean
  provider?: string
  identifier?: string
  toolName?: string[]
  query?: string
  connector?: string
  organizationId?: string
  userId?: string
  connectedAccountId?: string
}

export interface ScopedToolFilter {
  providers?: string[]
  toolNames?: string[]
  connectionNames?: string[]
}

export interface ToolPaging extends CallOptions {
  /** 0–1000; the server's default (300) when omitted or 0. */
  pageSize?: number
  pageToken?: string
}

export interface ListToolsParams extends ToolPaging {
  filter?: ToolFilter
}

export interface ListScopedToolsParams extends ToolPaging {
  filter?: ScopedToolFilter
}

export interface OpenAIToolDefinition {
  type: 'function'
  function: { name: string; description: string; parameters: { [key: string]: JsonValue } }
}

export interface AnthropicToolDefinition {
  name: string
  description: string
  input_schema: { [key: string]: JsonValue }
}

export interface ForLLMParams<F extends 'openai' | 'anthropic'> extends CallOptions {
  identifier: string
  connectionNames?: string[]
  providers?: string[]
  toolNames?: string[]
  format: F
  /** The size of each page it reads (every page is read). */
  pageSize?: number
}

export interface ExecuteLLMToolOptions extends CallOptions {
  /** As `executeTool`'s `retry`. */
  retry?: boolean | number
}

export interface LLMTools<D> {
  definitions: D[]
  /**
   * Runs the model's tool call `name` with its arguments (a JSON string or an object) for the
   * identifier; a name `forLLM` did not list is refused with `ScalekitValidationException`.
   */
  execute<T = Record<string, unknown>>(
    name: string,
    args: string | Record<string, unknown>,
    options?: ExecuteLLMToolOptions,
  ): Promise<ExecuteToolResponse<T>>
}

export interface SearchToolsParams extends CallOptions {
  /** Words describing the job to be done, 1–256 characters. */
  query: string
  /** With it, each result lists this identifier's accounts on the tool's provider and their readiness. */
  identifier?: string
  /** At most this many results; 0 or absent: 10; capped at 50 by Scalekit. */
  topK?: number
}

/** READY: usable now; NEEDS_REAUTH: the token expired; NEEDS_CONNECTION: the account exists but is not active. */
export type ToolReadinessState = 'READY' | 'NEEDS_REAUTH' | 'NEEDS_CONNECTION' | 'UNSPECIFIED'

export interface ConnectionReadiness {
  connectionName: string
  connectedAccountId: string
  readinessState: ToolReadinessState
}

export interface SearchedTool {
  name: string
  provider: string
  description: string
  /** Higher is better; comparable within one answer only. */
  score: number
  /** `[]` without `identifier`, or when it has no account on the tool's provider. */
  connections: ConnectionReadiness[]
}

export interface SearchToolsResponse {
  tools: SearchedTool[]
}

export declare class ToolsClient {
  private constructor()
  /** A `filter.summary` listing: `for await` yields each page's `toolNames`. */
  listTools(params: ListToolsParams & { filter: ToolFilter & { summary: true } }): PagePromise<ListToolsResponse, string>
  /** The environment's tool catalog (deadline `toolTimeoutMs`). */
  listTools(params?: ListToolsParams): PagePromise<ListToolsResponse, Tool>
  /** The tools `identifier` can run, each with the connected account that runs it. */
  listScopedTools(identifier: string, params?: ListScopedToolsParams): PagePromise<ListScopedToolsResponse, ScopedTool>
  listAvailableTools(identifier: string, params?: ToolPaging): PagePromise<ListAvailableToolsResponse, Tool>
  /** Runs a tool (its input as `params`, as the official ToolsClient names it); not retried unless `retry` is given. */
  executeTool<T = Record<string, unknown>>(params: ToolsExecuteToolParams): Promise<ExecuteToolResponse<T>>
  /** The catalog's tools ranked against `query` (BM25 in LocalScalekit), best first (the Python SDK's `search_tools`). */
  searchTools(params: SearchToolsParams): Promise<SearchToolsResponse>
  /** The scoped tools of `identifier` (all pages) as LLM function definitions, and `execute`. */
  forLLM(params: ForLLMParams<'openai'>): Promise<LLMTools<OpenAIToolDefinition>>
  forLLM(params: ForLLMParams<'anthropic'>): Promise<LLMTools<AnthropicToolDefinition>>
}

// ---------------------------------------------------------------------------------------------
// The official SDK's low-level clients: `client.connectedAccounts`, `client.connection`
// (views over the same calls as `actions`; the connection is `connector`)
// ---------------------------------------------------------------------------------------------

export interface ConnectorRef extends CallOptions {
  /** The connection name (`connectionName` in `actions`). */
  connector?: string
  identifier?: string
  connectedAccountId?: string
  organizationId?: string
  userId?: string
}

/** The fields of the official `CreateConnectedAccount` / `UpdateConnectedAccount` messages. */
export interface ConnectedAccountInput {
  authorizationDetails?: AuthorizationDetailsInput
  apiConfig?: Record<string, unknown>
}

export interface ListConnectedAccountsByConnectorParams extends Omit<ListConnectedAccountsParams, 'connectionName'> {
  connector?: string
}

export declare class ConnectedAccountsClient {
  private constructor()
  listConnectedAccounts(options?: ListConnectedAccountsByConnectorParams): Promise<ListConnectedAccountsResponse>
  createConnectedAccount(params: Omit<ConnectorRef, 'connectedAccountId'> & { connector: string; identifier: string; connectedAccount: ConnectedAccountInput }): Promise<ConnectedAccountResponse>
  getOrCreateConnectedAccount(params: Omit<ConnectorRef, 'connectedAccountId'> & ConnectedAccountInput & { connector: string; identifier: string }): Promise<ConnectedAccountResponse>
  upsertConnectedAccount(params: Omit<ConnectorRef, 'connectedAccountId'> & ConnectedAccountInput & { connector: string; identifier: string }): Promise<ConnectedAccountResponse>
  updateConnectedAccount(params: ConnectorRef & { connectedAccount: ConnectedAccountInput }): Promise<ConnectedAccountResponse>
  deleteConnectedAccount(params: ConnectorRef): Promise<Record<string, never>>
  getMagicLinkForConnectedAccount(params: ConnectorRef & { state?: string; userVerifyUrl?: string }): Promise<AuthorizationLink>
  verifyConnectedAccountUser(params: VerifyConnectedAccountUserParams): Promise<VerifyConnectedAccountUserResponse>
  getConnectedAccountByIdentifier(params: ConnectorRef): Promise<ConnectedAccountResponse>
}

export interface ListAppConnectionsParams extends CallOptions {
  pageSize?: number
  pageToken?: string
  provider?: string
  /** Free-text search over the connection's name and provider. */
  query?: string
}

/** A `ListConnection` under its proto JSON names, every field (at its default when the answer leaves it out); enums as names. */
export interface ListConnection {
  id: string
  /** The identity provider (`CONNECTION_PROVIDER_UNSPECIFIED` for app connections). */
  provider: string
  type: string
  status: string
  enabled: boolean
  organizationId: string
  uiButtonTitle: string
  domains: string[]
  organizationName: string
  providerKey: string
  /** The connection name (`connectionName` of `actions.listConnections`). */
  keyId: string
  createdAt?: Date
  mcpServerUrl: string
}

export interface ListAppConnectionsResponse {
  connections: ListConnection[]
  nextPageToken: string
  prevPageToken: string
  totalSize: number
}

export declare class ConnectionClient {
  private constructor()
  listAppConnections(params?: ListAppConnectionsParams): Promise<ListAppConnectionsResponse>
}

export declare class ScalekitClient {
  constructor(envUrl: string, clientId: string, clientSecret: string, options?: ScalekitClientOptions)
  /**
   * Reads `SCALEKIT_ENV_URL` (or `SCALEKIT_ENVIRONMENT_URL`), `SCALEKIT_CLIENT_ID`, `SCALEKIT_CLIENT_SECRET`
   * from the environment, each falling back to `.env` in the working directory.
   */
  static fromEnv(options?: ScalekitClientOptions): ScalekitClient
  readonly actions: ActionsClient
  readonly tools: ToolsClient
  /** The official SDK's `connectedAccounts` client (the connection is `connector`). */
  readonly connectedAccounts: ConnectedAccountsClient
  /** The official SDK's `connection` client: `listAppConnections` only. */
  readonly connection: ConnectionClient
  readonly envUrl: string
  readonly clientId: string
  /** `{ envUrl, clientId }`: never the secret or a token. */
  toJSON(): { envUrl: string; clientId: string }
}
/** The official SDK's other name for the client class. */
export { ScalekitClient as Scalekit }
/** The client class, as the official SDK's default export. */
export default ScalekitClient

// ---------------------------------------------------------------------------------------------
// Tracing (node:diagnostics_channel; README, "Tracing")
// ---------------------------------------------------------------------------------------------

/** The channel names; events are published only while one of them has a subscriber. */
export declare const TracingChannels: {
  readonly start: 'scalekit-native:request:start'
  readonly end: 'scalekit-native:request:end'
  readonly error: 'scalekit-native:request:error'
}
export type TracingChannel = (typeof TracingChannels)[keyof typeof TracingChannels]

/**
 * `proxy`: `actions.request`; `tool`: `executeTool` and `forLLM(...).execute`; `control`: the other
 * account and tools methods; `token`: a token fetch a traced call started.
 */
export type TracedCallKind = 'proxy' | 'control' | 'token' | 'tool'

/** `scalekit-native:request:start`. */
export interface RequestStartEvent {
  /** Unique in the process; the other events of the call carry it. */
  callId: number
  kind: TracedCallKind
  /** The HTTP method (of the first request, for a call that sends several). */
  method: string | undefined
  /** Proxy: the `path` given, without its query; else the REST path, e.g. `/api/v1/connected_accounts`. */
  path: string | undefined
  connectionName: string | undefined
  identifier: string | undefined
}

/** `scalekit-native:request:end`: once per start, after the error event if the call rejected. */
export interface RequestEndEvent {
  callId: number
  /** The HTTP status of the answer the call settled with; 0 when none arrived. */
  status: number
  durationMs: number
  /** HTTP attempts: the first, its retries and a re-authentication (a token fetch is its own call). */
  attempts: number
}

/** `scalekit-native:request:error`: the call rejects (a non-2xx answer included). */
export interface RequestErrorEvent {
  callId: number
  /**
   * A copy of the exception (same class, message, status fields), without `data`, `headers`,
   * `errDetails`, `unpackedDetails`; usually a `ScalekitException`.
   */
  error: Error
}

/** Handlers for `subscribeTracing`, each optional. */
export interface TracingHandlers {
  start?(event: RequestStartEvent): void
  end?(event: RequestEndEvent): void
  error?(event: RequestErrorEvent): void
}

/**
 * Subscribes the handlers to the three channels (`diagnostics_channel.subscribe`) and returns the
 * function that unsubscribes them. Throws `ScalekitValidationException` (`argument` `handlers` or
 * `handlers.start`…) when they are not functions; nothing is subscribed then.
 */
export declare function subscribeTracing(handlers: TracingHandlers): () => void

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export declare class ScalekitException extends Error {}

/** Bad arguments; nothing was sent. */
export declare class ScalekitValidationException extends ScalekitException {
  /** The argument at fault, e.g. `connectionName`, `path`, `envUrl`. */
  readonly argument: string
}

/** No response: connection refused or reset, DNS or TLS failure. */
export declare class ScalekitNetworkException extends ScalekitException {}

/** A buffered answer was larger than `maxResponseBytes`; the connection was dropped. */
export declare class ScalekitResponseTooLargeException extends ScalekitException {
  /** The limit that was exceeded, in bytes. */
  readonly limit: number
}

/** The call was aborted; `name` is `'AbortError'`. */
export declare class ScalekitAbortException extends ScalekitException {}

/** An agent-framework adapter needs a package that is not installed (`npm install <packageName>`). */
export declare class ScalekitMissingPackageException extends ScalekitException {
  readonly packageName: string
}

/**
 * An agent-framework tool could not run: the user's connected account is not ACTIVE. The message
 * (what the model reads) holds `authorizationLink`; `cause` is the tool call's own error.
 */
export declare class ScalekitAccountNotConnectedException extends ScalekitException {
  readonly toolName: string
  readonly connectionName: string
  readonly identifier: string
  readonly connectedAccountId: string
  /** The account's status, e.g. `EXPIRED`, `PENDING_AUTH`. */
  readonly status: string
  /** The magic link that connects the account again; absent when none could be had. */
  readonly authorizationLink: string | undefined
}

/** Scalekit's `ErrorInfo` detail as the official SDK unpacks it: fields under their JSON (camelCase) names. */
export interface ErrorInfoDetail {
  errorCode?: string
  toolErrorInfo?: { executionId?: string; toolErrorMessage?: string; toolErrorCode?: string }
  debugInfo?: { stackEntries?: string[]; detail?: string }
  helpInfo?: { links?: Array<{ description?: string; url?: string }> }
  localizedMessageInfo?: { locale?: string; message?: string }
  resourceInfo?: { resourceName?: string; owner?: string; description?: string; requiredPermissions?: string[]; user?: string }
  requestInfo?: { requestId?: string; servingData?: string }
  validationErrorInfo?: { fieldViolations?: Array<{ field?: string; description?: string; constraint?: string }> }
  [field: string]: unknown
}

export declare class ScalekitServerException extends ScalekitException {
  /** The real HTTP status of the answer (504 for a timeout). */
  readonly httpStatus: number
  /** Same as `httpStatus`. */
  readonly status: number
  readonly statusText: string
  /** gRPC code: Scalekit's own `code`, else derived from the status. */
  readonly grpcStatus: number
  /**
   * Control plane: the first ErrorInfo `error_code`; Tool Proxy: the status text (as the official SDK); token: the
   * OAuth `error`. Like `message` and `details`, at most 4 KiB of the server's text, then `… [N bytes cut]`.
   */
  readonly errorCode: string | null
  /** Tool Proxy: the decoded response body (as the official SDK); control plane: the unpacked ErrorInfo details. */
  readonly errDetails: unknown
  readonly unpackedDetails: ErrorInfoDetail[]
  /** Response headers, lowercase names. */
  readonly headers: Record<string, string | string[]>
  /** The decoded response body, as `ProxyResponse.data`: whole, however long the message that was cut from it. */
  readonly data: unknown
}

export declare class ScalekitBadRequestException extends ScalekitServerException {}
export declare class ScalekitUnauthorizedException extends ScalekitServerException {}
export declare class ScalekitForbiddenException extends ScalekitServerException {}
export declare class ScalekitNotFoundException extends ScalekitServerException {}
export declare class ScalekitConflictException extends ScalekitServerException {}
export declare class ScalekitTooManyRequestsException extends ScalekitServerException {}
export declare class ScalekitInternalServerException extends ScalekitServerException {}
export declare class ScalekitNotImplementedException extends ScalekitServerException {}
export declare class ScalekitServiceUnavailableException extends ScalekitServerException {}
/** A 504, or the call's deadline passed (`[deadline_exceeded] timeout of <ms>ms exceeded`). */
export declare class ScalekitGatewayTimeoutException extends ScalekitServerException {}
export declare class ScalekitCancelledException extends ScalekitServerException {}
export declare class ScalekitUnknownException extends ScalekitServerException {}

/** Set on the tool exceptions: Scalekit reported a provider failure (`error_code: TOOL_ERROR`). The official SDK's name. */
export interface IScalekitToolException {
  readonly isToolError: true
  readonly toolErrorCode: string
  readonly toolErrorMessage: string
  readonly executionId: string
}
/** Same as `IScalekitToolException`. */
export interface ToolErrorFields extends IScalekitToolException {}
/** True for the four tool exceptions (the official SDK's type guard). */
export declare function isToolException(e: unknown): e is IScalekitToolException
export declare class ScalekitToolException extends ScalekitServerException {}
export declare class ScalekitToolUnauthorizedException extends ScalekitUnauthorizedException {}
export declare class ScalekitToolForbiddenException extends ScalekitForbiddenException {}
export declare class ScalekitToolRateLimitException extends ScalekitTooManyRequestsException {}
// Declaration merging adds the tool fields to each class.
export interface ScalekitToolException extends IScalekitToolException {}
export interface ScalekitToolUnauthorizedException extends IScalekitToolException {}
export interface ScalekitToolForbiddenException extends IScalekitToolException {}
export interface ScalekitToolRateLimitException extends IScalekitToolException {}

// ---------------------------------------------------------------------------------------------
// LocalScalekit
// ---------------------------------------------------------------------------------------------

export type LocalAuthType = 'OAUTH' | 'BASIC' | 'BEARER' | 'API_KEY'

export interface LocalConnection {
  /** The connection name clients use as `connectionName`. */
  name: string
  /** Default: the name. */
  provider?: string
  /** Default OAUTH. */
  authType?: LocalAuthType
  /** Base URL requests are forwarded to; default: the built-in echo upstream. */
  upstreamUrl?: string
  /** API_KEY only: where the key goes (default: the `Authorization` header). */
  apiKey?: { header: string } | { query: string }
}

export interface LocalSeedAccount {
  connectionName: string
  identifier: string
  organizationId?: string
  userId?: string
  /** Default: ACTIVE when credentials are given, else PENDING_AUTH. */
  status?: 'ACTIVE' | 'EXPIRED' | 'PENDING_AUTH' | 'PENDING_VERIFICATION' | 'DISCONNECTED'
  /** Wire shape, e.g. `{ static_auth: { details: { api_key: 'k' } } }` or `{ oauth_token: { access_token: 't' } }`. */
  authorizationDetails?: Record<string, unknown>
  apiConfig?: Record<string, unknown>
}

/** A tool of LocalScalekit's catalog; `{param}` in `request.path` is filled from the tool input. */
export interface LocalTool {
  name: string
  connection: string
  description?: string
  /** JSON Schema of the input (required properties and basic types are checked). Default `{ type: 'object' }`. */
  inputSchema?: Record<string, unknown>
  /**
   * MCP hints, kept in the tool's `definition.annotations` in Scalekit's snake_case
   * (`read_only_hint`, …) and shown in camelCase by the MCP gateway's `tools/list`. A READ_ONLY
   * session token uses only tools with `readOnlyHint: true`.
   */
  annotations?: LocalToolAnnotations
  request: { method?: string; path: string }
}

export interface LocalToolAnnotations {
  readOnlyHint?: boolean
  destructiveHint?: boolean
  idempotentHint?: boolean
  openWorldHint?: boolean
}

/** An MCP configuration present from the start: its server is `{url}/mcp/v3/servers/<id>`. */
export interface LocalMcpConfig {
  /** 1–100 characters of `[a-z0-9_-]`, unique. */
  name: string
  description?: string
  /** At most 25; `tools` empty or absent: every tool of that connection. */
  connectionToolMappings?: { connectionName: string; tools?: string[] }[]
}

export interface LocalScalekitOptions {
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0: a free port. */
  port?: number
  /** Default: generated. Not empty. */
  clientId?: string
  /** Default: generated. Not empty. */
  clientSecret?: string
  /** `expires_in` of issued tokens. Default 3600. */
  tokenTtlSeconds?: number
  /** None given: any connection name works, as an OAUTH connection to the echo upstream. */
  connections?: LocalConnection[]
  accounts?: LocalSeedAccount[]
  /** The tool catalog: each tool runs through its connection's upstream with the account's credentials. */
  tools?: LocalTool[]
  /** MCP configurations, checked as CreateMcpConfig checks them (mapped connections and tools must exist). */
  mcpConfigs?: LocalMcpConfig[]
  /**
   * Answer Tool Proxy calls to the built-in echo upstream in-process, without the second HTTP hop
   * (for load tests and benchmarks). Same answer shape, but the echoed headers are those the proxy
   * would forward, without the `host`/`content-length` an HTTP client adds. Default false.
   */
  inlineEcho?: boolean
  /**
   * HTTPS on the API port (HTTP/1.1 and HTTP/2 by ALPN; the echo upstream stays plain HTTP).
   * `true`: a certificate for `localhost`, `127.0.0.1` and `::1` signed by a CA made at start
   * (`caCertificate` is that CA). `{ cert, key }`: your PEM chain (leaf first) and key
   * (`caCertificate` is the chain's last certificate). Default: plain HTTP.
   */
  tls?: boolean | { cert: string; key: string }
  /** A JSON file with these same options; options given here win. */
  configFile?: string
}

/** Requests served per endpoint. */
export interface LocalScalekitStats {
  token: number
  magic_link: number
  authorize: number
  proxy: number
  echo: number
  [endpoint: string]: number
}

export declare class LocalScalekit {
  private constructor()
  /** An option it cannot take rejects with ScalekitValidationException naming it (`options.port`). */
  static start(options?: LocalScalekitOptions): Promise<LocalScalekit>
  /** Use as envUrl: `https://…` with the `tls` option. */
  readonly url: string
  /** With the `tls` option: the PEM certificate other clients must trust (e.g. through `NODE_EXTRA_CA_CERTS`); else null. */
  readonly caCertificate: string | null
  readonly clientId: string
  readonly clientSecret: string
  /**
   * The built-in echo upstream: answers with JSON `{ method, path, query, headers, body }` describing the request
   * it received (`bodyBytes` and `bodySha256` instead of `body` past 64 KiB); `GET /bytes/{n}` answers n bytes.
   */
  readonly echoUrl: string
  env(): { SCALEKIT_ENV_URL: string; SCALEKIT_CLIENT_ID: string; SCALEKIT_CLIENT_SECRET: string }
  /** A client of this emulator; with the `tls` option it trusts `caCertificate` (added to `options.ca`). */
  client(options?: ScalekitClientOptions): ScalekitClient
  stats(): LocalScalekitStats
  resetStats(): void
  /** Every token issued so far stops working (the next call with one gets a 401, code 16). */
  revokeTokens(): void
  /** An argument that is not a string throws ScalekitValidationException naming it. */
  setAccountStatus(connectionName: string, identifier: string, status: string): void
  accounts(): Array<Record<string, unknown>>
  close(): Promise<void>
  /** `await using local = await LocalScalekit.start()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>
  toJSON(): { url: string; clientId: string }
}
