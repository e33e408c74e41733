// The test runner itself (scripts/test-node.mjs, `npm run test:node`): whatever a test file does,
// the run ends in bounded time, fails naming the file that hung, and ends with node's summary
// lines. It runs on the fixtures in support/hang-fixtures/ (not *.test.mjs, so no run picks them).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { ROOT } from './helpers.mjs'

const RUNNER = path.join(ROOT, 'scripts', 'test-node.mjs')
const FIXTURES = path.join(ROOT, '__test__', 'support', 'hang-fixtures')
const fixture = (name) => path.join(FIXTURES, name)
const TEST_TIMEOUT_MS = 1_000
const FILE_TIMEOUT_MS = 5_000
// Far above what the run needs (the file limit, plus process start-ups), far below forever.
const RUN_LIMIT_MS = 30_000

/**
 * Runs the runner on `files`; resolves `{ code, signal, stdout, stderr, ms, timedOut }`. A runner
 * still running after RUN_LIMIT_MS gets SIGTERM, on which it kills the files it runs (they are in
 * process groups of their own, which a kill of the runner alone would leave behind).
 */
function runRunner(t, files, env = {}) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(
      process.execPath,
      [RUNNER, `--test-timeout=${TEST_TIMEOUT_MS}`, `--file-timeout=${FILE_TIMEOUT_MS}`, '--concurrency=4', ...files],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    const stop = () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref()
    }
    const timer = setTimeout(() => {
      timedOut = true
      stop()
    }, RUN_LIMIT_MS)
    t.after(stop)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, timedOut })
    })
  })
}

/** The runner's summary: its last 8 lines, which must be node's summary lines, in node's order. */
function summaryAtEnd(stdout) {
  const last = stdout.trimEnd().split('\n').slice(-8)
  const keys = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo', 'duration_ms']
  return Object.fromEntries(
    last.map((line, i) => {
      const m = /^# (\w+) (\d+)$/.exec(line)
      assert.ok(m && m[1] === keys[i], `line ${i + 1} of the last 8 is not "# ${keys[i]} <n>": ${JSON.stringify(line)}`)
      return [m[1], Number(m[2])]
    }),
  )
}

/** Whether `pid` is a live process (a zombie, killed but not yet reaped, is not). */
function alive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch (e) {
    if (e.code !== 'ENOENT' || !fs.existsSync('/proc/self/stat')) {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    }
    return false
  }
}

test('a hung test and a hung file fail the run in bounded time, named; a handle left open does not hang it', { timeout: RUN_LIMIT_MS + 10_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skn-runner-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const pidFile = path.join(dir, 'pid')
  const r = await runRunner(t, fs.readdirSync(FIXTURES).map(fixture), { HANG_FIXTURE_PID_FILE: pidFile })
  const output = `--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
  assert.equal(r.timedOut, false, `the runner did not end within ${RUN_LIMIT_MS} ms\n${output}`)
  assert.equal(r.code, 1, output)
  // The hung file is killed at its limit; the other files ran alongside it.
  assert.ok(r.ms < FILE_TIMEOUT_MS + 10_000, `the run took ${r.ms} ms\n${output}`)

  const name = (file) => path.relative(ROOT, fixture(file))
  const verdict = (file) => new RegExp(`^# ---- ${name(file).replace(/[.]/g, '\\.')}: (ok|FAILED) \\(([\\d.]+) s\\)$`, 'm').exec(r.stdout)
  // (a) The test that waits for ever is ended by its timeout; the test after it still runs.
  assert.equal(verdict('hangs-in-a-test.mjs')?.[1], 'FAILED', output)
  assert.match(r.stdout, new RegExp(`^not ok 1 - waits for an answer that never comes\\n(.*\\n)*?  error: 'test timed out after ${TEST_TIMEOUT_MS}ms'$`, 'm'))
  assert.match(r.stdout, /^ok 2 - a test after it still runs$/m)
  // (a') The file that hangs outside any test is killed, with the process it started.
  assert.equal(verdict('hangs-before-its-tests.mjs')?.[1], 'FAILED', output)
  assert.match(r.stdout, new RegExp(`^# ==== ${name('hangs-before-its-tests.mjs')}: TIMED OUT: still running after its ${FILE_TIMEOUT_MS} ms limit; its process group was killed`, 'm'))
  const grandchild = Number(fs.readFileSync(pidFile, 'utf8'))
  // A SIGKILLed process takes a moment to be gone.
  for (let waited = 0; alive(grandchild) && waited < 3_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(alive(grandchild), false, `the file's child process ${grandchild} outlived the kill`)
  // (b) The file that leaves a server and a timer open passes, and ends as soon as its tests do.
  const leaves = verdict('leaves-a-server-open.mjs')
  assert.equal(leaves?.[1], 'ok', output)
  assert.ok(Number(leaves[2]) * 1000 < FILE_TIMEOUT_MS, `it ended only after ${leaves[2]} s\n${output}`)
  assert.equal(verdict('passes.mjs')?.[1], 'ok', output)

  // The failures are listed before the summary, which comes last: node's counts over all files,
  // the killed file counting as one failed test.
  const failures = r.stdout.slice(r.stdout.indexOf('# ==== 2 of 4 test file(s) FAILED:'))
  assert.match(failures, new RegExp(`^# ====   ${name('hangs-in-a-test.mjs')}: `, 'm'))
  assert.match(failures, new RegExp(`^# ====   ${name('hangs-before-its-tests.mjs')}: TIMED OUT`, 'm'))
  const summary = summaryAtEnd(r.stdout)
  assert.deepEqual({ ...summary, duration_ms: undefined }, {
    tests: 2 + 1 + 1 + 5,
    suites: 1,
    pass: 1 + 1 + 3,
    fail: 1,
    cancelled: 1,
    skipped: 1,
    todo: 1,
    duration_ms: undefined,
  })
  // The run's wall time (not the files' times added up): it waited for the kill, within the run.
  assert.ok(summary.duration_ms >= FILE_TIMEOUT_MS && summary.duration_ms <= r.ms, `duration_ms ${summary.duration_ms} for a run of ${r.ms} ms`)
})

test('passing files: exit 0, and the summary comes last', { timeout: RUN_LIMIT_MS + 10_000 }, async (t) => {
  const r = await runRunner(t, [fixture('passes.mjs'), fixture('leaves-a-server-open.mjs')])
  const output = `--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
  assert.equal(r.timedOut, false, output)
  assert.equal(r.code, 0, output)
  assert.doesNotMatch(r.stdout, /FAILED/, output)
  assert.deepEqual({ ...summaryAtEnd(r.stdout), duration_ms: 0 }, {
    tests: 6, suites: 1, pass: 4, fail: 0, cancelled: 0, skipped: 1, todo: 1, duration_ms: 0,
  })
})
