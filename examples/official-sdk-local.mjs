// README, LocalScalekit with the official SDKs: @scalekit-sdk/node (a devDependency of this
// repository) against LocalScalekit, over gRPC and HTTP.
//
//   node examples/official-sdk-local.mjs
import { ScalekitClient } from '@scalekit-sdk/node'
import { LocalScalekit } from 'scalekit-native'

const local = await LocalScalekit.start()
const { actions } = new ScalekitClient(local.url, local.clientId, local.clientSecret)
const { link } = await actions.getAuthorizationLink({ connectionName: 'gmail', identifier: 'user_123' })
await fetch(link)                                        // the user authorizes
const res = await actions.request({ connectionName: 'gmail', identifier: 'user_123', path: '/v1/customers' })
console.log(res.status, res.data.headers.authorization)  // 200 Bearer emu_at_…
await local.close()
