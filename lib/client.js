'use strict'
// `ScalekitClient`: holds the native client (its token cache and connection pool), `actions` and `tools`.

const util = require('node:util')
const native = require('./native.js')
const { fromNative } = require('./errors.js')
const { ActionsClient } = require('./actions.js')
const { ToolsClient } = require('./tools.js')
const { Calls } = require('./calls.js')
const { ConnectedAccountsClient, ConnectionClient } = require('./views.js')

const RUNTIME = `Node/${process.version} (${process.platform}; ${process.arch})`
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
      this.#native = envUrl === FROM_ENV
        ? native.NativeClient.fromEnv(process.cwd(), clientId, RUNTIME)
        : new native.NativeClient(envUrl, clientId, clientSecret, options, RUNTIME)
    } catch (e) {
      throw fromNative(e)
    }
    // One Calls per native client: it owns the client's single completion handler.
    const calls = new Calls(this.#native)
    Object.defineProperty(this, 'actions', { value: new ActionsClient(calls), enumerable: true })
    Object.defineProperty(this, 'tools', { value: new ToolsClient(calls), enumerable: true })
    // The official SDK's low-level clients, as views over the same calls (lib/views.js).
    Object.defineProperty(this, 'connectedAccounts', { value: new ConnectedAccountsClient(calls), enumerable: true })
    Object.defineProperty(this, 'connection', { value: new ConnectionClient(calls), enumerable: true })
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

module.exports = { ScalekitClient }
