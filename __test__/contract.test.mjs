// The JS↔Rust contract: the enum names have one home in Rust (src/names.rs), and the public
// objects and typings match it; the failure table maps every gRPC code the way the official SDK
// does, unknown codes included; the tool-error fields come from Rust's one rule.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'

import sk from '../index.js'
import { ROOT, startServer, sendJson } from './helpers.mjs'

const native = createRequire(import.meta.url)('../binding.js')

/** The string literals of `export declare const NAME: { … }` in index.d.ts. */
function declaredNames(name) {
  const dts = fs.readFileSync(path.join(ROOT, 'index.d.ts'), 'utf8')
  const block = dts.match(new RegExp(`export declare const ${name}: \\{([^}]*)\\}`))
  assert.ok(block, `index.d.ts declares ${name}`)
  return [...block[1].matchAll(/readonly (\w+): '(\w+)'/g)].map(([, key, value]) => {
    assert.equal(key, value, `${name}.${key} is its own name`)
    return key
  })
}

test('ConnectorStatus and ConnectorType: JS objects and index.d.ts list exactly the names Rust holds', () => {
  const rust = native.enumNames()
  assert.ok(rust.connectorStatus.includes('ACTIVE') && rust.connectorType.includes('OAUTH'))
  assert.deepEqual(Object.keys(sk.ConnectorStatus), rust.connectorStatus)
  assert.deepEqual(Object.values(sk.ConnectorStatus), rust.connectorStatus)
  assert.deepEqual(Object.keys(sk.ConnectorType), rust.connectorType)
  assert.ok(Object.isFrozen(sk.ConnectorStatus) && Object.isFrozen(sk.ConnectorType))
  assert.deepEqual(declaredNames('ConnectorStatus'), rust.connectorStatus)
  assert.deepEqual(declaredNames('ConnectorType'), rust.connectorType)
})

/** A fake Scalekit whose control plane answers every call with `status` and `body`. */
async function answering(t, status, body) {
  const server = await startServer(t, (req, res) => {
    if (req.url === '/oauth/token') return sendJson(res, 200, { access_token: 'tok', expires_in: 3600 })
    sendJson(res, status, body)
  })
  return new sk.ScalekitClient(server.url, 'id', 'secret', { maxRetries: 0 })
}

test('gRPC code → class as the official SDK; a code it does not list is ScalekitUnknownException', async (t) => {
  const table = [
    [400, 3, sk.ScalekitBadRequestException],
    [400, 9, sk.ScalekitBadRequestException],
    [409, 10, sk.ScalekitConflictException],
    [500, 2, sk.ScalekitInternalServerException],
    [500, 15, sk.ScalekitInternalServerException],
    [499, 1, sk.ScalekitCancelledException],
    [500, 0, sk.ScalekitUnknownException],
  ]
  for (const [status, code, Class] of table) {
    const client = await answering(t, status, { code, message: `code ${code}` })
    const e = await client.actions.getConnectedAccount({ connectedAccountId: 'ca_1' }).then(() => null, (e) => e)
    assert.ok(e instanceof Class, `code ${code}: got ${e?.constructor.name}`)
    assert.equal(e.grpcStatus, code)
    assert.equal(e.httpStatus, status)
    assert.match(e.message, new RegExp(`^\\[\\w+\\] code ${code}$`))
  }
})

test('TOOL_ERROR anywhere in details makes a tool exception with the ToolErrorInfo fields', async (t) => {
  const client = await answering(t, 403, {
    code: 7,
    message: 'provider refused',
    details: [
      { '@type': 'type.googleapis.com/scalekit.v1.errdetails.ErrorInfo', error_code: 'OTHER' },
      { '@type': 'x.ToolErrorInfo', tool_error_info: { execution_id: 'ex_9', tool_error_code: 'E1', tool_error_message: 'nope' } },
      { '@type': 'type.googleapis.com/scalekit.v1.errdetails.ErrorInfo', error_code: 'TOOL_ERROR' },
    ],
  })
  const e = await client.actions.executeTool({ toolName: 't', connectedAccountId: 'ca_1', toolInput: {} }).then(() => null, (e) => e)
  assert.ok(e instanceof sk.ScalekitToolForbiddenException, e?.constructor.name)
  assert.ok(e instanceof sk.ScalekitForbiddenException)
  assert.equal(e.isToolError, true)
  assert.equal(e.executionId, 'ex_9')
  assert.equal(e.toolErrorCode, 'E1')
  assert.equal(e.toolErrorMessage, 'nope')
  // The ErrorInfo entries (not the other detail type), under their JSON names, as the official SDK unpacks them.
  assert.deepEqual(e.unpackedDetails, [{ errorCode: 'OTHER' }, { errorCode: 'TOOL_ERROR' }])
})
