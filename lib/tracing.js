'use strict'
// Tracing through `node:diagnostics_channel` (docs/architecture.md, "Tracing"). A call is traced
// only when a channel has a subscriber as it starts; an untraced call costs one check here and
// nothing else: no clock, no event, no extra field sent to Rust.
//
// Events never carry a token, a secret, a query, a header or a body: `path` is cut at `?`, and
// errors are copies without the answer (`data`, `headers`, `errDetails`, `unpackedDetails`).

const dc = require('node:diagnostics_channel')
const native = require('./native.js')
const { errorFromFailure, fromNative } = require('./errors.js')
const { kindOf } = require('./args.js')

const CHANNELS = Object.freeze({
  start: 'scalekit-native:request:start',
  end: 'scalekit-native:request:end',
  error: 'scalekit-native:request:error',
})
const startChannel = dc.channel(CHANNELS.start)
const endChannel = dc.channel(CHANNELS.end)
const errorChannel = dc.channel(CHANNELS.error)

/** The methods that run a tool: kind 'tool'; the other account, tools, mcp and providers methods are 'control'. */
const TOOL_METHODS = new Set(['executeTool', 'tools.executeTool', 'executeLLMTool'])
/** The error fields an event may carry: what failed, never what was answered. */
const ERROR_FIELDS = ['httpStatus', 'status', 'statusText', 'grpcStatus', 'errorCode', 'argument', 'limit',
  'isToolError', 'toolErrorCode', 'executionId']

let lastCallId = 0
/** Routes by method name, asked of Rust once each (it owns the REST paths). */
const routes = new Map()

/** Whether a call starting now is traced: the one check of every call. */
function isTracing() {
  return startChannel.hasSubscribers || endChannel.hasSubscribers || errorChannel.hasSubscribers
}

/** `path` without its query or fragment; `undefined` when it is not a string. */
function pathOnly(path) {
  if (typeof path !== 'string') return undefined
  const cut = path.search(/[?#]/)
  return cut === -1 ? path : path.slice(0, cut)
}

function textOrUndefined(value) {
  return typeof value === 'string' ? value : undefined
}

function begin(kind, method, path, connectionName, identifier) {
  const trace = { callId: ++lastCallId, kind, startedAt: performance.now(), status: 0, attempts: 0, ended: false }
  startChannel.publish({ callId: trace.callId, kind, method, path, connectionName, identifier })
  return trace
}

/** The trace of an `actions.request` call (kind 'proxy'): `path` as given, without its query. */
function startProxy(connectionName, identifier, path, method) {
  const verb = typeof method === 'string' ? method.toUpperCase() : 'GET'
  return begin('proxy', verb, pathOnly(path), textOrUndefined(connectionName), textOrUndefined(identifier))
}

/** The trace of an account or tools method, on the params its caller gave. */
function startAccounts(method, params) {
  let route = routes.get(method)
  if (route === undefined) {
    route = native.describeCall(method) ?? {}
    routes.set(method, route)
  }
  const kind = TOOL_METHODS.has(method) ? 'tool' : 'control'
  let connectionName, identifier, given
  try {
    connectionName = textOrUndefined(params?.connectionName) ?? textOrUndefined(params?.connector)
    identifier = textOrUndefined(params?.identifier)
    // A method with two routes (Rust says which param picks the other one).
    given = route.whenGiven != null && params?.[route.whenGiven] != null && params[route.whenGiven] !== ''
  } catch {
    // Params whose reads throw: the call is refused for them (lib/args.js `accountCall`).
  }
  return begin(kind, route.method, given ? route.thenPath : route.path, connectionName, identifier)
}

/**
 * Reads the trace line Rust put before a traced call's head (src/node/outcome.rs `with_trace`),
 * publishes the token fetch it reports, and returns the head without it.
 */
function received(trace, head) {
  // A record replaced on the way (a body too large for JS, src/node/completions.rs) has no trace
  // line: a head starts with its status digits, a trace line with `{`.
  if (!head.startsWith('{')) {
    trace.status = Number.parseInt(head, 10) || 0
    return head
  }
  const newline = head.indexOf('\n')
  const line = JSON.parse(head.slice(0, newline))
  const rest = head.slice(newline + 1)
  trace.attempts = line.attempts
  trace.status = Number.parseInt(rest, 10) || 0
  if (Array.isArray(line.tokens)) for (const token of line.tokens) publishToken(token)
  return rest
}

/**
 * A token fetch the call started: its events are published together when the call completes,
 * with the fetch's own duration (docs/architecture.md, "Tracing").
 */
function publishToken(token) {
  const callId = ++lastCallId
  startChannel.publish({ callId, kind: 'token', method: token.method, path: token.path, connectionName: undefined, identifier: undefined })
  if (token.failure !== undefined) errorChannel.publish({ callId, error: eventError(errorFromFailure(token.failure)) })
  endChannel.publish({ callId, status: token.status, durationMs: token.durationMs, attempts: token.attempts })
}

function ended(trace) {
  trace.ended = true
  endChannel.publish({
    callId: trace.callId,
    status: trace.status,
    durationMs: performance.now() - trace.startedAt,
    attempts: trace.attempts,
  })
}

/** The call resolved. */
function succeeded(trace) {
  if (!trace.ended) ended(trace)
}

/** The call rejects with `error` (a non-2xx answer included): an error event, then the end. */
function failed(trace, error) {
  // Once: an abort that won the race with the outcome has ended the trace already (lib/calls.js).
  if (trace.ended) return
  errorChannel.publish({ callId: trace.callId, error: eventError(error, trace.kind) })
  ended(trace)
}

/**
 * A copy of `error` for an event: the same class, name, message and stack, and the fields that
 * say what failed; not the answer's body or headers. For a proxy call's non-2xx answer the message
 * says only the status: the rest of it comes from the provider's body.
 */
function eventError(error, kind) {
  if (error === null || typeof error !== 'object') return error
  const copy = Object.create(Object.getPrototypeOf(error))
  let { message, stack } = error
  if (kind === 'proxy' && typeof error.httpStatus === 'number' && typeof message === 'string') {
    message = `request failed with status ${error.httpStatus}${error.statusText ? ` ${error.statusText}` : ''}`
    const frames = typeof stack === 'string' ? stack.indexOf('\n    at ') : -1
    stack = `${error.name}: ${message}${frames >= 0 ? stack.slice(frames) : ''}`
  }
  for (const [key, value] of [['name', error.name], ['message', message], ['stack', stack]]) {
    if (value !== undefined) Object.defineProperty(copy, key, { value, writable: true, configurable: true })
  }
  for (const key of ERROR_FIELDS) if (Object.hasOwn(error, key)) copy[key] = error[key]
  return copy
}

/**
 * Subscribes `handlers.start` / `.end` / `.error` to the three channels (`diagnostics_channel.subscribe`,
 * nothing more) and returns the function that unsubscribes them: the typed way in for TypeScript,
 * where a channel message is `unknown`. Its argument rule is Rust's (`src/trace.rs` `check_handlers`).
 */
function subscribeTracing(handlers) {
  const refuse = (check) => {
    try {
      check()
    } catch (e) {
      throw fromNative(e)
    }
  }
  if (arguments.length > 1 && arguments[1] !== undefined) {
    refuse(() => native.extraArgument('subscribeTracing', 1, kindOf(arguments[1])))
  }
  const kind = kindOf(handlers)
  const keys = kind === 'object' ? Object.keys(handlers) : []
  refuse(() => native.checkTracingHandlers(kind, keys, keys.map((key) => kindOf(handlers[key]))))
  const subscribed = []
  for (const [event, name] of Object.entries(CHANNELS)) {
    if (typeof handlers[event] === 'function') subscribed.push([name, handlers[event]])
  }
  for (const [name, handler] of subscribed) dc.subscribe(name, handler)
  return function unsubscribeTracing() {
    for (const [name, handler] of subscribed) dc.unsubscribe(name, handler)
  }
}

module.exports = { CHANNELS, isTracing, startProxy, startAccounts, received, succeeded, failed, subscribeTracing }
