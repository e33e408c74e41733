'use strict'
// Classifies the JS values napi cannot see (a URLSearchParams, a Blob, a stream, a Date, an
// AbortSignal…) and encodes them for the native side. No rule and no message here: Rust decides
// what is allowed and says what is wrong (docs/architecture.md, "Argument rules").

const native = require('./native.js')
const { fromNative } = require('./errors.js')

/** What a value is, in the names `Kind::parse` reads in Rust (crates/scalekit-core/src/args/). */
function kindOf(value) {
  if (value === undefined) return 'undefined'
  if (value === null) return 'null'
  const type = typeof value
  if (type !== 'object') return type
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return 'bytes'
  if (value instanceof URLSearchParams) return 'urlsearchparams'
  if (typeof FormData !== 'undefined' && value instanceof FormData) return 'formdata'
  if (typeof Blob !== 'undefined' && value instanceof Blob) return 'blob'
  if (value instanceof Map) return 'map'
  if (value instanceof Set) return 'set'
  if (typeof value.pipe === 'function' || typeof value.getReader === 'function' ||
    typeof value[Symbol.asyncIterator] === 'function') return 'stream'
  if (isAbortSignal(value)) return 'abortsignal'
  if (Array.isArray(value)) return 'array'
  if (value instanceof Date) return 'date'
  return 'object'
}

function isAbortSignal(value) {
  return typeof value === 'object' && value !== null && typeof value.aborted === 'boolean' &&
    typeof value.addEventListener === 'function'
}

// Kinds sent as JSON text, per argument.
const JSON_BODY = new Set(['object', 'array', 'date', 'abortsignal'])
const JSON_FORM = new Set(['object', 'array', 'date', 'abortsignal', 'bytes'])

// JSON with every number as the string JavaScript would print (axios's `String(value)`), so
// that Rust formats no number itself.
function numbersAsText(_key, value) {
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : value
}

/** A Blob's bytes and type (`options.blob`, set by `proxyOptions`), read before the call. */
async function readBlob(options) {
  const { blob } = options
  options.blob = undefined
  options.bodyBytes = Buffer.from(await blob.arrayBuffer())
  options.bodyContentType = blob.type
}

/** Sets `{name}Text` to the JSON of `value`, or `{name}Error` to why it cannot be. */
function putJson(target, name, value, replacer) {
  try {
    target[name + 'Text'] = JSON.stringify(value, replacer)
  } catch (e) {
    target[name + 'Error'] = String(e && e.message)
  }
}

function toBuffer(value) {
  if (Buffer.isBuffer(value)) return value
  if (value instanceof ArrayBuffer) return Buffer.from(value)
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/** Caller headers as `[name, value, ...]`; a Headers or Map is read through `entries()`. */
function headerList(headers) {
  const entries = typeof headers.entries === 'function' && typeof headers.get === 'function'
    ? Array.from(headers.entries())
    : Object.entries(headers)
  const flat = []
  for (const [name, value] of entries) {
    if (value === undefined || value === null) continue
    flat.push(String(name), Array.isArray(value) ? value.join(', ') : String(value))
  }
  return flat
}

/**
 * A streamed body: the upload sink it goes through, and the source to pump once the call has
 * started (`options.uploads`). A FormData is written by Node's own multipart encoder.
 */
function putUpload(options, name, kind, value) {
  let source = value
  if (kind === 'formdata') {
    const encoded = new Response(value)
    options[name + 'ContentType'] = encoded.headers.get('content-type')
    source = encoded.body
  }
  const id = native.newUpload()
  options[name + 'Upload'] = id
  options.uploads = { id, source }
}

function putBody(options, body) {
  // axios sends no body for a falsy one (0, false, '').
  const kind = body ? kindOf(body) : 'empty'
  options.bodyKind = kind
  if (kind === 'stream' || kind === 'formdata') putUpload(options, 'body', kind, body)
  else if (kind === 'blob') options.blob = body
  else if (kind === 'string') options.bodyText = body
  else if (kind === 'bytes') options.bodyBytes = toBuffer(body)
  else if (kind === 'urlsearchparams') options.bodyText = body.toString()
  else if (JSON_BODY.has(kind)) putJson(options, 'body', body)
}

function putForm(options, formData) {
  const kind = formData ? kindOf(formData) : 'empty'
  options.formKind = kind
  if (kind === 'formdata') putUpload(options, 'form', kind, formData)
  else if (kind === 'string') options.formText = formData
  else if (kind === 'urlsearchparams') options.formText = formData.toString()
  else if (JSON_FORM.has(kind)) putJson(options, 'form', formData, numbersAsText)
}

// The names `actions.request` reads; any other name given goes to Rust (`otherKeys`), whose
// `args::request_keys` refuses it by name.
const REQUEST_KEYS = new Set(['connectionName', 'identifier', 'path', 'method', 'queryParams', 'body', 'formData',
  'headers', 'timeoutMs', 'retry', 'maxResponseBytes', 'responseType', 'signal'])

/**
 * `actions.request` params → the native call's options: `undefined` for a plain call, so that
 * the common case crosses the boundary as four strings.
 */
function proxyOptions(params) {
  if (params === null || typeof params !== 'object') return { paramsKind: kindOf(params) }
  try {
    return readProxyOptions(params)
  } catch (e) {
    return unreadable(e)
  }
}

/** The options of params whose read threw `e` (a getter, a Proxy): refused by Rust as params it cannot read. */
function unreadable(e) {
  return { paramsKind: 'object', paramsError: String(e && e.message) }
}

function readProxyOptions(params) {
  for (const key in params) {
    if (!REQUEST_KEYS.has(key)) return { otherKeys: Object.keys(params).filter((k) => !REQUEST_KEYS.has(k)) }
  }
  const { queryParams: query, body, formData, headers, timeoutMs, retry, maxResponseBytes, responseType } = params
  if (query == null && body == null && formData == null && headers == null && timeoutMs === undefined &&
    retry === undefined && maxResponseBytes === undefined && responseType === undefined) {
    return undefined
  }
  const options = { timeoutMs, retry, maxResponseBytes, responseType }
  if (headers != null) {
    options.headersKind = kindOf(headers)
    if (typeof headers === 'object' && !Array.isArray(headers)) options.headers = headerList(headers)
  }
  if (query != null) {
    const kind = (options.queryKind = kindOf(query))
    if (kind === 'urlsearchparams') options.queryText = query.toString()
    else if (typeof query === 'object') putJson(options, 'query', query, numbersAsText)
  }
  if (body != null) putBody(options, body)
  else if (formData != null) putForm(options, formData)
  return options
}

/**
 * `value` (an object) as JSON text for Rust, with what JSON cannot carry reported rather than
 * changed: `nonFinite`, its names given NaN or ±Infinity (sent as their text, so that Rust refuses
 * them by name instead of reading null as absent), and `unsent`, the first other value JSON would
 * drop or change (a symbol or a function, left out; a NaN further down, made null) as `[path,
 * kind]`. Throws what JSON.stringify throws (a throwing getter, a BigInt, a cycle).
 */
function jsonOf(value) {
  let nonFinite
  let unsent
  const text = JSON.stringify(value, function report(key, v) {
    const type = typeof v
    if (type === 'number') {
      if (Number.isFinite(v)) return v
      if (this === value) {
        (nonFinite ??= []).push(key)
        return String(v)
      }
      unsent ??= [this, key, String(v)]
    } else if (type === 'symbol' || type === 'function') {
      unsent ??= [this, key, type]
    }
    return v
  })
  return { text, nonFinite, unsent: unsent && [pathOf(value, unsent[0], unsent[1]), unsent[2]] }
}

/** The path of `holder[key]` inside `root` (`filter.userIdentifier`, `toolInput.items[2]`), for messages. */
function pathOf(root, holder, key) {
  const seen = new Set()
  const find = (node, path) => {
    if (node === holder) return path
    if (node === null || typeof node !== 'object' || seen.has(node)) return undefined
    seen.add(node)
    for (const k of Object.keys(node)) {
      const found = find(node[k], Array.isArray(node) ? `${path}[${k}]` : path === '' ? k : `${path}.${k}`)
      if (found !== undefined) return found
    }
    return undefined
  }
  let base
  try {
    base = find(root, '')
  } catch {
    // A getter that throws on a second read: the key alone.
  }
  if (Array.isArray(holder)) return `${base ?? ''}[${key}]`
  return base ? `${base}.${key}` : key
}

/**
 * The connected-account methods' params → the native call (`paramsJson`, or `paramsKind` and
 * `paramsError`; `paramsNonFinite`, `paramsUnsent`: `jsonOf`), and the `signal` they hold. Reading
 * them never throws: a read that throws (a getter, a Proxy) is reported as `paramsError`.
 */
function accountCall(params) {
  if (params === null || typeof params !== 'object') return { call: { paramsKind: kindOf(params) } }
  const call = {}
  let signal
  try {
    const { signal: given, ...rest } = params
    signal = given
    const { text, nonFinite, unsent } = jsonOf(rest)
    call.paramsJson = text
    if (nonFinite !== undefined) call.paramsNonFinite = nonFinite
    if (unsent !== undefined) call.paramsUnsent = unsent
  } catch (e) {
    call.paramsKind = 'object'
    call.paramsError = String(e && e.message)
  }
  return { call, signal }
}

/**
 * The ScalekitValidationException (Rust's) for the first argument of `more`, the arguments a
 * method got from position `index` on (it takes none there), else `undefined`. Nothing is ignored
 * (docs/architecture.md, "Argument rules").
 */
function extraArgument(method, index, more) {
  const i = more.findIndex((value) => value !== undefined)
  if (i < 0) return undefined
  try {
    native.extraArgument(method, index + i, kindOf(more[i]))
  } catch (e) {
    return fromNative(e)
  }
  return undefined
}

/** `extraArgument`'s exception as a rejected promise (for the methods that return one), else `undefined`. */
function refuseMore(method, index, more) {
  const refused = extraArgument(method, index, more)
  return refused === undefined ? undefined : Promise.reject(refused)
}

/** `extraArgument`'s exception thrown (for the synchronous methods). */
function throwMore(method, index, more) {
  const refused = extraArgument(method, index, more)
  if (refused !== undefined) throw refused
}

/**
 * LocalScalekit options → the native constructor's arguments: the options' kind and why they
 * cannot be serialised (or read), their JSON without `configFile`, `configFile`, and `jsonOf`'s
 * `nonFinite` and `unsent`.
 */
function localOptions(options) {
  if (options === undefined || options === null) return []
  if (typeof options !== 'object' || Array.isArray(options)) return [kindOf(options)]
  try {
    const { configFile, ...rest } = options
    if (Object.keys(rest).length === 0) return [undefined, undefined, undefined, configFile]
    const { text, nonFinite, unsent } = jsonOf(rest)
    return [undefined, undefined, text, configFile, nonFinite, unsent]
  } catch (e) {
    return ['object', String(e && e.message)]
  }
}

module.exports = { kindOf, isAbortSignal, proxyOptions, unreadable, readBlob, accountCall, refuseMore, throwMore, localOptions }
