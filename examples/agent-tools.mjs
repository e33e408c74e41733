// An agent's tool loop, offline: the user's scoped tools as LLM function definitions, and a model's
// tool call (a fixed one here, no model needed) executed with the user's connected account.
//
// LocalScalekit plays Scalekit with a one-tool catalog (`crm_list_contacts`, a GET through the
// `my-crm` connection) and a tiny "CRM" API that requires the user's API key.
//
//   node examples/agent-tools.mjs
import http from 'node:http'
import { ScalekitClient, LocalScalekit } from 'scalekit-native'

const identifier = 'user_123'

// 1. The provider: answers JSON, and only to requests carrying the user's key.
const provider = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://provider')
  res.setHeader('content-type', 'application/json')
  if (req.headers['x-api-key'] !== 'crm-key-123') {
    res.statusCode = 401
    return res.end(JSON.stringify({ error: 'missing or wrong X-API-Key' }))
  }
  const contacts = [{ id: 1, name: 'Ada Lovelace' }, { id: 2, name: 'Grace Hopper' }]
  res.end(JSON.stringify({ contacts: contacts.slice(0, Number(url.searchParams.get('limit') ?? 10)) }))
})
await new Promise((resolve) => provider.listen(0, '127.0.0.1', resolve))

// 2. LocalScalekit: the connection, the user's connected account, and the tool catalog.
const local = await LocalScalekit.start({
  connections: [{ name: 'my-crm', authType: 'API_KEY', upstreamUrl: `http://127.0.0.1:${provider.address().port}`, apiKey: { header: 'X-API-Key' } }],
  accounts: [{ connectionName: 'my-crm', identifier, authorizationDetails: { static_auth: { details: { api_key: 'crm-key-123' } } } }],
  tools: [{
    name: 'crm_list_contacts',
    connection: 'my-crm',
    description: 'Lists the CRM contacts of the user',
    inputSchema: { type: 'object', properties: { limit: { type: 'integer' } } },
    request: { method: 'GET', path: '/v1/contacts' },
  }],
})

try {
  const scalekit = new ScalekitClient(local.url, local.clientId, local.clientSecret)

  // 3. What you hand to the model: OpenAI's function definitions for the user's tools.
  const { definitions, execute } = await scalekit.tools.forLLM({ identifier, format: 'openai' })
  console.log('Tools for the model:', JSON.stringify(definitions, null, 2))

  // 4. What the model answered (fixed here): one tool call, its arguments as a JSON string.
  const toolCall = { id: 'call_1', function: { name: 'crm_list_contacts', arguments: '{"limit": 1}' } }

  // 5. Run it with the user's connected account; the result goes back to the model as a tool message.
  const { data, executionId } = await execute(toolCall.function.name, toolCall.function.arguments)
  console.log(`Tool result (${executionId}):`, JSON.stringify(data))
  const toolMessage = { role: 'tool', tool_call_id: toolCall.id, content: JSON.stringify(data) }
  console.log('Message for the model:', toolMessage)
} finally {
  await local.close()
  provider.close()
}
