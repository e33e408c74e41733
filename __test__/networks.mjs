// Helpers of the trust and proxy tests (not a test file): a private CA made with `openssl`, an
// HTTPS fake Scalekit, and a loopback proxy (CONNECT for https:// targets, forwarding for http://).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import net from 'node:net'
import http from 'node:http'
import https from 'node:https'
import { spawnSync, execFileSync } from 'node:child_process'

import { sendJson, runNode, INDEX_JS } from './helpers.mjs'

export const HAVE_OPENSSL = spawnSync('openssl', ['version']).status === 0
export const CALL = { connectionName: 'conn', identifier: 'user@example.com', path: '/v1/thing' }
const TOKEN = { access_token: 't', expires_in: 3600 }
const EMPTY_LIST = { connected_accounts: [], total_size: 0, next_page_token: '', prev_page_token: '' }

const CA_CONFIG = `[ca]
default_ca = d
[d]
database = index.txt
new_certs_dir = .
certificate = ca.pem
private_key = ca.key
serial = serial
default_md = sha256
policy = p
unique_subject = no
[p]
commonName = supplied
`

/**
 * A private CA in a temporary directory (removed at exit), and `issue(name, sans, dates)` for
 * server certificates it signs. `ca.pem` / `ca.path` are its certificate.
 */
export function makeCa(label = 'Test CA') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skn-pki-'))
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  const run = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  run('req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', `/CN=${label}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
  fs.writeFileSync(path.join(dir, 'index.txt'), '')
  fs.writeFileSync(path.join(dir, 'serial'), '10\n')
  fs.writeFileSync(path.join(dir, 'ca.cnf'), CA_CONFIG)
  // A directory holding only the CA certificate, as SSL_CERT_DIR would.
  fs.mkdirSync(path.join(dir, 'trust'))
  fs.copyFileSync(path.join(dir, 'ca.pem'), path.join(dir, 'trust', 'ca.pem'))
  let n = 0
  return {
    dir,
    trustDir: path.join(dir, 'trust'),
    path: path.join(dir, 'ca.pem'),
    pem: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
    /** `{ cert, key }` PEM for `sans` (e.g. `DNS:localhost,IP:127.0.0.1`); `dates` are openssl ca's. */
    issue(cn, sans, dates = ['-days', '30']) {
      const base = `leaf${++n}`
      fs.writeFileSync(path.join(dir, `${base}.ext`),
        `subjectAltName=${sans}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`)
      run('req', ...key, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${cn}`)
      run('ca', '-batch', '-config', 'ca.cnf', ...dates, '-in', `${base}.csr`, '-out', `${base}.pem`,
        '-extfile', `${base}.ext`, '-notext')
      return {
        cert: fs.readFileSync(path.join(dir, `${base}.pem`), 'utf8'),
        key: fs.readFileSync(path.join(dir, `${base}.key`), 'utf8'),
      }
    },
  }
}

/** Tracks a server's sockets so that `close()` can destroy them. */
function closer(server) {
  const sockets = new Set()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  return () => new Promise((resolve) => {
    for (const s of sockets) s.destroy()
    server.close(() => resolve())
  })
}

/** Token, control plane and Tool Proxy answers; each request is recorded with its peer port. */
function scalekitHandler(requests) {
  return (req, res) => {
    req.resume()
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, peerPort: req.socket.remotePort })
      if (req.method === 'POST' && req.url === '/oauth/token') return sendJson(res, 200, TOKEN)
      if (req.url.startsWith('/proxy/')) return sendJson(res, 200, { ok: true })
      if (req.url.startsWith('/api/v1/connected_accounts')) return sendJson(res, 200, EMPTY_LIST)
      sendJson(res, 404, { code: 5, message: 'no such endpoint' })
    })
  }
}

/**
 * A fake Scalekit on 127.0.0.1: HTTPS with `tls` ({ cert, key }), else plain HTTP. `requests`
 * records what arrived.
 */
export async function fakeScalekit(t, tls) {
  const requests = []
  const handler = scalekitHandler(requests)
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler)
  const close = closer(server)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(close)
  const { port } = server.address()
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, port, requests, server }
}

/**
 * A loopback proxy: CONNECT tunnels (https:// targets) and absolute-URI forwarding (http://
 * targets). `auth`, when set, is the `proxy-authorization` value it requires (else 407).
 * `connects` records CONNECT targets, `forwarded` forwarded URLs, `auths` each
 * `proxy-authorization` seen; `upstreamPorts` the local ports of its connections to targets.
 */
export async function startProxy(t, { auth } = {}) {
  const log = { connects: [], forwarded: [], auths: [], upstreamPorts: new Set() }
  const allowed = (req) => {
    log.auths.push(req.headers['proxy-authorization'])
    return !auth || req.headers['proxy-authorization'] === auth
  }
  const server = http.createServer((req, res) => {
    log.forwarded.push(req.url)
    if (!allowed(req)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"', 'content-length': '0' })
      return res.end()
    }
    const target = new URL(req.url)
    const headers = { ...req.headers }
    delete headers['proxy-authorization']
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: target.pathname + target.search, headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers)
      answer.pipe(res)
    })
    upstream.on('socket', (s) => s.on('connect', () => log.upstreamPorts.add(s.localPort)))
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  server.on('connect', (req, socket, head) => {
    log.connects.push(req.url)
    socket.on('error', () => {})
    if (!allowed(req)) {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n')
      return
    }
    const [host, port] = req.url.split(':')
    const upstream = net.connect(Number(port), host, () => {
      log.upstreamPorts.add(upstream.localPort)
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(socket)
      socket.pipe(upstream)
    })
    upstream.on('error', () => socket.destroy())
    socket.on('close', () => upstream.destroy())
  })
  const close = closer(server)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(close)
  const { port } = server.address()
  return { url: `http://127.0.0.1:${port}`, port, log, close }
}

/**
 * Runs `body` (an async function's text, with `sk`, `client(options)`, `CALL` in scope) in a
 * child Node with exactly `env` as its environment; resolves what it printed as JSON:
 * `{ ok: true, value }` or `{ ok: false, name, message, argument }`.
 */
export async function inChild(envUrl, env, body) {
  const script = `
    const sk = require(${JSON.stringify(INDEX_JS)})
    const CALL = ${JSON.stringify(CALL)}
    const client = (options) => new sk.ScalekitClient(${JSON.stringify(envUrl)}, 'id', 'secret', { maxRetries: 0, ...options })
    ;(async () => { ${body} })().then(
      (value) => console.log(JSON.stringify({ ok: true, value })),
      (e) => console.log(JSON.stringify({ ok: false, name: e.constructor.name, message: e.message, argument: e.argument })),
    )`
  const r = await runNode(['-e', script], { env, timeoutMs: 30_000 })
  if (r.code !== 0 || r.timedOut) throw new Error(`child failed (${r.code}, timed out: ${r.timedOut}): ${r.stderr}`)
  return JSON.parse(r.stdout.trim().split('\n').pop())
}

/** A request through `client`, answering its status (the common body of child scripts). */
export const REQUEST_STATUS = 'return (await client().actions.request(CALL)).status'
