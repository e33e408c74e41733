'use strict'
// Decodes the outcome record every async native call completes with (docs/architecture.md,
// "The boundary contract"): `head` = `status \n failure \n name \n value …`, `body` = text or bytes.

const { errorFromFailure } = require('./errors.js')
const { BodyStream, readableOf } = require('./streams.js')

/**
 * `http.STATUS_CODES` of Node 20, written out: loading `node:http` for it cost a fresh process 2 ms,
 * a third of what the package adds to a cold start (docs/architecture.md, "Runtime and lifetime").
 * `__test__/request.test.mjs` checks it against the running Node's.
 */
const STATUS_TEXT = Object.freeze({
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints', 200: 'OK', 201: 'Created',
  202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content', 205: 'Reset Content',
  206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used', 300: 'Multiple Choices',
  301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 305: 'Use Proxy',
  307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized',
  402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  407: 'Proxy Authentication Required', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 411: 'Length Required',
  412: 'Precondition Failed', 413: 'Payload Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable', 417: 'Expectation Failed', 418: "I'm a Teapot", 421: 'Misdirected Request',
  422: 'Unprocessable Entity', 423: 'Locked', 424: 'Failed Dependency', 425: 'Too Early', 426: 'Upgrade Required',
  428: 'Precondition Required', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout', 505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates', 507: 'Insufficient Storage', 508: 'Loop Detected', 509: 'Bandwidth Limit Exceeded',
  510: 'Not Extended', 511: 'Network Authentication Required',
})

/** `[name, value, ...]` from index `start` → an object, `set-cookie` as an array. */
function headerObject(flat, start = 0) {
  const headers = {}
  for (let i = start; i + 1 < flat.length; i += 2) {
    const name = flat[i]
    const value = flat[i + 1]
    // Own properties only: a header named `constructor` or `__proto__` is a header like any other.
    if (!Object.hasOwn(headers, name)) {
      const first = name === 'set-cookie' ? [value] : value
      if (name === '__proto__') {
        Object.defineProperty(headers, name, { value: first, enumerable: true, writable: true, configurable: true })
      } else headers[name] = first
    } else if (name === 'set-cookie') headers[name].push(value)
    else headers[name] += ', ' + value
  }
  return headers
}

/** As axios: JSON whatever the content type, the raw text when it does not parse. */
function decodeText(text) {
  if (text.length === 0) return ''
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * A call's failure, decoded but not yet an exception: `exception()` makes it where the caller's
 * async method awaits the outcome (lib/calls.js `settle`), so that its stack shows the caller
 * (docs/architecture.md, "Stacks").
 */
class Failed {
  constructor(failure, headers, data, controlPlane) {
    this.failure = failure
    this.headers = headers
    this.data = data
    this.controlPlane = controlPlane
    /** The call's trace, when it is traced (lib/tracing.js). */
    this.trace = undefined
  }

  exception() {
    return errorFromFailure(this.failure, this.headers, this.data, this.controlPlane)
  }
}

/**
 * The response `{ status, statusText, headers, data }`, or throws the call's exception.
 * `responseType` 'text' keeps text as it is; a stream handle becomes a Readable.
 */
function decodeOutcome(head, body, responseType, controlPlane = false) {
  const outcome = outcomeOf(head, body, responseType, controlPlane)
  if (outcome instanceof Failed) throw outcome.exception()
  return outcome
}

/** As `decodeOutcome`, with a failure returned as `Failed` instead of thrown. */
function outcomeOf(head, body, responseType, controlPlane = false) {
  const lines = head.split('\n')
  const status = Number(lines[0])
  const headers = headerObject(lines, 2)
  // Rust sent binary content types (or any `arraybuffer` answer) as a Buffer, a 2xx `stream`
  // answer as a handle, and everything else as text.
  const data = typeof body === 'string'
    ? (responseType === 'text' ? body : decodeText(body))
    : body instanceof BodyStream ? readableOf(body) : body
  if (lines[1] !== '') return new Failed(JSON.parse(lines[1]), headers, status === 0 ? undefined : data, controlPlane)
  return { status, statusText: STATUS_TEXT[status] ?? '', headers, data }
}

module.exports = { decodeOutcome, outcomeOf, Failed, STATUS_TEXT }
