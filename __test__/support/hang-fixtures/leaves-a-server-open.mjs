// Fixture of runner.test.mjs (not a test file): its test passes, leaving a listening server and a
// timer behind, which would keep the process alive for ever.
import { test } from 'node:test'
import http from 'node:http'

test('passes, leaving a server and a timer', async () => {
  const server = http.createServer(() => {})
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  setInterval(() => {}, 60_000)
})
