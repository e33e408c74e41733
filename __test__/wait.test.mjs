// actions.waitForConnectedAccount against LocalScalekit: resolves once the account is ACTIVE
// (after the link is followed), keeps waiting while it does not exist, times out with the
// status it still had, and stops at once on abort (docs/architecture.md, "Waiting for an account").
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'

import sk from '../index.js'
import { rejection } from './helpers.mjs'

const { LocalScalekit, ScalekitClient, ScalekitGatewayTimeoutException, ScalekitValidationException,
  ScalekitAbortException, ScalekitUnauthorizedException, ConnectorStatus } = sk

let local
let actions

before(async () => {
  local = await LocalScalekit.start({ connections: [{ name: 'crm', authType: 'OAUTH' }] })
  actions = local.client().actions
})
after(() => local?.close())

// It polls the details route (no credentials); getConnectedAccount's route is never used.
const polls = () => local.stats()['connected_accounts.details']

/** Resolves once the emulator has answered `n` more account lookups than `from`. */
async function polled(from, n = 1) {
  while (polls() < from + n) await new Promise((resolve) => setTimeout(resolve, 2))
}

describe('waitForConnectedAccount', () => {
  test('resolves { connectedAccount } soon after the link is followed', async () => {
    const identifier = 'wait-link'
    const { link } = await actions.getAuthorizationLink({ connectionName: 'crm', identifier })
    const start = polls()
    const waiting = actions.waitForConnectedAccount({ connectionName: 'crm', identifier, pollIntervalMs: 20, timeoutMs: 30_000 })
    await polled(start)
    const page = await fetch(link)
    assert.equal(page.status, 200)
    const { connectedAccount } = await waiting
    assert.equal(connectedAccount.status, ConnectorStatus.ACTIVE)
    assert.equal(connectedAccount.identifier, identifier)
    assert.equal(connectedAccount.connector, 'crm')
    assert.equal(connectedAccount.authorizationDetails, undefined, 'the shape of getConnectedAccountDetails: no credentials')
    assert.ok(polls() - start >= 2, 'it polled while PENDING_AUTH, then saw ACTIVE')
    const again = await actions.getConnectedAccount({ connectionName: 'crm', identifier })
    assert.deepEqual(Object.keys({ connectedAccount }), Object.keys(again))
  })

  test('an account that does not exist yet is waited for (NOT_FOUND keeps polling)', async () => {
    const identifier = 'wait-later'
    const start = polls()
    const waiting = actions.waitForConnectedAccount({ connectionName: 'crm', identifier, pollIntervalMs: 20 })
    await polled(start, 2)
    const { link } = await actions.getAuthorizationLink({ connectionName: 'crm', identifier })
    await (await fetch(link)).arrayBuffer()
    assert.equal((await waiting).connectedAccount.status, ConnectorStatus.ACTIVE)
  })

  test('an ACTIVE account resolves at the first poll; by connectedAccountId too', async () => {
    const { connectedAccount } = await actions.createConnectedAccount({
      connectionName: 'crm', identifier: 'wait-active', authorizationDetails: { oauthToken: { accessToken: 'at' } },
    })
    const start = polls()
    const r = await actions.waitForConnectedAccount({ connectedAccountId: connectedAccount.id })
    assert.equal(r.connectedAccount.id, connectedAccount.id)
    assert.equal(polls() - start, 1)
  })

  test('not ACTIVE within timeoutMs: ScalekitGatewayTimeoutException naming the status it still had', async () => {
    await actions.getAuthorizationLink({ connectionName: 'crm', identifier: 'wait-never' })
    const e = await rejection(actions.waitForConnectedAccount({ connectionName: 'crm', identifier: 'wait-never', timeoutMs: 150, pollIntervalMs: 10 }))
    assert.ok(e instanceof ScalekitGatewayTimeoutException, e)
    assert.match(e.message, /not ACTIVE within 150ms: its status is still PENDING_AUTH/)
    assert.equal(e.httpStatus, 504)
    const missing = await rejection(actions.waitForConnectedAccount({ connectionName: 'crm', identifier: 'nobody', timeoutMs: 50 }))
    assert.ok(missing instanceof ScalekitGatewayTimeoutException, missing)
    assert.match(missing.message, /still NOT_FOUND/)
  })

  test('signal: an abort stops the wait at once; an aborted signal sends nothing', async () => {
    await actions.getAuthorizationLink({ connectionName: 'crm', identifier: 'wait-abort' })
    const controller = new AbortController()
    const start = polls()
    const waiting = actions.waitForConnectedAccount({ connectionName: 'crm', identifier: 'wait-abort', pollIntervalMs: 10, signal: controller.signal })
    await polled(start)
    controller.abort(new Error('user gave up'))
    const e = await rejection(waiting)
    assert.ok(e instanceof ScalekitAbortException, e)
    assert.equal(e.cause.message, 'user gave up')

    const before = polls()
    const early = await rejection(actions.waitForConnectedAccount({ connectionName: 'crm', identifier: 'wait-abort', signal: AbortSignal.abort() }))
    assert.ok(early instanceof ScalekitAbortException, early)
    assert.equal(polls(), before)
  })

  test('bad arguments are refused before any request', async () => {
    const before = polls()
    for (const [params, argument] of [
      [undefined, 'params'],
      [{ identifier: 'u' }, 'connectedAccountId'],
      [{ connectedAccountId: 'ca_1', timeoutMs: 0 }, 'timeoutMs'],
      [{ connectedAccountId: 'ca_1', timeoutMs: '5' }, 'timeoutMs'],
      [{ connectedAccountId: 'ca_1', pollIntervalMs: -1 }, 'pollIntervalMs'],
    ]) {
      const e = await rejection(actions.waitForConnectedAccount(params))
      assert.ok(e instanceof ScalekitValidationException, e)
      assert.equal(e.argument, argument, e.message)
    }
    assert.equal(polls(), before)
  })

  test('any other failure ends the wait at once', async () => {
    const wrong = new ScalekitClient(local.url, local.clientId, 'not-the-secret', { maxRetries: 0 })
    const e = await rejection(wrong.actions.waitForConnectedAccount({ connectionName: 'crm', identifier: 'x', timeoutMs: 60_000 }))
    assert.ok(e instanceof ScalekitUnauthorizedException, e)
  })
})
