// README, API: a connected account with an API key, its authorization link, and a listing.
//
//   node examples/accounts.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { ScalekitClient, ConnectorStatus } from 'scalekit-native'

const { actions } = ScalekitClient.fromEnv()
const connectionName = 'my-crm'
const identifier = 'user_123'

// An API-key connection: store the key the user gave you.
const { connectedAccount } = await actions.getOrCreateConnectedAccount({
  connectionName, identifier,
  authorizationDetails: { staticAuth: { details: { api_key: process.env.CRM_KEY ?? 'crm-key-123' } } },
})
if (connectedAccount?.status !== ConnectorStatus.ACTIVE) {
  const { link } = await actions.getAuthorizationLink({ connectionName, identifier })
  console.log('Ask the user to open', link)
}
const { connectedAccounts, nextPageToken } = await actions.listConnectedAccounts({ identifier, pageSize: 10 })
console.log(connectedAccounts.map((a) => `${a.connector}: ${a.status}`), nextPageToken || '(last page)')
