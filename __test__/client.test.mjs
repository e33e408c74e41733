// ScalekitClient: constructor validation, envUrl forms, fromEnv (environment and .env), and the
// two module entries (ESM import, CommonJS require) exposing the same classes.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { mkdtemp, writeFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import sk from '../index.js'
import * as esm from '../index.mjs'
import { startLocal, startServer, sendJson, rejection, runNode, INDEX_JS } from './helpers.mjs'

const { ScalekitClient, ScalekitValidationException, ScalekitException } = sk

function constructorError(fn) {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected the constructor to throw')
}

describe('new ScalekitClient(envUrl, clientId, clientSecret, options)', () => {
  for (const envUrl of ['', '   ', 'not a url', 'ftp://x', 'ftp://example.com/', '/relative/path', 'relative', 'example.com', 'http://', undefined, null]) {
    test(`rejects envUrl ${JSON.stringify(envUrl)}`, () => {
      const e = constructorError(() => new ScalekitClient(envUrl, 'skc_1', 'secret'))
      assert.ok(e instanceof ScalekitValidationException, `got ${e && e.constructor && e.constructor.name}: ${e && e.message}`)
      assert.ok(e instanceof ScalekitException)
      assert.ok(e instanceof Error)
      assert.equal(e.argument, 'envUrl')
      assert.match(e.message, /envUrl/)
    })
  }

  test('rejects a non-string envUrl', () => {
    const e = constructorError(() => new ScalekitClient(42, 'skc_1', 'secret'))
    assert.ok(e instanceof ScalekitValidationException)
    assert.equal(e.argument, 'envUrl')
  })

  for (const [name, args] of [
    ['clientId', ['https://acme.scalekit.dev', undefined, 'secret']],
    ['clientId', ['https://acme.scalekit.dev', '', 'secret']],
    ['clientId', ['https://acme.scalekit.dev', '  ', 'secret']],
    ['clientSecret', ['https://acme.scalekit.dev', 'skc_1', undefined]],
    ['clientSecret', ['https://acme.scalekit.dev', 'skc_1', '']],
    ['clientSecret', ['https://acme.scalekit.dev', 'skc_1', ' \t']],
  ]) {
    test(`rejects a missing ${name} (${JSON.stringify(args[name === 'clientId' ? 1 : 2])})`, () => {
      const e = constructorError(() => new ScalekitClient(...args))
      assert.ok(e instanceof ScalekitValidationException, `got ${e && e.message}`)
      assert.equal(e.argument, name)
      assert.match(e.message, new RegExp(name))
    })
  }

  for (const option of ['timeoutMs', 'toolTimeoutMs']) {
    for (const value of [0, -1, NaN, Infinity, -Infinity, '100']) {
      test(`rejects ${option}: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`, () => {
        const e = constructorError(() => new ScalekitClient('https://acme.scalekit.dev', 'skc_1', 'secret', { [option]: value }))
        assert.ok(e instanceof ScalekitValidationException, `got ${e && e.message}`)
        assert.equal(e.argument, option)
        assert.equal(e.message, `${option} must be a positive finite number of milliseconds, got ${String(value)}`)
      })
    }
  }

  for (const value of [-1, 1.5, 11, NaN, Infinity, '2']) {
    test(`rejects maxRetries: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`, () => {
      const e = constructorError(() => new ScalekitClient('https://acme.scalekit.dev', 'skc_1', 'secret', { maxRetries: value }))
      assert.ok(e instanceof ScalekitValidationException, `got ${e && e.message}`)
      assert.equal(e.argument, 'maxRetries')
      assert.match(e.message, /maxRetries/)
    })
  }

  test('valid options take effect: maxRetries, toolTimeoutMs (proxy calls), timeoutMs (control plane)', async (t) => {
    // A fake Scalekit: a token; 503 for /proxy/busy; no answer at all for anything else.
    const fake = await startServer(t, (req, res) => {
      if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: 't', expires_in: 3600 })
      if (req.url === '/proxy/busy') return sendJson(res, 503, { busy: true })
    })
    const c = new ScalekitClient(fake.url, 'skc_1', 'secret', { timeoutMs: 300, toolTimeoutMs: 400, maxRetries: 0 })
    assert.equal(c.envUrl, fake.url)
    assert.equal(c.clientId, 'skc_1')
    assert.equal(c.actions, c.actions, 'actions is a stable property')
    const account = { connectionName: 'conn', identifier: 'user' }
    // maxRetries 0: a GET answered 503 is sent once (by default it would be retried twice).
    const busy = await rejection(c.actions.request({ ...account, path: '/busy' }))
    assert.equal(busy.constructor, sk.ScalekitServiceUnavailableException, String(busy))
    assert.equal(fake.requests.filter((r) => r.url === '/proxy/busy').length, 1)
    // toolTimeoutMs is a proxy call's deadline, timeoutMs a control-plane call's.
    const proxyTimeout = await rejection(c.actions.request({ ...account, path: '/hang' }))
    assert.equal(proxyTimeout.constructor, sk.ScalekitGatewayTimeoutException, String(proxyTimeout))
    assert.equal(proxyTimeout.message, '[deadline_exceeded] timeout of 400ms exceeded')
    const apiTimeout = await rejection(c.actions.getAuthorizationLink(account))
    assert.equal(apiTimeout.constructor, sk.ScalekitGatewayTimeoutException, String(apiTimeout))
    assert.equal(apiTimeout.message, '[deadline_exceeded] timeout of 300ms exceeded')
    assert.equal(fake.requests.filter((r) => r.url === '/oauth/token').length, 1)
  })

  test('a trailing slash in envUrl is fine: requests still go to {envUrl}/proxy/...', async (t) => {
    const local = await startLocal(t)
    const client = new ScalekitClient(local.url + '/', local.clientId, local.clientSecret)
    const { link } = await client.actions.getAuthorizationLink({ connectionName: 'conn', identifier: 'user' })
    await fetch(link)
    const res = await client.actions.request({ connectionName: 'conn', identifier: 'user', path: '/v1/customers' })
    assert.equal(res.status, 200)
    assert.equal(res.data.path, '/v1/customers')
    assert.equal(local.stats().token, 1)
    assert.equal(local.stats().proxy, 1)
  })
})

// fromEnv runs in a child process with a clean environment and a temporary cwd, so neither the
// test process's environment nor its working directory is involved.
const CHILD = `
import sk from ${JSON.stringify(INDEX_JS)}
let out
try {
  const client = sk.ScalekitClient.fromEnv()
  const res = await client.actions.request({ connectionName: 'conn', identifier: 'user', path: '/from-env' })
  out = { ok: true, envUrl: client.envUrl, clientId: client.clientId, status: res.status, path: res.data.path }
} catch (e) {
  out = { ok: false, name: e.constructor.name, argument: e.argument, message: e.message,
          validation: e instanceof sk.ScalekitValidationException }
}
console.log(JSON.stringify(out))
`

describe('ScalekitClient.fromEnv()', () => {
  let dir
  let local

  async function run(t, env, dotenv) {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'skn-fromenv-'))
    t.after(() => rm(cwd, { recursive: true, force: true }))
    await writeFile(path.join(cwd, 'child.mjs'), CHILD)
    if (dotenv !== undefined) await writeFile(path.join(cwd, '.env'), dotenv)
    const cleanEnv = { PATH: process.env.PATH, ...env }
    const r = await runNode(['child.mjs'], { cwd, env: cleanEnv, input: '', timeoutMs: 30_000 })
    assert.equal(r.timedOut, false, 'child did not finish')
    assert.equal(r.code, 0, r.stderr)
    return JSON.parse(r.stdout.trim().split('\n').pop())
  }

  async function seeded(t) {
    return startLocal(t, {
      accounts: [{ connectionName: 'conn', identifier: 'user', authorizationDetails: { oauth_token: { access_token: 'x' } } }],
    })
  }

  test('reads SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID, SCALEKIT_CLIENT_SECRET from the environment', async (t) => {
    local = await seeded(t)
    const out = await run(t, local.env())
    assert.deepEqual(out, { ok: true, envUrl: local.url, clientId: local.clientId, status: 200, path: '/from-env' })
    assert.equal(local.stats().token, 1)
  })

  test('falls back to SCALEKIT_ENVIRONMENT_URL', async (t) => {
    local = await seeded(t)
    const out = await run(t, {
      SCALEKIT_ENVIRONMENT_URL: local.url,
      SCALEKIT_CLIENT_ID: local.clientId,
      SCALEKIT_CLIENT_SECRET: local.clientSecret,
    })
    assert.equal(out.ok, true, out.message)
    assert.equal(out.envUrl, local.url)
    assert.equal(out.status, 200)
  })

  test('SCALEKIT_ENV_URL wins over SCALEKIT_ENVIRONMENT_URL', async (t) => {
    local = await seeded(t)
    const out = await run(t, { ...local.env(), SCALEKIT_ENVIRONMENT_URL: 'http://127.0.0.1:1' })
    assert.equal(out.ok, true, out.message)
    assert.equal(out.envUrl, local.url)
  })

  test('reads .env in the working directory', async (t) => {
    local = await seeded(t)
    const dotenv = `# test\nSCALEKIT_ENV_URL=${local.url}\nSCALEKIT_CLIENT_ID="${local.clientId}"\nSCALEKIT_CLIENT_SECRET=${local.clientSecret}\n`
    const out = await run(t, {}, dotenv)
    assert.deepEqual(out, { ok: true, envUrl: local.url, clientId: local.clientId, status: 200, path: '/from-env' })
  })

  test('.env with SCALEKIT_ENVIRONMENT_URL', async (t) => {
    local = await seeded(t)
    const dotenv = `SCALEKIT_ENVIRONMENT_URL=${local.url}\nSCALEKIT_CLIENT_ID=${local.clientId}\nSCALEKIT_CLIENT_SECRET=${local.clientSecret}\n`
    const out = await run(t, {}, dotenv)
    assert.equal(out.ok, true, out.message)
    assert.equal(out.status, 200)
  })

  test('the environment wins over .env; .env fills in what the environment lacks', async (t) => {
    local = await seeded(t)
    const dotenv = `SCALEKIT_ENV_URL=http://127.0.0.1:1\nSCALEKIT_CLIENT_ID=wrong\nSCALEKIT_CLIENT_SECRET=${local.clientSecret}\n`
    const out = await run(t, { SCALEKIT_ENV_URL: local.url, SCALEKIT_CLIENT_ID: local.clientId }, dotenv)
    assert.equal(out.ok, true, out.message)
    assert.equal(out.envUrl, local.url)
    assert.equal(out.clientId, local.clientId)
  })

  for (const missing of ['SCALEKIT_ENV_URL', 'SCALEKIT_CLIENT_ID', 'SCALEKIT_CLIENT_SECRET']) {
    test(`a missing ${missing} is an error naming it`, async (t) => {
      const env = { SCALEKIT_ENV_URL: 'https://acme.scalekit.dev', SCALEKIT_CLIENT_ID: 'skc_1', SCALEKIT_CLIENT_SECRET: 'secret-value' }
      delete env[missing]
      const out = await run(t, env)
      assert.equal(out.ok, false)
      assert.equal(out.validation, true, `got ${out.name}`)
      assert.equal(out.argument, missing)
      assert.match(out.message, new RegExp(missing))
      assert.doesNotMatch(out.message, /secret-value/)
    })
  }

  test('a bad envUrl from the environment is an envUrl error', async (t) => {
    const out = await run(t, { SCALEKIT_ENV_URL: 'ftp://nope', SCALEKIT_CLIENT_ID: 'skc_1', SCALEKIT_CLIENT_SECRET: 's' })
    assert.equal(out.ok, false)
    assert.equal(out.validation, true)
    assert.equal(out.argument, 'envUrl')
  })
})

describe('module entries', () => {
  const require = createRequire(import.meta.url)
  const cjs = require('../index.js')

  test('import (index.mjs) and require (index.js) give the same classes', () => {
    const names = Object.keys(cjs)
    for (const required of [
      'ScalekitClient', 'LocalScalekit', 'ScalekitException', 'ScalekitServerException',
      'ScalekitValidationException', 'ScalekitNetworkException', 'ScalekitBadRequestException',
      'ScalekitUnauthorizedException', 'ScalekitForbiddenException', 'ScalekitNotFoundException',
      'ScalekitConflictException', 'ScalekitTooManyRequestsException', 'ScalekitInternalServerException',
      'ScalekitServiceUnavailableException', 'ScalekitGatewayTimeoutException',
    ]) {
      assert.ok(names.includes(required), `require() lacks ${required}`)
      assert.equal(typeof cjs[required], 'function')
    }
    for (const name of names) {
      // `default`: ESM's is the CommonJS exports, whose `default` is the client class (as the official SDK's).
      if (name !== 'default') assert.equal(esm[name], cjs[name], `${name} differs between import and require`)
    }
    assert.equal(cjs.default, cjs.ScalekitClient)
    assert.equal(esm.default, cjs)
    assert.equal(sk, cjs)
  })

  test('an error from one entry is instanceof the classes of the other', () => {
    const e = constructorError(() => new esm.ScalekitClient('', 'a', 'b'))
    assert.ok(e instanceof cjs.ScalekitValidationException)
    assert.ok(e instanceof cjs.ScalekitException)
  })
})
