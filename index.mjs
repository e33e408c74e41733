// ESM entry: the same objects as the CommonJS entry.
import cjs from './index.js'

export const {
  ScalekitClient,
  ConnectorStatus,
  ConnectorType,
  ActionsClient,
  LocalScalekit,
  ScalekitException,
  ScalekitServerException,
  ScalekitValidationException,
  ScalekitNetworkException,
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
} = cjs
export default cjs
