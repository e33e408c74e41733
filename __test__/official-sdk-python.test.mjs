// The official scalekit-sdk-python 2.21.0, unchanged: custom providers, SearchTools and
// GetConnectedAccountDetails (__test__/support/python_sdk_parity.py), and the Python Tool Proxy snippet of
// Scalekit's docs (__test__/support/python_tool_proxy.py) against LocalScalekit over TLS (issue 13;
// docs/wire-protocol.md §12): started in this process, and as the standalone `scalekit-local --tls`
// executable a Python developer runs without Node (issue 19), with only the variables it printed. The SDK's gRPC channel always uses TLS, so LocalScalekit runs with
// `tls: true`; the SDK trusts its CA through GRPC_DEFAULT_SSL_ROOTS_FILE_PATH (grpc-core, the
// control plane) and REQUESTS_CA_BUNDLE (requests: the token and the Tool Proxy). The test plays
// the user: it follows the printed link as a browser would, then presses Enter.
//
// The venv and pip install can take minutes (its test allows 8 min): the file's limit in
// scripts/test-node.mjs, above that:
// file-timeout-ms: 600000
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'

import sk from '../index.js'
import { ROOT, startLocal, envWithoutScalekit, runCommand } from './helpers.mjs'
import { startCommand, buildStandalone } from './support/commands.mjs'
import { describeRun, pythonVenv, PIP_TIMEOUT_MS, VENV_TIMEOUT_MS } from './support/python.mjs'

const SDK = 'scalekit-sdk-python==2.21.0'
const SNIPPET = path.join(ROOT, '__test__', 'support', 'python_tool_proxy.py')
const PARITY = path.join(ROOT, '__test__', 'support', 'python_sdk_parity.py')
// The snippet's own names.
const CONNECTION = 'your-provider-connection'
const IDENTIFIER = 'user_123'
const RUN_TIMEOUT_MS = 90_000

/** One GET, as a browser would send it; resolves `{ status, location }` once the body is read. */
function get(url, ca) {
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    client
      .get(url, { ca, agent: false, headers: { accept: 'text/html' } }, (res) => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode, location: res.headers.location }))
        res.on('error', reject)
      })
      .on('error', reject)
  })
}

/** Follows `link` and its redirects (as a browser does), trusting `ca`; resolves the last status. */
async function followAsBrowser(link, ca) {
  let url = new URL(link)
  const hops = []
  for (let hop = 0; hop < 10; hop++) {
    const { status, location } = await get(url, ca)
    hops.push(`${status} ${url}`)
    if (status < 300 || status >= 400 || !location) return { status, hops }
    url = new URL(location, url)
  }
  throw new Error(`too many redirects: ${hops.join(' → ')}`)
}

/**
 * Runs the snippet with `vars` (the SCALEKIT_* variables and the CA variables) against the
 * LocalScalekit at `vars.SCALEKIT_ENV_URL`, playing the user when it prints the link; `client` is a
 * ScalekitClient of that LocalScalekit. Asserts the snippet's own success line.
 */
async function runSnippet(t, python, dir, vars, client) {
  // A copy outside the repository, so that the snippet's load_dotenv() finds no .env of the checkout.
  const script = path.join(dir, 'quickstart.py')
  await copyFile(SNIPPET, script)
  const noProxy = [process.env.NO_PROXY ?? process.env.no_proxy, '127.0.0.1', 'localhost'].filter(Boolean).join(',')
  const env = envWithoutScalekit({
    ...vars,
    // LocalScalekit is on loopback: no HTTP(S) proxy of the machine in between.
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    // As in a terminal: each line as soon as it is printed.
    PYTHONUNBUFFERED: '1',
  })
  const ca = await readFile(vars.REQUESTS_CA_BUNDLE, 'utf8')
  let link
  let followed
  let account
  let userError
  const r = await runCommand(python, [script], {
    t,
    cwd: dir,
    env,
    timeoutMs: RUN_TIMEOUT_MS,
    onStdout(stdout, child) {
      if (link !== undefined || !stdout.includes('Press Enter after authorizing')) return
      link = /Authorize connector: (\S+)/.exec(stdout)?.[1] ?? null
      // The user opens the link in a browser, sees the account authorized, then presses Enter.
      ;(async () => {
        if (!link) throw new Error('no link before the Enter prompt')
        followed = await followAsBrowser(link, ca)
        account = (await client.actions.getConnectedAccount({ connectionName: CONNECTION, identifier: IDENTIFIER })).connectedAccount
      })()
        .catch((e) => {
          userError = e
        })
        .finally(() => {
          child.stdin.end('\n')
        })
    },
  })
  const output = describeRun(r)
  assert.equal(r.timedOut, false, `the snippet did not exit within ${RUN_TIMEOUT_MS} ms: ${output}`)
  assert.ok(link !== undefined, `the snippet never asked for Enter: ${output}`)
  assert.ok(link?.startsWith(`${vars.SCALEKIT_ENV_URL}/magic/`), `the link is LocalScalekit's (${vars.SCALEKIT_ENV_URL}): ${output}`)
  assert.equal(userError, undefined, `following the link failed: ${userError?.stack}\n${output}`)
  assert.equal(followed.status, 200, `the link's pages: ${followed.hops.join(' → ')}`)
  assert.equal(account.status, 'ACTIVE', 'following the link authorized the account')
  assert.equal(r.code, 0, `the snippet failed: ${output}`)
  assert.ok(r.stdout.includes('<Response [200]>'), `no <Response [200]> printed: ${output}`)
}

const TEST_TIMEOUT_MS = VENV_TIMEOUT_MS + PIP_TIMEOUT_MS + 2 * RUN_TIMEOUT_MS + 600_000

test(`the docs' Python Tool Proxy snippet with ${SDK}, against LocalScalekit over TLS`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skn-python-sdk-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const python = await pythonVenv(t, dir, [SDK])
  if (python === null) return

  await t.test('LocalScalekit started in this process', async (t) => {
    const local = await startLocal(t, { tls: true })
    assert.match(local.url, /^https:\/\//)
    const caFile = path.join(dir, 'localscalekit-ca.pem')
    await writeFile(caFile, local.caCertificate)
    await runSnippet(t, python, dir, { ...local.env(), GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: caFile, REQUESTS_CA_BUNDLE: caFile }, local.client())
    const stats = local.stats()
    assert.ok(stats['grpc.GetMagicLinkForConnectedAccount'] >= 1, 'the link came over gRPC')
    assert.equal(stats.authorize, 1)
    assert.equal(stats.proxy, 1, 'one call through the Tool Proxy')
    assert.equal(stats.echo, 1, 'which reached the upstream')
  })

  // What the Python SDK has beyond the Node SDK (docs/wire-protocol.md §15), over gRPC: custom
  // providers, SearchTools, GetConnectedAccountDetails; this client sees the same state.
  await t.test('providers, search and details through the Python SDK', async (t) => {
    const local = await startLocal(t, {
      tls: true,
      connections: [{ name: 'gmail', provider: 'GMAIL' }],
      accounts: [{ connectionName: 'gmail', identifier: IDENTIFIER, authorizationDetails: { oauth_token: { access_token: 'tok' } } }],
      tools: [
        { name: 'gmail_send_email', connection: 'gmail', description: 'Send an email message', request: { method: 'POST', path: '/send' } },
        { name: 'gmail_list_labels', connection: 'gmail', description: 'List the labels of a mailbox', request: { path: '/labels' } },
      ],
    })
    const caFile = path.join(dir, 'localscalekit-parity-ca.pem')
    await writeFile(caFile, local.caCertificate)
    const client = local.client()
    const { provider } = await client.actions.providers.createCustomProvider({ displayName: 'Node Provider', proxyUrl: 'https://node.example' })
    const noProxy = [process.env.NO_PROXY ?? process.env.no_proxy, '127.0.0.1', 'localhost'].filter(Boolean).join(',')
    const r = await runCommand(python, [PARITY], {
      t,
      cwd: dir,
      env: envWithoutScalekit({ ...local.env(), GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: caFile, REQUESTS_CA_BUNDLE: caFile, NO_PROXY: noProxy, no_proxy: noProxy }),
      input: '',
      timeoutMs: RUN_TIMEOUT_MS,
    })
    assert.equal(r.code, 0, describeRun(r))
    const out = JSON.parse(r.stdout.trim().split('\n').pop())
    assert.deepEqual(out.created, { identifier: 'py_docs_mcp', display_name: 'Py Docs MCP', is_custom_mcp: true, metadata: { owner: 'python' }, auth_types: ['NO_AUTH'] })
    assert.deepEqual(out.custom, [provider.identifier, 'py_docs_mcp'].sort())
    assert.deepEqual(out.updated, { display_name: 'Py Docs', proxy_url: 'https://docs.example/v2' })
    assert.deepEqual(out.after_delete, [provider.identifier])
    // ToolReadinessState.TOOL_READINESS_STATE_READY is 1.
    assert.deepEqual(out.search[0], { name: 'gmail_send_email', connections: [['gmail', 1]] })
    assert.deepEqual(out.details, { status: 'ACTIVE', connector: 'gmail', has_credentials: false })
    // The same answers through this client, over REST.
    const mine = await client.tools.searchTools({ query: 'send an email', identifier: IDENTIFIER, topK: 5 })
    assert.deepEqual(mine.tools.map((t) => t.name), out.search.map((t) => t.name))
    assert.deepEqual((await client.actions.providers.listProviders({ providerType: 'CUSTOM' })).providers.map((p) => p.identifier), [provider.identifier])
    const stats = local.stats()
    for (const name of ['grpc.CreateCustomProvider', 'grpc.UpdateCustomProvider', 'grpc.DeleteCustomProvider', 'grpc.SearchTools', 'grpc.GetConnectedAccountDetails']) {
      assert.equal(stats[name], 1, name)
    }
    assert.equal(stats['grpc.ListProviders'], 2)
  })

  await t.test('the standalone scalekit-local --tls, with only the variables it printed', async (t) => {
    const exe = await buildStandalone()
    const cmd = startCommand(t, exe, ['--tls'])
    const vars = await cmd.ready
    assert.match(vars.SCALEKIT_ENV_URL, /^https:\/\//, cmd.describe())
    const ca = await readFile(vars.NODE_EXTRA_CA_CERTS, 'utf8')
    const client = new sk.ScalekitClient(vars.SCALEKIT_ENV_URL, vars.SCALEKIT_CLIENT_ID, vars.SCALEKIT_CLIENT_SECRET, { ca })
    await runSnippet(t, python, dir, vars, client)
    assert.equal((await cmd.interrupt()).code, 0, cmd.describe())
  })
})
