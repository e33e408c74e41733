#!/usr/bin/env node
'use strict'
// `npx scalekit-local [--port N] [--host H] [--config file.json] [--tls]`: LocalScalekit in the
// foreground, until Ctrl-C (SIGINT) or SIGTERM.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { LocalScalekit } = require('..')

const USAGE = `Usage: scalekit-local [--port N] [--host HOST] [--config FILE.json] [--client-id ID] [--client-secret SECRET] [--inline-echo] [--tls [--ca-file FILE]]

Starts LocalScalekit, a local emulator of Scalekit's token, connected-account, magic-link and
Tool Proxy endpoints, and prints the SCALEKIT_* variables a client needs. Ctrl-C stops it.
--inline-echo answers proxy calls to the built-in echo in-process (no second HTTP hop), for load tests.
--tls serves HTTPS with a certificate made at start, writes the CA certificate to trust to a file
(--ca-file FILE, else a new file in the temporary directory, removed on exit) and prints the
NODE_EXTRA_CA_CERTS line to export.`

function parseArgs(argv) {
  const options = {}
  const take = (i, name) => {
    const value = argv[i + 1]
    if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`)
    return value
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined]
    const value = () => (inline !== undefined ? inline : take(i++, flag))
    switch (flag) {
      case '--port': {
        const text = value()
        const port = Number(text)
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${text}`)
        options.port = port
        break
      }
      case '--host': options.host = value(); break
      case '--config': options.configFile = value(); break
      case '--client-id': options.clientId = value(); break
      case '--client-secret': options.clientSecret = value(); break
      case '--inline-echo': options.inlineEcho = true; break
      case '--tls': options.tls = true; break
      case '--ca-file': options.caFile = value(); break
      case '-h':
      case '--help':
        return null
      default:
        throw new Error(`unknown argument ${arg}`)
    }
  }
  if (options.caFile !== undefined && options.tls === undefined) throw new Error('--ca-file needs --tls')
  return options
}

/** `value` as one shell word (single-quoted unless it is plainly safe). */
function shellWord(value) {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`
}

/**
 * Writes the certificate to trust to `caFile`, or to a new private directory in the temporary
 * directory; returns its path and how to clean up what was made here.
 */
function writeCa(pem, caFile) {
  if (caFile !== undefined) {
    const file = path.resolve(caFile)
    fs.writeFileSync(file, pem)
    return { file, cleanup: () => {} }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scalekit-local-'))
  const file = path.join(dir, 'ca.pem')
  fs.writeFileSync(file, pem)
  return { file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

async function main() {
  let options
  try {
    options = parseArgs(process.argv.slice(2))
  } catch (e) {
    console.error(`scalekit-local: ${e.message}\n\n${USAGE}`)
    process.exitCode = 2
    return
  }
  if (options === null) {
    console.log(USAGE)
    return
  }
  const { caFile, ...startOptions } = options
  const local = await LocalScalekit.start(startOptions)
  // `tls` may come from --config too: whenever the port is HTTPS, say what to trust.
  let ca = null
  if (local.caCertificate !== null) {
    try {
      ca = writeCa(local.caCertificate, caFile)
    } catch (e) {
      await local.close()
      throw new Error(`cannot write the CA certificate: ${e.message}`)
    }
  }
  // The emulator runs on the addon's threads, which do not keep Node's event loop alive.
  const keepAlive = setInterval(() => {}, 2 ** 31 - 1)
  console.log(`LocalScalekit is listening on ${local.url} (echo upstream: ${local.echoUrl})`)
  console.log('Use it with:')
  for (const [name, value] of Object.entries(local.env())) console.log(`export ${name}=${value}`)
  if (ca !== null) {
    console.log(`# Node clients (this package, the official SDK, fetch) trust its certificate with:`)
    console.log(`export NODE_EXTRA_CA_CERTS=${shellWord(ca.file)}`)
    console.log(`# The official Python SDK (gRPC and requests) trusts it with:`)
    console.log(`export GRPC_DEFAULT_SSL_ROOTS_FILE_PATH=${shellWord(ca.file)}`)
    console.log(`export REQUESTS_CA_BUNDLE=${shellWord(ca.file)}`)
  }
  // The handlers are in place before the prompt: a Ctrl-C right after it must stop cleanly.
  let stopping = false
  const stop = async (signal) => {
    if (stopping) return
    stopping = true
    clearInterval(keepAlive)
    await local.close()
    ca?.cleanup()
    console.log(`LocalScalekit stopped (${signal}).`)
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
  console.log('Press Ctrl-C to stop.')
}

main().catch((e) => {
  console.error(`scalekit-local: ${e.message}`)
  process.exitCode = 1
})
