'use strict'
// The public JS surface: classes, error classes, body decoding. Everything that talks HTTP is in
// the Rust core behind ./binding.js; this file only checks JS types, converts and decodes.

const os = require('node:os')
const { STATUS_CODES: STATUS_TEXT } = require('node:http')
const util = require('node:util')
let native
try {
  native = require('./binding.js')
} catch (cause) {
  // Neither the prebuilt platform package nor a local build loaded: say what was looked for and how to build.
  let abi = process.platform === 'win32' ? '-msvc' : ''
  if (process.platform === 'linux') {
    let ldd = ''
    try { ldd = require('node:fs').readFileSync('/usr/bin/ldd', 'utf8') } catch {}
    abi = ldd.includes('musl') ? '-musl' : '-gnu'
  }
  const target = `${process.platform}-${process.arch}${abi}`
  throw new Error(
    `scalekit-native: cannot load its native addon for ${target}. Looked for the prebuilt package ` +
      `scalekit-native-${target} (an optionalDependency, installed by npm on linux x64/arm64 glibc and musl, ` +
      `macOS x64/arm64 and Windows x64: if it is missing, reinstall without --omit=optional / --no-optional) and ` +
      `for scalekit-native.${target}.node built from source next to index.js. To build from source, install Rust ` +
      `(https://rustup.rs) and run \`npm install\` or \`npm run build\` in a checkout of scalekit-native. ` +
      `Each attempt's error is in \`cause\`.`,
    { cause },
  )
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

class ScalekitException extends Error {
  constructor(message, options) {
    super(message, options)
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false, configurable: true, writable: true })
  }
}

/** Bad arguments, detected before anything is sent. */
class ScalekitValidationException extends ScalekitException {
  constructor(message, argument) {
    super(message)
    this.argument = argument
  }
}

/** No response arrived: connection refused or reset, DNS or TLS failure. */
class ScalekitNetworkException extends ScalekitException {}

/** The call was aborted through its `signal`. */
class ScalekitAbortException extends ScalekitException {
  constructor(message = 'This operation was aborted', options) {
    super(message, options)
    // Matches what fetch and Node's own APIs throw, so `err.name === 'AbortError'` checks work.
    Object.defineProperty(this, 'name', { value: 'AbortError', enumerable: false, configurable: true, writable: true })
  }
}

/** A non-2xx answer from Scalekit or, through the Tool Proxy, from the provider. */
class ScalekitServerException extends ScalekitException {
  constructor(message, info = {}) {
    super(message)
    /** The real HTTP status. */
    this.httpStatus = info.httpStatus
    this.status = info.httpStatus
    this.statusText = info.statusText ?? ''
    this.grpcStatus = info.grpcStatus
    this.errorCode = info.errorCode ?? null
    /** Proxy: the decoded body (as the official SDK); control plane: the ErrorInfo details. */
    this.errDetails = info.errDetails
    this.unpackedDetails = info.unpackedDetails ?? []
    this.headers = info.headers ?? {}
    this.data = info.data
  }
}

class ScalekitBadRequestException extends ScalekitServerException {}
class ScalekitUnauthorizedException extends ScalekitServerException {}
class ScalekitForbiddenException extends ScalekitServerException {}
class ScalekitNotFoundException extends ScalekitServerException {}
class ScalekitConflictException extends ScalekitServerException {}
class ScalekitTooManyRequestsException extends ScalekitServerException {}
class ScalekitInternalServerException extends ScalekitServerException {}
class ScalekitNotImplementedException extends ScalekitServerException {}
class ScalekitServiceUnavailableException extends ScalekitServerException {}
class ScalekitGatewayTimeoutException extends ScalekitServerException {}
class ScalekitCancelledException extends ScalekitServerException {}
class ScalekitUnknownException extends ScalekitServerException {}

function toolInfo(target, details) {
  const info = (details || []).find((d) => d && d.tool_error_info)?.tool_error_info ?? {}
  target.isToolError = true
  target.toolErrorCode = info.tool_error_code ?? ''
  target.toolErrorMessage = info.tool_error_message ?? ''
  target.executionId = info.execution_id ?? ''
}
class ScalekitToolException extends ScalekitServerException {
  constructor(message, info) { super(message, info); toolInfo(this, info?.unpackedDetails) }
}
class ScalekitToolUnauthorizedException extends ScalekitUnauthorizedException {
  constructor(message, info) { super(message, info); toolInfo(this, info?.unpackedDetails) }
}
class ScalekitToolForbiddenException extends ScalekitForbiddenException {
  constructor(message, info) { super(message, info); toolInfo(this, info?.unpackedDetails) }
}
class ScalekitToolRateLimitException extends ScalekitTooManyRequestsException {
  constructor(message, info) { super(message, info); toolInfo(this, info?.unpackedDetails) }
}

// The one table from gRPC code to exception class (the official SDK's `promote`).
const CLASS_BY_GRPC = {
  1: ScalekitCancelledException,
  2: ScalekitInternalServerException,
  3: ScalekitBadRequestException,
  4: ScalekitGatewayTimeoutException,
  5: ScalekitNotFoundException,
  6: ScalekitConflictException,
  7: ScalekitForbiddenException,
  8: ScalekitTooManyRequestsException,
  9: ScalekitBadRequestException,
  10: ScalekitConflictException,
  11: ScalekitBadRequestException,
  12: ScalekitNotImplementedException,
  13: ScalekitInternalServerException,
  14: ScalekitServiceUnavailableException,
  15: ScalekitInternalServerException,
  16: ScalekitUnauthorizedException,
}
const TOOL_CLASS_BY_GRPC = {
  7: ScalekitToolForbiddenException,
  8: ScalekitToolRateLimitException,
  16: ScalekitToolUnauthorizedException,
}

function serverError(info, headers, data) {
  const details = Array.isArray(info.details) ? info.details : []
  const isTool = info.source !== 'proxy' && details.some((d) => d && d.error_code === 'TOOL_ERROR')
  const Class = (isTool ? TOOL_CLASS_BY_GRPC[info.grpcStatus] ?? ScalekitToolException : CLASS_BY_GRPC[info.grpcStatus]) ??
    ScalekitInternalServerException
  return new Class(info.message, {
    httpStatus: info.status,
    statusText: info.statusText,
    grpcStatus: info.grpcStatus,
    errorCode: info.errorCode,
    errDetails: info.source === 'proxy' ? data : details,
    unpackedDetails: details,
    headers,
    data,
  })
}

/** Turns the JSON description the native layer gives into the matching exception. */
function errorFromInfo(info, headers, data) {
  switch (info.kind) {
    case 'validation':
      return new ScalekitValidationException(info.message, info.argument)
    case 'server':
      return serverError(info, headers ?? headerObject(info.headers ?? []), data ?? decodeText(info.body ?? ''))
    case 'timeout':
      return new ScalekitGatewayTimeoutException(info.message, { httpStatus: 504, statusText: 'Gateway Timeout', grpcStatus: 4, errorCode: null })
    case 'network':
      return new ScalekitNetworkException(info.message)
    case 'aborted':
      return new ScalekitAbortException()
    default:
      return new ScalekitException(info.message)
  }
}

function fromNative(error) {
  if (error instanceof ScalekitException) return error
  let info
  try {
    info = JSON.parse(error.message)
  } catch {
    return new ScalekitException(String(error && error.message))
  }
  return errorFromInfo(info)
}

function validation(argument, message) {
  return new ScalekitValidationException(message, argument)
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/** `[name, value, ...]` from index `start` → an object, `set-cookie` as an array. */
function headerObject(flat, start = 0) {
  const headers = {}
  for (let i = start; i + 1 < flat.length; i += 2) {
    const name = flat[i]
    const value = flat[i + 1]
    // Own properties only: a header named `constructor` or `__proto__` is a header like any other.
    if (!Object.hasOwn(headers, name)) {
      const first = name === 'set-cookie' ? [value] : value
      if (name === '__proto__') {
        Object.defineProperty(headers, name, { value: first, enumerable: true, writable: true, configurable: true })
      } else headers[name] = first
    } else if (name === 'set-cookie') headers[name].push(value)
    else headers[name] += ', ' + value
  }
  return headers
}

function decodeText(text) {
  if (text.length === 0) return ''
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  // As axios: JSON whatever the content type, the raw text when it does not parse.
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}


/** Decodes a native answer: `head` = `status\nfailure\nname\nvalue...`, `body` = text or bytes. */
function toResponse(head, body) {
  const lines = head.split('\n')
  const status = Number(lines[0])
  const headers = headerObject(lines, 2)
  // The native side sends binary content types as a Buffer and everything else as text.
  const data = typeof body === 'string' ? decodeText(body) : body
  if (lines[1] !== '') throw errorFromInfo(JSON.parse(lines[1]), headers, data)
  return { status, statusText: STATUS_TEXT[status] ?? '', headers, data }
}

// ---------------------------------------------------------------------------------------------
// Argument conversion
// ---------------------------------------------------------------------------------------------

function optionalString(name, value) {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw validation(name, `${name} must be a string, got ${typeof value}`)
  return value
}

function optionalTimeout(name, value) {
  if (value === undefined) return undefined
  if (typeof value !== 'number') {
    throw validation(name, `${name} must be a positive finite number of milliseconds, got ${String(value)}`)
  }
  return value
}

function paramsObject(params, required = true) {
  if (params === undefined || params === null) {
    if (required) throw validation('params', 'params must be an object')
    return {}
  }
  if (typeof params !== 'object') throw validation('params', 'params must be an object')
  return params
}

// JSON with every number as the string JavaScript would print (as axios's `String(value)`), so
// the Rust side formats nothing itself.
function numbersAsText(_key, value) {
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : value
}

function jsonOf(name, value, replacer) {
  try {
    return JSON.stringify(value, replacer)
  } catch (e) {
    throw validation(name, `${name} cannot be serialised: ${e.message}`)
  }
}

function headerList(headers) {
  if (headers === undefined || headers === null) return undefined
  if (typeof headers !== 'object' || Array.isArray(headers)) throw validation('headers', 'headers must be an object')
  const entries = typeof headers.entries === 'function' && typeof headers.get === 'function'
    ? Array.from(headers.entries())
    : Object.entries(headers)
  const flat = []
  for (const [name, value] of entries) {
    if (value === undefined || value === null) continue
    flat.push(String(name), Array.isArray(value) ? value.join(', ') : String(value))
  }
  return flat
}

function hasHeader(flat, name) {
  if (!flat) return undefined
  for (let i = 0; i < flat.length; i += 2) if (flat[i].toLowerCase() === name) return flat[i + 1]
  return undefined
}

function isBinary(value) {
  return Buffer.isBuffer(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer
}

function toBuffer(value) {
  if (Buffer.isBuffer(value)) return value
  if (value instanceof ArrayBuffer) return Buffer.from(value)
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/** Objects that JSON would silently turn into `{}`, or that need multipart or streaming. */
function rejectUnsupported(name, value) {
  const kind =
    (typeof FormData !== 'undefined' && value instanceof FormData && 'multipart FormData') ||
    (typeof Blob !== 'undefined' && value instanceof Blob && 'a Blob') ||
    (value instanceof Map && 'a Map') ||
    (value instanceof Set && 'a Set') ||
    ((typeof value.pipe === 'function' || typeof value.getReader === 'function') && 'a stream')
  if (kind) throw validation(name, `${name} cannot be ${kind}; pass a plain object, an array, a string or a Buffer`)
}

/** `body ?? formData`, classified as axios (and spec §10 for formData) encode them. */
function encodeBody(target, body, formData, headers) {
  if (body !== undefined && body !== null) {
    // axios sends no body for falsy data (0, false, '').
    if (!body) return
    if (typeof body === 'string') {
      const type = hasHeader(headers, 'content-type')
      if (type !== undefined && /application\/json/i.test(type)) {
        // axios: a JSON string is sent trimmed, any other string as a JSON string literal.
        let text
        try {
          JSON.parse(body)
          text = body.trim()
        } catch {
          text = JSON.stringify(body)
        }
        target.bodyRaw = Buffer.from(text, 'utf8')
      } else {
        target.bodyRaw = Buffer.from(body, 'utf8')
      }
    } else if (isBinary(body)) {
      target.bodyRaw = toBuffer(body)
    } else if (body instanceof URLSearchParams) {
      target.bodyRaw = Buffer.from(body.toString(), 'utf8')
      if (hasHeader(headers, 'content-type') === undefined) {
        target.headers = (headers ?? []).concat('content-type', 'application/x-www-form-urlencoded;charset=utf-8')
      }
    } else if (typeof body === 'object') {
      rejectUnsupported('body', body)
      target.bodyJson = jsonOf('body', body)
    } else {
      throw validation('body', `body must be an object, an array, a string or a Buffer, got ${typeof body}`)
    }
    return
  }
  if (formData !== undefined && formData !== null) {
    if (!formData) return
    if (formData instanceof URLSearchParams) target.formJson = JSON.stringify(formData.toString())
    else if (typeof formData === 'string') target.formJson = JSON.stringify(formData)
    else if (typeof formData === 'object') {
      rejectUnsupported('formData', formData)
      target.formJson = jsonOf('formData', formData, numbersAsText)
    }
    else throw validation('formData', `formData must be an object or a string, got ${typeof formData}`)
  }
}

function retries(value) {
  if (value === undefined || value === true) return undefined
  if (value === false) return 0
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 10) return value
  throw validation('retry', `retry must be a boolean or a whole number from 0 to 10, got ${String(value)}`)
}

/** `request` params → the native call's arguments: four strings, plus options only when needed. */
function proxyParams(params) {
  const p = paramsObject(params)
  const call = {
    connectionName: optionalString('connectionName', p.connectionName),
    identifier: optionalString('identifier', p.identifier),
    path: optionalString('path', p.path),
    method: optionalString('method', p.method),
    options: undefined,
  }
  const { queryParams: query, body, formData, headers, timeoutMs, retry } = p
  if (query == null && body == null && formData == null && headers == null && timeoutMs === undefined && retry === undefined) {
    return call
  }
  const options = {
    headers: headerList(headers),
    timeoutMs: optionalTimeout('timeoutMs', timeoutMs),
    retries: retries(retry),
  }
  if (query !== undefined && query !== null) {
    if (query instanceof URLSearchParams) options.queryString = query.toString()
    else if (typeof query === 'object') options.queryJson = jsonOf('queryParams', query, numbersAsText)
    else throw validation('queryParams', 'queryParams must be an object or a URLSearchParams')
  }
  encodeBody(options, body, formData, options.headers)
  call.options = options
  return call
}

// Timestamps cross the native boundary as RFC 3339 strings and reach users as Dates.
function dateFields(obj, names) {
  if (obj === null || typeof obj !== 'object') return
  for (const name of names) if (typeof obj[name] === 'string') obj[name] = new Date(obj[name])
}

function reviveAccount(account) {
  if (!account) return
  dateFields(account, ['tokenExpiresAt', 'updatedAt', 'lastUsedAt'])
  const value = account.authorizationDetails?.details?.value
  dateFields(value, ['tokenExpiresAt', 'expiry'])
}

function reviveDates(result) {
  reviveAccount(result.connectedAccount)
  if (Array.isArray(result.connectedAccounts)) result.connectedAccounts.forEach(reviveAccount)
  if (Array.isArray(result.connections)) result.connections.forEach((c) => dateFields(c, ['createdAt']))
  dateFields(result, ['expiry'])
  return result
}

/** Connected-account status names: `account.status === ConnectorStatus.ACTIVE`. */
const ConnectorStatus = Object.freeze({
  CONNECTION_STATUS_UNSPECIFIED: 'CONNECTION_STATUS_UNSPECIFIED',
  ACTIVE: 'ACTIVE',
  EXPIRED: 'EXPIRED',
  PENDING_AUTH: 'PENDING_AUTH',
  PENDING_VERIFICATION: 'PENDING_VERIFICATION',
  DISCONNECTED: 'DISCONNECTED',
})

/** Connected-account authorization types. */
const ConnectorType = Object.freeze({
  CONNECTION_TYPE_UNSPECIFIED: 'CONNECTION_TYPE_UNSPECIFIED',
  OAUTH: 'OAUTH',
  API_KEY: 'API_KEY',
  BASIC_AUTH: 'BASIC_AUTH',
  BEARER_TOKEN: 'BEARER_TOKEN',
  CUSTOM: 'CUSTOM',
  BASIC: 'BASIC',
  OAUTH_M2M: 'OAUTH_M2M',
  TRELLO_OAUTH1: 'TRELLO_OAUTH1',
  GOOGLE_DWD: 'GOOGLE_DWD',
  TRUSTED_IDP: 'TRUSTED_IDP',
  SMART_FHIR: 'SMART_FHIR',
  NO_AUTH: 'NO_AUTH',
})

const RUNTIME = `Node/${process.version} (${process.platform}; ${os.arch()})`

function clientOptions(options) {
  const o = options === undefined || options === null ? {} : options
  if (typeof o !== 'object') throw validation('options', 'options must be an object')
  if (o.maxRetries !== undefined && typeof o.maxRetries !== 'number') {
    throw validation('maxRetries', `maxRetries must be a whole number from 0 to 10, got ${String(o.maxRetries)}`)
  }
  return {
    timeoutMs: optionalTimeout('timeoutMs', o.timeoutMs),
    toolTimeoutMs: optionalTimeout('toolTimeoutMs', o.toolTimeoutMs),
    maxRetries: o.maxRetries,
    runtime: RUNTIME,
  }
}

/** The clients with calls in flight, by id: only these must stay reachable from the wake-up. */
const busyClients = new Map()
let lastClientId = 0

// One module-level wake-up function for every client: it reaches a client only while that client
// has calls in flight, so nothing outside the client refers to it while it is idle.
function wakeClient(clientId) {
  busyClients.get(clientId)?.drain()
}

/**
 * The in-flight `request` calls of one native client. The native side starts each call at once
 * and reports completions in batches through one shared wake-up function, referenced only while
 * calls are in flight so that an idle client never keeps Node alive.
 */
class ProxyCalls {
  #native
  #id
  #pending = new Map()
  #nextId = 0

  constructor(nativeClient) {
    this.#native = nativeClient
    this.#id = lastClientId = (lastClientId % 0xfffffffe) + 1
    nativeClient.setCompletionHandler(wakeClient, this.#id)
  }

  send(call) {
    return new Promise((resolve, reject) => {
      const id = this.#nextId = (this.#nextId % 0xfffffffe) + 1
      this.#pending.set(id, { resolve, reject })
      if (this.#pending.size === 1) this.#busy(true)
      try {
        this.#native.request(id, call.connectionName, call.identifier, call.path, call.method, call.options)
      } catch (e) {
        this.#pending.delete(id)
        if (this.#pending.size === 0) this.#busy(false)
        reject(fromNative(e))
      }
    })
  }

  #busy(busy) {
    if (busy) busyClients.set(this.#id, this)
    else busyClients.delete(this.#id)
    this.#native.setActive(busy)
  }

  drain() {
    const { ids, heads, bodies } = this.#native.takeCompletions()
    for (let i = 0; i < ids.length; i++) {
      const call = this.#pending.get(ids[i])
      if (call === undefined) continue
      this.#pending.delete(ids[i])
      const head = heads[i]
      try {
        if (head.charCodeAt(0) === 33 /* ! */) call.reject(errorFromInfo(JSON.parse(head.slice(1))))
        else call.resolve(toResponse(head, bodies[i]))
      } catch (e) {
        call.reject(e)
      }
    }
    if (this.#pending.size === 0) this.#busy(false)
  }
}

/**
 * Runs `call(cancelId)`; an abort of `signal` cancels the native call (its Rust future is dropped,
 * so no work or socket is left behind) and rejects with ScalekitAbortException.
 */
async function withSignal(signal, call) {
  if (signal === undefined || signal === null) return call(undefined)
  if (typeof signal !== 'object' || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function') {
    throw validation('signal', 'signal must be an AbortSignal')
  }
  if (signal.aborted) throw new ScalekitAbortException(undefined, { cause: signal.reason })
  const cancelId = native.newCancelId()
  const onAbort = () => native.cancelCall(cancelId)
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    return await call(cancelId)
  } catch (e) {
    if (e instanceof ScalekitAbortException && signal.reason !== undefined && e.cause === undefined) {
      throw new ScalekitAbortException(undefined, { cause: signal.reason })
    }
    throw e
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

/** `client.actions`: the same methods as `@scalekit-sdk/node`'s ActionsClient. */
class ActionsClient {
  #native
  #calls

  constructor(nativeClient) {
    this.#native = nativeClient
    this.#calls = new ProxyCalls(nativeClient)
  }

  /** A call through `{envUrl}/proxy{path}`, forwarded by Scalekit with the user's credentials. */
  async request(params) {
    const call = proxyParams(params)
    const signal = params.signal
    if (signal !== undefined && signal !== null) {
      return withSignal(signal, (cancelId) => {
        call.options = { ...call.options, cancelId }
        return this.#send(call)
      })
    }
    return this.#send(call)
  }

  #send(call) {
    return this.#calls.send(call)
  }

  async #accounts(method, params, required = true) {
    const p = paramsObject(params, required)
    const { signal, ...rest } = p
    const json = jsonOf('params', rest)
    return withSignal(signal, async (cancelId) => {
      let result
      try {
        result = await this.#native.accounts(method, json, cancelId)
      } catch (e) {
        throw fromNative(e)
      }
      return reviveDates(JSON.parse(result))
    })
  }

  /** A magic link the user opens to authorize (or re-authorize) a connected account. */
  getAuthorizationLink(params) { return this.#accounts('getAuthorizationLink', params) }
  /** Confirms the user after `userVerifyUrl` received `auth_request_id`; the account becomes ACTIVE. */
  verifyConnectedAccountUser(params) { return this.#accounts('verifyConnectedAccountUser', params) }
  /** By `connectedAccountId`, or `connectionName` + `identifier`; includes the credentials. */
  getConnectedAccount(params) { return this.#accounts('getConnectedAccount', params) }
  createConnectedAccount(params) { return this.#accounts('createConnectedAccount', params) }
  updateConnectedAccount(params) { return this.#accounts('updateConnectedAccount', params) }
  /** Resolves `{}`. */
  deleteConnectedAccount(params) { return this.#accounts('deleteConnectedAccount', params) }
  listConnectedAccounts(params) { return this.#accounts('listConnectedAccounts', params, false) }
  /** The existing account (updated when `authorizationDetails` is given), or a new one. */
  getOrCreateConnectedAccount(params) { return this.#accounts('getOrCreateConnectedAccount', params) }
  /** Alias of `getOrCreateConnectedAccount`. */
  upsertConnectedAccount(params) { return this.#accounts('getOrCreateConnectedAccount', params) }
  /** App-level connections of the environment. */
  listConnections(params) { return this.#accounts('listConnections', params, false) }
  /** Runs a Scalekit tool for a connected account (deadline: `toolTimeoutMs`). */
  executeTool(params) { return this.#accounts('executeTool', params) }

  [util.inspect.custom]() {
    return 'ActionsClient {}'
  }
}

const FROM_ENV = Symbol('fromEnv')

class ScalekitClient {
  #native

  /**
   * @param {string} envUrl e.g. https://acme.scalekit.dev
   * @param {string} clientId
   * @param {string} clientSecret
   * @param {object} [options] timeoutMs, toolTimeoutMs, maxRetries
   */
  constructor(envUrl, clientId, clientSecret, options) {
    try {
      if (envUrl === FROM_ENV) {
        this.#native = native.NativeClient.fromEnv(process.cwd(), clientOptions(clientId))
      } else {
        this.#native = new native.NativeClient(
          requiredString('envUrl', envUrl),
          requiredString('clientId', clientId),
          requiredString('clientSecret', clientSecret),
          clientOptions(options),
        )
      }
    } catch (e) {
      throw fromNative(e)
    }
    Object.defineProperty(this, 'actions', { value: new ActionsClient(this.#native), enumerable: true })
  }

  /**
   * A client from `SCALEKIT_ENV_URL` (or `SCALEKIT_ENVIRONMENT_URL`), `SCALEKIT_CLIENT_ID` and
   * `SCALEKIT_CLIENT_SECRET`, each read from the environment, else from `.env` in the working directory.
   */
  static fromEnv(options) {
    return new ScalekitClient(FROM_ENV, options)
  }

  get envUrl() {
    return this.#native.envUrl
  }

  get clientId() {
    return this.#native.clientId
  }

  toJSON() {
    return { envUrl: this.envUrl, clientId: this.clientId }
  }

  [util.inspect.custom](_depth, options, inspect) {
    return `ScalekitClient ${inspect(this.toJSON(), options)}`
  }
}

function requiredString(name, value) {
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string') throw validation(name, `${name} must be a string, got ${typeof value}`)
  return value
}

// ---------------------------------------------------------------------------------------------
// LocalScalekit
// ---------------------------------------------------------------------------------------------

const LOCAL = Symbol('LocalScalekit')

/** A local emulator of Scalekit's token, connected-account, magic-link and Tool Proxy endpoints. */
class LocalScalekit {
  #native

  constructor(token, nativeLocal) {
    if (token !== LOCAL) throw new TypeError('use `await LocalScalekit.start(options)`')
    this.#native = nativeLocal
  }

  /**
   * Starts the emulator on a loopback port.
   * @param {object} [options] host, port, clientId, clientSecret, tokenTtlSeconds, connections,
   *   accounts, and configFile (a JSON file of the same options).
   */
  static async start(options) {
    const o = options === undefined || options === null ? {} : options
    if (typeof o !== 'object') throw validation('options', 'options must be an object')
    const { configFile, ...rest } = o
    const json = Object.keys(rest).length > 0 ? jsonOf('options', rest) : undefined
    let nativeLocal
    try {
      nativeLocal = await native.startLocalScalekit(json, optionalString('configFile', configFile))
    } catch (e) {
      throw fromNative(e)
    }
    return new LocalScalekit(LOCAL, nativeLocal)
  }

  /** The base URL to use as envUrl, e.g. http://127.0.0.1:43121 */
  get url() { return this.#native.url }
  get clientId() { return this.#native.clientId }
  get clientSecret() { return this.#native.clientSecret }
  /** The built-in echo upstream: answers with JSON describing the request it received. */
  get echoUrl() { return this.#native.echoUrl }

  /** The three variables a client reads in `ScalekitClient.fromEnv()`. */
  env() {
    return { SCALEKIT_ENV_URL: this.url, SCALEKIT_CLIENT_ID: this.clientId, SCALEKIT_CLIENT_SECRET: this.clientSecret }
  }

  /** A ScalekitClient pointed at this emulator. */
  client(options) {
    return new ScalekitClient(this.url, this.clientId, this.clientSecret, options)
  }

  /** Requests served so far, per endpoint (token, magic_link, authorize, proxy, echo, ...). */
  stats() { return JSON.parse(this.#native.stats()) }
  resetStats() { this.#native.resetStats() }
  /** Invalidates every access token issued so far: the next call with one gets a 401 (code 16). */
  revokeTokens() { this.#native.revokeTokens() }
  /** Sets an account's status, e.g. `EXPIRED`, to test how an app handles it. */
  setAccountStatus(connectionName, identifier, status) {
    try {
      this.#native.setAccountStatus(connectionName, identifier, status)
    } catch (e) {
      throw fromNative(e)
    }
  }
  /** The connected accounts as the REST API returns them (snake_case). */
  accounts() { return JSON.parse(this.#native.accounts()) }

  /** Stops the emulator and its echo upstream. */
  async close() { await this.#native.close() }

  toJSON() { return { url: this.url, clientId: this.clientId } }

  [util.inspect.custom](_depth, options, inspect) {
    return `LocalScalekit ${inspect(this.toJSON(), options)}`
  }
}
if (typeof Symbol.asyncDispose === 'symbol') {
  LocalScalekit.prototype[Symbol.asyncDispose] = function () { return this.close() }
}

module.exports = {
  ScalekitClient,
  ConnectorStatus,
  ConnectorType,
  ActionsClient,
  LocalScalekit,
  ScalekitException,
  ScalekitServerException,
  ScalekitValidationException,
  ScalekitNetworkException,
  ScalekitAbortException,
  ScalekitBadRequestException,
  ScalekitUnauthorizedException,
  ScalekitForbiddenException,
  ScalekitNotFoundException,
  ScalekitConflictException,
  ScalekitTooManyRequestsException,
  ScalekitInternalServerException,
  ScalekitNotImplementedException,
  ScalekitServiceUnavailableException,
  ScalekitGatewayTimeoutException,
  ScalekitCancelledException,
  ScalekitUnknownException,
  ScalekitToolException,
  ScalekitToolUnauthorizedException,
  ScalekitToolForbiddenException,
  ScalekitToolRateLimitException,
}
