// MCP from Python against LocalScalekit over TLS (docs/wire-protocol.md §12, §13): the official
// scalekit-sdk-python 2.21.0, unchanged, creates an MCP configuration and a session token over
// gRPC (its channel always uses TLS); the Python MCP SDK (`mcp`, pinned) then lists and calls a
// tool of the configuration's server over Streamable HTTP with that token
// (__test__/support/python_mcp.py). Trust: GRPC_DEFAULT_SSL_ROOTS_FILE_PATH (gRPC),
// REQUESTS_CA_BUNDLE (requests: the token) and SSL_CERT_FILE (httpx2: the MCP client).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { ROOT, envWithoutScalekit, runCommand, sendJson, startLocal, startServer } from './helpers.mjs'
import { describeRun, pythonVenv, PIP_TIMEOUT_MS, VENV_TIMEOUT_MS } from './support/python.mjs'

const PACKAGES = ['scalekit-sdk-python==2.21.0', 'mcp==2.3.0']
const SCRIPT = path.join(ROOT, '__test__', 'support', 'python_mcp.py')
const RUN_TIMEOUT_MS = 90_000

test(`${PACKAGES.join(' and ')}: an MCP configuration, a session token and a tool call, over TLS`, { timeout: VENV_TIMEOUT_MS + PIP_TIMEOUT_MS + RUN_TIMEOUT_MS + 60_000 }, async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skn-python-mcp-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const python = await pythonVenv(t, dir, PACKAGES)
  if (python === null) return

  const upstream = await startServer(t, (req, res) =>
    sendJson(res, 200, { method: req.method, path: req.url, authorization: req.headers.authorization ?? null }),
  )
  const local = await startLocal(t, {
    tls: true,
    connections: [{ name: 'crm', provider: 'HUBSPOT', upstreamUrl: upstream.url }],
    accounts: [{ connectionName: 'crm', identifier: 'u1', authorizationDetails: { oauth_token: { access_token: 'tok-crm' } } }],
    tools: [
      {
        name: 'crm_list',
        connection: 'crm',
        description: 'List contacts',
        annotations: { readOnlyHint: true },
        inputSchema: { type: 'object', properties: { limit: { type: 'integer' } } },
        request: { path: '/contacts' },
      },
      { name: 'crm_delete', connection: 'crm', request: { method: 'DELETE', path: '/contacts/{id}' } },
    ],
  })
  const caFile = path.join(dir, 'localscalekit-ca.pem')
  await writeFile(caFile, local.caCertificate)
  const noProxy = [process.env.NO_PROXY ?? process.env.no_proxy, '127.0.0.1', 'localhost'].filter(Boolean).join(',')
  const env = envWithoutScalekit({
    ...local.env(),
    GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: caFile,
    REQUESTS_CA_BUNDLE: caFile,
    SSL_CERT_FILE: caFile,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
  })
  const r = await runCommand(python, [SCRIPT], { t, cwd: dir, env, input: '', timeoutMs: RUN_TIMEOUT_MS })
  const output = describeRun(r)
  assert.equal(r.code, 0, output)
  const out = JSON.parse(r.stdout.trim().split('\n').pop())

  assert.ok(out.config.id.startsWith('cfg_'), output)
  assert.match(out.config.mcp_server_url, new RegExp(`^${local.url.replace(/\./g, '\\.')}/mcp/v3/servers/[0-9a-f-]{36}$`))
  assert.equal(out.config.mappings[0].connection_name, 'crm')
  assert.equal(out.config.mappings[0].provider, 'HUBSPOT')
  assert.deepEqual(out.config.mappings[0].tools, ['crm_list'])
  assert.deepEqual(out.listed, ['py-assistant'])
  const minutesLeft = (Date.parse(`${out.expires_at}Z`) - Date.now()) / 60_000
  assert.ok(minutesLeft > 9 && minutesLeft <= 10, `expires_at ${out.expires_at}`)

  assert.equal(out.server, 'LocalScalekit')
  assert.deepEqual(out.tools, [
    {
      name: 'crm_list',
      description: 'List contacts',
      inputSchema: { type: 'object', properties: { limit: { type: 'integer' } } },
      annotations: { readOnlyHint: true },
    },
  ])
  assert.equal(out.result.isError, false, output)
  assert.deepEqual(out.result.structuredContent, { method: 'GET', path: '/contacts?limit=3', authorization: 'Bearer tok-crm' })
  assert.equal(upstream.requests.length, 1)

  const stats = local.stats()
  assert.equal(stats['grpc.CreateMcpConfig'], 1, 'the configuration came over gRPC')
  assert.equal(stats['grpc.ListMcpConfigs'], 1)
  assert.equal(stats['grpc.CreateMcpSessionToken'], 1, 'so did the token')
  assert.ok(stats['mcp.gateway'] >= 3, `the MCP client reached the gateway: ${stats['mcp.gateway']}`)
})
