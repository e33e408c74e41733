// Python for the tests that run official Python packages against LocalScalekit: a scratch venv
// with packages from the registry, and a run's output for assertion messages.
import assert from 'node:assert/strict'
import path from 'node:path'

import { runCommand } from '../helpers.mjs'

export const VENV_TIMEOUT_MS = 60_000
export const PIP_TIMEOUT_MS = 300_000

/** A run's exit and both streams, for assertion messages. */
export function describeRun(r) {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}${r.timedOut ? ', timed out' : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
}

/**
 * A venv in `dir` with `packages` (pinned requirement strings) from the registry; resolves its
 * python, or `null` (the test skipped) where python3 has no venv support.
 */
export async function pythonVenv(t, dir, packages) {
  const venv = path.join(dir, 'venv')
  const made = await runCommand('python3', ['-m', 'venv', venv], { t, cwd: dir, env: process.env, input: '', timeoutMs: VENV_TIMEOUT_MS })
  if (made.error || made.code !== 0) {
    const why = made.error ? made.error.message : (made.stderr.trim().split('\n').pop() ?? `exit ${made.code}`)
    t.skip(`python3 -m venv is unavailable here (${why})`)
    return null
  }
  const python = process.platform === 'win32' ? path.join(venv, 'Scripts', 'python.exe') : path.join(venv, 'bin', 'python')
  // From the registry, into the temporary venv (pip's own cache, if any, stays outside the repo).
  const pip = await runCommand(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...packages], {
    t,
    cwd: dir,
    env: process.env,
    input: '',
    timeoutMs: PIP_TIMEOUT_MS,
  })
  assert.equal(pip.code, 0, `pip install ${packages.join(' ')} failed: ${describeRun(pip)}`)
  return python
}
