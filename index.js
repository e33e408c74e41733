'use strict'
// The public entry: re-exports of the modules in lib/, one concern each (docs/architecture.md).
// Everything that talks HTTP is in the Rust core behind binding.js. Shorthand properties and a
// spread of require(), so that Node's ESM loader sees every name (index.mjs re-exports them).

const { ScalekitClient } = require('./lib/client.js')
const { ActionsClient } = require('./lib/actions.js')
const { ToolsClient } = require('./lib/tools.js')
const { McpClient } = require('./lib/mcp.js')
const { LocalScalekit } = require('./lib/local.js')
const { ConnectorStatus, ConnectorType } = require('./lib/enums.js')
const { CHANNELS: TracingChannels, subscribeTracing } = require('./lib/tracing.js')

module.exports = {
  ScalekitClient,
  ConnectorStatus,
  ConnectorType,
  ActionsClient,
  ToolsClient,
  McpClient,
  LocalScalekit,
  TracingChannels,
  subscribeTracing,
  ...require('./lib/exceptions.js'),
}
