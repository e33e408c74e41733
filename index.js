'use strict'
// The public entry: re-exports of the modules in lib/, one concern each (docs/architecture.md).
// Everything that talks HTTP is in the Rust core behind binding.js. Written as shorthand
// properties so that Node's ESM loader sees every name (index.mjs re-exports them).

const {
  ScalekitException,
  ScalekitServerException,
  ScalekitValidationException,
  ScalekitNetworkException,
  ScalekitResponseTooLargeException,
  ScalekitAbortException,
  ScalekitBadRequestException,
  ScalekitUnauthorizedException,
  ScalekitForbiddenException,
  ScalekitNotFoundException,
  ScalekitConflictException,
  ScalekitTooManyRequestsException,
  ScalekitInternalServerException,
  ScalekitNotImplementedException,
  ScalekitServiceUnavailableException,
  ScalekitGatewayTimeoutException,
  ScalekitCancelledException,
  ScalekitUnknownException,
  ScalekitToolException,
  ScalekitToolUnauthorizedException,
  ScalekitToolForbiddenException,
  ScalekitToolRateLimitException,
} = require('./lib/errors.js')
const { ScalekitClient } = require('./lib/client.js')
const { ActionsClient } = require('./lib/actions.js')
const { LocalScalekit } = require('./lib/local.js')
const { ConnectorStatus, ConnectorType } = require('./lib/enums.js')

module.exports = {
  ScalekitClient,
  ConnectorStatus,
  ConnectorType,
  ActionsClient,
  LocalScalekit,
  ScalekitException,
  ScalekitServerException,
  ScalekitValidationException,
  ScalekitNetworkException,
  ScalekitResponseTooLargeException,
  ScalekitAbortException,
  ScalekitBadRequestException,
  ScalekitUnauthorizedException,
  ScalekitForbiddenException,
  ScalekitNotFoundException,
  ScalekitConflictException,
  ScalekitTooManyRequestsException,
  ScalekitInternalServerException,
  ScalekitNotImplementedException,
  ScalekitServiceUnavailableException,
  ScalekitGatewayTimeoutException,
  ScalekitCancelledException,
  ScalekitUnknownException,
  ScalekitToolException,
  ScalekitToolUnauthorizedException,
  ScalekitToolForbiddenException,
  ScalekitToolRateLimitException,
}
