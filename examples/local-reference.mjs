// README, LocalScalekit reference: env(), accounts(), stats(), resetStats(), setAccountStatus()
// and revokeTokens().
//
//   node examples/local-reference.mjs
import { LocalScalekit, ScalekitClient, ScalekitBadRequestException } from 'scalekit-native'

const local = await LocalScalekit.start({ clientId: 'skc_local', clientSecret: 'local-secret' })
Object.assign(process.env, local.env())       // SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID, SCALEKIT_CLIENT_SECRET
const { actions } = ScalekitClient.fromEnv()  // the same as local.client()

const { link } = await actions.getAuthorizationLink({ connectionName: 'gmail', identifier: 'user_1' })
await fetch(link)
console.log(local.accounts())   // [{ id: 'ca_…', identifier: 'user_1', connector: 'gmail', status: 'ACTIVE', … }]
const { token, magic_link, authorize } = local.stats()   // requests served, per endpoint
console.log({ token, magic_link, authorize })             // { token: 1, magic_link: 1, authorize: 1 }
local.resetStats()              // every count back to 0

local.setAccountStatus('gmail', 'user_1', 'EXPIRED')
try {
  await actions.request({ connectionName: 'gmail', identifier: 'user_1', path: '/v1/me' })
} catch (err) {
  if (!(err instanceof ScalekitBadRequestException)) throw err
  console.log(err.message)      // … connected account ca_… is EXPIRED, not ACTIVE
}
local.revokeTokens()            // every token issued so far is refused: the client fetches a new one once
await actions.listConnectedAccounts({ identifier: 'user_1' })
console.log(local.stats().token) // 1: the new token
await local.close()
