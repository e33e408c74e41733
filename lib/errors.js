'use strict'
// The one table from a failure description (docs/architecture.md, "The boundary contract", the
// failure description) to the exception a caller gets, as the official SDK maps gRPC codes.

const X = require('./exceptions.js')

// gRPC code → class: the official SDK's `promote`; a code not listed is ScalekitUnknownException.
const CLASS_BY_GRPC = {
  1: X.ScalekitCancelledException,
  2: X.ScalekitInternalServerException,
  3: X.ScalekitBadRequestException,
  4: X.ScalekitGatewayTimeoutException,
  5: X.ScalekitNotFoundException,
  6: X.ScalekitConflictException,
  7: X.ScalekitForbiddenException,
  8: X.ScalekitTooManyRequestsException,
  9: X.ScalekitBadRequestException,
  10: X.ScalekitConflictException,
  11: X.ScalekitBadRequestException,
  12: X.ScalekitNotImplementedException,
  13: X.ScalekitInternalServerException,
  14: X.ScalekitServiceUnavailableException,
  15: X.ScalekitInternalServerException,
  16: X.ScalekitUnauthorizedException,
}
const TOOL_CLASS_BY_GRPC = {
  7: X.ScalekitToolForbiddenException,
  8: X.ScalekitToolRateLimitException,
  16: X.ScalekitToolUnauthorizedException,
}

function serverClass(failure) {
  if (failure.toolError) return TOOL_CLASS_BY_GRPC[failure.grpcCode] ?? X.ScalekitToolException
  return CLASS_BY_GRPC[failure.grpcCode] ?? X.ScalekitUnknownException
}

/**
 * The exception for a failure description; `headers` and `data` are the answer's, when one
 * arrived. `controlPlane`: the call was a control-plane one (not `actions.request`), where no
 * connection is ScalekitServiceUnavailableException, as the official SDK's gRPC UNAVAILABLE.
 */
function errorFromFailure(failure, headers = {}, data = undefined, controlPlane = false) {
  switch (failure.kind) {
    case 'validation':
      return new X.ScalekitValidationException(failure.message, failure.argument)
    case 'server':
    case 'timeout': {
      const Class = failure.kind === 'timeout' ? X.ScalekitGatewayTimeoutException : serverClass(failure)
      // As the official SDK: a proxy answer's errDetails is its body; a control-plane one's the
      // unpacked ErrorInfo details (camelCase, Rust's HttpFailure::unpacked_details).
      const unpacked = failure.unpackedDetails ?? []
      const errDetails = failure.kind === 'timeout' ? undefined
        : failure.source === 'proxy' ? data
          : failure.source === 'control_plane' ? unpacked : (failure.details ?? [])
      return new Class(failure.message, {
        httpStatus: failure.status,
        statusText: failure.statusText,
        grpcStatus: failure.grpcCode,
        errorCode: failure.errorCode ?? null,
        errDetails,
        unpackedDetails: unpacked,
        headers,
        data,
        toolError: failure.toolError,
      })
    }
    case 'network':
      if (controlPlane) {
        return new X.ScalekitServiceUnavailableException(failure.message, {
          httpStatus: 503, statusText: 'Service Unavailable', grpcStatus: 14, unpackedDetails: [],
        })
      }
      return new X.ScalekitNetworkException(failure.message)
    case 'too_large':
      return new X.ScalekitResponseTooLargeException(failure.message, failure.limit)
    case 'aborted':
      return new X.ScalekitAbortException()
    default:
      return new X.ScalekitException(failure.message)
  }
}

/** A synchronous native throw: its message is a failure description. */
function fromNative(error) {
  if (error instanceof X.ScalekitException) return error
  let failure
  try {
    failure = JSON.parse(error.message)
  } catch {
    return new X.ScalekitException(String(error && error.message))
  }
  return errorFromFailure(failure)
}

module.exports = { errorFromFailure, fromNative }
