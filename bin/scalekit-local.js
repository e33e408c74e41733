#!/usr/bin/env node
'use strict'
// `npx scalekit-local`: LocalScalekit in the foreground, until Ctrl-C (SIGINT) or SIGTERM. The
// argument rules, messages and output are the standalone executable's, from the addon
// (docs/architecture.md "The scalekit-local command"); this file only prints them, keeps the
// event loop alive and turns the signals into a stop.

const { NativeLocalCli } = require('../lib/native.js')

async function main() {
  const cli = new NativeLocalCli()
  const exit = cli.parse(process.argv.slice(2))
  if (exit) {
    ;(exit.toStderr ? process.stderr : process.stdout).write(exit.text)
    process.exitCode = exit.code
    return
  }
  let banner
  try {
    banner = await cli.start()
  } catch (e) {
    console.error(e.message)
    process.exitCode = 1
    return
  }
  // The emulator runs on the addon's threads, which do not keep Node's event loop alive.
  const keepAlive = setInterval(() => {}, 2 ** 31 - 1)
  process.stdout.write(banner)
  // The handlers are in place before the prompt: a Ctrl-C right after it must stop cleanly.
  const stop = async (signal) => {
    process.removeAllListeners('SIGINT')
    process.removeAllListeners('SIGTERM')
    // A second signal while stopping is swallowed rather than killing the process half-way.
    process.on('SIGINT', () => {})
    process.on('SIGTERM', () => {})
    const last = await cli.stop(signal)
    clearInterval(keepAlive)
    if (last) console.log(last)
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
  console.log(cli.prompt)
}

main().catch((e) => {
  console.error(`scalekit-local: ${e.message}`)
  process.exitCode = 1
})
