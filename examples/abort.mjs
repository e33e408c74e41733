// README, Abort: cancelling a call with an AbortSignal.
//
//   node examples/abort.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { ScalekitClient, ScalekitAbortException } from 'scalekit-native'

const { actions } = ScalekitClient.fromEnv()
const controller = new AbortController()
const call = actions.request({ connectionName: 'gmail', identifier: 'user_123', path: '/gmail/v1/users/me/messages', signal: controller.signal })
controller.abort()   // e.g. the user closed the page
try {
  await call
} catch (err) {
  if (!(err instanceof ScalekitAbortException)) throw err
  console.log(err.name) // AbortError
}
// A deadline instead: signal: AbortSignal.timeout(2_000)
