// README, Migrating from @scalekit-sdk/node: the official SDK's names, unchanged.
//
//   node examples/migrating.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { Scalekit, isToolException, ScalekitNotFoundException } from 'scalekit-native'

const { SCALEKIT_ENV_URL = '', SCALEKIT_CLIENT_ID = '', SCALEKIT_CLIENT_SECRET = '' } = process.env
const scalekit = new Scalekit(SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID, SCALEKIT_CLIENT_SECRET)

// The low-level clients: `connector` is the connection's name, as in the official SDK.
const { connectedAccount } = await scalekit.connectedAccounts.getConnectedAccountByIdentifier({ connector: 'gmail', identifier: 'user_123' })
console.log(connectedAccount?.status)   // 'ACTIVE'
const { connections } = await scalekit.connection.listAppConnections({ query: 'gmail' })
console.log(connections.map((c) => `${c.keyId} ${c.type} ${c.status}`))   // [ 'gmail OAUTH COMPLETED' ]

try {
  await scalekit.actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'nobody' })
} catch (err) {
  if (isToolException(err)) console.log(err.toolErrorCode, err.executionId)
  else if (err instanceof ScalekitNotFoundException) console.log(err.unpackedDetails[0]?.errorCode)   // 'NOT_FOUND'
  else throw err
}
