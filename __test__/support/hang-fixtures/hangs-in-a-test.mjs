// Fixture of runner.test.mjs (not a test file): a test that waits for an answer from a server that
// never answers; nothing closes the server. Only a per-test timeout ends the test.
import { test } from 'node:test'
import http from 'node:http'

test('waits for an answer that never comes', async () => {
  const server = http.createServer(() => {})
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  await new Promise((resolve, reject) => http.get(`http://127.0.0.1:${server.address().port}/`, resolve).on('error', reject))
})

test('a test after it still runs', () => {})
