// The README's quick start with a real Scalekit environment (or any LocalScalekit: the variables
// that `npx scalekit-local` prints).   node examples/quick-start.mjs
// It prints the authorization link, waits until the user has authorized, then makes the call.
import { ScalekitClient } from 'scalekit-native'

// SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET: from the environment, else from ./.env
const { actions } = ScalekitClient.fromEnv()
const connectionName = 'gmail'   // a connection configured in your Scalekit dashboard
const identifier = 'user_123'    // your user: their id or email in your app

const { connectedAccount } = await actions.getOrCreateConnectedAccount({ connectionName, identifier })
if (connectedAccount?.status !== 'ACTIVE') {
  const { link } = await actions.getAuthorizationLink({ connectionName, identifier })
  console.log(`Open this link and authorize:\n${link}`)
  // Goes on as soon as the account is ACTIVE (rejects with ScalekitGatewayTimeoutException after 5 minutes).
  await actions.waitForConnectedAccount({ connectionName, identifier, timeoutMs: 5 * 60_000 })
}
const result = await actions.request({ connectionName, identifier, path: '/gmail/v1/users/me/profile' })
console.log(result.status, result.data)
