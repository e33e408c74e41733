// Acceptance test of the packages a user installs (issue 7): `npm run pack:local` packs the main
// package and this platform's package; a fresh app in a temporary folder outside the repo installs
// both tarballs with cargo and rustc off PATH, then runs the Tool Proxy flow against LocalScalekit
// from an ESM and a CommonJS script and type-checks a TypeScript consumer (strict, nodenext).
//
// pack:local reuses a release build newer than the Rust sources (as `npm install` leaves one) and
// builds one only when there is none, so this takes seconds then, minutes otherwise.
// SCALEKIT_KEEP_APP=1 keeps the temporary app for a look.
//
// A build can take 20 min (the `before` hook allows 25): the file's limit in scripts/test-node.mjs,
// above that:
// file-timeout-ms: 1800000
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const TOOLCHAIN = ['cargo', 'rustc', 'rustup']
const POSIX = process.platform !== 'win32'

/** Runs a command to its end; never rejects (the caller asserts), kills it after `timeout` ms. */
function run(command, args, { cwd, env, timeout = 60_000 } = {}) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeout)
    child.on('error', (error) => {
      clearTimeout(timer)
      resolve({ code: null, error, stdout, stderr, timedOut, ms: Date.now() - started })
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started })
    })
  })
}

function describeRun(what, r) {
  const status = r.timedOut ? 'timed out' : r.error ? r.error.message : `exit ${r.code ?? r.signal}`
  return `${what}: ${status} after ${r.ms} ms\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
}

function assertRan(what, r) {
  assert.ok(!r.timedOut && !r.error && r.code === 0, describeRun(what, r))
}

function onPath(name, PATH) {
  for (const dir of PATH.split(path.delimiter)) {
    const file = path.join(dir, name)
    try {
      fs.accessSync(file, fs.constants.X_OK)
      if (fs.statSync(file).isFile()) return file
    } catch {}
  }
  return undefined
}

/**
 * A PATH with node and npm but no Rust toolchain: the directory of this node, /usr/local/bin,
 * /usr/bin and /bin, less any of them holding cargo, rustc or rustup; node and npm are then reached
 * through a folder of links of their own.
 */
function toolchainFreePath(shimDir) {
  const holdsToolchain = (dir) => TOOLCHAIN.some((name) => fs.existsSync(path.join(dir, name)))
  const dirs = [...new Set([path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'])].filter(
    (dir) => fs.existsSync(dir) && !holdsToolchain(dir),
  )
  if (!dirs.includes(path.dirname(process.execPath))) {
    fs.mkdirSync(shimDir, { recursive: true })
    fs.symlinkSync(process.execPath, path.join(shimDir, 'node'))
    const npm = onPath('npm', process.env.PATH ?? '')
    if (npm) fs.symlinkSync(fs.realpathSync(npm), path.join(shimDir, 'npm'))
    dirs.unshift(shimDir)
  }
  return dirs.join(path.delimiter)
}

// The app's environment: no cargo on PATH, none of the Rust or napi variables, none of the
// npm_* variables of an enclosing `npm test`; what reaching the registry may need is kept.
function appEnv(PATH) {
  const env = { PATH, HOME: os.homedir(), TMPDIR: os.tmpdir(), LANG: 'C.UTF-8', npm_config_update_notifier: 'false' }
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(https?_proxy|no_proxy|node_extra_ca_certs|ssl_cert_file|ssl_cert_dir)$/i.test(name)) env[name] = value
  }
  if (process.env.npm_config_registry) env.npm_config_registry = process.env.npm_config_registry
  return env
}

/** How to start npm under the stripped PATH: `npm` on it, or npm's own npm-cli.js through node. */
function npmCommand(PATH) {
  const npm = onPath('npm', PATH)
  if (npm) return [npm, []]
  const cli = process.env.npm_execpath
  if (cli && cli.endsWith('.js')) return [process.execPath, [cli]]
  throw new Error(`npm is not on ${PATH}`)
}

const FLOW = `
  const connectionName = 'crm'
  const identifier = 'user_1'
  const local = await LocalScalekit.start()
  try {
    const client = new ScalekitClient(local.url, local.clientId, local.clientSecret)
    const { link } = await client.actions.getAuthorizationLink({ connectionName, identifier })
    const page = await fetch(link)
    if (page.status >= 400) throw new Error('authorization link answered ' + page.status)
    const res = await client.actions.request({ connectionName, identifier, path: '/v1/customers', method: 'GET' })
    if (res.status !== 200) throw new Error('proxy answered ' + res.status)
    if (res.data.path !== '/v1/customers') throw new Error('echo saw ' + JSON.stringify(res.data))
    // No agent framework is installed in this app: an adapter names the package to install.
    const missing = await client.actions.aiSdk.getTools({ identifier }).then(() => undefined, (e) => e)
    if (missing?.name !== 'ScalekitMissingPackageException' || missing.packageName !== 'ai') throw new Error('aiSdk without ai: ' + missing)
    const addon = Object.keys(require.cache).filter((f) => f.endsWith('.node'))
    console.log(JSON.stringify({ status: res.status, addon }))
  } finally {
    await local.close()
  }
`

const ESM = `import { ScalekitClient, LocalScalekit } from 'scalekit-native'
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
${FLOW}
`

const CJS = `'use strict'
const { ScalekitClient, LocalScalekit } = require('scalekit-native')
async function main() {
${FLOW}
}
main().catch((e) => {
  console.error(e)
  process.exit(1)
})
`

const TS_ESM = `import { ScalekitClient, LocalScalekit, ScalekitException, ScalekitServerException, type ProxyResponse } from 'scalekit-native'

interface Echo {
  method: string
  path: string
}

const local: LocalScalekit = await LocalScalekit.start({ connections: [{ name: 'crm', authType: 'API_KEY' }] })
try {
  const client = new ScalekitClient(local.url, local.clientId, local.clientSecret, { toolTimeoutMs: 5_000 })
  const { link, expiry }: { link: string; expiry?: Date } = await client.actions.getAuthorizationLink({ connectionName: 'crm', identifier: 'u' })
  void link
  void expiry
  const res: ProxyResponse<Echo> = await client.actions.request<Echo>({ connectionName: 'crm', identifier: 'u', path: '/v1/customers', queryParams: { limit: 10 } })
  const path: string = res.data.path
  void path
  // The adapters' typings compile without the frameworks installed (their types are then \`any\`).
  const toolSet = await client.actions.aiSdk.getTools({ identifier: 'u', connectionNames: ['crm'] })
  const agentTools: unknown[] = await client.actions.openaiAgents.getTools({ identifier: 'u' })
  void toolSet
  void agentTools
} catch (e) {
  if (e instanceof ScalekitServerException) {
    const status: number = e.httpStatus
    void status
  } else if (e instanceof ScalekitException) {
    const message: string = e.message
    void message
  }
} finally {
  await local.close()
}

// @ts-expect-error envUrl is a string
new ScalekitClient(42, 'id', 'secret')
`

const TS_CJS = `import sk = require('scalekit-native')

export async function status(client: sk.ScalekitClient): Promise<number> {
  const res: sk.ProxyResponse = await client.actions.request({ connectionName: 'crm', identifier: 'u', path: '/x', retry: false })
  return res.status
}
`

describe('the packed package, installed where there is no Rust toolchain', { skip: !POSIX && 'POSIX shell paths only' }, () => {
  let packed
  let app
  let env
  let npm
  const keep = process.env.SCALEKIT_KEEP_APP === '1'

  before(async () => {
    const r = await run(process.execPath, [path.join(ROOT, 'scripts', 'pack-local.mjs')], { cwd: ROOT, timeout: 20 * 60_000 })
    assertRan('npm run pack:local', r)
    packed = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'pack-local.json'), 'utf8'))
    console.error(`pack:local ${packed.built ? 'built the release addon' : `reused ${path.relative(ROOT, packed.binary)}`} (${r.ms} ms)`)

    app = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'scalekit-native-app-'))
    assert.ok(path.relative(ROOT, app).startsWith('..'), `${app} must be outside the repo`)
    env = appEnv(toolchainFreePath(path.join(app, '.bin-shim')))
    npm = npmCommand(env.PATH)
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }, null, 2))
  }, { timeout: 25 * 60_000 })

  after(() => {
    if (app && !keep) fs.rmSync(app, { recursive: true, force: true })
    else if (app) console.error(`kept ${app}`)
  })

  test('the main tarball holds only what users need, no Rust sources, tests, benchmark or binaries', async (t) => {
    const r = await run('tar', ['-tzf', packed.main])
    assertRan('tar -tzf', r)
    const entries = r.stdout.split('\n').filter(Boolean)
    const size = fs.statSync(packed.main).size
    t.diagnostic(`main tarball ${path.basename(packed.main)}: ${size} bytes (${(size / 1024).toFixed(1)} KiB), ${entries.length} files`)
    console.error(`main tarball ${path.basename(packed.main)}: ${size} bytes, ${entries.length} files: ${entries.join(' ')}`)

    for (const entry of entries) {
      assert.ok(entry.startsWith('package/'), entry)
      assert.doesNotMatch(entry, /\.(rs|node|tgz|so|dylib|dll|wasm)$|(^|\/)(Cargo\.(toml|lock)|build\.rs)$/, `${entry} must not be packed`)
      assert.doesNotMatch(entry, /^package\/(src|target|tests|__test__|benchmark|examples|npm|scripts|dist|node_modules|\.ci)\//, `${entry} must not be packed`)
    }
    const allowed = new Set(['package.json', 'README.md', 'index.js', 'index.mjs', 'index.d.ts', 'adapters.d.ts', 'binding.js', 'bin/scalekit-local.js'])
    for (const entry of entries) {
      const name = entry.slice('package/'.length)
      assert.ok(allowed.has(name) || /^lib\/(adapters\/)?[a-z-]+\.js$/.test(name) || /^(LICEN[CS]E|CHANGELOG)(\.md|\.txt)?$/i.test(name), `unexpected file in the main tarball: ${name}`)
    }
    const libModules = fs.readdirSync(new URL('../lib/', import.meta.url), { recursive: true }).filter((f) => f.endsWith('.js'))
    for (const name of ['package.json', 'index.js', 'index.mjs', 'index.d.ts', 'adapters.d.ts', 'binding.js', ...libModules.map((f) => `lib/${f}`)]) {
      assert.ok(entries.includes(`package/${name}`), `${name} is missing from the main tarball`)
    }

    const manifest = JSON.parse((await run('tar', ['-xzOf', packed.main, 'package/package.json'])).stdout)
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) {
      assert.equal(manifest.scripts?.[script], undefined, `the published package.json must have no ${script} script`)
    }
    assert.equal(manifest.optionalDependencies?.[packed.platformPackage], manifest.version)
  })

  test('the platform tarball holds package.json, README and the one .node', async (t) => {
    const r = await run('tar', ['-tzf', packed.platform])
    assertRan('tar -tzf', r)
    const entries = r.stdout.split('\n').filter(Boolean).sort()
    const nodeFile = `package/${JSON.parse((await run('tar', ['-xzOf', packed.platform, 'package/package.json'])).stdout).main}`
    assert.deepEqual(entries, ['package/README.md', nodeFile, 'package/package.json'].sort())
    t.diagnostic(`platform tarball ${path.basename(packed.platform)}: ${fs.statSync(packed.platform).size} bytes`)
  })

  test('npm install of the two tarballs works with no cargo or rustc on PATH', { timeout: 6 * 60_000 }, async (t) => {
    for (const name of TOOLCHAIN) assert.equal(onPath(name, env.PATH), undefined, `${name} must not be on PATH ${env.PATH}`)
    const which = await run('sh', ['-c', 'command -v cargo || command -v rustc'], { env })
    assert.notEqual(which.code, 0, `cargo resolvable under PATH=${env.PATH}: ${which.stdout}`)
    t.diagnostic(`PATH=${env.PATH}`)

    const r = await run(npm[0], [...npm[1], 'install', packed.main, packed.platform, '--no-audit', '--no-fund'], {
      cwd: app,
      env,
      timeout: 5 * 60_000,
    })
    assertRan('npm install', r)
    t.diagnostic(`npm install: ${r.ms} ms`)
    // npm counts `prepare` as an install script; the published manifest has none to warn about.
    assert.doesNotMatch(r.stderr, /install-scripts|ERR!/, r.stderr)

    const lock = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', '.package-lock.json'), 'utf8'))
    const platformEntry = lock.packages[`node_modules/${packed.platformPackage}`]
    assert.ok(platformEntry, `${packed.platformPackage} is not installed`)
    assert.match(platformEntry.resolved ?? '', /^file:/, 'the platform package comes from the local tarball, not a registry')
    const mainDir = path.join(app, 'node_modules', 'scalekit-native')
    assert.deepEqual(fs.readdirSync(mainDir, { recursive: true }).filter((f) => f.endsWith('.node')), [], 'no binary in the main package')
  })

  for (const [kind, file, source] of [
    ['an ESM script (import)', 'flow.mjs', ESM],
    ['a CommonJS script (require)', 'flow.cjs', CJS],
  ]) {
    test(`${kind} runs the Tool Proxy flow against LocalScalekit and exits 0`, async (t) => {
      fs.writeFileSync(path.join(app, file), source)
      const r = await run(process.execPath, [file], { cwd: app, env, timeout: 60_000 })
      assertRan(`node ${file}`, r)
      const out = JSON.parse(r.stdout.trim().split('\n').pop())
      assert.equal(out.status, 200)
      assert.equal(out.addon.length, 1, `one native addon loaded: ${out.addon}`)
      assert.ok(
        out.addon[0].startsWith(path.join(fs.realpathSync(app), 'node_modules', packed.platformPackage) + path.sep),
        `the addon comes from the platform package: ${out.addon[0]}`,
      )
      t.diagnostic(`node ${file}: ${r.ms} ms`)
    })
  }

  test('a TypeScript consumer passes tsc --noEmit (strict, moduleResolution nodenext)', { timeout: 150_000 }, async (t) => {
    fs.writeFileSync(path.join(app, 'consumer.mts'), TS_ESM)
    fs.writeFileSync(path.join(app, 'consumer.cts'), TS_CJS)
    const tsconfig = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      },
      files: ['consumer.mts', 'consumer.cts'],
    }
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
    const r = await run(process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.json', '--listFiles'], { cwd: app, env, timeout: 120_000 })
    assertRan('tsc --noEmit', r)
    const typings = path.join(fs.realpathSync(app), 'node_modules', 'scalekit-native', 'index.d.ts')
    assert.ok(r.stdout.split('\n').includes(typings), `tsc read the installed typings ${typings}:\n${r.stdout}`)
    t.diagnostic(`tsc: ${r.ms} ms`)
  })

  test('without the platform package, the error names the package looked for and how to build', async () => {
    const installed = path.join(app, 'node_modules', packed.platformPackage)
    const aside = `${installed}.aside`
    fs.renameSync(installed, aside)
    try {
      const r = await run(process.execPath, ['-e', "require('scalekit-native')"], { cwd: app, env })
      assert.notEqual(r.code, 0, describeRun('require without the platform package', r))
      assert.ok(r.stderr.includes(`prebuilt package ${packed.platformPackage}`), r.stderr)
      assert.match(r.stderr, /npm run build/)
    } finally {
      fs.renameSync(aside, installed)
    }
  })
})
