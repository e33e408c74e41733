#!/usr/bin/env node
'use strict'
// `npx scalekit-local [--port N] [--host H] [--config file.json]`: LocalScalekit in the foreground,
// until Ctrl-C (SIGINT) or SIGTERM.

const { LocalScalekit } = require('..')

const USAGE = `Usage: scalekit-local [--port N] [--host HOST] [--config FILE.json] [--client-id ID] [--client-secret SECRET] [--inline-echo]

Starts LocalScalekit, a local emulator of Scalekit's token, connected-account, magic-link and
Tool Proxy endpoints, and prints the SCALEKIT_* variables a client needs. Ctrl-C stops it.
--inline-echo answers proxy calls to the built-in echo in-process (no second HTTP hop), for load tests.`

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
      case '-h':
      case '--help':
        return null
      default:
        throw new Error(`unknown argument ${arg}`)
    }
  }
  return options
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
  const local = await LocalScalekit.start(options)
  // The emulator runs on the addon's threads, which do not keep Node's event loop alive.
  const keepAlive = setInterval(() => {}, 2 ** 31 - 1)
  console.log(`LocalScalekit is listening on ${local.url} (echo upstream: ${local.echoUrl})`)
  console.log('Use it with:')
  for (const [name, value] of Object.entries(local.env())) console.log(`export ${name}=${value}`)
  console.log('Press Ctrl-C to stop.')

  let stopping = false
  const stop = async (signal) => {
    if (stopping) return
    stopping = true
    clearInterval(keepAlive)
    await local.close()
    console.log(`LocalScalekit stopped (${signal}).`)
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
}

main().catch((e) => {
  console.error(`scalekit-local: ${e.message}`)
  process.exitCode = 1
})
