// LocalScalekit over HTTPS (issue 12, point 3): `LocalScalekit.start({ tls: true })` and
// `{ tls: { cert, key } }`, trusted by Node's own https/http2 with `caCertificate`, by
// `local.client()` by itself, by the official SDK through NODE_EXTRA_CA_CERTS (child process),
// and `scalekit-local --tls` printing the NODE_EXTRA_CA_CERTS line to export.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFileSync, spawnSync } from 'node:child_process'
import { mkdtemp, writeFile, readFile, rm, access } from 'node:fs/promises'
import https from 'node:https'
import http2 from 'node:http2'
import os from 'node:os'
import path from 'node:path'

import sk from '../index.js'
import { ROOT, startLocal, runNode, envWithoutScalekit } from './helpers.mjs'

const PEM = /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n?$/
const HAS_OPENSSL = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0
const CONNECTION = 'tls-echo'
const USER = 'tls-user'
// An account ready for the Tool Proxy: its provider token is what the echo upstream sees.
const ACCOUNTS = [{ connectionName: CONNECTION, identifier: USER, authorizationDetails: { oauth_token: { access_token: 'provider-token' } } }]

/** POST /oauth/token over HTTPS (HTTP/1.1) with Node's https, trusting `ca` (or nothing extra). */
function tokenOverHttps(local, ca) {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: local.clientId, client_secret: local.clientSecret }).toString()
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${local.url}/oauth/token`,
      { method: 'POST', ca, agent: false, ALPNProtocols: ['http/1.1'], headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode, alpn: res.socket?.alpnProtocol, body: JSON.parse(text) }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** GET `url` over HTTPS trusting `ca`; resolves the status. */
function getOverHttps(url, ca) {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, agent: false }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode))
      })
      .on('error', reject)
  })
}

describe('LocalScalekit.start({ tls: true })', () => {
  test('serves HTTPS with a CA certificate to trust; Node reaches it over HTTP/1.1 and HTTP/2', async (t) => {
    const local = await startLocal(t, { tls: true })
    assert.match(local.url, /^https:\/\/127\.0\.0\.1:\d+$/)
    assert.match(local.echoUrl, /^http:\/\//, 'the echo upstream stays plain HTTP')
    assert.match(local.caCertificate, PEM)

    const h1 = await tokenOverHttps(local, local.caCertificate)
    assert.equal(h1.status, 200)
    assert.equal(h1.alpn, 'http/1.1')
    assert.equal(h1.body.token_type, 'Bearer')

    // HTTP/2 negotiated by ALPN on the same port.
    const session = http2.connect(local.url, { ca: local.caCertificate })
    t.after(() => session.close())
    const answer = await new Promise((resolve, reject) => {
      const req = session.request({ ':method': 'POST', ':path': '/oauth/token', 'content-type': 'application/x-www-form-urlencoded' })
      let status
      let text = ''
      req.on('response', (h) => (status = h[':status']))
      req.setEncoding('utf8')
      req.on('data', (d) => (text += d))
      req.on('end', () => resolve({ status, body: JSON.parse(text) }))
      req.on('error', reject)
      req.end(new URLSearchParams({ grant_type: 'client_credentials', client_id: local.clientId, client_secret: local.clientSecret }).toString())
    })
    assert.equal(session.alpnProtocol, 'h2')
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    assert.equal(typeof answer.body.access_token, 'string')

    // Without the CA, Node refuses the certificate.
    await assert.rejects(tokenOverHttps(local, undefined), (e) => {
      assert.match(e.code, /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/)
      return true
    })
    assert.equal(local.stats().token, 2)
  })

  test('without tls: plain http and no caCertificate', async (t) => {
    const local = await startLocal(t)
    assert.match(local.url, /^http:\/\//)
    assert.equal(local.caCertificate, null)
  })

  test('rejects a tls option of the wrong shape', async () => {
    for (const tls of ['yes', 1, { cert: 'x' }]) {
      await assert.rejects(sk.LocalScalekit.start({ tls }), /tls must be true, false or \{ cert, key \}/)
    }
  })

  test('local.client() trusts the certificate by itself: token, accounts, magic link, proxy', async (t) => {
    const local = await startLocal(t, { tls: true, accounts: ACCOUNTS })
    const client = local.client()

    const { link } = await client.actions.getAuthorizationLink({ connectionName: 'other', identifier: 'someone' })
    assert.ok(link.startsWith(`${local.url}/magic/`), `the magic link is HTTPS: ${link}`)
    assert.equal(await getOverHttps(link, local.caCertificate), 200)
    const { connectedAccount } = await client.actions.getConnectedAccount({ connectionName: 'other', identifier: 'someone' })
    assert.equal(connectedAccount.status, 'ACTIVE')

    const res = await client.actions.request({ connectionName: CONNECTION, identifier: USER, path: '/hello', method: 'GET', queryParams: { a: '1' } })
    assert.equal(res.status, 200)
    assert.equal(res.data.path, '/hello')
    assert.equal(res.data.headers.authorization, 'Bearer provider-token')
    const stats = local.stats()
    assert.equal(stats.token, 1)
    assert.equal(stats.proxy, 1)
    assert.equal(stats.echo, 1)
  })

  test('local.client({ ca }) keeps the CAs given and adds its own', async (t) => {
    const local = await startLocal(t, { tls: true, accounts: ACCOUNTS })
    const other = await startLocal(t, { tls: true })
    const client = local.client({ ca: other.caCertificate })
    const res = await client.actions.request({ connectionName: CONNECTION, identifier: USER, path: '/x' })
    assert.equal(res.status, 200)
  })

  test('the official SDK in a child process trusts it through NODE_EXTRA_CA_CERTS', async (t) => {
    const local = await startLocal(t, { tls: true, accounts: ACCOUNTS })
    const dir = await mkdtemp(path.join(os.tmpdir(), 'local-tls-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const caFile = path.join(dir, 'ca.pem')
    await writeFile(caFile, local.caCertificate)
    // 2.11.0's `actions.request` fetches no token by itself (see wire-parity.test.mjs):
    // `authenticateClient()` gets one and caches it for the request interceptor.
    const script = `
      const { ScalekitClient } = require(${JSON.stringify(path.join(ROOT, 'node_modules', '@scalekit-sdk', 'node'))})
      const [url, id, secret, connectionName, identifier] = process.argv.slice(1)
      ;(async () => {
        const official = new ScalekitClient(url, id, secret)
        try {
          await official.coreClient.authenticateClient()
          const res = await official.actions.request({ connectionName, identifier, path: '/from-official', method: 'GET' })
          console.log(JSON.stringify({ status: res.status, data: res.data }))
        } catch (e) {
          console.log(JSON.stringify({ error: String(e && (e.code || e.message)), cause: String(e?.cause?.code ?? '') }))
        }
      })()
    `
    const args = ['-e', script, local.url, local.clientId, local.clientSecret, CONNECTION, USER]
    const env = envWithoutScalekit()
    delete env.NODE_EXTRA_CA_CERTS

    const trusted = await runNode(args, { env: { ...env, NODE_EXTRA_CA_CERTS: caFile } })
    assert.equal(trusted.code, 0, trusted.stderr)
    const out = JSON.parse(trusted.stdout.trim().split('\n').pop())
    assert.equal(out.status, 200, JSON.stringify(out))
    assert.equal(out.data.path, '/from-official')
    assert.equal(out.data.headers.authorization, 'Bearer provider-token')
    assert.equal(local.stats().token, 1)
    assert.equal(local.stats().proxy, 1)

    // The same child without the variable fails at the TLS handshake: the trust came from it.
    const untrusted = await runNode(args, { env })
    const refused = JSON.parse(untrusted.stdout.trim().split('\n').pop())
    assert.match(`${refused.error} ${refused.cause}`, /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|self.signed/i, JSON.stringify(refused))
    assert.equal(local.stats().token, 1)
  })
})

describe('LocalScalekit.start({ tls: { cert, key } })', { skip: HAS_OPENSSL ? false : 'no openssl on this machine to make a certificate' }, () => {
  // Made by the first test, used by the second.
  let ownCert
  test('serves the given chain; caCertificate is its last certificate', async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'local-tls-own-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const f = (name) => path.join(dir, name)
    const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    // A CA, then a server certificate for 127.0.0.1 it signs, as a user's own files would be.
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=Test Own CA')
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/CN=127.0.0.1')
    await writeFile(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
    openssl('x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('leaf.pem'), '-days', '2', '-extfile', f('ext.cnf'))
    const caPem = await readFile(f('ca.pem'), 'utf8')
    const leafPem = await readFile(f('leaf.pem'), 'utf8')
    const key = await readFile(f('leaf.key'), 'utf8')

    const local = await startLocal(t, { tls: { cert: leafPem + caPem, key }, accounts: ACCOUNTS })
    assert.match(local.url, /^https:\/\//)
    assert.equal(local.caCertificate.trim(), caPem.trim())
    const answer = await tokenOverHttps(local, caPem)
    assert.equal(answer.status, 200)
    ownCert = { chain: leafPem + caPem, key }

    // A lone certificate is its own caCertificate.
    const alone = await startLocal(t, { tls: { cert: leafPem, key } })
    assert.equal(alone.caCertificate.trim(), leafPem.trim())

    // A key that does not match the certificate is refused at start, without quoting it.
    const e = await sk.LocalScalekit.start({ tls: { cert: leafPem, key: await readFile(f('ca.key'), 'utf8') } }).then(
      () => assert.fail('started with a mismatched key'),
      (err) => err,
    )
    assert.match(e.message, /cannot set up HTTPS/)
    assert.doesNotMatch(e.message, /PRIVATE KEY/)
  })

  test('local.client() trusts a given chain by itself', async (t) => {
    assert.ok(ownCert, 'the certificate of the previous test')
    const local = await startLocal(t, { tls: { cert: ownCert.chain, key: ownCert.key }, accounts: ACCOUNTS })
    const res = await local.client().actions.request({ connectionName: CONNECTION, identifier: USER, path: '/own' })
    assert.equal(res.status, 200)
    assert.equal(res.data.path, '/own')
  })
})

describe('scalekit-local --tls', () => {
  const BIN = path.join(ROOT, 'bin', 'scalekit-local.js')

  /** Runs the command until it prompts; returns its exports and a stop function. */
  async function run(t, args) {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: envWithoutScalekit(), stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
    let done = false
    exited.then(() => (done = true))
    t.after(async () => {
      if (!done) {
        child.kill('SIGKILL')
        await exited
      }
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (d) => (stderr += d))
    const env = await new Promise((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d
        if (!/^Press Ctrl-C to stop\.$/m.test(stdout)) return
        const found = {}
        for (const m of stdout.matchAll(/^export ([A-Z_]+)=(.*)$/gm)) found[m[1]] = m[2]
        resolve(found)
      })
      exited.then(({ code, signal }) => reject(new Error(`exited (${code ?? signal}) before prompting\n${stdout}\n${stderr}`)))
    })
    const stop = async () => {
      child.kill('SIGINT')
      return exited
    }
    return { env, stop, stdout: () => stdout }
  }

  test('prints NODE_EXTRA_CA_CERTS=<file> whose certificate the served one chains to; removes the file on exit', async (t) => {
    const { env, stop } = await run(t, ['--tls'])
    assert.match(env.SCALEKIT_ENV_URL, /^https:\/\/127\.0\.0\.1:\d+$/)
    assert.ok(env.NODE_EXTRA_CA_CERTS, 'no NODE_EXTRA_CA_CERTS line')
    // The official Python SDK's two variables name the same file.
    assert.equal(env.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, env.NODE_EXTRA_CA_CERTS)
    assert.equal(env.REQUESTS_CA_BUNDLE, env.NODE_EXTRA_CA_CERTS)
    const pem = await readFile(env.NODE_EXTRA_CA_CERTS, 'utf8')
    assert.match(pem, PEM)
    const local = { url: env.SCALEKIT_ENV_URL, clientId: env.SCALEKIT_CLIENT_ID, clientSecret: env.SCALEKIT_CLIENT_SECRET }
    const answer = await tokenOverHttps(local, pem)
    assert.equal(answer.status, 200)
    // Exactly as a user would: a client run with the printed variables exported.
    const child = await runNode(
      ['-e', `fetch(process.env.SCALEKIT_ENV_URL + '/oauth/token', { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: process.env.SCALEKIT_CLIENT_ID, client_secret: process.env.SCALEKIT_CLIENT_SECRET }) }).then((r) => console.log(r.status), (e) => console.log(String(e.cause?.code ?? e)))`],
      { env: { ...envWithoutScalekit(), ...env } },
    )
    assert.equal(child.stdout.trim(), '200', child.stderr)
    const { code } = await stop()
    assert.equal(code, 0)
    await assert.rejects(access(env.NODE_EXTRA_CA_CERTS), 'the temporary CA file is removed on exit')
  })

  test('--ca-file writes the certificate there and keeps it', async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'local-tls-cli-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'ca.pem')
    const { env, stop } = await run(t, ['--tls', '--ca-file', file])
    assert.equal(env.NODE_EXTRA_CA_CERTS, file)
    assert.match(await readFile(file, 'utf8'), PEM)
    assert.equal((await stop()).code, 0)
    await access(file)
  })

  test('--ca-file without --tls is a usage error', async () => {
    const out = await runNode([BIN, '--ca-file', 'x.pem'], { env: envWithoutScalekit() })
    assert.equal(out.code, 2)
    assert.match(out.stderr, /--ca-file needs --tls/)
  })
})
