// An agent's MCP session end to end: an MCP configuration of Gmail's profile tool, the user
// authorizing Gmail once, a session token for them, and the official MCP TypeScript SDK client
// listing and calling the tool through the configuration's MCP server, with the user's account
// behind the call.
//
//   npm install scalekit-native @modelcontextprotocol/sdk
//   node examples/mcp-agent.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs;
//                                  open the printed link in a browser to authorize)
import './local-fallback.mjs'
import { ScalekitClient } from 'scalekit-native'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

const { actions } = ScalekitClient.fromEnv()
const { mcp } = actions
const identifier = 'agent_user_1'
const name = 'gmail-profile-reader'

// The configuration: made once, found by its name afterwards.
const { configs } = await mcp.listConfigs({ filter: { name } })
const config =
  configs.find((c) => c.name === name) ??
  (await mcp.createConfig({ name, connectionToolMappings: [{ connectionName: 'gmail', tools: ['gmail_get_profile'] }] })).config

// The user authorizes each connection of the configuration once.
const { connectedAccounts } = await mcp.listMcpConnectedAccounts({ configId: config.id, identifier, includeAuthLink: true })
for (const account of connectedAccounts) {
  if (account.connectedAccountStatus === 'ACTIVE') continue
  console.log(`Authorize ${account.connectionName}: ${account.authenticationLink}`)
  console.log('Waiting until the account is ACTIVE…')
  await actions.waitForConnectedAccount({ connectionName: account.connectionName, identifier, timeoutMs: 5 * 60_000 })
}

// A short-lived token that opens this configuration's MCP server as this user.
const { token, expiresAt } = await mcp.createSessionToken({ mcpConfigId: config.id, identifier, expiresInSeconds: 600 })
console.log(`Session token for ${identifier} until ${expiresAt.toISOString()}`)

const client = new Client({ name: 'my-agent', version: '1.0.0' })
const transport = new StreamableHTTPClientTransport(new URL(config.mcpServerUrl), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
})
await client.connect(transport)
try {
  const { tools } = await client.listTools()
  console.log('tools:', tools.map((tool) => tool.name).join(', '))
  const result = await client.callTool({ name: 'gmail_get_profile', arguments: {} })
  console.log(result.isError ? 'tool error:' : 'result:', result.content.map((part) => part.text).join('\n'))
} finally {
  await client.close()
}
