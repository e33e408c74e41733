// The README's first sample: LocalScalekit, the local emulator, and a client of it; no account,
// no browser, no network.   node examples/quick-start-local.mjs
import { LocalScalekit } from 'scalekit-native'

const local = await LocalScalekit.start()   // the emulator, on a free loopback port
const { actions } = local.client()          // a ScalekitClient pointed at it
const connectionName = 'gmail'
const identifier = 'user_123'
const { link } = await actions.getAuthorizationLink({ connectionName, identifier })
await fetch(link)                           // what the user's browser does: the account becomes ACTIVE
const res = await actions.request({ connectionName, identifier, path: '/gmail/v1/users/me/profile' })
console.log(res.status, res.data)           // 200, and what the echo upstream received
await local.close()
