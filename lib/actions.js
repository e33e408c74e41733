'use strict'
// `client.actions`: the same methods as `@scalekit-sdk/node`'s ActionsClient.

const util = require('node:util')
const { Calls, withSignal } = require('./calls.js')
const { proxyOptions, accountCall } = require('./args.js')
const { reviveDates } = require('./dates.js')

class ActionsClient {
  #calls

  constructor(nativeClient) {
    this.#calls = new Calls(nativeClient)
  }

  /** A call through `{envUrl}/proxy{path}`, forwarded by Scalekit with the user's credentials. */
  async request(params) {
    const options = proxyOptions(params)
    const p = options?.paramsKind === undefined ? params : {}
    const signal = p.signal
    if (signal === undefined || signal === null) {
      return this.#calls.request(p.connectionName, p.identifier, p.path, p.method, options)
    }
    return withSignal(signal, (signalFields) =>
      this.#calls.request(p.connectionName, p.identifier, p.path, p.method, { ...options, ...signalFields }))
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
