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

/**
 * An agent-framework adapter (`actions.aiSdk`, `actions.langchain`, `actions.openaiAgents`) needs a
 * package that is not installed: `packageName` is the one to install.
 */
class ScalekitMissingPackageException extends ScalekitException {
  constructor(packageName, feature, options) {
    super(`${feature} needs the package "${packageName}", which is not installed: npm install ${packageName}`, options)
    this.packageName = packageName
  }
}

/**
 * A tool of an agent-framework adapter could not run because the user's connected account is not
 * ACTIVE. The message (what the model reads) holds `authorizationLink`, the magic link the user
 * opens to connect it again, when one could be had; `cause` is the error the tool call got.
 */
class ScalekitAccountNotConnectedException extends ScalekitException {
  constructor(info, options) {
    const how = info.authorizationLink
      ? `ask the user to open ${info.authorizationLink} to connect it`
      : 'the user must connect it again (no authorization link could be had)'
    super(`The user's "${info.connectionName}" account is not connected (its status is ${info.status}): ` +
      `${how}, then call ${info.toolName} again.`, options)
    this.toolName = info.toolName
    this.connectionName = info.connectionName
    this.identifier = info.identifier
    this.connectedAccountId = info.connectedAccountId
    this.status = info.status
    this.authorizationLink = info.authorizationLink
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

/**
 * Whether `e` came from a tool's provider (Scalekit's `TOOL_ERROR`): the official SDK's type guard,
 * true for the four tool exceptions.
 */
function isToolException(e) {
  return e instanceof ScalekitServerException && e.isToolError === true
}

// Shorthand properties, so that Node's ESM loader sees every name through index.js.
module.exports = {
  ScalekitException,
  ScalekitServerException,
  ScalekitValidationException,
  ScalekitNetworkException,
  ScalekitResponseTooLargeException,
  ScalekitAbortException,
  ScalekitMissingPackageException,
  ScalekitAccountNotConnectedException,
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
  isToolException,
}
