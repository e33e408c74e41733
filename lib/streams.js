'use strict'
// Streamed bodies (docs/architecture.md, "Streamed bodies"): a download as a Node Readable that
// pulls one chunk from Rust per read (a slow consumer slows the socket), and an upload pumped
// from any stream, async iterable or FormData into a Rust sink that holds a few chunks at most
// (a slow socket slows the producer).

const native = require('./native.js')
const { fromNative } = require('./errors.js')

/** The class of the download handles a record's body may be. */
const BodyStream = native.NativeBodyStream

// node:stream is loaded with the first streamed answer: a client that never streams does not pay
// for it when it starts (docs/architecture.md, "Runtime and lifetime").
let Readable

/** Whether `value` is a download this module made (so node:stream is loaded only by streaming). */
function isDownload(value) {
  return Readable !== undefined && value instanceof Readable
}

/** A Readable over a download handle; destroying it closes the connection. */
function readableOf(handle) {
  Readable ??= require('node:stream').Readable
  let reading = false
  return new Readable({
    // Bytes held in JS before reading stops: a few of Rust's chunks (up to 256 KiB each).
    highWaterMark: 1024 * 1024,
    read() {
      if (reading) return
      reading = true
      handle.read().then(
        (chunk) => {
          reading = false
          this.push(chunk)
        },
        (error) => {
          reading = false
          this.destroy(fromNative(error))
        },
      )
    },
    destroy(error, callback) {
      handle.cancel()
      callback(error)
    },
  })
}

function asBytes(chunk) {
  if (typeof chunk === 'string') return Buffer.from(chunk)
  if (Buffer.isBuffer(chunk)) return chunk
  if (ArrayBuffer.isView(chunk)) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  if (chunk instanceof ArrayBuffer) return Buffer.from(chunk)
  throw new TypeError(`a body stream yielded ${typeof chunk}, not bytes or a string`)
}

/**
 * Writes `source` (a Readable, a web ReadableStream or an async iterable) into upload sink `id`
 * until it ends, the request stops reading, or it fails (the request then fails too).
 */
async function pump(id, source) {
  try {
    for await (const chunk of source) {
      // Leaving the loop early returns the iterator, which destroys a Readable source.
      if (!(await native.uploadWrite(id, asBytes(chunk)))) return
    }
  } catch (error) {
    await native.uploadFail(id, String(error && error.message ? error.message : error))
  } finally {
    native.uploadEnd(id)
  }
}

/** Releases an upload sink no call took. */
function dropUpload(id) {
  native.uploadEnd(id)
}

module.exports = { BodyStream, readableOf, isDownload, pump, dropUpload }
