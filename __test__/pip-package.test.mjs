// LocalScalekit for Python users (issue 19): `pip install crates/scalekit-local` (maturin,
// `bindings = "bin"`) into a fresh venv gives a `scalekit-local` command that needs neither Node
// nor npm; a wheel built from the same folder installs the same command into another venv.
// file-timeout-ms: 1200000
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { ROOT, runCommand, envWithoutScalekit, outputOf } from './helpers.mjs'
import { startCommand, assertServesTokens, assertPortClosed } from './support/commands.mjs'

const PACKAGE_DIR = path.join(ROOT, 'crates', 'scalekit-local')
const PIP_TIMEOUT_MS = 600_000

// The dev profile reuses what `cargo test --workspace` compiled moments before, instead of a
// release build with LTO from scratch; the release workflow builds the published wheels.
const BUILD_ENV = { ...process.env, MATURIN_PEP517_ARGS: '--profile dev', PIP_DISABLE_PIP_VERSION_CHECK: '1' }

async function freshVenv(t, dir, name) {
  const venv = path.join(dir, name)
  const made = await runCommand('python3', ['-m', 'venv', venv], { t, env: process.env, input: '', timeoutMs: 60_000 })
  if (made.error || made.code !== 0) return null
  const bin = path.join(venv, process.platform === 'win32' ? 'Scripts' : 'bin')
  return {
    python: path.join(bin, process.platform === 'win32' ? 'python.exe' : 'python'),
    command: path.join(bin, process.platform === 'win32' ? 'scalekit-local.exe' : 'scalekit-local'),
  }
}

async function pip(t, venv, args) {
  const r = await runCommand(venv.python, ['-m', 'pip', ...args], { t, env: BUILD_ENV, input: '', timeoutMs: PIP_TIMEOUT_MS })
  assert.equal(r.code, 0, `pip ${args.join(' ')}: ${outputOf(r)}`)
  return r
}

/** `scalekit-local --help` answers, and a started one serves the token endpoint, then stops on SIGINT. */
async function assertCommandWorks(t, command) {
  const help = await runCommand(command, ['--help'], { t, env: envWithoutScalekit(), stdin: 'ignore', timeoutMs: 30_000 })
  assert.equal(help.code, 0, outputOf(help))
  assert.match(help.stdout, /^Usage: scalekit-local \[--port N\]/m)
  const cmd = startCommand(t, command, ['--port', '0'])
  const env = await cmd.ready
  await assertServesTokens(env)
  assert.equal((await cmd.interrupt()).code, 0, cmd.describe())
  await assertPortClosed(env.SCALEKIT_ENV_URL)
}

test('pip install crates/scalekit-local, and a wheel built from it, give a working scalekit-local', { timeout: 3 * PIP_TIMEOUT_MS }, async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skn-pip-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const venv = await freshVenv(t, dir, 'venv')
  if (venv === null) return t.skip('python3 -m venv is unavailable here')

  await t.test('pip install <folder> into a fresh venv', async (t) => {
    await pip(t, venv, ['install', '--no-cache-dir', PACKAGE_DIR])
    await assertCommandWorks(t, venv.command)
  })

  await t.test('pip wheel <folder>, then that wheel into another fresh venv', async (t) => {
    const wheels = path.join(dir, 'wheels')
    await pip(t, venv, ['wheel', '--no-cache-dir', '--no-deps', '--wheel-dir', wheels, PACKAGE_DIR])
    const [wheel, ...others] = (await readdir(wheels)).filter((f) => f.endsWith('.whl'))
    assert.deepEqual(others, [])
    assert.match(wheel, /^scalekit_local-\d+\.\d+\.\d+-py3-none-[a-z0-9_]+\.whl$/, 'a wheel for this platform, for any Python 3')
    const other = await freshVenv(t, dir, 'venv-wheel')
    await pip(t, other, ['install', '--no-cache-dir', path.join(wheels, wheel)])
    await assertCommandWorks(t, other.command)
  })
})
