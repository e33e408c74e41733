// examples/byo-provider.mjs (issue 4), run as a child process: the full "bring your own provider"
// flow for an API_KEY provider against an upstream it starts, exiting 0 by itself.
import { test } from 'node:test'
import assert from 'node:assert/strict'

import { runExampleCleanly } from './helpers.mjs'

const LIMIT_MS = 60_000

test('examples/byo-provider.mjs walks connection → getOrCreate → authorize → request → delete and exits 0', { timeout: LIMIT_MS + 5_000 }, async () => {
  const r = await runExampleCleanly('byo-provider.mjs', LIMIT_MS)
  const { output } = r

  const lines = r.stdout.trimEnd().split('\n')
  const expected = [
    /^1\. Provider API listening on http:\/\/127\.0\.0\.1:\d+ \(requires X-API-Key\)$/,
    /^2\. LocalScalekit listening on http:\/\/127\.0\.0\.1:\d+ with connection "my-crm" \(API_KEY in X-API-Key\)$/,
    /^3\. Connected account ca_\d+ for user_123: ACTIVE$/,
    /^4\. Authorization link: http:\/\/127\.0\.0\.1:\d+\/\S+$/,
    /^ {3}Followed the link: 200 OK; account status ACTIVE$/,
    /^5\. GET \/v1\/contacts through the Tool Proxy → 200 OK$/,
    // The provider answers only with the right X-API-Key: this proves the key was injected.
    /^ {3}data: \{"contacts":\[\{"id":1,"name":"Ada Lovelace"\},\{"id":2,"name":"Grace Hopper"\}\]\}$/,
    /^6\. Deleted the connected account; getConnectedAccount now → 404 ScalekitNotFoundException$/,
    /^Done\.$/,
  ]
  assert.equal(lines.length, expected.length, output)
  expected.forEach((pattern, i) => assert.match(lines[i], pattern, output))

  // The link printed is the emulator's own, on the port it announced.
  const emulator = lines[1].match(/http:\/\/127\.0\.0\.1:\d+/)[0]
  assert.ok(lines[3].includes(`${emulator}/`), output)
})
