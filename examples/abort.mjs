// README, Abort: cancelling a call with an AbortSignal (here, Ctrl-C while it runs).
//
//   node examples/abort.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { ScalekitClient, ScalekitAbortException } from 'scalekit-native'

const { actions } = ScalekitClient.fromEnv()
const controller = new AbortController()
process.once('SIGINT', () => controller.abort(new Error('Ctrl-C')))   // or a closed page, a cancelled job, …
try {
  const res = await actions.request({
    connectionName: 'gmail', identifier: 'user_123', path: '/gmail/v1/users/me/messages', signal: controller.signal,
  })
  console.log(res.status)
} catch (err) {
  if (!(err instanceof ScalekitAbortException)) throw err
  console.log('cancelled:', err.name, err.cause)   // AbortError, the reason given to abort()
}
// Or a deadline: signal: AbortSignal.timeout(2_000), or the call's own timeoutMs
