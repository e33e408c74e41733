// The standalone `scalekit-local` executable (issue 19), run as a Python or shell user runs it,
// without Node in between: it prints the variables to export, serves what they point at, stops
// cleanly on SIGINT and SIGTERM, and with `--tls` names its CA file for every kind of client. It
// and `npx scalekit-local` are one implementation: the same arguments give the same output.
// file-timeout-ms: 900000
import { test, describe, before } from 'node:test'
import assert from 'node:assert/strict'
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import sk from '../index.js'
import { ROOT, runCommand, envWithoutScalekit, closedPort, outputOf } from './helpers.mjs'
import { startCommand, assertServesTokens, assertPortClosed, buildStandalone } from './support/commands.mjs'

const BIN = path.join(ROOT, 'bin', 'scalekit-local.js')
const PEM = /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n?$/

describe('the standalone scalekit-local executable', () => {
  let exe
  // A debug build over what `cargo test` compiled: seconds, but minutes on a cold target directory.
  before(async () => {
    exe = await buildStandalone()
  }, { timeout: 600_000 })

  test('--port 0: prints the exports, serves /oauth/token, exits 0 on SIGINT and closes its port', async (t) => {
    const cmd = startCommand(t, exe, ['--port', '0'])
    const env = await cmd.ready
    await assertServesTokens(env)
    const client = new sk.ScalekitClient(env.SCALEKIT_ENV_URL, env.SCALEKIT_CLIENT_ID, env.SCALEKIT_CLIENT_SECRET)
    const { link } = await client.actions.getAuthorizationLink({ connectionName: 'gmail', identifier: 'exe-user' })
    assert.ok(link.startsWith(env.SCALEKIT_ENV_URL), link)
    const { code, signal } = await cmd.interrupt()
    assert.equal(signal, null, cmd.describe())
    assert.equal(code, 0, cmd.describe())
    assert.match(cmd.out.stdout, /^LocalScalekit stopped \(SIGINT\)\.$/m, cmd.describe())
    assert.equal(cmd.out.stderr, '', cmd.describe())
    await assertPortClosed(env.SCALEKIT_ENV_URL)
  })

  test('--port N --client-id --client-secret; SIGTERM stops it with exit 0', async (t) => {
    const port = await closedPort()
    const cmd = startCommand(t, exe, [`--port=${port}`, '--client-id', 'skc_exe', '--client-secret', 'exe secret'])
    const env = await cmd.ready
    assert.equal(env.SCALEKIT_ENV_URL, `http://127.0.0.1:${port}`)
    assert.equal(env.SCALEKIT_CLIENT_ID, 'skc_exe')
    // A value with a space is printed as one shell word.
    assert.match(cmd.out.stdout, /^export SCALEKIT_CLIENT_SECRET='exe secret'$/m)
    await assertServesTokens(env)
    cmd.child.kill('SIGTERM')
    const { code } = await cmd.exited
    assert.equal(code, 0, cmd.describe())
    assert.match(cmd.out.stdout, /^LocalScalekit stopped \(SIGTERM\)\.$/m, cmd.describe())
    await assertPortClosed(env.SCALEKIT_ENV_URL)
  })

  test('--tls: one CA file named for Node, Python, gRPC and OpenSSL clients; a Node client trusts it; removed on exit', async (t) => {
    const cmd = startCommand(t, exe, ['--tls'])
    const env = await cmd.ready
    assert.match(env.SCALEKIT_ENV_URL, /^https:\/\/127\.0\.0\.1:\d+$/)
    const file = env.NODE_EXTRA_CA_CERTS
    assert.ok(file, cmd.describe())
    for (const name of ['REQUESTS_CA_BUNDLE', 'GRPC_DEFAULT_SSL_ROOTS_FILE_PATH', 'SSL_CERT_FILE']) {
      assert.equal(env[name], file, `${name}\n${cmd.describe()}`)
    }
    const pem = await readFile(file, 'utf8')
    assert.match(pem, PEM)
    // A separate Node process with the printed variables exported, as a user's app would run.
    const child = await runCommand(
      process.execPath,
      ['-e', `fetch(process.env.SCALEKIT_ENV_URL + '/oauth/token', { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: process.env.SCALEKIT_CLIENT_ID, client_secret: process.env.SCALEKIT_CLIENT_SECRET }) }).then((r) => console.log(r.status), (e) => console.log(String(e.cause?.code ?? e)))`],
      { t, env: { ...envWithoutScalekit(), ...env }, timeoutMs: 30_000 },
    )
    assert.equal(child.stdout.trim(), '200', outputOf(child))
    const { code } = await cmd.interrupt()
    assert.equal(code, 0, cmd.describe())
    await assert.rejects(access(file), 'the temporary CA file is removed on exit')
  })

  test('--tls --ca-file FILE writes the certificate there and keeps it', async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'skn-exe-ca-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'ca.pem')
    const cmd = startCommand(t, exe, ['--tls', '--ca-file', file])
    const env = await cmd.ready
    assert.equal(env.SSL_CERT_FILE, file)
    assert.match(await readFile(file, 'utf8'), PEM)
    assert.equal((await cmd.interrupt()).code, 0, cmd.describe())
    await access(file)
  })

  describe('the same command line as npx scalekit-local', () => {
    const missing = path.join(os.tmpdir(), 'skn-no-such-config.json')
    const cases = [
      ['--help'],
      ['--version'],
      ['--bogus'],
      ['--port', 'abc'],
      ['--port', '70000'],
      ['--port'],
      ['--config'],
      ['--ca-file', 'x.pem'],
      ['--config', missing],
    ]
    for (const args of cases) {
      test(JSON.stringify(args), async (t) => {
        const run = (file, argv) => runCommand(file, argv, { t, env: envWithoutScalekit(), stdin: 'ignore', timeoutMs: 30_000 })
        const [standalone, node] = await Promise.all([run(exe, args), run(process.execPath, [BIN, ...args])])
        assert.equal(standalone.timedOut, false, outputOf(standalone))
        const seen = (r) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr })
        assert.deepEqual(seen(node), seen(standalone))
        if (args[0] === '--help') {
          assert.equal(standalone.code, 0)
          assert.match(standalone.stdout, /^Usage: scalekit-local \[--port N\]/m)
        } else if (args[0] !== '--version') {
          assert.notEqual(standalone.code, 0)
          assert.match(standalone.stderr, /^scalekit-local: /)
          assert.doesNotMatch(standalone.stdout, /SCALEKIT_ENV_URL/)
        }
      })
    }
  })

  test('--config FILE: its options, with the flags given over them', async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'skn-exe-config-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'local.json')
    await writeFile(file, JSON.stringify({ clientId: 'skc_file', clientSecret: 'from-file', connections: [{ name: 'crm', authType: 'BEARER' }] }))
    const cmd = startCommand(t, exe, ['--config', file, '--client-secret', 'from-flag'])
    const env = await cmd.ready
    assert.equal(env.SCALEKIT_CLIENT_ID, 'skc_file')
    assert.equal(env.SCALEKIT_CLIENT_SECRET, 'from-flag')
    const { connections } = await new sk.ScalekitClient(env.SCALEKIT_ENV_URL, 'skc_file', 'from-flag').actions.listConnections()
    assert.deepEqual(connections.map((c) => c.connectionName), ['crm'])
    assert.equal((await cmd.interrupt()).code, 0, cmd.describe())
  })
})
