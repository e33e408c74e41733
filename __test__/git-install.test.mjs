// Installing from git (issue 19): `npm install git+file://<clone>` in a scratch app runs the
// package's `prepare` (the release build of the addon) in npm's copy of the repository, packs that
// copy by package.json `files`, and installs it; the app then loads the addon it built and runs the
// README's quick start against LocalScalekit. The clone is of this checkout's HEAD, as a user's
// git dependency would be of a commit.
//
// CARGO_TARGET_DIR points the build at this checkout's target directory, so that the dependencies
// compiled by `npm install` here are reused and only the project's own crates are built again.
// file-timeout-ms: 1500000
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { ROOT, runCommand, outputOf } from './helpers.mjs'

const INSTALL_TIMEOUT_MS = 900_000

const QUICK_START = `import { LocalScalekit } from 'scalekit-native'
import { createRequire } from 'node:module'

const local = await LocalScalekit.start()
const { actions } = local.client()
const connectionName = 'gmail'
const identifier = 'user_123'
const { link } = await actions.getAuthorizationLink({ connectionName, identifier })
await fetch(link)
const res = await actions.request({ connectionName, identifier, path: '/gmail/v1/users/me/profile' })
const addon = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.endsWith('.node'))
console.log(JSON.stringify({ status: res.status, path: res.data.path, addon }))
await local.close()
`

test('npm install git+file://<clone> builds the addon, installs it with the package, and the quick start runs', { timeout: INSTALL_TIMEOUT_MS + 120_000 }, async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'skn-git-install-'))
  t.after(() => fs.rm(dir, { recursive: true, force: true }))
  const clone = path.join(dir, 'scalekit-native')
  const cloned = await runCommand('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone], { t, env: process.env, timeoutMs: 120_000 })
  assert.equal(cloned.code, 0, outputOf(cloned))

  const app = path.join(dir, 'app')
  await fs.mkdir(app)
  await fs.writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  const env = {
    ...process.env,
    CARGO_TARGET_DIR: process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target'),
    npm_config_update_notifier: 'false',
  }
  // Not the enclosing `npm test`'s own settings (its prefix, its scripts' working directory).
  for (const name of Object.keys(env)) if (/^npm_(package|lifecycle|config_(prefix|local_prefix|global))/i.test(name)) delete env[name]
  const install = await runCommand('npm', ['install', '--no-audit', '--no-fund', `git+file://${clone}`], { t, cwd: app, env, timeoutMs: INSTALL_TIMEOUT_MS })
  assert.equal(install.code, 0, outputOf(install))

  const installed = path.join(app, 'node_modules', 'scalekit-native')
  const addons = (await fs.readdir(installed)).filter((f) => f.endsWith('.node'))
  assert.equal(addons.length, 1, `one built addon in the installed package: ${addons}`)
  await fs.access(path.join(installed, 'LICENSE'))

  await fs.writeFile(path.join(app, 'quick-start.mjs'), QUICK_START)
  const run = await runCommand(process.execPath, ['quick-start.mjs'], { t, cwd: app, env: { PATH: process.env.PATH, HOME: os.homedir() }, timeoutMs: 60_000 })
  assert.equal(run.code, 0, outputOf(run))
  const result = JSON.parse(run.stdout.trim().split('\n').pop())
  assert.equal(result.status, 200)
  assert.equal(result.path, '/gmail/v1/users/me/profile')
  assert.deepEqual(result.addon, [path.join(await fs.realpath(installed), addons[0])], 'the addon built at install time was loaded')
})
