#!/usr/bin/env node
// `npm run test:node`: runs the Node test files, a few at a time, each as its own
// `node --test-force-exit --test-reporter=tap <file>` in its own process group, so that no test can
// hang the run:
//
// - per test: every test and hook without its own `timeout` option gets --test-timeout (default
//   120 000 ms), through scripts/test-preload.mjs (Node 20's own --test-timeout bounds whole files
//   instead);
// - per file: a file still running after --file-timeout (default 300 000 ms, or the
//   `// file-timeout-ms: <ms>` line of the file) has its process group killed; the run goes on,
//   then fails, naming the file and the test it was in;
// - --test-force-exit: a file ends once its tests are done, whatever it left open.
//
// Usage: node scripts/test-node.mjs [--concurrency=N (default 2 per core, at most 8)] [--test-timeout=MS] [--file-timeout=MS] [file|dir ...]
// (default: __test__, where every *.test.mjs / *.test.js / *.test.cjs file is run). Each file's
// TAP output is printed when it ends; the output ends with the summary lines of node's test
// runner, added up over all files. Exits 1 if any file failed, was killed or exited non-zero.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const PRELOAD = pathToFileURL(path.join(ROOT, 'scripts', 'test-preload.mjs')).href
const TEST_FILE = /\.test\.(mjs|cjs|js)$/
const FILE_LIMIT_LINE = /^\/\/ file-timeout-ms: (\d+)\s*$/m
const SUMMARY_KEYS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo', 'duration_ms']
const SUMMARY_LINE = new RegExp(`^# (${SUMMARY_KEYS.join('|')}) (\\d+(?:\\.\\d+)?)$`)
// Once a file's process has exited, how long its output may stay open (held by a process that left
// its group) before the run goes on without the rest of it.
const CLOSE_GRACE_MS = 5_000

// Most tests wait on sockets and child processes, so files can share a core; a few move 1 GiB
// or run a 10 000-call load, so not too many at once.
const cores = os.availableParallelism?.() ?? os.cpus().length
const options = { concurrency: Math.min(8, 2 * cores), testTimeout: 120_000, fileTimeout: 300_000 }
// --test-force-exit came in 22.0 and 20.14.
const [major, minor] = process.versions.node.split('.').map(Number)
if (!(major >= 22 || (major === 20 && minor >= 14))) {
  console.error(`test-node: needs Node.js 20.14+ or 22+ (--test-force-exit); this is ${process.version}`)
  process.exit(2)
}
const targets = []
for (const arg of process.argv.slice(2)) {
  const m = /^--(concurrency|test-timeout|file-timeout)=(\d+)$/.exec(arg)
  if (m && Number(m[2]) > 0) options[m[1].replace(/-(\w)/, (_, c) => c.toUpperCase())] = Number(m[2])
  else if (arg.startsWith('--')) usage(`unknown or bad option ${arg}`)
  else targets.push(arg)
}
if (targets.length === 0) targets.push(path.join(ROOT, '__test__'))

function usage(message) {
  console.error(`test-node: ${message}\nusage: node scripts/test-node.mjs [--concurrency=N] [--test-timeout=MS] [--file-timeout=MS] [file|dir ...]`)
  process.exit(2)
}

/** The test files named, or found under the directories named (node_modules skipped). */
function findFiles(target) {
  const stat = fs.statSync(target, { throwIfNoEntry: false })
  if (!stat) usage(`no such file or directory: ${target}`)
  if (stat.isFile()) return [path.resolve(target)]
  const found = []
  for (const entry of fs.readdirSync(target, { withFileTypes: true })) {
    const full = path.join(target, entry.name)
    if (entry.isDirectory() && entry.name !== 'node_modules') found.push(...findFiles(full))
    else if (entry.isFile() && TEST_FILE.test(entry.name)) found.push(path.resolve(full))
  }
  return found
}

const files = [...new Set(targets.flatMap(findFiles))].map((file) => {
  const declared = FILE_LIMIT_LINE.exec(fs.readFileSync(file, 'utf8'))
  return { file, name: path.relative(process.cwd(), file) || file, limitMs: declared ? Number(declared[1]) : options.fileTimeout }
})
if (files.length === 0) usage(`no test files in ${targets.join(' ')}`)
// Files that declare a longer limit are the slow ones: started first, they end sooner overall.
files.sort((a, b) => b.limitMs - a.limitMs || a.name.localeCompare(b.name))

const running = new Set()

/** SIGKILL to a file's whole process group; false when no process of it was left. */
function killGroup(child) {
  // Windows has no process groups: the file's own process only.
  if (process.platform === 'win32') return child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')
  try {
    process.kill(-child.pid, 'SIGKILL')
    return true
  } catch {
    return false
  }
}

// Whatever ends the runner, no file's processes outlive it (they are in their own groups, so a
// terminal's Ctrl-C does not reach them).
process.on('exit', () => {
  for (const child of running) killGroup(child)
})
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    console.log(`# test-node: ${signal}: killing ${running.size} running test file(s)`)
    process.exit(code)
  })
}

function runFile(entry) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(
      process.execPath,
      // The file runs in this one process (as `node --test` would run it in a child of its own).
      ['--test-force-exit', '--test-reporter=tap', `--import=${PRELOAD}`, entry.file],
      {
        cwd: process.cwd(),
        env: { ...process.env, TEST_NODE_TIMEOUT_MS: String(options.testTimeout) },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    )
    running.add(child)
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    let killed = false
    const limit = setTimeout(() => {
      killed = true
      killGroup(child)
    }, entry.limitMs)
    let exit = null
    const finish = (extra = {}) => {
      clearTimeout(limit)
      running.delete(child)
      resolve({ ...entry, stdout, stderr, killed, exit, ms: Date.now() - started, ...extra })
    }
    child.on('error', (error) => finish({ spawnError: error }))
    child.on('exit', (code, signal) => {
      exit = { code, signal }
      // The file's process is gone: whatever it left behind in its group goes too. Its output may
      // still be held open by a process that left the group; that is not waited for long.
      const leftovers = !killed && killGroup(child)
      const grace = setTimeout(() => {
        child.stdout.destroy()
        child.stderr.destroy()
        finish({ leftovers })
      }, CLOSE_GRACE_MS)
      child.on('close', () => {
        clearTimeout(grace)
        finish({ leftovers })
      })
    })
  })
}

/** The summary lines of a file's TAP output (node's own count), or null when it has none. */
function summaryOf(stdout) {
  const summary = {}
  for (const line of stdout.split('\n')) {
    const m = SUMMARY_LINE.exec(line)
    if (m) summary[m[1]] = Number(m[2])
  }
  return SUMMARY_KEYS.every((k) => k in summary) ? summary : null
}

/** The tests started but not finished in a TAP output, outermost first (where a killed file was). */
function unfinished(stdout) {
  const stack = []
  for (const line of stdout.split('\n')) {
    const start = /^(\s*)# Subtest: (.*)$/.exec(line)
    if (start) {
      stack.push({ indent: start[1].length, name: start[2] })
      continue
    }
    const end = /^(\s*)(?:not )?ok \d+ - /.exec(line)
    if (end) {
      const i = stack.findLastIndex((s) => s.indent === end[1].length)
      if (i >= 0) stack.length = i
    }
  }
  return stack.map((s) => JSON.stringify(s.name))
}

/** What went wrong with a file, or null when it passed. */
function failureOf(r) {
  const seconds = (r.ms / 1000).toFixed(1)
  if (r.spawnError) return `could not be started: ${r.spawnError.message}`
  if (r.killed) {
    const where = unfinished(r.stdout)
    return `TIMED OUT: still running after its ${r.limitMs} ms limit; its process group was killed${where.length ? `; it was in ${where.join(' > ')}` : ''}`
  }
  const summary = summaryOf(r.stdout)
  const how = r.exit.signal ? `was killed by ${r.exit.signal}` : `exited with code ${r.exit.code}`
  if (!summary) return `${how} after ${seconds} s without a test summary`
  if (summary.fail || summary.cancelled) return `${summary.fail} failed, ${summary.cancelled} cancelled`
  if (r.exit.code !== 0) return `${how}, with no failing test`
  return null
}

function report(r) {
  const failure = failureOf(r)
  const kept = r.stdout.split('\n').filter((line) => !SUMMARY_LINE.test(line) && line !== 'TAP version 13')
  while (kept.length && kept.at(-1) === '') kept.pop()
  const lines = [`# ---- ${r.name}: ${failure ? 'FAILED' : 'ok'} (${(r.ms / 1000).toFixed(1)} s)`, ...kept]
  if (r.stderr.trim()) lines.push(`# ---- stderr of ${r.name}:`, ...r.stderr.trimEnd().split('\n').map((l) => `# ${l}`))
  if (r.leftovers) lines.push(`# ---- note: ${r.name} left processes running after it ended; they were killed`)
  if (failure) lines.push(`# ==== ${r.name}: ${failure}`)
  console.log(lines.join('\n'))
  return failure
}

const started = Date.now()
console.log(
  `# test-node: ${files.length} file(s), ${options.concurrency} at a time; per test ${options.testTimeout} ms, ` +
    `per file ${options.fileTimeout} ms unless the file says otherwise`,
)
const results = []
const queue = [...files]
await Promise.all(
  Array.from({ length: Math.min(options.concurrency, queue.length) }, async () => {
    while (queue.length) {
      const r = await runFile(queue.shift())
      results.push({ ...r, failure: report(r) })
    }
  }),
)

const total = Object.fromEntries(SUMMARY_KEYS.map((k) => [k, 0]))
for (const r of results) {
  const summary = summaryOf(r.stdout)
  if (summary) for (const k of SUMMARY_KEYS) if (k !== 'duration_ms') total[k] += summary[k]
  // A file killed, or ended without its own count of the failure, counts as one failed test.
  if (r.failure && !(summary && (summary.fail || summary.cancelled))) {
    total.tests++
    total.fail++
  }
}
total.duration_ms = Date.now() - started
const failed = results.filter((r) => r.failure)
if (failed.length) {
  console.log(`# ==== ${failed.length} of ${results.length} test file(s) FAILED:`)
  for (const r of failed) console.log(`# ====   ${r.name}: ${r.failure}`)
}
for (const k of SUMMARY_KEYS) console.log(`# ${k} ${total[k]}`)
process.exitCode = failed.length ? 1 : 0
