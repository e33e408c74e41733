// The example and the seed snippet, run as child processes: each must print the link and a
// 200 result, and exit 0 by itself.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { ROOT, INDEX_MJS, startLocal, runNode, runExample, outputOf, envWithoutScalekit } from './helpers.mjs'

const LIMIT_MS = 60_000

// Runs an example against `local` with stdin not a terminal and, once the example says it is
// waiting, opens the link it printed (first awaiting `beforeOpening`), as a user in a browser.
// `followed` is undefined if it never waited, else a promise of the page's status.
async function runFollowingLink(local, example, linkPattern, beforeOpening) {
  let followed
  const r = await runNode([example], {
    cwd: ROOT,
    env: envWithoutScalekit(local.env()),
    input: '',
    timeoutMs: LIMIT_MS,
    onStdout(stdout) {
      if (followed || !stdout.includes('Waiting until the account is ACTIVE')) return
      const link = linkPattern.exec(stdout)?.[1]
      followed = (async () => {
        if (beforeOpening) await beforeOpening()
        const page = await fetch(link)
        await page.arrayBuffer()
        return page.status
      })()
    },
  })
  return { r, followed }
}

test('examples/tool-proxy.mjs runs against LocalScalekit and exits 0 by itself', { timeout: LIMIT_MS + 5_000 }, async () => {
  const r = await runExample('tool-proxy.mjs', LIMIT_MS)
  const output = outputOf(r)
  assert.equal(r.timedOut, false, `did not exit within ${LIMIT_MS} ms\n${output}`)
  assert.equal(r.code, 0, output)
  assert.match(r.stdout, /Authorize provider: https?:\/\/\S+/, output)
  assert.match(r.stdout, /status: 200/, output)
  assert.match(r.stdout, /path: '\/v1\/customers'/, `the echoed upstream JSON is in data\n${output}`)
})

test('examples/tool-proxy.mjs also exits 0 with stdin a closed pipe', { timeout: LIMIT_MS + 5_000 }, async () => {
  const r = await runNode(['examples/tool-proxy.mjs'], { cwd: ROOT, env: envWithoutScalekit(), input: '', timeoutMs: LIMIT_MS })
  const output = outputOf(r)
  assert.equal(r.timedOut, false, output)
  assert.equal(r.code, 0, output)
  assert.match(r.stdout, /Authorize provider: https?:\/\/\S+/, output)
  assert.match(r.stdout, /status: 200/, output)
})

// The seed's snippet (issue 3), verbatim but for the import.
const SNIPPET = (importPath) => `import { ScalekitClient } from ${JSON.stringify(importPath)}
const connectionName = 'your-provider-connection'; const identifier = 'user_123';
const scalekit = new ScalekitClient(process.env.SCALEKIT_ENV_URL, process.env.SCALEKIT_CLIENT_ID, process.env.SCALEKIT_CLIENT_SECRET);
const actions = scalekit.actions;
const { link } = await actions.getAuthorizationLink({ connectionName, identifier });
console.log('Authorize provider:', link);
process.stdout.write('Press Enter after authorizing...');
await new Promise(r => process.stdin.once('data', r));
const result = await actions.request({ connectionName, identifier, path: '/v1/customers', method: 'GET' });
console.log(result);
`

test('the seed snippet, with the env vars set to LocalScalekit and Enter on stdin', { timeout: LIMIT_MS + 5_000 }, async (t) => {
  const local = await startLocal(t)
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skn-seed-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'seed.mjs')
  await writeFile(file, SNIPPET(INDEX_MJS))

  let followed = false
  let followError
  const r = await runNode([file], {
    cwd: dir,
    env: envWithoutScalekit(local.env()),
    timeoutMs: LIMIT_MS,
    onStdout(stdout, child) {
      if (followed || !stdout.includes('Press Enter')) return
      followed = true
      const link = /Authorize provider: (\S+)/.exec(stdout)?.[1]
      // The user's browser follows the link, then the user presses Enter.
      fetch(link)
        .then((res) => res.arrayBuffer().then(() => assert.equal(res.status, 200)))
        .catch((e) => {
          followError = e
        })
        .finally(() => {
          child.stdin.write('\n')
          child.stdin.end()
        })
    },
  })
  const output = outputOf(r)
  assert.equal(r.timedOut, false, `did not exit within ${LIMIT_MS} ms\n${output}`)
  assert.equal(followError, undefined)
  assert.ok(followed, `never asked for Enter\n${output}`)
  assert.equal(r.code, 0, output)
  assert.match(r.stdout, new RegExp(`Authorize provider: ${local.url.replace(/[.]/g, '\\.')}/\\S+`), output)
  assert.match(r.stdout, /status: 200/, output)
  assert.match(r.stdout, /path: '\/v1\/customers'/, output)
  const s = local.stats()
  assert.equal(s.magic_link, 1)
  assert.equal(s.authorize, 1)
  assert.equal(s.proxy, 1)
  assert.equal(s.echo, 1)
  assert.equal(s.token, 1)
})

test('examples/tool-proxy.mjs with LocalScalekit started elsewhere and stdin not a terminal waits for authorization', { timeout: LIMIT_MS + 5_000 }, async (t) => {
  // As `npx scalekit-local` in another shell with its SCALEKIT_* variables exported here.
  const local = await startLocal(t)
  // The user opens the link only after the example has started waiting (and polled once).
  const { r, followed } = await runFollowingLink(local, 'examples/tool-proxy.mjs', /Authorize provider: (\S+)/, async () => {
    while (local.stats()['connected_accounts.details'] < 1) await new Promise((resolve) => setTimeout(resolve, 5))
  })
  const output = outputOf(r)
  assert.equal(r.timedOut, false, `did not exit within ${LIMIT_MS} ms\n${output}`)
  assert.ok(followed, `never said it was waiting\n${output}`)
  assert.equal(await followed, 200)
  assert.equal(r.code, 0, output)
  assert.doesNotMatch(r.stdout, /Followed the link/, 'the example did not follow the link itself')
  assert.match(r.stdout, /Connected account \S+ is ACTIVE/, output)
  assert.match(r.stdout, /status: 200/, output)
  const s = local.stats()
  assert.equal(s.magic_link, 1)
  assert.equal(s.authorize, 1)
  assert.ok(s['connected_accounts.details'] >= 2, 'polled while PENDING_AUTH, then saw ACTIVE')
  assert.equal(s.proxy, 1)
})

test('examples/pages.mjs walks every page and exits 0 by itself', { timeout: LIMIT_MS + 5_000 }, async () => {
  const r = await runExample('pages.mjs', LIMIT_MS)
  const output = outputOf(r)
  assert.equal(r.timedOut, false, output)
  assert.equal(r.code, 0, output)
  assert.match(r.stdout, /First page: 10 accounts, next page token "\S+"/, output)
  assert.match(r.stdout, /Walked 25 accounts in 3 page requests/, output)
  assert.match(r.stdout, /First tool: crm_/, output)
})

test('examples/wait-for-account.mjs resolves once the link is followed, then times out on another account', { timeout: LIMIT_MS + 5_000 }, async () => {
  const r = await runExample('wait-for-account.mjs', LIMIT_MS)
  const output = outputOf(r)
  assert.equal(r.timedOut, false, output)
  assert.equal(r.code, 0, output)
  assert.match(r.stdout, /Connected account ca_\S+ is ACTIVE/, output)
  assert.match(r.stdout, /not ACTIVE within 1000ms: its status is still PENDING_AUTH/, output)
})

test('examples/options-in-params.mjs: the signal in params works, as a second argument it is refused', { timeout: LIMIT_MS + 5_000 }, async () => {
  const r = await runExample('options-in-params.mjs', LIMIT_MS)
  const output = outputOf(r)
  assert.equal(r.code, 0, output)
  assert.match(r.stdout, /^\d+ connection\(s\)$/m, output)
  assert.match(r.stdout, /arguments\[1\]: actions\.listConnections takes no second argument, got an AbortSignal/, output)
})

// The agent-framework examples (README, "Agent frameworks"): each framework runs a tool of the catalog
// local-fallback.mjs gives LocalScalekit, whose echo upstream shows the injected token.
for (const [file, expected] of [
  ['ai-sdk.mjs', /gmail_get_profile \{[\s\S]*authorization: 'Bearer gmail-token'[\s\S]*^Here is your Gmail profile\.$/m],
  ['langchain.mjs', /\[ 'gmail_get_profile' \][\s\S]*ToolMessage \{[\s\S]*\\"authorization\\":\\"Bearer gmail-token\\"[\s\S]*"tool_call_id": "call_1"/],
  ['openai-agents.mjs', /path: '\/gmail\/v1\/users\/me\/profile'[\s\S]*authorization: 'Bearer gmail-token'[\s\S]*^Here is your Gmail profile\.$/m],
]) {
  test(`examples/${file} runs the user's tool through its framework and exits 0`, { timeout: LIMIT_MS + 5_000 }, async () => {
    const r = await runExample(file, LIMIT_MS)
    const output = outputOf(r)
    assert.equal(r.timedOut, false, output)
    assert.equal(r.code, 0, output)
    assert.match(r.stdout, expected, output)
  })
}

test('examples/mcp-agent.mjs: a configuration, the user authorizing, a session token, and the official MCP client calling the tool', { timeout: LIMIT_MS + 5_000 }, async (t) => {
  // As a Scalekit environment would have it: a Gmail connection with a profile tool, the user not
  // yet connected.
  const local = await startLocal(t, {
    connections: [{ name: 'gmail', authType: 'OAUTH' }],
    tools: [
      {
        name: 'gmail_get_profile',
        connection: 'gmail',
        description: "Reads the user's Gmail profile",
        annotations: { readOnlyHint: true },
        request: { method: 'GET', path: '/gmail/v1/users/me/profile' },
      },
    ],
  })
  // The user opens the link in a browser while the example waits.
  const { r, followed } = await runFollowingLink(local, 'examples/mcp-agent.mjs', /Authorize gmail: (\S+)/)
  const output = outputOf(r)
  assert.equal(r.timedOut, false, `did not exit within ${LIMIT_MS} ms\n${output}`)
  assert.ok(followed, `never printed the link and waited\n${output}`)
  assert.equal(await followed, 200)
  assert.equal(r.code, 0, output)
  assert.match(r.stdout, /^tools: gmail_get_profile$/m, output)
  // The upstream (LocalScalekit's echo) saw the call, with the user's injected credential.
  assert.match(r.stdout, /^result: .*\/gmail\/v1\/users\/me\/profile/m, output)
  assert.match(r.stdout, /Bearer [^"\s]+/, output)
  const s = local.stats()
  assert.equal(s.authorize, 1)
  assert.equal(s.echo, 1, 'one call reached the upstream')
})

