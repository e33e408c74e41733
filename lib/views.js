'use strict'
// `client.connectedAccounts` and `client.connection`: the official SDK's low-level clients, as
// views over the same Rust operations as `actions` (docs/wire-protocol.md §14). Rust renames their
// params (`connector` → `connectionName`, `connectedAccount` lifted) and answers in `actions`'
// shapes; `listAppConnections` answers under the proto's field names.

const util = require('node:util')
const { refuseMore } = require('./args.js')
const { reviveDates } = require('./dates.js')

/** One method of a view: its name for Rust is `<prefix>.<name>`. */
function viewMethod(prefix, name) {
  return async function (params, ...more) {
    const refused = refuseMore(`${prefix}.${name}`, 1, more)
    if (refused) return refused
    return reviveDates(await this._calls.accountsCall(`${prefix}.${name}`, params))
  }
}

class ConnectedAccountsClient {
  /** @param {Calls} calls the client's one `Calls` */
  constructor(calls) {
    Object.defineProperty(this, '_calls', { value: calls })
  }

  [util.inspect.custom]() {
    return 'ConnectedAccountsClient {}'
  }
}

for (const name of [
  'listConnectedAccounts',
  'createConnectedAccount',
  'getOrCreateConnectedAccount',
  'upsertConnectedAccount',
  'updateConnectedAccount',
  'deleteConnectedAccount',
  'getMagicLinkForConnectedAccount',
  'verifyConnectedAccountUser',
  'getConnectedAccountByIdentifier',
]) {
  Object.defineProperty(ConnectedAccountsClient.prototype, name, {
    value: viewMethod('connectedAccounts', name), writable: true, configurable: true,
  })
}

class ConnectionClient {
  /** @param {Calls} calls the client's one `Calls` */
  constructor(calls) {
    Object.defineProperty(this, '_calls', { value: calls })
  }

  [util.inspect.custom]() {
    return 'ConnectionClient {}'
  }
}
Object.defineProperty(ConnectionClient.prototype, 'listAppConnections', {
  value: viewMethod('connection', 'listAppConnections'), writable: true, configurable: true,
})

module.exports = { ConnectedAccountsClient, ConnectionClient }
