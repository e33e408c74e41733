'use strict'
// The in-flight calls of one native client, and AbortSignal wiring (docs/architecture.md).
//
// The native side starts each call at once and reports outcome records in batches through one
// wake-up function per client, referenced only while calls are in flight so that an idle client
// never keeps Node alive.

const native = require('./native.js')
const { fromNative } = require('./errors.js')
const { ScalekitAbortException } = require('./exceptions.js')
const { outcomeOf, Failed } = require('./outcome.js')
const { isAbortSignal, kindOf, accountCall } = require('./args.js')
const tracing = require('./tracing.js')
const { Modifiers } = require('./modifiers.js')
const { isDownload } = require('./streams.js')

/**
 * The traces of traced calls that can be aborted, by cancel id: an abort that wins the race with
 * the call's outcome (withSignal) ends the trace with the abort, as the caller sees it.
 */
const abortableTraces = new Map()

/** The clients with calls in flight, by id: only these must stay reachable from the wake-up. */
const busyClients = new Map()
let lastClientId = 0

// One module-level wake-up function for every client: it reaches a client only while that client
// has calls in flight, so nothing outside the client refers to it while it is idle.
function wakeClient(clientId) {
  busyClients.get(clientId)?.drain()
}

class Calls {
  #native
  #id
  #pending = new Map()
  #nextId = 0

  constructor(nativeClient) {
    this.#native = nativeClient
    /** The client's tool modifiers (`actions.preModifier`…), applied to every call that runs a tool. */
    this.modifiers = new Modifiers()
    this.#id = lastClientId = (lastClientId % 0xfffffffe) + 1
    nativeClient.setCompletionHandler(wakeClient, this.#id)
  }

  // A traced call (lib/tracing.js) tells Rust with `traced: true`; an untraced one sends exactly
  // what it would without tracing.

  /**
   * `actions.request`: resolves the decoded response, or a `Failed` that the caller's async
   * method turns into its exception with `settle` (a rejection only for a synchronous throw).
   */
  request(connectionName, identifier, path, method, options) {
    const trace = tracing.isTracing() ? tracing.startProxy(connectionName, identifier, path, method) : undefined
    if (trace !== undefined && options?.cancelId !== undefined) abortableTraces.set(options.cancelId, trace)
    return new Promise((resolve, reject) => {
      const id = this.#add(resolve, reject, options?.responseType, trace)
      try {
        this.#native.request(id, connectionName, identifier, path, method,
          trace === undefined ? options : { ...options, traced: true })
      } catch (e) {
        this.#fail(id, e)
      }
    })
  }

  /**
   * An account or tools method by its JS name on the caller's `params` (their `signal` honoured):
   * resolves the answer's data. One path for `actions` and `tools`.
   */
  accountsCall(method, params) {
    return this.modifiers.around(method, params, (sent) => this.#accountsCall(method, sent))
  }

  async #accountsCall(method, params) {
    const { call, signal } = accountCall(params)
    const response = settle(await withSignal(signal, (signalFields) =>
      this.accounts(method, signalFields === undefined ? call : { ...call, ...signalFields }, params)))
    return response.data
  }

  /** A connected-account method by its JS name; resolves the decoded response. */
  accounts(method, call, params) {
    const trace = tracing.isTracing() ? tracing.startAccounts(method, params) : undefined
    if (trace !== undefined && call.cancelId !== undefined) abortableTraces.set(call.cancelId, trace)
    return new Promise((resolve, reject) => {
      const id = this.#add(resolve, reject, CONTROL_PLANE, trace)
      try {
        this.#native.accounts(id, method, trace === undefined ? call : { ...call, traced: true })
      } catch (e) {
        this.#fail(id, e)
      }
    })
  }

  #add(resolve, reject, responseType, trace) {
    const id = this.#nextId = (this.#nextId % 0xfffffffe) + 1
    this.#pending.set(id, { resolve, reject, responseType, trace })
    if (this.#pending.size === 1) this.#busy(true)
    return id
  }

  #fail(id, error) {
    const call = this.#pending.get(id)
    this.#pending.delete(id)
    if (this.#pending.size === 0) this.#busy(false)
    const exception = fromNative(error)
    if (call?.trace !== undefined) tracing.failed(call.trace, exception)
    call?.reject(exception)
  }

  #busy(busy) {
    if (busy) busyClients.set(this.#id, this)
    else busyClients.delete(this.#id)
    this.#native.setActive(busy)
  }

  drain() {
    // Each record is a string `id \n head`, then `\0 body` for a short text body; without the
    // `\0`, the next element is its body (bytes, a stream, a long text).
    const records = this.#native.takeCompletions()
    for (let i = 0; i < records.length; i++) {
      const record = records[i]
      const idEnd = record.indexOf('\n')
      const headEnd = record.indexOf('\0', idEnd)
      const id = +record.slice(0, idEnd)
      const body = headEnd < 0 ? records[++i] : record.slice(headEnd + 1)
      const call = this.#pending.get(id)
      if (call === undefined) continue
      this.#pending.delete(id)
      const rawHead = headEnd < 0 ? record.slice(idEnd + 1) : record.slice(idEnd + 1, headEnd)
      const { trace } = call
      try {
        const head = trace === undefined ? rawHead : tracing.received(trace, rawHead)
        const control = call.responseType === CONTROL_PLANE
        const outcome = outcomeOf(head, body, control ? undefined : call.responseType, control)
        if (outcome instanceof Failed) outcome.trace = trace
        else if (trace !== undefined) tracing.succeeded(trace)
        call.resolve(outcome)
      } catch (e) {
        if (trace !== undefined) tracing.failed(trace, e)
        call.reject(e)
      }
    }
    if (this.#pending.size === 0) this.#busy(false)
  }
}

/**
 * Runs `run(signalFields)` with `signal`: an abort cancels the native call (its Rust future is
 * dropped, so no work or socket is left behind) and rejects with ScalekitAbortException at once,
 * also when the call has already finished in Rust and its outcome waits to be delivered: that late
 * outcome is dropped (a streamed body destroyed). A value that is not an AbortSignal goes to Rust
 * as `signalKind`, which rejects it.
 */
async function withSignal(signal, run) {
  if (signal === undefined || signal === null) return run(undefined)
  if (!isAbortSignal(signal)) return run({ signalKind: kindOf(signal) })
  if (signal.aborted) throw new ScalekitAbortException(undefined, { cause: signal.reason })
  const cancelId = native.newCancelId()
  let onAbort
  const aborted = new Promise((resolve) => {
    onAbort = () => {
      native.cancelCall(cancelId)
      resolve(ABORTED)
    }
  })
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    const call = run({ cancelId })
    const outcome = await Promise.race([call, aborted])
    if (outcome !== ABORTED) return outcome
    call.then(dropLate, () => {})
    const exception = new ScalekitAbortException(undefined, { cause: signal.reason })
    const trace = abortableTraces.get(cancelId)
    if (trace !== undefined) tracing.failed(trace, exception)
    throw exception
  } catch (e) {
    if (e instanceof ScalekitAbortException && signal.reason !== undefined && e.cause === undefined) {
      throw new ScalekitAbortException(undefined, { cause: signal.reason })
    }
    throw e
  } finally {
    signal.removeEventListener('abort', onAbort)
    abortableTraces.delete(cancelId)
  }
}

/**
 * A call's outcome as its caller gets it: the response, or the call's exception thrown. Called in
 * the public async methods once the outcome has arrived, so the exception is made there and V8's
 * async stack trace reaches the caller's frames; a success pays one `instanceof`
 * (docs/architecture.md, "Stacks").
 */
function settle(outcome) {
  if (!(outcome instanceof Failed)) return outcome
  const exception = outcome.exception()
  // The frames of the table and the constructors say nothing to the caller: the stack starts at
  // the method they called.
  Error.captureStackTrace(exception, settle)
  if (outcome.trace !== undefined) tracing.failed(outcome.trace, exception)
  throw exception
}

const ABORTED = Symbol('aborted')
/** The `responseType` slot of a control-plane call (lib/errors.js: no connection is a 503 there). */
const CONTROL_PLANE = Symbol('control plane')

/** An outcome that arrived after its call was aborted: nobody will read its streamed body. */
function dropLate(response) {
  if (isDownload(response?.data)) response.data.destroy()
}

module.exports = { Calls, withSignal, settle }
