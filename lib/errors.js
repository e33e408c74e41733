'use strict'
// Every exception class, and the one table from a failure description (docs/architecture.md,
// "The failure description") to the class a caller gets.

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

// gRPC code → class: the official SDK's `promote`; a code not listed is ScalekitUnknownException.
const CLASS_BY_GRPC = {
  1: ScalekitCancelledException,
  2: ScalekitInternalServerException,
  3: ScalekitBadRequestException,
  4: ScalekitGatewayTimeoutException,
  5: ScalekitNotFoundException,
  6: ScalekitConflictException,
  7: ScalekitForbiddenException,
  8: ScalekitTooManyRequestsException,
  9: ScalekitBadRequestException,
  10: ScalekitConflictException,
  11: ScalekitBadRequestException,
  12: ScalekitNotImplementedException,
  13: ScalekitInternalServerException,
  14: ScalekitServiceUnavailableException,
  15: ScalekitInternalServerException,
  16: ScalekitUnauthorizedException,
}
const TOOL_CLASS_BY_GRPC = {
  7: ScalekitToolForbiddenException,
  8: ScalekitToolRateLimitException,
  16: ScalekitToolUnauthorizedException,
}

function serverClass(failure) {
  if (failure.toolError) return TOOL_CLASS_BY_GRPC[failure.grpcCode] ?? ScalekitToolException
  return CLASS_BY_GRPC[failure.grpcCode] ?? ScalekitUnknownException
}

/**
 * The exception for a failure description; `headers` and `data` are the answer's, when one
 * arrived.
 */
function errorFromFailure(failure, headers = {}, data = undefined) {
  switch (failure.kind) {
    case 'validation':
      return new ScalekitValidationException(failure.message, failure.argument)
    case 'server':
    case 'timeout': {
      const Class = failure.kind === 'timeout' ? ScalekitGatewayTimeoutException : serverClass(failure)
      const details = failure.details ?? []
      return new Class(failure.message, {
        httpStatus: failure.status,
        statusText: failure.statusText,
        grpcStatus: failure.grpcCode,
        errorCode: failure.errorCode ?? null,
        errDetails: failure.kind === 'timeout' ? undefined : failure.source === 'proxy' ? data : details,
        unpackedDetails: details,
        headers,
        data,
        toolError: failure.toolError,
      })
    }
    case 'network':
      return new ScalekitNetworkException(failure.message)
    case 'too_large':
      return new ScalekitResponseTooLargeException(failure.message, failure.limit)
    case 'aborted':
      return new ScalekitAbortException()
    default:
      return new ScalekitException(failure.message)
  }
}

/** A synchronous native throw: its message is a failure description. */
function fromNative(error) {
  if (error instanceof ScalekitException) return error
  let failure
  try {
    failure = JSON.parse(error.message)
  } catch {
    return new ScalekitException(String(error && error.message))
  }
  return errorFromFailure(failure)
}

module.exports = {
  errorFromFailure,
  fromNative,
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
