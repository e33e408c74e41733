// Trust (issue 12): the bundled and OS roots, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE and the `ca`
// option, against an HTTPS fake Scalekit whose certificates come from a private CA made here.
import { test, describe, before } from 'node:test'
import assert from 'node:assert/strict'

import sk from '../index.js'
import { rejection } from './helpers.mjs'
import { HAVE_OPENSSL, CALL, makeCa, fakeScalekit, inChild, REQUEST_STATUS } from './networks.mjs'

const { ScalekitClient, ScalekitNetworkException, ScalekitValidationException } = sk
const SANS = 'DNS:localhost,IP:127.0.0.1'

describe('trust', { skip: !HAVE_OPENSSL && 'openssl is not installed' }, () => {
  let ca, other, good, expired, otherName
  before(() => {
    ca = makeCa('Test CA')
    other = makeCa('Other CA')
    good = ca.issue('localhost', SANS)
    expired = ca.issue('localhost', SANS, ['-startdate', '20200101000000Z', '-enddate', '20200201000000Z'])
    otherName = ca.issue('other.example', 'DNS:other.example')
  })

  const client = (url, options) => new ScalekitClient(url, 'id', 'secret', { maxRetries: 0, ...options })

  async function networkFailure(promise) {
    const e = await rejection(promise)
    assert.equal(e.constructor, ScalekitNetworkException, `${e.constructor.name}: ${e.message}`)
    return e
  }

  test('a private CA is not trusted by default: unknown issuer, and how to trust it', async (t) => {
    const fake = await fakeScalekit(t, good)
    // maxRetries 2: a refused certificate is not retried (it would be refused again).
    const e = await networkFailure(client(fake.url, { maxRetries: 2 }).actions.request(CALL))
    assert.match(e.message, /not trusted: unknown issuer/)
    assert.match(e.message, /NODE_EXTRA_CA_CERTS/)
    assert.match(e.message, /`ca` client option/)
    assert.match(e.message, /\/oauth\/token/, 'the token request is the first to go')
    assert.equal(fake.requests.length, 0)
  })

  test('the ca option: a PEM string, a Buffer, or an array', async (t) => {
    const fake = await fakeScalekit(t, good)
    for (const option of [ca.pem, Buffer.from(ca.pem), [other.pem, Buffer.from(ca.pem)], other.pem + ca.pem]) {
      const c = client(fake.url, { ca: option })
      const res = await c.actions.request(CALL)
      assert.equal(res.status, 200)
      assert.deepEqual(res.data, { ok: true })
      const list = await c.actions.listConnectedAccounts({ connectionName: 'conn' })
      assert.deepEqual(list.connectedAccounts, [])
    }
    const paths = fake.requests.map((r) => r.url.split('?')[0])
    assert.deepEqual([...new Set(paths)].sort(), ['/api/v1/connected_accounts', '/oauth/token', '/proxy/v1/thing'])
    // By host name too (the certificate names localhost).
    const byName = client(fake.url.replace('127.0.0.1', 'localhost'), { ca: ca.pem })
    assert.equal((await byName.actions.request(CALL)).status, 200)
  })

  test('another CA in the ca option does not make the certificate trusted', async (t) => {
    const fake = await fakeScalekit(t, good)
    const e = await networkFailure(client(fake.url, { ca: other.pem }).actions.request(CALL))
    assert.match(e.message, /unknown issuer/)
  })

  test('an expired certificate is refused, even with its CA trusted', async (t) => {
    const fake = await fakeScalekit(t, expired)
    const e = await networkFailure(client(fake.url, { ca: ca.pem }).actions.request(CALL))
    assert.match(e.message, /certificate has expired \(it was valid until 2020-02-01T00:00:00Z\)/)
  })

  test('a certificate for another host name is refused, even with its CA trusted', async (t) => {
    const fake = await fakeScalekit(t, otherName)
    const e = await networkFailure(client(fake.url, { ca: ca.pem }).actions.request(CALL))
    assert.match(e.message, /not valid for the host name 127\.0\.0\.1 \(it holds other\.example\)/)
    assert.equal(fake.requests.length, 0)
  })

  test('a bad ca option is a ScalekitValidationException naming ca', () => {
    const cases = [
      [42, 'ca must be a PEM string, a Buffer or an array of them, got number'],
      [[ca.pem, {}], 'ca[1] must be a PEM string or a Buffer, got object'],
      ['not a certificate', 'ca holds no PEM certificate (a "-----BEGIN CERTIFICATE-----" block)'],
      [[ca.pem, ''], 'ca[1] holds no PEM certificate (a "-----BEGIN CERTIFICATE-----" block)'],
      ['-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n', 'ca is not valid PEM (a block is not valid base64)'],
    ]
    for (const [value, message] of cases) {
      assert.throws(() => client('https://acme.scalekit.dev', { ca: value }), (e) => {
        assert.equal(e.constructor, ScalekitValidationException)
        assert.equal(e.argument, 'ca')
        assert.equal(e.message, message)
        return true
      })
    }
  })

  describe('read from the environment when the client is created (child processes)', () => {
    test('a clean environment does not trust the private CA', async (t) => {
      const fake = await fakeScalekit(t, good)
      const r = await inChild(fake.url, { PATH: process.env.PATH }, REQUEST_STATUS)
      assert.equal(r.name, 'ScalekitNetworkException')
      assert.match(r.message, /unknown issuer/)
    })

    test('NODE_EXTRA_CA_CERTS', async (t) => {
      const fake = await fakeScalekit(t, good)
      const r = await inChild(fake.url, { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: ca.path }, REQUEST_STATUS)
      assert.deepEqual(r, { ok: true, value: 200 })
      assert.equal(fake.requests.filter((q) => q.url === '/proxy/v1/thing').length, 1)
    })

    test('NODE_EXTRA_CA_CERTS is read when a client is created, not when the addon loads', async (t) => {
      const fake = await fakeScalekit(t, good)
      const body = `
        const before = await client().actions.request(CALL).then(() => 'ok', (e) => e.constructor.name)
        process.env.NODE_EXTRA_CA_CERTS = ${JSON.stringify(ca.path)}
        const after = (await client().actions.request(CALL)).status
        return [before, after]`
      const r = await inChild(fake.url, { PATH: process.env.PATH }, body)
      assert.deepEqual(r, { ok: true, value: ['ScalekitNetworkException', 200] })
    })

    test('SSL_CERT_FILE (the OS store, as OpenSSL reads it)', async (t) => {
      const fake = await fakeScalekit(t, good)
      const r = await inChild(fake.url, { PATH: process.env.PATH, SSL_CERT_FILE: ca.path }, REQUEST_STATUS)
      assert.deepEqual(r, { ok: true, value: 200 })
    })

    test('SSL_CERT_DIR', async (t) => {
      const fake = await fakeScalekit(t, good)
      const r = await inChild(fake.url, { PATH: process.env.PATH, SSL_CERT_DIR: ca.trustDir }, REQUEST_STATUS)
      assert.deepEqual(r, { ok: true, value: 200 })
    })

    test('a missing NODE_EXTRA_CA_CERTS file is ignored, and the failure says so', async (t) => {
      const fake = await fakeScalekit(t, good)
      const missing = `${ca.dir}/missing.pem`
      const r = await inChild(fake.url, { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: missing }, REQUEST_STATUS)
      assert.equal(r.name, 'ScalekitNetworkException')
      assert.match(r.message, /unknown issuer/)
      assert.ok(r.message.includes(`NODE_EXTRA_CA_CERTS=${missing} was ignored`), r.message)
    })
  })
})
