// "Bring your own provider", end to end and offline: an API_KEY provider, a connection for it, a
// connected account per user, authorization, a call through the Tool Proxy, and cleanup.
//
// Everything runs locally: a tiny "CRM" HTTP API that requires `X-API-Key`, and LocalScalekit,
// which plays Scalekit (token endpoint, connected accounts, magic links, Tool Proxy). Point the same
// client code at a real Scalekit environment and it works unchanged.
//
//   node examples/byo-provider.mjs
import http from 'node:http'
import { ScalekitClient, LocalScalekit, ConnectorStatus, ScalekitNotFoundException } from 'scalekit-native'

const USER_API_KEY = 'crm-key-123' // what your user pasted into your app's settings page
const connectionName = 'my-crm'
const identifier = 'user_123'

// 1. The provider: answers JSON, and only to requests carrying the right X-API-Key.
const provider = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://provider')
  const send = (status, value) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(value))
  }
  if (req.headers['x-api-key'] !== USER_API_KEY) return send(401, { error: 'missing or wrong X-API-Key' })
  if (req.method === 'GET' && url.pathname === '/v1/contacts') {
    const limit = Number(url.searchParams.get('limit') ?? 10)
    const contacts = [
      { id: 1, name: 'Ada Lovelace' },
      { id: 2, name: 'Grace Hopper' },
      { id: 3, name: 'Alan Turing' },
    ]
    return send(200, { contacts: contacts.slice(0, limit) })
  }
  send(404, { error: `no route ${req.method} ${url.pathname}` })
})
await new Promise((resolve) => provider.listen(0, '127.0.0.1', resolve))
const upstreamUrl = `http://127.0.0.1:${provider.address().port}`
console.log(`1. Provider API listening on ${upstreamUrl} (requires X-API-Key)`)

// 2. The connection: what you configure once in the Scalekit dashboard; here, LocalScalekit's config.
const local = await LocalScalekit.start({
  connections: [{ name: connectionName, authType: 'API_KEY', upstreamUrl, apiKey: { header: 'X-API-Key' } }],
})
console.log(`2. LocalScalekit listening on ${local.url} with connection "${connectionName}" (API_KEY in X-API-Key)`)

try {
  const scalekit = new ScalekitClient(local.url, local.clientId, local.clientSecret)
  const actions = scalekit.actions

  // 3. The user's connected account, with the API key they gave you.
  const { connectedAccount } = await actions.getOrCreateConnectedAccount({
    connectionName,
    identifier,
    authorizationDetails: { staticAuth: { details: { api_key: USER_API_KEY } } },
  })
  console.log(`3. Connected account ${connectedAccount.id} for ${identifier}: ${connectedAccount.status}`)

  // 4. Authorization: the link your app shows the user (here, followed as their browser would).
  const { link } = await actions.getAuthorizationLink({ connectionName, identifier })
  console.log(`4. Authorization link: ${link}`)
  const page = await fetch(link)
  await page.arrayBuffer()
  const { connectedAccount: authorized } = await actions.getConnectedAccount({ connectionName, identifier })
  console.log(`   Followed the link: ${page.status} ${page.statusText}; account status ${authorized.status}`)
  if (authorized.status !== ConnectorStatus.ACTIVE) throw new Error(`expected an ACTIVE account, got ${authorized.status}`)

  // 5. A call to the provider through the Tool Proxy: the API key is injected on the way.
  const result = await actions.request({ connectionName, identifier, path: '/v1/contacts', queryParams: { limit: 2 } })
  console.log(`5. GET /v1/contacts through the Tool Proxy → ${result.status} ${result.statusText}`)
  console.log(`   data: ${JSON.stringify(result.data)}`)

  // 6. Cleanup: the user disconnects the provider.
  await actions.deleteConnectedAccount({ connectionName, identifier })
  try {
    await actions.getConnectedAccount({ connectionName, identifier })
    throw new Error('the account still exists after deleteConnectedAccount')
  } catch (e) {
    if (!(e instanceof ScalekitNotFoundException)) throw e
    console.log(`6. Deleted the connected account; getConnectedAccount now → ${e.httpStatus} ${e.constructor.name}`)
  }
} finally {
  await local.close()
  provider.closeAllConnections()
  await new Promise((resolve) => provider.close(resolve))
}
console.log('Done.')
