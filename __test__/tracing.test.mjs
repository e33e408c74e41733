// Tracing through node:diagnostics_channel (docs/architecture.md, "Tracing"): the events of proxy,
// control, tool and token calls with their fields, never a secret, a token, a query value or a
// body; and nothing published while nobody subscribes.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import dc from 'node:diagnostics_channel'

import sk from '../index.js'
import { startServer, sendJson, rejection, runExample, outputOf } from './helpers.mjs'

const { ScalekitClient, TracingChannels, ScalekitInternalServerException, ScalekitValidationException } = sk

const SECRET = 'sk_trace_SECRET_value_42'
const ACCESS_TOKEN = 'tok_SECRET_access_77'
const QUERY_VALUE = 'qv_SECRET_query_13'
const BODY_VALUE = 'body_SECRET_payload_9'
const COOKIE = 'cookie_SECRET_session_5'
const NEVER = [SECRET, ACCESS_TOKEN, QUERY_VALUE, BODY_VALUE, COOKIE]

/** A fake Scalekit: token, one list, one tool, and proxy paths that succeed, recover or fail. */
async function fakeScalekit(t) {
  let flaky = 0
  return startServer(t, (req, res, body) => {
    const path = req.url.split('?')[0]
    if (path === '/oauth/token') return sendJson(res, 200, { access_token: ACCESS_TOKEN, expires_in: 3600 })
    if (path === '/api/v1/connected_accounts') return sendJson(res, 200, { connected_accounts: [], total_size: 0 })
    if (path === '/api/v1/execute_tool') return sendJson(res, 200, { data: { ok: true }, execution_id: 'ex_1' })
    if (path === '/proxy/v1/flaky' && flaky++ < 2) return sendJson(res, 503, {}, { 'retry-after': '0' })
    if (path === '/proxy/v1/fail') {
      // Everything a careless event would leak: the token, the query, the body, a cookie.
      return sendJson(res, 500, { auth: req.headers.authorization, url: req.url, body: body.toString() }, { 'set-cookie': `s=${COOKIE}` })
    }
    return sendJson(res, 200, { ok: true })
  })
}

/** Collects every event of the three channels until the test ends. */
function collect(t) {
  const events = []
  for (const [type, name] of Object.entries(TracingChannels)) {
    const onMessage = (message) => events.push({ type, ...message })
    dc.subscribe(name, onMessage)
    t.after(() => dc.unsubscribe(name, onMessage))
  }
  return events
}

/** The events of one call, by the callId of its start. */
function ofCall(events, start) {
  return events.filter((e) => e.callId === start.callId).map((e) => e.type)
}

/** No secret in the JSON of any event, nor in an error's message, stack or fields. */
function assertNoSecret(events) {
  for (const event of events) {
    const texts = [JSON.stringify(event)]
    if (event.error) texts.push(event.error.message, event.error.stack, JSON.stringify(Object.getOwnPropertyDescriptors(event.error)))
    for (const text of texts) for (const secret of NEVER) assert.ok(!String(text).includes(secret), `${secret} in ${text}`)
  }
}

test('proxy, control, tool and token calls publish start, end and error with their fields, and no secret', async (t) => {
  const fake = await fakeScalekit(t)
  const events = collect(t)
  const client = new ScalekitClient(fake.url, 'skc_trace', SECRET)
  const route = { connectionName: 'gmail', identifier: 'user@example.com' }

  await client.actions.request({ ...route, path: `/v1/ok?token=${QUERY_VALUE}`, queryParams: { q: QUERY_VALUE } })
  await client.actions.listConnectedAccounts({ connectionName: 'gmail', identifier: 'user@example.com' })
  await client.actions.executeTool({ toolName: 'gmail_send', identifier: 'user@example.com', toolInput: { text: BODY_VALUE } })
  await client.tools.executeTool({ toolName: 'gmail_send', connector: 'gmail', identifier: 'user@example.com', params: { text: BODY_VALUE } })
  const recovered = await client.actions.request({ ...route, path: '/v1/flaky' })
  const failure = await rejection(client.actions.request({ ...route, path: `/v1/fail?q=${QUERY_VALUE}`, method: 'post', body: { text: BODY_VALUE } }))
  const invalid = await rejection(client.actions.request({ ...route, path: '/v1/ok', timeoutMs: -1 }))
  assert.equal(recovered.status, 200)
  assert.ok(failure instanceof ScalekitInternalServerException)
  assert.ok(invalid instanceof ScalekitValidationException)

  const starts = events.filter((e) => e.type === 'start')
  assert.deepEqual(starts.map((e) => [e.kind, e.method, e.path]), [
    ['proxy', 'GET', '/v1/ok'],
    // The first call fetched the client's token: its own call, published when that call ends.
    ['token', 'POST', '/oauth/token'],
    ['control', 'GET', '/api/v1/connected_accounts'],
    ['tool', 'POST', '/api/v1/execute_tool'],
    ['tool', 'POST', '/api/v1/execute_tool'],
    ['proxy', 'GET', '/v1/flaky'],
    ['proxy', 'POST', '/v1/fail'],
    ['proxy', 'GET', '/v1/ok'],
  ])
  assert.equal(new Set(starts.map((e) => e.callId)).size, starts.length, 'callIds are unique')
  const [proxy, token, control, tool, toolsTool, flaky, failed, refused] = starts
  assert.deepEqual(proxy, { type: 'start', callId: proxy.callId, kind: 'proxy', method: 'GET', path: '/v1/ok', ...route })
  assert.equal(control.connectionName, 'gmail')
  assert.equal(control.identifier, 'user@example.com')
  assert.equal(tool.identifier, 'user@example.com')
  assert.equal(toolsTool.connectionName, 'gmail', 'a tool call names its connection through connector')

  const endOf = (start) => events.find((e) => e.type === 'end' && e.callId === start.callId)
  for (const start of [proxy, token, control, tool, toolsTool, flaky]) {
    assert.deepEqual(ofCall(events, start), ['start', 'end'], `${start.kind} ${start.path}`)
    assert.equal(endOf(start).status, 200)
    assert.ok(endOf(start).durationMs >= 0)
  }
  assert.equal(endOf(proxy).attempts, 1)
  assert.equal(endOf(token).attempts, 1)
  assert.equal(endOf(flaky).attempts, 3, 'two 503s, then the answer')

  assert.deepEqual(ofCall(events, failed), ['start', 'error', 'end'])
  assert.equal(endOf(failed).status, 500)
  const { error } = events.find((e) => e.type === 'error' && e.callId === failed.callId)
  assert.ok(error instanceof ScalekitInternalServerException, 'the error keeps its class')
  assert.equal(error.message, failure.message)
  assert.equal(error.httpStatus, 500)
  for (const field of ['data', 'headers', 'errDetails', 'unpackedDetails']) assert.equal(error[field], undefined, field)

  assert.deepEqual(ofCall(events, refused), ['start', 'error', 'end'])
  assert.deepEqual([endOf(refused).status, endOf(refused).attempts], [0, 0], 'refused before anything was sent')
  assert.equal(events.find((e) => e.type === 'error' && e.callId === refused.callId).error.argument, 'timeoutMs')

  assertNoSecret(events)
  // The server did see them all: the check above is not vacuous.
  assert.ok(fake.requests.some((r) => r.url.includes(QUERY_VALUE)))
  assert.ok(fake.requests.some((r) => r.headers.authorization === `Bearer ${ACCESS_TOKEN}`))
  // The server echoed the bearer in its failure; the error itself has it scrubbed.
  assert.match(String(failure.data?.auth), /\[REDACTED\]/)
})

test('a failed token fetch publishes its own error, with the secret redacted', async (t) => {
  const fake = await startServer(t, (req, res, body) =>
    sendJson(res, 401, { error: 'invalid_client', error_description: `bad secret ${body.toString()}` }))
  const events = collect(t)
  const client = new ScalekitClient(fake.url, 'skc_trace', SECRET)
  await rejection(client.actions.listConnections())
  const token = events.find((e) => e.type === 'start' && e.kind === 'token')
  assert.ok(token, 'the token fetch has its start')
  assert.deepEqual(ofCall(events, token), ['start', 'error', 'end'])
  assert.equal(events.find((e) => e.type === 'end' && e.callId === token.callId).status, 401)
  assertNoSecret(events)
})

test('with no subscriber nothing is published and calls go on as usual', async (t) => {
  const fake = await fakeScalekit(t)
  const published = []
  for (const name of Object.values(TracingChannels)) {
    const channel = dc.channel(name)
    assert.equal(channel.hasSubscribers, false, `${name} has no subscriber left`)
    channel.publish = (message) => published.push(message)
    t.after(() => delete channel.publish)
  }
  const client = new ScalekitClient(fake.url, 'skc_trace', SECRET)
  const route = { connectionName: 'gmail', identifier: 'u' }
  assert.equal((await client.actions.request({ ...route, path: '/v1/ok' })).status, 200)
  await client.actions.listConnectedAccounts()
  await rejection(client.actions.request({ ...route, path: '/v1/fail' }))
  assert.deepEqual(published, [])
})

test('examples/tracing.mjs turns calls into spans without an OpenTelemetry SDK registered, and exits 0', { timeout: 65_000 }, async () => {
  const r = await runExample('tracing.mjs', 60_000)
  const output = outputOf(r)
  assert.equal(r.code, 0, output)
  // @opentelemetry/api is here (a dependency of `ai`), with no SDK: its tracer would drop the spans.
  assert.match(r.stdout, /^no OpenTelemetry SDK is registered: printing spans instead$/m, output)
  assert.match(r.stdout, /^span scalekit token POST \/oauth\/token status=200 attempts=1$/m, output)
  assert.match(r.stdout, /^span scalekit proxy GET \/v1\/messages status=200 attempts=1$/m, output)
  assert.match(r.stdout, /^span scalekit control GET \/api\/v1\/connected_accounts status=200 attempts=1$/m, output)
  assert.match(r.stdout, /^span scalekit control GET \/api\/v1\/connected_accounts\/auth status=404 attempts=1 error=ScalekitNotFoundException: /m, output)
  assert.doesNotMatch(r.stdout, /unread|provider-token/, 'no query value or token in any span')
})

test('subscribeTracing: typed handlers on the three channels, removed by the function it returns', async (t) => {
  const server = await fakeScalekit(t)
  const client = new ScalekitClient(server.url, 'skc_1', SECRET)
  const seen = []
  const stop = sk.subscribeTracing({
    start: (e) => seen.push(['start', e.kind, e.path]),
    end: (e) => seen.push(['end', e.status]),
  })
  await client.actions.request({ connectionName: 'gmail', identifier: 'u', path: '/v1/ok?x=1' })
  stop()
  await client.actions.request({ connectionName: 'gmail', identifier: 'u', path: '/v1/ok' })
  // The token fetch the call started is published when the call ends (docs/architecture.md, "Tracing").
  assert.deepEqual(seen, [['start', 'proxy', '/v1/ok'], ['start', 'token', '/oauth/token'], ['end', 200], ['end', 200]])
  assert.equal(dc.channel(TracingChannels.start).hasSubscribers, false)

  for (const [handlers, argument] of [[null, 'handlers'], [[], 'handlers'], [{ strat() {} }, 'handlers'],
    [{ start: 'x' }, 'handlers.start'], [{ end: 1 }, 'handlers.end']]) {
    assert.throws(() => sk.subscribeTracing(handlers), (e) => e instanceof ScalekitValidationException && e.argument === argument)
  }
  assert.throws(() => sk.subscribeTracing({ end() {} }, 'extra'), (e) => e instanceof ScalekitValidationException && e.argument === 'arguments[1]')
  assert.equal(dc.channel(TracingChannels.start).hasSubscribers, false, 'a refused call subscribes nothing')
})

test("a re-authentication's second token fetch is traced too", async (t) => {
  let tokens = 0
  let lists = 0
  const fake = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: `${ACCESS_TOKEN}_${++tokens}`, expires_in: 3600 })
    if (++lists === 1) return sendJson(res, 401, { code: 16, message: 'token expired' })
    sendJson(res, 200, { connected_accounts: [], total_size: 0 })
  })
  const events = collect(t)
  await new ScalekitClient(fake.url, 'skc_trace', SECRET).actions.listConnectedAccounts({})
  assert.equal(tokens, 2)
  const tokenStarts = events.filter((e) => e.type === 'start' && e.kind === 'token')
  assert.equal(tokenStarts.length, 2, JSON.stringify(events))
  for (const start of tokenStarts) assert.deepEqual(ofCall(events, start), ['start', 'end'])
  const control = events.find((e) => e.type === 'start' && e.kind === 'control')
  assert.equal(events.find((e) => e.type === 'end' && e.callId === control.callId).attempts, 2)
  assertNoSecret(events)
})

test("a proxy call's error event says the status, not the provider's message", async (t) => {
  const fake = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: ACCESS_TOKEN, expires_in: 3600 })
    sendJson(res, 400, { code: 3, message: `value ${BODY_VALUE} rejected` })
  })
  const events = collect(t)
  const e = await rejection(new ScalekitClient(fake.url, 'skc_trace', SECRET).actions.request({ connectionName: 'g', identifier: 'u', path: '/x' }))
  assert.match(e.message, new RegExp(BODY_VALUE), 'the caller still gets the whole message')
  const error = events.find((ev) => ev.type === 'error').error
  assert.equal(error.message, 'request failed with status 400 Bad Request')
  assert.equal(error.httpStatus, 400)
  assertNoSecret(events)
})

test('a call aborted after its answer arrived ends its trace with the abort, once', async (t) => {
  let abortNow = () => {}
  const fake = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: ACCESS_TOKEN, expires_in: 3600 })
    res.once('finish', () => abortNow())
    sendJson(res, 200, { ok: true })
  })
  const client = new ScalekitClient(fake.url, 'skc_trace', SECRET)
  await client.actions.request({ connectionName: 'g', identifier: 'u', path: '/warm' })
  const events = collect(t)
  let aborted = 0
  for (let i = 0; i < 50; i++) {
    const controller = new AbortController()
    abortNow = () => controller.abort()
    const outcome = await client.actions.request({ connectionName: 'g', identifier: 'u', path: '/x', signal: controller.signal })
      .catch((e) => e)
    const start = events.filter((e) => e.type === 'start').at(-1)
    // Let a late outcome arrive: it must not publish a second end.
    await new Promise((resolve) => setTimeout(resolve, 5))
    const types = ofCall(events, start)
    if (outcome instanceof sk.ScalekitAbortException) {
      aborted++
      assert.deepEqual(types, ['start', 'error', 'end'])
      assert.equal(events.find((e) => e.type === 'error' && e.callId === start.callId).error.name, 'AbortError')
    } else {
      assert.deepEqual(types, ['start', 'end'])
    }
  }
  assert.ok(aborted > 0, 'some calls were aborted')
})
