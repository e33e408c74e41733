'use strict'
// `client.actions.mcp`: MCP configurations, their per-user instances and session tokens
// (docs/wire-protocol.md §13), the official Python SDK's `actions.mcp` methods in camelCase. Each
// takes one params object; its rules are Rust's (crates/scalekit-core/src/mcp/), and a call takes
// the account methods' path (lib/calls.js `accountsCall`): same token, retries, deadline, signal,
// tracing and errors.

const util = require('node:util')
const { refuseMore } = require('./args.js')
const { pagePromise } = require('./pages.js')
const { reviveMcpDates } = require('./dates.js')

class McpClient {
  #calls

  /** @param {Calls} calls the client's one `Calls` */
  constructor(calls) {
    this.#calls = calls
  }

  #call(name, params, more) {
    return refuseMore(`actions.mcp.${name}`, 1, more) ?? this.#send(name, params)
  }

  async #send(name, params) {
    return reviveMcpDates(await this.#calls.accountsCall(`mcp.${name}`, params))
  }

  /** A list method's first page, iterable over every item of every page (lib/pages.js). */
  #pages(name, key, params, more) {
    const next = (pageToken) => this.#send(name, { ...params, pageToken })
    return pagePromise(this.#call(name, params, more), key, next, params?.pageToken)
  }

  /** `{ configs, nextPageToken, prevPageToken, totalSize }`; `for await` walks every configuration. */
  listConfigs(params, ...more) { return this.#pages('listConfigs', 'configs', params, more) }
  /** `{ config }`: a new configuration of connections and their tools. */
  createConfig(params, ...more) { return this.#call('createConfig', params, more) }
  getConfig(params, ...more) { return this.#call('getConfig', params, more) }
  /** The description and mappings (the name is fixed once created). */
  updateConfig(params, ...more) { return this.#call('updateConfig', params, more) }
  /** Resolves `{}`. */
  deleteConfig(params, ...more) { return this.#call('deleteConfig', params, more) }
  /** `{ instance }`: the user's instance of a configuration, created when it does not exist. */
  ensureInstance(params, ...more) { return this.#call('ensureInstance', params, more) }
  getInstance(params, ...more) { return this.#call('getInstance', params, more) }
  /** Renames the instance, or moves it to another configuration. */
  updateInstance(params, ...more) { return this.#call('updateInstance', params, more) }
  /** `{ instances, nextPageToken, prevPageToken, totalSize }`; `for await` walks every instance. */
  listInstances(params, ...more) { return this.#pages('listInstances', 'instances', params, more) }
  /** Resolves `{}`. */
  deleteInstance(params, ...more) { return this.#call('deleteInstance', params, more) }
  /** `{ connections }`: each mapped connection's account status, and fresh links with `includeAuthLinks`. */
  getInstanceAuthState(params, ...more) { return this.#call('getInstanceAuthState', params, more) }
  /** `{ connectedAccounts }` of a configuration for one user; `includeAuthLink` creates missing accounts. */
  listMcpConnectedAccounts(params, ...more) { return this.#call('listMcpConnectedAccounts', params, more) }
  /** `{ token, expiresAt }`: a bearer token for one configuration's, or one connection's, MCP server. */
  createSessionToken(params, ...more) { return this.#call('createSessionToken', params, more) }

  [util.inspect.custom]() {
    return 'McpClient {}'
  }
}

module.exports = { McpClient }
