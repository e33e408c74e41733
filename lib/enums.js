'use strict'
// The connected-account enums, from their one home in Rust (src/names.rs).

const native = require('./native.js')

const names = native.enumNames()
const asObject = (list) => Object.freeze(Object.fromEntries(list.map((name) => [name, name])))

/** Connected-account status names: `account.status === ConnectorStatus.ACTIVE`. */
const ConnectorStatus = asObject(names.connectorStatus)
/** Connected-account authorization types. */
const ConnectorType = asObject(names.connectorType)

module.exports = { ConnectorStatus, ConnectorType }
