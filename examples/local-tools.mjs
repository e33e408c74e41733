// README, LocalScalekit reference: a tool catalog in the emulator, listed for a model and run.
//
//   node examples/local-tools.mjs
import { LocalScalekit } from 'scalekit-native'

const local = await LocalScalekit.start({
  accounts: [{ connectionName: 'crm', identifier: 'user_1', authorizationDetails: { oauth_token: { access_token: 'tok' } } }],
  tools: [{ name: 'crm_list_contacts', connection: 'crm', description: 'List contacts',
            inputSchema: { type: 'object', properties: { limit: { type: 'integer' } } },
            request: { method: 'GET', path: '/v1/contacts' } }],
})
const { definitions, execute } = await local.client().tools.forLLM({ identifier: 'user_1', format: 'anthropic' })
console.log(definitions)   // [{ name: 'crm_list_contacts', description: 'List contacts', input_schema: { … } }]
const { data } = await execute('crm_list_contacts', { limit: 5 })
console.log(data)          // the echo upstream saw GET /v1/contacts?limit=5 with `authorization: Bearer tok`
await local.close()
