'use strict'
// `LocalScalekit`: the emulator of Scalekit's token, connected-account, magic-link, tools, MCP
// and Tool Proxy endpoints, running in this process.

const util = require('node:util')
const native = require('./native.js')
const { fromNative } = require('./errors.js')
const { decodeOutcome } = require('./outcome.js')
const { localOptions } = require('./args.js')
const { ScalekitClient } = require('./client.js')

const LOCAL = Symbol('LocalScalekit')

class LocalScalekit {
  #native
  #info

  constructor(token, nativeLocal, info) {
    if (token !== LOCAL) throw new TypeError('use `await LocalScalekit.start(options)`')
    this.#native = nativeLocal
    this.#info = info
  }

  /**
   * Starts the emulator on a loopback port.
   * @param {object} [options] host, port, clientId, clientSecret, tokenTtlSeconds, connections,
   *   accounts, inlineEcho, tls (`true`, or `{ cert, key }` PEM strings), and configFile (a JSON
   *   file of the same options).
   */
  static async start(options) {
    let nativeLocal
    try {
      nativeLocal = new native.NativeLocalScalekit(...localOptions(options))
    } catch (e) {
      throw fromNative(e)
    }
    const { head, body } = await nativeLocal.start()
    const { data } = decodeOutcome(head, body)
    return new LocalScalekit(LOCAL, nativeLocal, data)
  }

  /** The base URL to use as envUrl, e.g. http://127.0.0.1:43121 (https:// with the tls option) */
  get url() { return this.#info.url }
  /** With the tls option: the PEM certificate other clients must trust; otherwise null. */
  get caCertificate() { return this.#info.caCertificate ?? null }
  get clientId() { return this.#info.clientId }
  get clientSecret() { return this.#info.clientSecret }
  /** The built-in echo upstream: answers with JSON describing the request it received. */
  get echoUrl() { return this.#info.echoUrl }

  /** The three variables a client reads in `ScalekitClient.fromEnv()`. */
  env() {
    return { SCALEKIT_ENV_URL: this.url, SCALEKIT_CLIENT_ID: this.clientId, SCALEKIT_CLIENT_SECRET: this.clientSecret }
  }

  /** A ScalekitClient pointed at this emulator; over HTTPS it trusts `caCertificate` too. */
  client(options) {
    const ca = this.caCertificate
    if (ca === null) return new ScalekitClient(this.url, this.clientId, this.clientSecret, options)
    // Only plain objects are spread: anything else goes as given, for the client's own check.
    const given = options === undefined || options === null ? {} : options
    if (typeof given !== 'object' || Array.isArray(given)) {
      return new ScalekitClient(this.url, this.clientId, this.clientSecret, options)
    }
    const extra = given.ca === undefined || given.ca === null ? [] : [].concat(given.ca)
    return new ScalekitClient(this.url, this.clientId, this.clientSecret, { ...given, ca: [ca, ...extra] })
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
  async close() {
    const { head, body } = await this.#native.close()
    decodeOutcome(head, body)
  }

  toJSON() { return { url: this.url, clientId: this.clientId } }

  [util.inspect.custom](_depth, options, inspect) {
    return `LocalScalekit ${inspect(this.toJSON(), options)}`
  }
}
if (typeof Symbol.asyncDispose === 'symbol') {
  LocalScalekit.prototype[Symbol.asyncDispose] = function () { return this.close() }
}

module.exports = { LocalScalekit }
