// examples/agent-tools.mjs (issue 14), run as a child process: a model's tool call (a fixed one)
// executed through LocalScalekit's tool catalog, with the tool result handed back; exits 0.
import { test } from 'node:test'
import assert from 'node:assert/strict'

import { runExampleCleanly } from './helpers.mjs'

const LIMIT_MS = 60_000

test('examples/agent-tools.mjs executes a model tool call through the catalog and exits 0', { timeout: LIMIT_MS + 5_000 }, async () => {
  const r = await runExampleCleanly('agent-tools.mjs', LIMIT_MS)
  const { output } = r
  // The upstream answers only what the tool's path and the injected credentials reach.
  assert.match(r.stdout, /Tool result \(exec_\S+\): \{"contacts":\[\{"id":1,"name":"Ada Lovelace"\}\]\}/, output)
  assert.match(r.stdout, /"type": "function"|"input_schema"|"parameters"/, output)
})
