// Shared helpers of the Node test suite (not a test file: the runner only picks `*.test.mjs`).
import assert from 'node:assert/strict'
import http from 'node:http'
import net from 'node:net'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

import sk from '../index.js'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const INDEX_JS = path.join(ROOT, 'index.js')
export const INDEX_MJS = path.join(ROOT, 'index.mjs')

/** A Tool Proxy call of an account the tests seed or auto-provision (`conn` / `user@example.com`). */
export const CALL = { connectionName: 'conn', identifier: 'user@example.com', path: '/v1/thing' }

/** The connections the official-SDK comparisons call: an OAuth one and an API-key one. */
export const OFFICIAL_SDK_CONNECTIONS = [
  { name: 'gmail', provider: 'google' },
  { name: 'notion', authType: 'API_KEY', apiKey: { header: 'X-API-Key' } },
]

/**
 * Starts LocalScalekit and closes it when the test (or suite, when `t` is a `after` hook
 * registrar) ends.
 */
export async function startLocal(t, options) {
  const local = await sk.LocalScalekit.start(options)
  t.after(() => local.close())
  return local
}

/**
 * Puts `server` on a free loopback port (127.0.0.1). Its open sockets are tracked so that
 * `close()` can destroy them before closing; closed when the test `t` ends (with `t` null, call
 * `close()` yourself).
 */
async function listen(t, server) {
  const sockets = new Set()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  const close = () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    })
  if (t) t.after(close)
  return { url: `http://127.0.0.1:${port}`, server, sockets, close }
}

/**
 * A provider (`startServer(t, handler)`) and LocalScalekit routing connection `name` to it, with
 * one OAuth account (`identifier`, `accessToken`). Both closed when the test `t` ends; with `t`
 * null, call `close()` yourself.
 */
export async function startRouted(t, name, handler, { identifier = 'u', accessToken = 't' } = {}) {
  const upstream = await startServer(t, handler)
  let local
  try {
    local = await sk.LocalScalekit.start({
      connections: [{ name, authType: 'OAUTH', upstreamUrl: upstream.url }],
      accounts: [{ connectionName: name, identifier, authorizationDetails: { oauth_token: { access_token: accessToken } } }],
    })
  } catch (e) {
    // With `t` null nothing else would close the provider, and the caller gets no `close()`.
    if (!t) await upstream.close()
    throw e
  }
  const close = async () => {
    await local.close()
    await upstream.close()
  }
  if (t) t.after(() => local.close())
  return { upstream, local, close }
}

/**
 * A loopback HTTP server (127.0.0.1, free port). `handler(req, res, body)` receives the request
 * body already read as a Buffer. Every request is recorded in `server.requests`. Closed (open
 * sockets destroyed) when the test `t` ends; with `t` null, call `close()` yourself.
 */
export async function startServer(t, handler) {
  const requests = []
  const server = http.createServer(async (req, res) => {
    const body = await readAll(req)
    requests.push({ method: req.method, url: req.url, headers: req.headers, body })
    Promise.resolve(handler(req, res, body)).catch((e) => {
      res.statusCode = 599
      res.end(String(e && e.stack))
    })
  })
  return { ...(await listen(t, server)), requests }
}

export function sendJson(res, status, value, headers = {}) {
  const text = JSON.stringify(value)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

/** Asserts that `promise` rejects, and returns the rejection (for further checks). */
export async function rejection(promise) {
  try {
    await promise
  } catch (e) {
    return e
  }
  throw new Error('expected a rejection, but the promise resolved')
}

/**
 * Runs `command args` and resolves `{code, signal, stdout, stderr, timedOut, error}` (`error`: the
 * spawn failed, e.g. ENOENT). The child is killed after `timeoutMs`, and when the test `t` (if
 * given) ends. `input` is written to stdin, which is then closed. `onStdout(text, child)` sees the
 * accumulated stdout each time it grows.
 */
export function runCommand(command, args, { t, cwd = ROOT, env, input, stdin = 'pipe', timeoutMs = 60_000, onStdout } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: [stdin, 'pipe', 'pipe'] })
    t?.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', (d) => {
      stdout += d
      onStdout?.(stdout, child)
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.on('error', (error) => {
      clearTimeout(timer)
      resolve({ code: null, signal: null, stdout, stderr, timedOut, error })
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, timedOut })
    })
    if (stdin === 'pipe') {
      child.stdin.on('error', () => {})
      if (input !== undefined) child.stdin.end(input)
    }
  })
}

/** `runCommand` with this Node: rejects when the spawn fails. */
export async function runNode(args, options) {
  const r = await runCommand(process.execPath, args, options)
  if (r.error) throw r.error
  return r
}

/** The environment of the test process without any SCALEKIT_* variable. */
/** Both streams of a `runNode` result, for assertion messages. */
export function outputOf(r) {
  return `--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
}

/** Runs `examples/<name>` from the repository root, with no SCALEKIT_* variables and stdin ignored. */
export function runExample(name, timeoutMs) {
  return runNode([`examples/${name}`], { cwd: ROOT, env: envWithoutScalekit(), stdin: 'ignore', timeoutMs })
}

/**
 * `runExample`, asserting that the example exited 0 by itself within `timeoutMs` with nothing on
 * stderr; resolves the result with `output` (`outputOf` it) for the example's own checks.
 */
export async function runExampleCleanly(name, timeoutMs) {
  const r = await runExample(name, timeoutMs)
  const output = outputOf(r)
  assert.equal(r.timedOut, false, `did not exit within ${timeoutMs} ms (killed)\n${output}`)
  assert.equal(r.code, 0, output)
  assert.equal(r.stderr, '', output)
  return { ...r, output }
}

export function envWithoutScalekit(extra = {}) {
  const env = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SCALEKIT_')) env[k] = v
  return { ...env, ...extra }
}

/** Per-endpoint difference between `local.stats()` now and an earlier `before` snapshot. */
export function statsDelta(local, before) {
  const now = local.stats()
  const delta = {}
  for (const key of new Set([...Object.keys(now), ...Object.keys(before)])) delta[key] = (now[key] ?? 0) - (before[key] ?? 0)
  return delta
}

/**
 * A pass-through server in front of `target` (e.g. LocalScalekit): every request is forwarded as
 * is and recorded in `front.requests` (as `startServer` does); every answer is relayed. The answer
 * is held until the promise `holdAnswer(req, answerBody)` returns (if any) settles, so a test can
 * keep, say, a token answer back while the request has already been served upstream. Closed when
 * the test `t` ends.
 */
export async function startFront(t, target, holdAnswer) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  t.after(() => agent.destroy())
  return startServer(t, (req, res, body) =>
    new Promise((resolve, reject) => {
      const upstream = http.request(new URL(req.url, target), { method: req.method, headers: req.headers, agent }, (answer) => {
        const chunks = []
        answer.on('data', (c) => chunks.push(c))
        answer.on('error', reject)
        answer.on('end', async () => {
          const text = Buffer.concat(chunks)
          try {
            await holdAnswer?.(req, text)
          } finally {
            const headers = { ...answer.headers }
            delete headers['transfer-encoding']
            headers['content-length'] = String(text.length)
            res.writeHead(answer.statusCode, headers)
            res.end(text)
            resolve()
          }
        })
      })
      upstream.on('error', reject)
      upstream.end(body)
    }),
  )
}

/**
 * A loopback HTTP server (127.0.0.1, free port) whose `handler(req, res)` gets the request with
 * its body still unread, so that a test can stream it (`startServer` buffers it). Every request
 * is recorded in `server.requests` (method, url, headers) when it arrives. Closed (open sockets
 * destroyed) when the test `t` ends.
 */
export async function startRawServer(t, handler) {
  const requests = []
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers })
    Promise.resolve(handler(req, res)).catch((e) => {
      if (!res.headersSent) res.statusCode = 599
      res.end(String(e && e.stack))
    })
  })
  return { ...(await listen(t, server)), requests }
}

/** A loopback port with nothing listening (bound, noted, closed). */
export async function closedPort() {
  const s = net.createServer()
  await new Promise((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address()
  await new Promise((r) => s.close(r))
  return port
}

/** Reads a request (or any readable) to its end as one Buffer. */
export async function readAll(stream) {
  const chunks = []
  for await (const chunk of stream) chunks.push(chunk)
  return Buffer.concat(chunks)
}

/**
 * Samples `process.memoryUsage().rss` every `intervalMs` from now on; `stop()` returns
 * `{ baseline, peak, growth }` in bytes (`growth` = peak - baseline). Run `global.gc?.()` before
 * starting for a steadier baseline.
 */
export function rssSampler(intervalMs = 10) {
  const baseline = process.memoryUsage().rss
  let peak = baseline
  const sample = () => {
    const rss = process.memoryUsage().rss
    if (rss > peak) peak = rss
  }
  const timer = setInterval(sample, intervalMs)
  return {
    sample,
    stop() {
      clearInterval(timer)
      sample()
      return { baseline, peak, growth: peak - baseline }
    },
  }
}

export const MiB = 1024 * 1024

/**
 * A fake Scalekit on 127.0.0.1 for streamed bodies: `POST /oauth/token` answers a token,
 * `/proxy/*` is `proxy(req, res, n)` with the request body still unread (`n`: 1-based hit count);
 * anything else is a 404. `counts` holds the hits; `client(options)` a ScalekitClient on it.
 */
export async function fakeScalekitRaw(t, proxy) {
  const counts = { token: 0, proxy: 0, other: 0 }
  const server = await startRawServer(t, async (req, res) => {
    if (req.method === 'POST' && req.url === '/oauth/token') {
      counts.token++
      await readAll(req)
      return sendJson(res, 200, { access_token: 't', expires_in: 3600 })
    }
    if (req.url.startsWith('/proxy/')) return proxy(req, res, ++counts.proxy)
    counts.other++
    await readAll(req)
    sendJson(res, 404, { code: 5, message: 'no such endpoint' })
  })
  return { ...server, counts, client: (options) => new sk.ScalekitClient(server.url, 'id', 'secret', options) }
}

/** How long `within` waits before it calls a promise hung (a hang detector, not a timing check). */
export const HANG_MS = 30_000

/** The value of `promise`, or fails if it has not settled within `ms` (it hung). */
export async function within(promise, label = 'the promise', ms = HANG_MS) {
  let timer
  const hang = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} did not settle within ${ms} ms: it hung`)), ms)
  })
  try {
    return await Promise.race([promise, hang])
  } finally {
    clearTimeout(timer)
  }
}

/** Asserts a rejection of exactly `Class` (not a subclass) within HANG_MS and returns it. */
export async function rejectsExactly(promise, Class, label = 'the call') {
  const outcome = await within(
    Promise.resolve(promise).then((value) => ({ ok: true, value }), (error) => ({ ok: false, error })),
    label,
  )
  if (outcome.ok) throw new Error(`expected ${Class.name}, but ${label} resolved (status ${outcome.value?.status})`)
  const e = outcome.error
  if (e?.constructor !== Class) {
    throw new Error(`expected exactly ${Class.name} from ${label}, got ${e?.constructor?.name}: ${e?.message}`)
  }
  return e
}

/** `{ promise, resolve, reject }`. */
export function deferred() {
  let resolve
  let reject
  const promise = new Promise((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/**
 * Writes `chunk` to `res` again and again, waiting for 'drain' whenever `write` returns false,
 * until `res` closes (the client went away). Resolves the bytes written.
 */
export async function writeUntilClosed(res, chunk) {
  let written = 0
  while (!res.destroyed && !res.writableEnded) {
    written += chunk.length
    if (!res.write(chunk)) await drainOrClose(res)
  }
  return written
}

/** Resolves on the next 'drain' or 'close' of `res`, whichever comes first. */
export function drainOrClose(res) {
  if (res.destroyed) return Promise.resolve('close')
  return new Promise((resolve) => {
    const onDrain = () => done('drain')
    const onClose = () => done('close')
    const done = (what) => {
      res.off('drain', onDrain)
      res.off('close', onClose)
      resolve(what)
    }
    res.on('drain', onDrain)
    res.on('close', onClose)
  })
}
