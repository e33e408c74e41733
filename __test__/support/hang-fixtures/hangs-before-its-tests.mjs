// Fixture of runner.test.mjs (not a test file): the file hangs before any test is declared (a
// top-level await on a server that never answers), so no test timeout can end it; it also starts
// a child process, whose pid it writes to $HANG_FIXTURE_PID_FILE. Only killing the file's process
// group ends both.
import { test } from 'node:test'
import http from 'node:http'
import fs from 'node:fs'
import { spawn } from 'node:child_process'

const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' })
fs.writeFileSync(process.env.HANG_FIXTURE_PID_FILE, String(child.pid))

const server = http.createServer(() => {})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
await new Promise((resolve, reject) => http.get(`http://127.0.0.1:${server.address().port}/`, resolve).on('error', reject))

test('never declared', () => {})
