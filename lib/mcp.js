'use strict'
// `client.actions.mcp`: MCP configurations, their per-user instances and session tokens
// (docs/wire-protocol.md §13), the official Python SDK's `actions.mcp` methods in camelCase. Each
// takes one params object; its rules are Rust's (crates/scalekit-core/src/mcp/), and a call takes
// the account methods' path (lib/calls.js `accountsCall`): same token, retries, deadline, signal,
// tracing and errors.

const util = require('node:util')
const { defineCalls } = require('./methods.js')
const { reviveMcpDates } = require('./dates.js')

class McpClient {
  #calls

  /** @param {Calls} calls the client's one `Calls` */
  constructor(calls) {
    this.#calls = calls
  }

  static {
    const send = async (client, name, params) => reviveMcpDates(await client.#calls.accountsCall(`mcp.${name}`, params))
    defineCalls(this, 'actions.mcp', send, {
      calls: ['createConfig', 'getConfig', 'updateConfig', 'deleteConfig', 'ensureInstance', 'getInstance',
        'updateInstance', 'deleteInstance', 'getInstanceAuthState', 'listMcpConnectedAccounts', 'createSessionToken'],
      pages: { listConfigs: 'configs', listInstances: 'instances' },
    })
  }

  [util.inspect.custom]() {
    return 'McpClient {}'
  }
}

module.exports = { McpClient }
