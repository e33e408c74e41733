// The retry budget (docs/architecture.md, "Retry budget"): under a full outage retries stop
// once the client's budget is spent, successes refill it, and the option is checked.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import sk from '../index.js'
import { startServer, sendJson, rejection, runNode, outputOf, envWithoutScalekit, ROOT } from './helpers.mjs'

const { ScalekitClient, ScalekitServiceUnavailableException, ScalekitValidationException } = sk

/** A fake Scalekit whose proxy answers 503 (retry at once) while `state.down`; tokens always work. */
async function outage(t) {
  const state = { down: true }
  const server = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: 't', expires_in: 3600 })
    if (state.down) return sendJson(res, 503, { code: 14, message: 'down' }, { 'retry-after': '0' })
    return sendJson(res, 200, { ok: true })
  })
  const attempts = () => server.requests.filter((r) => r.url.startsWith('/proxy/')).length
  return { ...server, state, attempts }
}

const call = { connectionName: 'gmail', identifier: 'u', path: '/v1/items' }

test('an outage makes at most about 500 attempts for 400 GETs; after recovery retries come back', async (t) => {
  const fake = await outage(t)
  // Default options: maxRetries 2 (1200 attempts without a budget), retryBudget 500.
  const client = new ScalekitClient(fake.url, 'skc_1', 'secret')
  const failures = await Promise.all(Array.from({ length: 400 }, () => rejection(client.actions.request(call))))
  assert.ok(failures.every((e) => e instanceof ScalekitServiceUnavailableException))
  // 400 first attempts and 500 / 5 = 100 retries.
  assert.equal(fake.attempts(), 500)

  // Still spent: a failure now comes back after one attempt.
  let before = fake.attempts()
  await rejection(client.actions.request(call))
  assert.equal(fake.attempts() - before, 1)

  // Recovery: each success puts one token back; ten of them pay for two retries.
  fake.state.down = false
  for (let i = 0; i < 10; i++) assert.equal((await client.actions.request(call)).status, 200)
  fake.state.down = true
  before = fake.attempts()
  await rejection(client.actions.request(call))
  assert.equal(fake.attempts() - before, 3, 'the failure is retried again')
})

test('retryBudget: false retries every call as before; 0 never retries', async (t) => {
  const fake = await outage(t)
  const unlimited = new ScalekitClient(fake.url, 'skc_1', 'secret', { retryBudget: false })
  await Promise.all(Array.from({ length: 200 }, () => rejection(unlimited.actions.request(call))))
  assert.equal(fake.attempts(), 600)
  const never = new ScalekitClient(fake.url, 'skc_1', 'secret', { retryBudget: 0 })
  await rejection(never.actions.request(call))
  assert.equal(fake.attempts(), 601)
})

test('retryBudget is checked when the client is made', () => {
  for (const [value, got] of [[-1, '-1'], [1.5, '1.5'], [2e6, '2000000'], ['500', '500'], [null, undefined]]) {
    if (value === null) {
      assert.doesNotThrow(() => new ScalekitClient('https://h', 'skc_1', 'secret', { retryBudget: value }))
      continue
    }
    assert.throws(() => new ScalekitClient('https://h', 'skc_1', 'secret', { retryBudget: value }), (e) => {
      assert.ok(e instanceof ScalekitValidationException)
      assert.equal(e.argument, 'retryBudget')
      assert.equal(e.message, `retryBudget must be false or a whole number of tokens from 0 to 1000000, got ${got}`)
      return true
    })
  }
})

// README, "Retry budget", verbatim.
// Verbatim in README.md (its readme.test checks that the block stands here, line for line).
const README_SAMPLE = `
import { ScalekitClient } from 'scalekit-native'

// A bigger budget for a client that makes many calls in parallel; 0 never retries.
const busy = ScalekitClient.fromEnv({ retryBudget: 2000 })
// No budget at all: every call retries up to maxRetries whatever happens (the behaviour before the budget).
const unbounded = ScalekitClient.fromEnv({ retryBudget: false })
`

test("the README's retryBudget sample runs", async () => {
  const env = envWithoutScalekit({ SCALEKIT_ENV_URL: 'https://acme.scalekit.dev', SCALEKIT_CLIENT_ID: 'skc_1', SCALEKIT_CLIENT_SECRET: 'secret' })
  const r = await runNode(['--input-type=module', '-e', README_SAMPLE + 'console.log(busy.envUrl, unbounded.clientId)\n'], { cwd: ROOT, env, stdin: 'ignore' })
  assert.equal(r.code, 0, outputOf(r))
  assert.equal(r.stdout.trim(), 'https://acme.scalekit.dev skc_1')
})
