// Proxies (issue 12): HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY read when a client is
// created, and the `proxy` option; credentials never shown. A loopback proxy written here
// records every CONNECT target and forwarded URL.
import { test, describe, before } from 'node:test'
import assert from 'node:assert/strict'
import util from 'node:util'

import sk from '../index.js'
import { rejection, closedPort } from './helpers.mjs'
import { HAVE_OPENSSL, CALL, makeCa, fakeScalekit, startProxy, inChild, REQUEST_STATUS } from './networks.mjs'

const { ScalekitClient, ScalekitNetworkException, ScalekitValidationException } = sk
const SECRET = 's3cr3t-pw'
const BASIC = `Basic ${Buffer.from(`user:${SECRET}`).toString('base64')}`
const PATH = process.env.PATH

/** Every way the secret could show: message, stack, own properties, inspect and JSON of both. */
function assertNoSecret(...values) {
  for (const v of values) {
    for (const text of [String(v?.message), String(v?.stack), util.inspect(v, { depth: 5, showHidden: true }), JSON.stringify(v) ?? '']) {
      assert.ok(!text.includes(SECRET), `the proxy password shows in: ${text}`)
      assert.ok(!text.includes(Buffer.from(`user:${SECRET}`).toString('base64')), `the proxy credential shows in: ${text}`)
    }
  }
}

describe('proxies', { skip: !HAVE_OPENSSL && 'openssl is not installed' }, () => {
  let ca, tls
  before(() => {
    ca = makeCa('Proxy test CA')
    tls = ca.issue('localhost', 'DNS:localhost,IP:127.0.0.1')
  })
  const client = (url, options) => new ScalekitClient(url, 'id', 'secret', { maxRetries: 0, ca: ca.pem, ...options })
  /** The child's client trusts the test CA through the `ca` option. */
  const childRequest = () => `return (await client({ ca: ${JSON.stringify(ca.pem)} }).actions.request(CALL)).status`

  test('the proxy option: token, control plane and Tool Proxy all go through one CONNECT proxy', async (t) => {
    const fake = await fakeScalekit(t, tls)
    const proxy = await startProxy(t)
    const c = client(fake.url, { proxy: proxy.url })
    assert.equal((await c.actions.request(CALL)).status, 200)
    await c.actions.listConnectedAccounts({ connectionName: 'conn' })
    assert.ok(proxy.log.connects.length >= 1)
    assert.ok(proxy.log.connects.every((target) => target === `127.0.0.1:${fake.port}`), proxy.log.connects.join())
    const paths = fake.requests.map((r) => r.url.split('?')[0])
    assert.deepEqual(paths, ['/oauth/token', '/proxy/v1/thing', '/api/v1/connected_accounts'])
    for (const r of fake.requests) assert.ok(proxy.log.upstreamPorts.has(r.peerPort), `${r.url} did not come through the proxy`)
  })

  test('a proxy with credentials: sent as proxy-authorization, never shown', async (t) => {
    const fake = await fakeScalekit(t, tls)
    const proxy = await startProxy(t, { auth: BASIC })
    const c = client(fake.url, { proxy: `http://user:${SECRET}@127.0.0.1:${proxy.port}` })
    assert.equal((await c.actions.request(CALL)).status, 200)
    assert.equal(proxy.log.auths[0], BASIC)
    assertNoSecret(c)
    assert.equal(util.inspect(c), `ScalekitClient { envUrl: '${fake.url}', clientId: 'id' }`)
    assert.deepEqual(JSON.parse(JSON.stringify(c)), { envUrl: fake.url, clientId: 'id' })
    // Percent-encoded credentials are decoded, as curl does.
    const encoded = client(fake.url, { proxy: `http://user:${encodeURIComponent(SECRET)}@127.0.0.1:${proxy.port}` })
    assert.equal((await encoded.actions.request(CALL)).status, 200)
  })

  test('a proxy that refuses the credentials (407) or is down: the error never shows them', async (t) => {
    const fake = await fakeScalekit(t, tls)
    const proxy = await startProxy(t, { auth: 'Basic bm90LXRoaXM=' })
    const refused = await rejection(client(fake.url, { proxy: `http://user:${SECRET}@127.0.0.1:${proxy.port}` }).actions.request(CALL))
    assert.equal(refused.constructor, ScalekitNetworkException, refused.message)
    assert.match(refused.message, /proxy/i)
    assertNoSecret(refused)
    assert.equal(fake.requests.length, 0)
    const down = await rejection(client(fake.url, { proxy: `http://user:${SECRET}@127.0.0.1:${await closedPort()}` }).actions.request(CALL))
    assert.equal(down.constructor, ScalekitNetworkException, down.message)
    assertNoSecret(down)
  })

  test('a bad proxy option is a ScalekitValidationException naming proxy, without the credentials', () => {
    const cases = [
      [`socks5://user:${SECRET}@127.0.0.1:1080`, /scheme must be http or https\), got "socks5:\/\/\*\*\*@127\.0\.0\.1:1080"/],
      [`http://user:${SECRET}@127.0.0.1:99999`, /got "http:\/\/\*\*\*@127\.0\.0\.1:99999"/],
      [`user:${SECRET}@proxy:port`, /got "\*\*\*@proxy:port"/],
      ['', /proxy must be false or an http:\/\/ or https:\/\/ URL/],
      [true, /^proxy must be a URL string or false, got true$/],
      [new URL(`http://user:${SECRET}@h`), /^proxy must be a URL string or false, got object$/],
    ]
    for (const [value, message] of cases) {
      assert.throws(() => client('https://acme.scalekit.dev', { proxy: value }), (e) => {
        assert.equal(e.constructor, ScalekitValidationException)
        assert.equal(e.argument, 'proxy')
        assert.match(e.message, message)
        assertNoSecret(e)
        return true
      })
    }
  })

  test('plain http:// targets are forwarded through the proxy option, with its credentials', async (t) => {
    const fake = await fakeScalekit(t)
    const proxy = await startProxy(t, { auth: BASIC })
    const c = client(fake.url, { proxy: `http://user:${SECRET}@127.0.0.1:${proxy.port}` })
    assert.equal((await c.actions.request(CALL)).status, 200)
    assert.deepEqual(proxy.log.forwarded, [`${fake.url}/oauth/token`, `${fake.url}/proxy/v1/thing`])
    assert.deepEqual(proxy.log.auths, [BASIC, BASIC])
    assert.equal(proxy.log.connects.length, 0)
  })

  describe('read from the environment when the client is created (child processes)', () => {
    test('HTTPS_PROXY (and https_proxy) tunnel https:// targets with CONNECT', async (t) => {
      const fake = await fakeScalekit(t, tls)
      const proxy = await startProxy(t)
      for (const name of ['HTTPS_PROXY', 'https_proxy']) {
        const before = proxy.log.connects.length
        const r = await inChild(fake.url, { PATH, [name]: proxy.url }, childRequest())
        assert.deepEqual(r, { ok: true, value: 200 }, name)
        assert.deepEqual(proxy.log.connects.slice(before), [`127.0.0.1:${fake.port}`], name)
      }
    })

    test('ALL_PROXY is used when HTTPS_PROXY is not set', async (t) => {
      const fake = await fakeScalekit(t, tls)
      const proxy = await startProxy(t)
      const r = await inChild(fake.url, { PATH, ALL_PROXY: proxy.url }, childRequest())
      assert.deepEqual(r, { ok: true, value: 200 })
      assert.deepEqual(proxy.log.connects, [`127.0.0.1:${fake.port}`])
    })

    test('HTTP_PROXY forwards plain http:// targets (and is not used for https://)', async (t) => {
      const plain = await fakeScalekit(t)
      const secure = await fakeScalekit(t, tls)
      const proxy = await startProxy(t)
      const r = await inChild(plain.url, { PATH, HTTP_PROXY: proxy.url }, REQUEST_STATUS)
      assert.deepEqual(r, { ok: true, value: 200 })
      assert.deepEqual(proxy.log.forwarded, [`${plain.url}/oauth/token`, `${plain.url}/proxy/v1/thing`])
      const direct = await inChild(secure.url, { PATH, HTTP_PROXY: proxy.url }, childRequest())
      assert.deepEqual(direct, { ok: true, value: 200 })
      assert.equal(proxy.log.connects.length, 0)
    })

    test('NO_PROXY bypasses the proxy as curl does: *, names, suffixes, addresses, ranges', async (t) => {
      const fake = await fakeScalekit(t, tls)
      const proxy = await startProxy(t)
      // [NO_PROXY, host of the envUrl]: bypassing the proxy…
      const bypassed = [
        ['127.0.0.1', '127.0.0.1'],
        ['*', '127.0.0.1'],
        ['*', 'localhost'],
        ['127.0.0.0/8', '127.0.0.1'],
        ['other.example, 127.0.0.1', '127.0.0.1'],
        ['localhost', 'localhost'],
        ['.localhost', 'localhost'],
      ]
      // …and going through it. Loopback is not special-cased: without NO_PROXY, it goes through too.
      const through = [
        ['127.0.0.2', '127.0.0.1'],
        ['calhost', 'localhost'],
        ['', '127.0.0.1'],
        ['', 'localhost'],
      ]
      // [variable, value, host, whether the proxy is used]; the lowercase variable works as well.
      const cases = [
        ...bypassed.map(([value, host]) => ['NO_PROXY', value, host, false]),
        ['no_proxy', '127.0.0.1', '127.0.0.1', false],
        ...through.map(([value, host]) => ['NO_PROXY', value, host, true]),
      ]
      for (const [name, value, host, proxied] of cases) {
        const before = proxy.log.connects.length
        const url = fake.url.replace('127.0.0.1', host)
        const r = await inChild(url, { PATH, HTTPS_PROXY: proxy.url, [name]: value }, childRequest())
        const label = `${name}=${JSON.stringify(value)} for ${host}`
        assert.deepEqual(r, { ok: true, value: 200 }, label)
        assert.deepEqual(proxy.log.connects.slice(before), proxied ? [`${host}:${fake.port}`] : [], label)
      }
    })

    test('the proxy option replaces HTTPS_PROXY; proxy: false ignores it', async (t) => {
      const fake = await fakeScalekit(t, tls)
      const envProxy = await startProxy(t)
      const optionProxy = await startProxy(t)
      const off = await inChild(fake.url, { PATH, HTTPS_PROXY: envProxy.url },
        `return (await client({ ca: ${JSON.stringify(ca.pem)}, proxy: false }).actions.request(CALL)).status`)
      assert.deepEqual(off, { ok: true, value: 200 })
      assert.equal(envProxy.log.connects.length, 0)
      const option = await inChild(fake.url, { PATH, HTTPS_PROXY: envProxy.url },
        `return (await client({ ca: ${JSON.stringify(ca.pem)}, proxy: ${JSON.stringify(optionProxy.url)} }).actions.request(CALL)).status`)
      assert.deepEqual(option, { ok: true, value: 200 })
      assert.equal(envProxy.log.connects.length, 0)
      assert.deepEqual(optionProxy.log.connects, [`127.0.0.1:${fake.port}`])
    })

    test('NO_PROXY still applies with the proxy option, as with curl --proxy: a listed host or * goes direct', async (t) => {
      const secure = await fakeScalekit(t, tls)
      const plain = await fakeScalekit(t)
      const proxy = await startProxy(t)
      // [target, host of its envUrl, NO_PROXY (undefined: not set), whether the proxy is used]
      const cases = [
        [secure, '127.0.0.1', '127.0.0.1', false],
        [secure, '127.0.0.1', '*', false],
        [secure, 'localhost', 'localhost', false],
        [secure, '127.0.0.1', undefined, true],
        [plain, '127.0.0.1', '127.0.0.1', false],
        [plain, '127.0.0.1', '*', false],
        [plain, '127.0.0.1', undefined, true],
      ]
      for (const [fake, host, noProxy, proxied] of cases) {
        const url = fake.url.replace('127.0.0.1', host)
        const label = `${url} with NO_PROXY ${noProxy === undefined ? 'unset' : JSON.stringify(noProxy)}`
        const seen = { connects: proxy.log.connects.length, forwarded: proxy.log.forwarded.length, requests: fake.requests.length }
        const env = noProxy === undefined ? { PATH } : { PATH, NO_PROXY: noProxy }
        const r = await inChild(url, env,
          `return (await client({ ca: ${JSON.stringify(ca.pem)}, proxy: ${JSON.stringify(proxy.url)} }).actions.request(CALL)).status`)
        assert.deepEqual(r, { ok: true, value: 200 }, label)
        const connects = proxy.log.connects.slice(seen.connects)
        const forwarded = proxy.log.forwarded.slice(seen.forwarded)
        const arrived = fake.requests.slice(seen.requests)
        assert.deepEqual(arrived.map((req) => req.url), ['/oauth/token', '/proxy/v1/thing'], label)
        if (fake === secure) {
          assert.deepEqual(connects, proxied ? [`${host}:${fake.port}`] : [], label)
          assert.deepEqual(forwarded, [], label)
        } else {
          assert.deepEqual(connects, [], label)
          assert.deepEqual(forwarded, proxied ? [`${url}/oauth/token`, `${url}/proxy/v1/thing`] : [], label)
        }
        // Where the requests came from: the proxy's own connections, or the client's.
        for (const req of arrived) assert.equal(proxy.log.upstreamPorts.has(req.peerPort), proxied, `${label}: ${req.url}`)
      }
    })

    test('HTTPS_PROXY with credentials: a refusal never shows them', async (t) => {
      const fake = await fakeScalekit(t, tls)
      const proxy = await startProxy(t, { auth: 'Basic bm90LXRoaXM=' })
      const r = await inChild(fake.url, { PATH, HTTPS_PROXY: `http://user:${SECRET}@127.0.0.1:${proxy.port}` }, childRequest())
      assert.equal(r.name, 'ScalekitNetworkException')
      assert.ok(!JSON.stringify(r).includes(SECRET), r.message)
      assert.equal(proxy.log.auths[0], BASIC)
    })
  })
})
