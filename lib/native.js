'use strict'
// Loads the native addon (the prebuilt platform package, or a local build), or says exactly what
// was looked for and how to build it.

let native
try {
  native = require('../binding.js')
} catch (cause) {
  let abi = process.platform === 'win32' ? '-msvc' : ''
  if (process.platform === 'linux') {
    let ldd = ''
    try { ldd = require('node:fs').readFileSync('/usr/bin/ldd', 'utf8') } catch {}
    abi = ldd.includes('musl') ? '-musl' : '-gnu'
  }
  const target = `${process.platform}-${process.arch}${abi}`
  throw new Error(
    `scalekit-native: cannot load its native addon for ${target}. Looked for the prebuilt package ` +
      `scalekit-native-${target} (an optionalDependency, installed by npm on linux x64/arm64 glibc and musl, ` +
      `macOS x64/arm64 and Windows x64: if it is missing, reinstall without --omit=optional / --no-optional) and ` +
      `for scalekit-native.${target}.node built from source next to index.js. To build from source, install Rust ` +
      `(https://rustup.rs) and run \`npm install\` or \`npm run build\` in a checkout of scalekit-native. ` +
      `Each attempt's error is in \`cause\`.`,
    { cause },
  )
}

module.exports = native
