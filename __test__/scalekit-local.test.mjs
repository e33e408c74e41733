// The `scalekit-local` command (issue 4): run directly (`node bin/scalekit-local.js`) and as users
// run it (`npx scalekit-local`, from an app that installed this package). It must print the three
// SCALEKIT_* variables, serve the token endpoint to curl, honour `--port` and `--config`, refuse bad
// arguments with exit code 2 and the usage, and stop cleanly on SIGINT (Ctrl-C).
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtemp, writeFile, rm, access } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import sk from '../index.js'
import { ROOT, runNode, envWithoutScalekit, closedPort, outputOf } from './helpers.mjs'
import { startCommand, tokenRequest, assertServesTokens, assertPortClosed } from './support/commands.mjs'

const BIN = path.join(ROOT, 'bin', 'scalekit-local.js')

describe('node bin/scalekit-local.js', () => {
  test('--port 0: prints the SCALEKIT_* exports, serves /oauth/token to curl, exits 0 on SIGINT', async (t) => {
    const cmd = startCommand(t, process.execPath, [BIN, '--port', '0'])
    const env = await cmd.ready
    await assertServesTokens(env)
    // The printed variables are all a client needs.
    const local = new sk.ScalekitClient(env.SCALEKIT_ENV_URL, env.SCALEKIT_CLIENT_ID, env.SCALEKIT_CLIENT_SECRET)
    const res = await local.actions.request({ connectionName: 'any', identifier: 'cli-user', path: '/x' }).catch((e) => e)
    assert.ok(res instanceof sk.ScalekitNotFoundException, `an authenticated call reached the emulator: ${res}`)

    const { code, signal } = await cmd.interrupt()
    assert.equal(signal, null, cmd.describe())
    assert.equal(code, 0, cmd.describe())
    assert.match(cmd.out.stdout, /LocalScalekit stopped \(SIGINT\)\./, cmd.describe())
    assert.equal(cmd.out.stderr, '', cmd.describe())
    await assertPortClosed(env.SCALEKIT_ENV_URL)
  })

  test('--port N listens on that port; SIGTERM also stops it with exit 0', async (t) => {
    const port = await closedPort()
    const cmd = startCommand(t, process.execPath, [BIN, `--port=${port}`])
    const env = await cmd.ready
    assert.equal(env.SCALEKIT_ENV_URL, `http://127.0.0.1:${port}`)
    await assertServesTokens(env)
    cmd.child.kill('SIGTERM')
    const { code } = await cmd.exited
    assert.equal(code, 0, cmd.describe())
    assert.match(cmd.out.stdout, /LocalScalekit stopped \(SIGTERM\)\./)
  })

  test('--config file.json: its clientId/clientSecret, connections and seeded accounts', async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'skn-cli-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'scalekit-local.json')
    await writeFile(
      file,
      JSON.stringify({
        clientId: 'skc_from_config',
        clientSecret: 'secret-from-config',
        connections: [
          { name: 'my-crm', authType: 'API_KEY', apiKey: { header: 'X-API-Key' } },
          { name: 'wiki', authType: 'BASIC' },
        ],
        accounts: [
          { connectionName: 'my-crm', identifier: 'user_1', authorizationDetails: { static_auth: { details: { api_key: 'k-123' } } } },
        ],
      }),
    )
    const cmd = startCommand(t, process.execPath, [BIN, '--port', '0', '--config', file])
    const env = await cmd.ready
    assert.equal(env.SCALEKIT_CLIENT_ID, 'skc_from_config')
    assert.equal(env.SCALEKIT_CLIENT_SECRET, 'secret-from-config')
    const ok = await tokenRequest(env.SCALEKIT_ENV_URL, 'skc_from_config', 'secret-from-config')
    assert.equal(ok.status, 200, JSON.stringify(ok.body))
    assert.ok(ok.body.access_token)

    const { actions } = new sk.ScalekitClient(env.SCALEKIT_ENV_URL, 'skc_from_config', 'secret-from-config')
    const { connections } = await actions.listConnections()
    assert.deepEqual(connections.map((c) => [c.connectionName, c.type]).sort(), [['my-crm', 'API_KEY'], ['wiki', 'BASIC']])
    const { connectedAccount } = await actions.getConnectedAccount({ connectionName: 'my-crm', identifier: 'user_1' })
    assert.equal(connectedAccount.status, sk.ConnectorStatus.ACTIVE)
    assert.deepEqual(connectedAccount.authorizationDetails.details.value.details, { api_key: 'k-123' })
    // With connections configured, an unknown connection is refused.
    const e = await actions.createConnectedAccount({ connectionName: 'not-configured', identifier: 'u' }).catch((err) => err)
    assert.ok(e instanceof sk.ScalekitBadRequestException, `got ${e}`)

    const { code } = await cmd.interrupt()
    assert.equal(code, 0, cmd.describe())
  })

  for (const args of [['--port', 'abc'], ['--port', '70000'], ['--bogus'], ['--config'], ['--port']]) {
    test(`bad arguments ${JSON.stringify(args)} → exit 2 with the usage`, async () => {
      const r = await runNode([BIN, ...args], { env: envWithoutScalekit(), stdin: 'ignore', timeoutMs: 15_000 })
      const output = outputOf(r)
      assert.equal(r.timedOut, false, output)
      assert.equal(r.code, 2, output)
      assert.match(r.stderr, /^scalekit-local: /, output)
      assert.match(r.stderr, /Usage: scalekit-local \[--port N\]/, output)
      assert.doesNotMatch(r.stdout, /SCALEKIT_ENV_URL/, output)
    })
  }

  test('--config naming a missing file → non-zero exit with the reason, nothing started', async () => {
    const r = await runNode([BIN, '--config', path.join(os.tmpdir(), 'skn-no-such-config.json')], { env: envWithoutScalekit(), stdin: 'ignore', timeoutMs: 15_000 })
    assert.equal(r.timedOut, false)
    assert.notEqual(r.code, 0)
    assert.match(r.stderr, /skn-no-such-config\.json/)
    assert.doesNotMatch(r.stdout, /SCALEKIT_ENV_URL/)
  })

  test('--help prints the usage and exits 0', async () => {
    const r = await runNode([BIN, '--help'], { env: envWithoutScalekit(), stdin: 'ignore', timeoutMs: 15_000 })
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /Usage: scalekit-local/)
  })
})

describe('npx scalekit-local, from an app that installed the package', () => {
  let app
  let installLog = ''

  before(async () => {
    app = await mkdtemp(path.join(os.tmpdir(), 'skn-app-'))
    await writeFile(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'app', private: true, dependencies: { 'scalekit-native': `file:${ROOT}` } }),
    )
    const install = (extra) =>
      spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', ...extra], {
        cwd: app,
        env: envWithoutScalekit({ npm_config_update_notifier: 'false' }),
        encoding: 'utf8',
        timeout: 60_000,
      })
    let r = install(['--offline'])
    installLog = `--- npm install --offline (${r.status})\n${r.stdout}\n${r.stderr}`
    if (r.status !== 0) {
      r = install([])
      installLog += `\n--- npm install (${r.status})\n${r.stdout}\n${r.stderr}`
    }
    assert.equal(r.status, 0, installLog)
  }, { timeout: 150_000 }) // up to two npm installs of 60 s each

  after(() => app && rm(app, { recursive: true, force: true }))

  test('npm linked the package and its bin', async () => {
    await access(path.join(app, 'node_modules', '.bin', 'scalekit-local'))
    await access(path.join(app, 'node_modules', 'scalekit-native', 'package.json'))
  })

  test('npx --no-install scalekit-local --port 0: prints the exports, serves /oauth/token to curl, stops on Ctrl-C', async (t) => {
    // As a terminal's Ctrl-C: SIGINT to the whole foreground process group (npm, its shell, node).
    const cmd = startCommand(t, 'npx', ['--no-install', 'scalekit-local', '--port', '0'], { cwd: app, group: true })
    const env = await cmd.ready
    await assertServesTokens(env)

    const { code, signal } = await cmd.interrupt()
    assert.match(cmd.out.stdout, /LocalScalekit stopped \(SIGINT\)\./, `scalekit-local itself stopped cleanly\n${cmd.describe()}`)
    assert.doesNotMatch(cmd.out.stderr, /scalekit-local:|Error/, cmd.describe())
    // scalekit-local exits 0; npm then reports what happened to its `sh -c` wrapper, which the same
    // Ctrl-C interrupts (npm re-raises SIGINT on itself, so a shell shows 130): either is clean.
    assert.ok(code === 0 || signal === 'SIGINT', `npx ended with ${code ?? signal}\n${cmd.describe()}`)
    // No process of the group (npm, sh, node) is left.
    assert.throws(() => process.kill(-cmd.child.pid, 0), { code: 'ESRCH' })
    await assertPortClosed(env.SCALEKIT_ENV_URL)
  })

  test('npx scalekit-local --config file.json (relative to the app directory)', async (t) => {
    await writeFile(
      path.join(app, 'local.json'),
      JSON.stringify({ clientId: 'skc_npx', clientSecret: 'npx-secret', connections: [{ name: 'ci', authType: 'BEARER' }] }),
    )
    const cmd = startCommand(t, 'npx', ['--no-install', 'scalekit-local', '--port', '0', '--config', 'local.json'], { cwd: app, group: true })
    const env = await cmd.ready
    assert.equal(env.SCALEKIT_CLIENT_ID, 'skc_npx')
    const ok = await tokenRequest(env.SCALEKIT_ENV_URL, 'skc_npx', 'npx-secret')
    assert.equal(ok.status, 200, JSON.stringify(ok.body))
    await cmd.interrupt()
    assert.match(cmd.out.stdout, /LocalScalekit stopped \(SIGINT\)\./, cmd.describe())
    await assertPortClosed(env.SCALEKIT_ENV_URL)
  })

  test('npx scalekit-local with a bad argument exits 2 with the usage', async () => {
    const r = spawnSync('npx', ['--no-install', 'scalekit-local', '--nope'], {
      cwd: app,
      env: envWithoutScalekit({ npm_config_update_notifier: 'false' }),
      encoding: 'utf8',
      timeout: 30_000,
    })
    assert.equal(r.status, 2, `${r.stdout}\n${r.stderr}`)
    assert.match(r.stderr, /unexpected argument '--nope'/)
    assert.match(r.stderr, /Usage: scalekit-local/)
  })
})
