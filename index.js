'use strict'
// The public entry: re-exports of the modules in lib/, one concern each (docs/architecture.md).
// Everything that talks HTTP is in the Rust core behind binding.js. Shorthand properties and a
// spread of require(), so that Node's ESM loader sees every name (index.mjs re-exports them).

const { ScalekitClient } = require('./lib/client.js')
const { ActionsClient } = require('./lib/actions.js')
const { ToolsClient } = require('./lib/tools.js')
const { McpClient } = require('./lib/mcp.js')
const { ProvidersClient } = require('./lib/providers.js')
const { ConnectedAccountsClient, ConnectionClient } = require('./lib/views.js')
const { LocalScalekit } = require('./lib/local.js')
const { ToolModifier } = require('./lib/modifiers.js')
const { ConnectorStatus, ConnectorType } = require('./lib/enums.js')
const { CHANNELS: TracingChannels, subscribeTracing } = require('./lib/tracing.js')

module.exports = {
  ScalekitClient,
  // The official SDK's names for the client class: `Scalekit` and the default export.
  Scalekit: ScalekitClient,
  default: ScalekitClient,
  ConnectorStatus,
  ConnectorType,
  ActionsClient,
  ToolsClient,
  McpClient,
  ProvidersClient,
  ConnectedAccountsClient,
  ConnectionClient,
  LocalScalekit,
  ToolModifier,
  TracingChannels,
  subscribeTracing,
  ...require('./lib/exceptions.js'),
}
// As a compiled ES module (the official SDK is one): TypeScript's and bundlers' default-import
// interop then takes `default`, the client class, not this whole object.
Object.defineProperty(module.exports, '__esModule', { value: true })
