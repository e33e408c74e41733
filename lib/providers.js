'use strict'
// `client.actions.providers`: custom providers (docs/wire-protocol.md §15), the Python SDK's
// `actions.providers` methods in camelCase, each taking one params object. Rules and shapes are
// Rust's (crates/scalekit-core/src/providers.rs); a call takes the account methods' path
// (lib/calls.js `accountsCall`): same token, retries, deadline, signal, tracing and errors.

const util = require('node:util')
const { refuseMore } = require('./args.js')

class ProvidersClient {
  #calls

  /** @param {Calls} calls the client's one `Calls` */
  constructor(calls) {
    this.#calls = calls
  }

  #call(name, params, more) {
    return refuseMore(`actions.providers.${name}`, 1, more) ?? this.#calls.accountsCall(`providers.${name}`, params)
  }

  /** `{ provider }`: a new custom provider; its `identifier` (derived by Scalekit) names it from then on. */
  createCustomProvider(params, ...more) { return this.#call('createCustomProvider', params, more) }
  /** `{ provider }`: `identifier`, `displayName` and `proxyUrl` required; `metadata` replaces the whole map. */
  updateCustomProvider(params, ...more) { return this.#call('updateCustomProvider', params, more) }
  /** Resolves `{}`. */
  deleteCustomProvider(params, ...more) { return this.#call('deleteCustomProvider', params, more) }
  /** `{ providers, nextPageToken, prevPageToken, totalSize }`; `providerType` 'DEFAULT', 'CUSTOM' or 'ALL' (absent: all). */
  listProviders(params, ...more) { return this.#call('listProviders', params, more) }

  [util.inspect.custom]() {
    return 'ProvidersClient {}'
  }
}

module.exports = { ProvidersClient }
