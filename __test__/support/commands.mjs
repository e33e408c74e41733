// Running the `scalekit-local` command as a user does, for the tests of both of its runners (the
// standalone executable and `npx scalekit-local`): start it, read the variables it prints, talk
// to it, stop it with a signal.
import assert from 'node:assert/strict'
import { spawn, execFile, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

import { ROOT, envWithoutScalekit, outputOf } from '../helpers.mjs'

const START_LIMIT_MS = 20_000
const STOP_LIMIT_MS = 10_000
const HAS_CURL = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0

/** A value as the shell reads it from `export NAME=value` (plain, or single-quoted). */
function shellValue(word) {
  return word.startsWith("'") ? word.slice(1, -1).replace(/'\\''/g, "'") : word
}

/**
 * Spawns a long-running command. `ready` resolves with every exported variable once the three
 * SCALEKIT_* ones and the Ctrl-C prompt are printed; `exited` resolves `{code, signal}`. With `group`, the command leads its own
 * process group, and `interrupt()` signals the whole group, as a terminal's Ctrl-C does.
 */
export function startCommand(t, file, args, { cwd = ROOT, group = false } = {}) {
  const child = spawn(file, args, {
    cwd,
    env: envWithoutScalekit({ npm_config_update_notifier: 'false', NO_UPDATE_NOTIFIER: '1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: group,
  })
  const out = { stdout: '', stderr: '' }
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (d) => (out.stderr += d))
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
  let done = false
  exited.then(() => (done = true))
  const signalAll = (signal) => {
    if (done) return
    try {
      if (group) process.kill(-child.pid, signal)
      else child.kill(signal)
    } catch {}
  }
  // Never leave a process behind, whatever the test's outcome.
  t.after(async () => {
    if (!done) {
      signalAll('SIGKILL')
      await exited
    }
  })
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no SCALEKIT_* lines within ${START_LIMIT_MS} ms\n${describe()}`)), START_LIMIT_MS)
    child.stdout.on('data', (d) => {
      out.stdout += d
      const env = {}
      for (const m of out.stdout.matchAll(/^export ([A-Z_]+)=(.*)$/gm)) env[m[1]] = shellValue(m[2])
      // The last line printed once the signal handlers are in place.
      const prompted = /^Press Ctrl-C to stop\.$/m.test(out.stdout)
      if (env.SCALEKIT_ENV_URL && env.SCALEKIT_CLIENT_ID && env.SCALEKIT_CLIENT_SECRET && prompted) {
        clearTimeout(timer)
        resolve(env)
      }
    })
    exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`exited (${code ?? signal}) before printing the SCALEKIT_* lines\n${describe()}`))
    })
  })
  ready.catch(() => {})
  function describe() {
    return outputOf(out)
  }
  /** Sends SIGINT; resolves the exit, or kills the command and fails after STOP_LIMIT_MS. */
  async function interrupt() {
    signalAll('SIGINT')
    let timer
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve(null), STOP_LIMIT_MS)
    })
    const result = await Promise.race([exited, timeout])
    clearTimeout(timer)
    if (result === null) {
      signalAll('SIGKILL')
      await exited
      assert.fail(`still running ${STOP_LIMIT_MS} ms after SIGINT (killed)\n${describe()}`)
    }
    return result
  }
  return { child, ready, exited, interrupt, out, describe }
}

/** POST {url}/oauth/token with client credentials, through curl when the machine has it. */
export async function tokenRequest(url, clientId, clientSecret) {
  const form = { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }
  if (HAS_CURL) {
    const args = ['-sS', '--max-time', '10', '-w', '\n%{http_code}', '-X', 'POST']
    for (const [k, v] of Object.entries(form)) args.push('--data-urlencode', `${k}=${v}`)
    args.push(`${url}/oauth/token`)
    const stdout = await new Promise((resolve, reject) =>
      execFile('curl', args, { timeout: 15_000 }, (err, out, errOut) => (err ? reject(new Error(`curl failed: ${err.message} ${errOut}`)) : resolve(out))),
    )
    const cut = stdout.lastIndexOf('\n')
    return { status: Number(stdout.slice(cut + 1)), body: JSON.parse(stdout.slice(0, cut)) }
  }
  const res = await fetch(`${url}/oauth/token`, { method: 'POST', body: new URLSearchParams(form) })
  return { status: res.status, body: await res.json() }
}

export async function assertServesTokens(env) {
  assert.match(env.SCALEKIT_ENV_URL, /^http:\/\/127\.0\.0\.1:\d+$/)
  const ok = await tokenRequest(env.SCALEKIT_ENV_URL, env.SCALEKIT_CLIENT_ID, env.SCALEKIT_CLIENT_SECRET)
  assert.equal(ok.status, 200, JSON.stringify(ok.body))
  assert.equal(typeof ok.body.access_token, 'string')
  assert.ok(ok.body.access_token.length > 0)
  assert.equal(ok.body.token_type, 'Bearer')
  const bad = await tokenRequest(env.SCALEKIT_ENV_URL, env.SCALEKIT_CLIENT_ID, 'wrong-secret')
  assert.equal(bad.status, 401)
  assert.equal(bad.body.error, 'invalid_client')
}

/** Nothing listens on the emulator's port any more. */
export async function assertPortClosed(url) {
  const { port } = new URL(url)
  const refused = await new Promise((resolve) => {
    const s = net.connect(Number(port), '127.0.0.1')
    s.once('connect', () => {
      s.destroy()
      resolve(false)
    })
    s.once('error', () => resolve(true))
  })
  assert.ok(refused, `${url} still accepts connections after the command stopped`)
}

/**
 * A copy of `exe` in a new temporary directory (removed when the process exits): other test files
 * build into the same target directory at the same time (the pip package's maturin build among
 * them), and cargo replaces a stale executable in place, so the test runs its own copy.
 */
async function privateCopy(exe) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skn-exe-'))
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  const copy = path.join(dir, path.basename(exe))
  for (let attempt = 1; ; attempt++) {
    try {
      fs.copyFileSync(exe, copy)
      fs.chmodSync(copy, 0o755)
      return copy
    } catch (e) {
      // Replaced by another build at this very moment: it is back once that build is done.
      if (e.code !== 'ENOENT' || attempt === 20) throw e
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

/**
 * Builds the standalone `scalekit-local` executable (a debug build: the cargo tests of `npm test`
 * have compiled its dependencies already) and resolves its path, as cargo reports it.
 */
export function buildStandalone({ timeoutMs = 600_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      'cargo',
      ['build', '-p', 'scalekit-local', '--bin', 'scalekit-local', '--message-format', 'json-render-diagnostics'],
      { cwd: ROOT, maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`cargo build -p scalekit-local failed: ${err.message}\n${stderr}`))
        const exe = stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line))
          .find((m) => m.reason === 'compiler-artifact' && m.target?.name === 'scalekit-local' && m.executable)?.executable
        if (!exe) return reject(new Error(`cargo reported no scalekit-local executable\n${stderr}`))
        privateCopy(exe).then(resolve, reject)
      },
    )
  })
}
