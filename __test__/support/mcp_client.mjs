// An MCP client as an agent runs one: the official TypeScript SDK's Client over Streamable HTTP,
// with a session token as bearer. `node mcp_client.mjs <server url> <token> <tool> <arguments
// JSON>` lists the tools, calls one and prints `{ server, tools, result }` as JSON. Used by
// __test__/mcp-gateway.test.mjs in a child process, so that NODE_EXTRA_CA_CERTS (read only at
// startup) makes Node's fetch trust LocalScalekit's CA.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

const [url, token, tool, args] = process.argv.slice(2)
const client = new Client({ name: 'scalekit-native-tests', version: '1.0.0' })
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
})
await client.connect(transport)
const { tools } = await client.listTools()
const result = await client.callTool({ name: tool, arguments: JSON.parse(args) })
console.log(JSON.stringify({ server: client.getServerVersion(), tools: tools.map((t) => t.name), result }))
await client.close()
