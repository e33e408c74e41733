'use strict'
// Every exception class of the public API (the official SDK's, plus validation, network, abort
// and response-size). Which one a failure becomes is decided in errors.js.

class ScalekitException extends Error {
  constructor(message, options) {
    super(message, options)
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false, configurable: true, writable: true })
  }
}

/** Bad arguments, detected before anything is sent. */
class ScalekitValidationException extends ScalekitException {
  constructor(message, argument) {
    super(message)
    this.argument = argument
  }
}

/** No response arrived: connection refused or reset, DNS or TLS failure. */
class ScalekitNetworkException extends ScalekitException {}

/** A buffered answer was larger than `maxResponseBytes` (decoded bytes); its connection was dropped. */
class ScalekitResponseTooLargeException extends ScalekitException {
  constructor(message, limit) {
    super(message)
    /** The limit that was exceeded, in bytes. */
    this.limit = limit
  }
}

/** The call was aborted through its `signal`. */
class ScalekitAbortException extends ScalekitException {
  constructor(message = 'This operation was aborted', options) {
    super(message, options)
    // Matches what fetch and Node's own APIs throw, so `err.name === 'AbortError'` checks work.
    Object.defineProperty(this, 'name', { value: 'AbortError', enumerable: false, configurable: true, writable: true })
  }
}

/** A non-2xx answer from Scalekit or, through the Tool Proxy, from the provider. */
class ScalekitServerException extends ScalekitException {
  constructor(message, info = {}) {
    super(message)
    /** The real HTTP status. */
    this.httpStatus = info.httpStatus
    this.status = info.httpStatus
    this.statusText = info.statusText ?? ''
    this.grpcStatus = info.grpcStatus
    this.errorCode = info.errorCode ?? null
    /** Proxy: the decoded body (as the official SDK); control plane: the ErrorInfo details. */
    this.errDetails = info.errDetails
    this.unpackedDetails = info.unpackedDetails ?? []
    this.headers = info.headers ?? {}
    this.data = info.data
  }
}

class ScalekitBadRequestException extends ScalekitServerException {}
class ScalekitUnauthorizedException extends ScalekitServerException {}
class ScalekitForbiddenException extends ScalekitServerException {}
class ScalekitNotFoundException extends ScalekitServerException {}
class ScalekitConflictException extends ScalekitServerException {}
class ScalekitTooManyRequestsException extends ScalekitServerException {}
class ScalekitInternalServerException extends ScalekitServerException {}
class ScalekitNotImplementedException extends ScalekitServerException {}
class ScalekitServiceUnavailableException extends ScalekitServerException {}
class ScalekitGatewayTimeoutException extends ScalekitServerException {}
class ScalekitCancelledException extends ScalekitServerException {}
class ScalekitUnknownException extends ScalekitServerException {}

// The tool-error fields, as Rust decided them (`toolError` of the failure description).
function toolFields(target, info) {
  const tool = info?.toolError ?? {}
  target.isToolError = true
  target.toolErrorCode = tool.code ?? ''
  target.toolErrorMessage = tool.message ?? ''
  target.executionId = tool.executionId ?? ''
}
class ScalekitToolException extends ScalekitServerException {
  constructor(message, info) { super(message, info); toolFields(this, info) }
}
class ScalekitToolUnauthorizedException extends ScalekitUnauthorizedException {
  constructor(message, info) { super(message, info); toolFields(this, info) }
}
class ScalekitToolForbiddenException extends ScalekitForbiddenException {
  constructor(message, info) { super(message, info); toolFields(this, info) }
}
class ScalekitToolRateLimitException extends ScalekitTooManyRequestsException {
  constructor(message, info) { super(message, info); toolFields(this, info) }
}

// Shorthand properties, so that Node's ESM loader sees every name through index.js.
module.exports = {
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
