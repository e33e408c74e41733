// README, MCP: a configuration of tools, which accounts the user still has to authorize, and a
// session token for the configuration's MCP server.
//
//   node examples/mcp.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { ScalekitClient } from 'scalekit-native'

const { mcp } = ScalekitClient.fromEnv().actions
const identifier = 'user_123'

// The tools an agent may use, by connection (no `tools`: every tool of that connection).
const { config } = await mcp.createConfig({
  name: 'daily-digest',
  description: 'Reads mail, posts a summary to Slack',
  connectionToolMappings: [{ connectionName: 'gmail', tools: ['gmail_get_profile'] }, { connectionName: 'slack' }],
})

// What the user still has to authorize, each with a fresh link:
const { connectedAccounts } = await mcp.listMcpConnectedAccounts({ configId: config.id, identifier, includeAuthLink: true })
for (const account of connectedAccounts) {
  console.log(account.connectionName, account.connectedAccountStatus ?? 'NOT_CONNECTED', account.authenticationLink)
}

// A short-lived token for the user: `Authorization: Bearer <token>` on the configuration's MCP server.
const { token, expiresAt } = await mcp.createSessionToken({ mcpConfigId: config.id, identifier, expiresInSeconds: 900 })
console.log(config.mcpServerUrl, `token of ${token.length} characters, until`, expiresAt?.toISOString())

for await (const { name, connectionToolMappings } of mcp.listConfigs({ filter: { name: 'daily-digest' } })) {
  console.log(name, connectionToolMappings.map((m) => m.connectionName))
}
await mcp.deleteConfig({ configId: config.id })
