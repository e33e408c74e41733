'use strict'
// `client.actions`: the same methods as `@scalekit-sdk/node`'s ActionsClient.

const util = require('node:util')
const { withSignal } = require('./calls.js')
const { Readable } = require('node:stream')
const { proxyOptions, readBlob, accountCall, isAbortSignal } = require('./args.js')
const { pump, dropUpload } = require('./streams.js')
const { ScalekitAbortException } = require('./exceptions.js')

/** Aborting `signal` while a streamed download is read destroys it (and closes its connection). */
function abortStreamWith(signal, stream) {
  const onAbort = () => stream.destroy(new ScalekitAbortException(undefined, { cause: signal.reason }))
  if (signal.aborted) return onAbort()
  signal.addEventListener('abort', onAbort, { once: true })
  stream.once('close', () => signal.removeEventListener('abort', onAbort))
}
const { reviveDates } = require('./dates.js')

class ActionsClient {
  #calls

  /** @param {Calls} calls the client's one `Calls` (shared with `tools`: one completion handler per native client) */
  constructor(calls) {
    this.#calls = calls
  }

  /** A call through `{envUrl}/proxy{path}`, forwarded by Scalekit with the user's credentials. */
  async request(params) {
    const options = proxyOptions(params)
    const p = options?.paramsKind === undefined ? params : {}
    const signal = p.signal
    if (options?.blob) await readBlob(options)
    if (options?.uploads === undefined && (signal === undefined || signal === null)) {
      return this.#calls.request(p.connectionName, p.identifier, p.path, p.method, options)
    }
    let started = false
    let response
    try {
      response = await withSignal(signal, (signalFields) => {
        started = true
        const call = this.#calls.request(p.connectionName, p.identifier, p.path, p.method, { ...options, ...signalFields })
        // Started after the call took its sink; ends by itself when the call stops reading.
        if (options?.uploads) pump(options.uploads.id, options.uploads.source)
        return call
      })
    } finally {
      // A call aborted before it started never takes its upload sink: release it.
      if (!started && options?.uploads) dropUpload(options.uploads.id)
    }
    if (isAbortSignal(signal) && response.data instanceof Readable) abortStreamWith(signal, response.data)
    return response
  }

  async #accounts(method, params) {
    const call = accountCall(params)
    const signal = call.paramsKind === undefined ? params.signal : undefined
    const response = await withSignal(signal, (signalFields) =>
      this.#calls.accounts(method, signalFields === undefined ? call : { ...call, ...signalFields }))
    return reviveDates(response.data)
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
  listConnectedAccounts(params) { return this.#accounts('listConnectedAccounts', params) }
  /** The existing account (updated when `authorizationDetails` is given), or a new one. */
  getOrCreateConnectedAccount(params) { return this.#accounts('getOrCreateConnectedAccount', params) }
  /** Alias of `getOrCreateConnectedAccount`. */
  upsertConnectedAccount(params) { return this.#accounts('getOrCreateConnectedAccount', params) }
  /** App-level connections of the environment. */
  listConnections(params) { return this.#accounts('listConnections', params) }
  /** Runs a Scalekit tool for a connected account (deadline: `toolTimeoutMs`). */
  executeTool(params) { return this.#accounts('executeTool', params) }

  [util.inspect.custom]() {
    return 'ActionsClient {}'
  }
}

module.exports = { ActionsClient }
