// README, API: Tool Proxy calls with a query and with a JSON body.
//
//   node examples/requests.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { ScalekitClient } from 'scalekit-native'

const { actions } = ScalekitClient.fromEnv()
const identifier = 'user_123'

const { data } = await actions.request({
  connectionName: 'salesforce', identifier,
  path: '/services/data/v60.0/query', queryParams: { q: 'SELECT Id FROM Account LIMIT 5' },
})
console.log(data)
const posted = await actions.request({
  connectionName: 'slack', identifier, path: '/api/chat.postMessage',
  method: 'POST', body: { channel: 'C123', text: 'Hello' },
})
console.log(posted.status)
