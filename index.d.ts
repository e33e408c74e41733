// Public typings of scalekit-native (hand-written; binding.d.ts is the generated native layer).

export interface ScalekitClientOptions {
  /** Deadline of each control-plane call (connected accounts, magic links), retries included. Default 20000. */
  timeoutMs?: number
  /** Default deadline of a Tool Proxy call (`actions.request`), retries included. Default 60000. */
  toolTimeoutMs?: number
  /** Retries of transient failures (see README, "Retries"). Whole number 0–10, default 2. */
  maxRetries?: number
}

export type HttpMethod =
  | 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS'
  | 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options'
  | (string & {})

export type QueryValue = string | number | boolean | bigint | Date | null | undefined | QueryValue[] | { [key: string]: QueryValue }

export type HeaderValue = string | number | boolean | ReadonlyArray<string | number> | null | undefined

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

export interface RequestParams {
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
  /** Object/array: JSON. String, Buffer, typed array: sent as is. URLSearchParams: urlencoded. */
  body?: object | string | Buffer | ArrayBufferView | ArrayBuffer | URLSearchParams | null
  /** Sent `application/x-www-form-urlencoded` (used when `body` is not given). */
  formData?: Record<string, QueryValue> | string | URLSearchParams | null
  /** Caller headers; Scalekit's routing and identity headers are set after them and win. */
  headers?: Record<string, HeaderValue>
  /** Deadline of this call, retries included. Default: the client's `toolTimeoutMs`. */
  timeoutMs?: number
  /**
   * `false` or `0`: never retry. A number: up to that many retries, whatever the method.
   * Default: the client's `maxRetries`, for idempotent methods only.
   */
  retry?: boolean | number
}

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

export interface ConnectedAccountRef {
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

export declare class ActionsClient {
  private constructor()
  /** A call through `{envUrl}/proxy{path}`, forwarded by Scalekit with the user's credentials injected. */
  request<T = any>(params: RequestParams): Promise<ProxyResponse<T>>
  /** A magic link to authorize a connected account (by id, or connection name + identifier). */
  getAuthorizationLink(params: GetAuthorizationLinkParams): Promise<AuthorizationLink>
}

export declare class ScalekitClient {
  constructor(envUrl: string, clientId: string, clientSecret: string, options?: ScalekitClientOptions)
  /**
   * Reads `SCALEKIT_ENV_URL` (or `SCALEKIT_ENVIRONMENT_URL`), `SCALEKIT_CLIENT_ID`, `SCALEKIT_CLIENT_SECRET`
   * from the environment, each falling back to `.env` in the working directory.
   */
  static fromEnv(options?: ScalekitClientOptions): ScalekitClient
  readonly actions: ActionsClient
  readonly envUrl: string
  readonly clientId: string
  /** `{ envUrl, clientId }`: never the secret or a token. */
  toJSON(): { envUrl: string; clientId: string }
}

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

/** The call was aborted; `name` is `'AbortError'`. */
export declare class ScalekitAbortException extends ScalekitException {}

/** Scalekit's `ErrorInfo` detail (snake_case, as on the wire). */
export interface ErrorInfoDetail {
  '@type'?: string
  error_code?: string
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
  /** Control plane: the first ErrorInfo `error_code`; Tool Proxy: the status text (as the official SDK); token: the OAuth `error`. */
  readonly errorCode: string | null
  /** Tool Proxy: the decoded response body (as the official SDK); control plane: the ErrorInfo details. */
  readonly errDetails: unknown
  readonly unpackedDetails: ErrorInfoDetail[]
  /** Response headers, lowercase names. */
  readonly headers: Record<string, string | string[]>
  /** The decoded response body, as `ProxyResponse.data`. */
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

interface ToolErrorFields {
  readonly isToolError: true
  readonly toolErrorCode: string
  readonly toolErrorMessage: string
  readonly executionId: string
}
export declare class ScalekitToolException extends ScalekitServerException implements ToolErrorFields {
  readonly isToolError: true
  readonly toolErrorCode: string
  readonly toolErrorMessage: string
  readonly executionId: string
}
export declare class ScalekitToolUnauthorizedException extends ScalekitUnauthorizedException implements ToolErrorFields {
  readonly isToolError: true
  readonly toolErrorCode: string
  readonly toolErrorMessage: string
  readonly executionId: string
}
export declare class ScalekitToolForbiddenException extends ScalekitForbiddenException implements ToolErrorFields {
  readonly isToolError: true
  readonly toolErrorCode: string
  readonly toolErrorMessage: string
  readonly executionId: string
}
export declare class ScalekitToolRateLimitException extends ScalekitTooManyRequestsException implements ToolErrorFields {
  readonly isToolError: true
  readonly toolErrorCode: string
  readonly toolErrorMessage: string
  readonly executionId: string
}

// ---------------------------------------------------------------------------------------------
// LocalScalekit
// ---------------------------------------------------------------------------------------------

export type LocalAuthType = 'OAUTH' | 'BASIC' | 'BEARER' | 'API_KEY'

export interface LocalConnection {
  /** The connection name clients use as `connectionName`. */
  name: string
  /** Default: the name. */
  provider?: string
  authType: LocalAuthType
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

export interface LocalScalekitOptions {
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0: a free port. */
  port?: number
  /** Default: generated. */
  clientId?: string
  /** Default: generated. */
  clientSecret?: string
  /** `expires_in` of issued tokens. Default 3600. */
  tokenTtlSeconds?: number
  /** None given: any connection name works, as an OAUTH connection to the echo upstream. */
  connections?: LocalConnection[]
  accounts?: LocalSeedAccount[]
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
  static start(options?: LocalScalekitOptions): Promise<LocalScalekit>
  /** Use as envUrl. */
  readonly url: string
  readonly clientId: string
  readonly clientSecret: string
  /** The built-in echo upstream: answers with JSON describing exactly the request it received. */
  readonly echoUrl: string
  env(): { SCALEKIT_ENV_URL: string; SCALEKIT_CLIENT_ID: string; SCALEKIT_CLIENT_SECRET: string }
  client(options?: ScalekitClientOptions): ScalekitClient
  stats(): LocalScalekitStats
  resetStats(): void
  /** Every token issued so far stops working (the next call with one gets a 401, code 16). */
  revokeTokens(): void
  setAccountStatus(connectionName: string, identifier: string, status: string): void
  accounts(): Array<Record<string, unknown>>
  close(): Promise<void>
  toJSON(): { url: string; clientId: string }
}
