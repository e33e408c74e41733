#!/usr/bin/env node
// `npm run pack:local`: the two tarballs a user of this platform would install from the registry,
// built here, where nothing can be published:
//
//   dist/scalekit-native-<version>.tgz                 the main package (JS, typings, loader; no binary)
//   dist/scalekit-native-<platform>-<version>.tgz      its platform package (one prebuilt .node)
//
// Steps: find a release build of the addon for this platform that is newer than the Rust sources
// (the root `scalekit-native.<platform>.node` left by `npm install` / `npm run build`, or cargo's
// `target/<triple>/release` output), else run `npm run build`; hand it to `napi artifacts`, which
// puts it into `npm/<platform>/`; `npm pack` both packages into dist/. dist/pack-local.json tells
// what was packed (the acceptance test reads it).
//
// Options: --build      always rebuild first
//          --no-build   never build: fail when no up-to-date release build exists
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const DIST = path.join(ROOT, 'dist')
const args = new Set(process.argv.slice(2))
for (const a of args) if (!['--build', '--no-build'].includes(a)) fail(`unknown option ${a}`)

function fail(message) {
  console.error(`pack:local: ${message}`)
  process.exit(1)
}

function log(message) {
  console.log(`pack:local: ${message}`)
}

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
const binaryName = pkg.napi?.binaryName ?? 'index'
const targets = pkg.napi?.targets ?? []

// ------------------------------------------------------------------------------------------------
// This platform, named as napi names it (platform-arch-abi) and as cargo does (triple).
// ------------------------------------------------------------------------------------------------

function isMusl() {
  if (process.platform !== 'linux') return false
  try {
    return fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl')
  } catch {
    return !process.report?.getReport?.()?.header?.glibcVersionRuntime
  }
}

const CPU = { x64: 'x86_64', arm64: 'aarch64' }
function hostTarget() {
  const cpu = CPU[process.arch]
  if (!cpu) return undefined
  switch (process.platform) {
    case 'linux': {
      const abi = isMusl() ? 'musl' : 'gnu'
      return { abi: `linux-${process.arch}-${abi}`, triple: `${cpu}-unknown-linux-${abi}` }
    }
    case 'darwin':
      return { abi: `darwin-${process.arch}`, triple: `${cpu}-apple-darwin` }
    case 'win32':
      return { abi: `win32-${process.arch}-msvc`, triple: `${cpu}-pc-windows-msvc` }
    default:
      return undefined
  }
}

const host = hostTarget()
if (!host || !targets.includes(host.triple)) {
  fail(`this platform (${process.platform}-${process.arch}) is not one of napi.targets in package.json: ${targets.join(', ')}`)
}
const nodeFile = `${binaryName}.${host.abi}.node`
const npmPackageDir = path.join(ROOT, 'npm', host.abi)
const platformPkgPath = path.join(npmPackageDir, 'package.json')
if (!fs.existsSync(platformPkgPath)) fail(`${path.relative(ROOT, platformPkgPath)} is missing: run \`npx napi create-npm-dirs\``)
const platformPkg = JSON.parse(fs.readFileSync(platformPkgPath, 'utf8'))
if (platformPkg.version !== pkg.version) {
  fail(`npm/${host.abi} is version ${platformPkg.version}, package.json ${pkg.version}: run \`npx napi version\``)
}
if (pkg.optionalDependencies?.[platformPkg.name] !== pkg.version) {
  fail(`package.json optionalDependencies must list ${platformPkg.name}@${pkg.version}`)
}

// ------------------------------------------------------------------------------------------------
// An up-to-date release build of the addon
// ------------------------------------------------------------------------------------------------

function newestMtime(entry) {
  let stat
  try {
    stat = fs.statSync(entry)
  } catch {
    return 0
  }
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const name of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)))
  return newest
}

/** When the Rust sources last changed: what a release build must be newer than. */
function sourcesMtime() {
  return Math.max(...['crates', 'proto', 'Cargo.toml', 'Cargo.lock'].map((p) => newestMtime(path.join(ROOT, p))))
}

/** The napi glue crate's library name: cargo names its output after it. */
function crateLibName() {
  const toml = fs.readFileSync(path.join(ROOT, 'crates', 'scalekit-node', 'Cargo.toml'), 'utf8')
  const lib = /\[lib\][^[]*?\bname\s*=\s*"([^"]+)"/.exec(toml)
  const name = lib ? lib[1] : /\[package\][^[]*?\bname\s*=\s*"([^"]+)"/.exec(toml)?.[1]
  if (!name) fail('cannot read the crate name from Cargo.toml')
  return name.replace(/-/g, '_')
}

/** cargo's own output of `napi build --release` (napi always passes `--target <triple>`). */
function cargoReleaseOutput() {
  const targetDir = process.env.CARGO_TARGET_DIR ?? process.env.CARGO_BUILD_TARGET_DIR ?? path.join(ROOT, 'target')
  const lib = crateLibName()
  const file = process.platform === 'win32' ? `${lib}.dll` : process.platform === 'darwin' ? `lib${lib}.dylib` : `lib${lib}.so`
  return path.resolve(ROOT, targetDir, host.triple, 'release', file)
}

/**
 * `npm run build:debug` writes the same file name as the release build; a debug build carries
 * DWARF sections (a release build here has none: cargo strips debuginfo when `debug` is off).
 */
function isDebugBuild(file) {
  return elfSectionNames(fs.readFileSync(file)).includes('.debug_info')
}

/** Section names of a 64-bit little-endian ELF file ([] for anything else: Mach-O, PE). */
function elfSectionNames(b) {
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) return []
  const shoff = Number(b.readBigUInt64LE(0x28))
  const shentsize = b.readUInt16LE(0x3a)
  const shnum = b.readUInt16LE(0x3c)
  const shstrndx = b.readUInt16LE(0x3e)
  if (shoff === 0 || shstrndx >= shnum || shoff + shnum * shentsize > b.length) return []
  const strtab = shoff + shstrndx * shentsize
  const strOff = Number(b.readBigUInt64LE(strtab + 0x18))
  const names = []
  for (let i = 0; i < shnum; i++) {
    const start = strOff + b.readUInt32LE(shoff + i * shentsize)
    const end = b.indexOf(0, start)
    if (start >= b.length || end < 0) continue
    names.push(b.toString('latin1', start, end))
  }
  return names
}

function isAddon(file) {
  return fs.readFileSync(file).includes('napi_register_module_v1')
}

/** The first candidate that is a release addon newer than the sources (or any, with `trustMtime` off). */
function findReleaseBuild({ trustMtime }) {
  const since = sourcesMtime()
  for (const file of [path.join(ROOT, nodeFile), cargoReleaseOutput()]) {
    let stat
    try {
      stat = fs.statSync(file)
    } catch {
      continue
    }
    if (trustMtime && stat.mtimeMs <= since) {
      log(`${path.relative(ROOT, file)} is older than the Rust sources`)
      continue
    }
    if (!isAddon(file)) {
      log(`${path.relative(ROOT, file)} is not a Node addon (not the scalekit-node crate?)`)
      continue
    }
    if (isDebugBuild(file)) {
      log(`${path.relative(ROOT, file)} is a debug build`)
      continue
    }
    return file
  }
  return undefined
}

function run(command, commandArgs, options = {}) {
  const r = spawnSync(command, commandArgs, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32', ...options })
  if (r.error) fail(`${command} ${commandArgs.join(' ')}: ${r.error.message}`)
  if (r.status !== 0) fail(`${command} ${commandArgs.join(' ')} exited with ${r.status ?? r.signal}`)
  return r
}

let built = false
let binary = args.has('--build') ? undefined : findReleaseBuild({ trustMtime: true })
if (!fs.existsSync(path.join(ROOT, 'binding.js'))) binary = undefined
if (!binary) {
  if (args.has('--no-build')) fail(`no up-to-date release build of ${nodeFile} (and binding.js) and --no-build given`)
  log('building the release addon (npm run build)...')
  run('npm', ['run', 'build'])
  built = true
  // cargo leaves its output untouched when nothing changed, so its mtime may be older than a
  // source file that was only saved again: right after a successful build, any release addon does.
  binary = findReleaseBuild({ trustMtime: true }) ?? findReleaseBuild({ trustMtime: false })
  if (!binary) fail(`npm run build succeeded but left no release ${nodeFile}`)
} else {
  log(`reusing ${path.relative(ROOT, binary)} (a release build newer than the Rust sources)`)
}

// ------------------------------------------------------------------------------------------------
// napi artifacts: the binary into npm/<platform>/
// ------------------------------------------------------------------------------------------------

// `napi artifacts` runs in a staging copy (dist/stage) of the package's napi setup: it wants a
// binary for every configured target, where the stage lists only this platform's; and, run on
// the checkout itself, it would also copy the binary to the package root and write the root entry
// files (index.js, index.mjs) back in place, racing with anyone editing them.
const stage = path.join(DIST, 'stage')
const artifactsDir = path.join(stage, 'artifacts')
fs.rmSync(stage, { recursive: true, force: true })
fs.mkdirSync(path.join(stage, 'npm', host.abi), { recursive: true })
fs.mkdirSync(artifactsDir, { recursive: true })
fs.copyFileSync(binary, path.join(artifactsDir, nodeFile))
if (isDebugBuild(path.join(artifactsDir, nodeFile))) fail(`${binary} was replaced by a debug build while packing; run again`)
fs.writeFileSync(
  path.join(stage, 'package.json'),
  JSON.stringify({ name: pkg.name, version: pkg.version, private: true, napi: { binaryName, targets: [host.triple] } }, null, 2) + '\n',
)
for (const name of ['package.json', 'README.md']) {
  fs.copyFileSync(path.join(npmPackageDir, name), path.join(stage, 'npm', host.abi, name))
}
const napiCli = path.join(ROOT, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js')
run(process.execPath, [napiCli, 'artifacts', '--cwd', stage, '--output-dir', 'artifacts', '--npm-dir', 'npm'])
const staged = path.join(stage, 'npm', host.abi, nodeFile)
if (!fs.existsSync(staged)) fail(`napi artifacts did not put ${nodeFile} into npm/${host.abi}`)
// Into the platform package of the checkout (git-ignored), replaced atomically.
fs.copyFileSync(staged, path.join(npmPackageDir, `.${nodeFile}.tmp`))
fs.renameSync(path.join(npmPackageDir, `.${nodeFile}.tmp`), path.join(npmPackageDir, nodeFile))
log(`npm/${host.abi}/${nodeFile} <- ${path.relative(ROOT, binary)}`)

// ------------------------------------------------------------------------------------------------
// npm pack
// ------------------------------------------------------------------------------------------------

for (const name of fs.readdirSync(DIST)) if (name.endsWith('.tgz')) fs.rmSync(path.join(DIST, name))

function pack(dir) {
  // --ignore-scripts: packing must not run `prepare` (a second release build).
  const r = run('npm', ['pack', dir, '--ignore-scripts', '--json', '--pack-destination', DIST], { stdio: ['ignore', 'pipe', 'inherit'] })
  const [info] = JSON.parse(r.stdout.toString())
  const file = path.join(DIST, info.filename)
  log(`${path.relative(ROOT, file)}: ${info.entryCount} files, ${(fs.statSync(file).size / 1024).toFixed(1)} KiB`)
  return file
}

// The main package is packed from a copy of exactly the files `npm pack` picks (package.json's
// `files`, README, ...) but an addon built in place, whose package.json has no `prepare`: that script builds the addon in a
// checkout, never runs for a tarball or registry install, yet npm counts it as an install script
// (`npm warn install-scripts`), and `--strict-allow-scripts` would refuse the package for it.
const CONSUMER_UNSAFE_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare']
const dryRun = run('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] })
const mainStage = path.join(stage, 'main')
for (const { path: file } of JSON.parse(dryRun.stdout.toString())[0].files) {
  // `files` lists the addon built in place, for installs from git; a registry install gets it
  // from the platform package instead.
  if (file.endsWith('.node')) continue
  fs.mkdirSync(path.dirname(path.join(mainStage, file)), { recursive: true })
  fs.copyFileSync(path.join(ROOT, file), path.join(mainStage, file))
}
const published = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
for (const name of CONSUMER_UNSAFE_SCRIPTS) delete published.scripts?.[name]
fs.writeFileSync(path.join(mainStage, 'package.json'), JSON.stringify(published, null, 2) + '\n')

const main = pack(mainStage)
const platform = pack(npmPackageDir)
fs.rmSync(stage, { recursive: true, force: true })

const manifest = {
  main,
  platform,
  platformPackage: platformPkg.name,
  target: host.triple,
  binary,
  built,
}
fs.writeFileSync(path.join(DIST, 'pack-local.json'), JSON.stringify(manifest, null, 2) + '\n')
log(`install with: npm install ${path.relative(process.cwd(), main)} ${path.relative(process.cwd(), platform)}`)
