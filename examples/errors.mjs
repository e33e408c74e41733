// README, Errors: catching by class.
//
//   node examples/errors.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { ScalekitClient, ScalekitNotFoundException, ScalekitGatewayTimeoutException } from 'scalekit-native'

const { actions } = ScalekitClient.fromEnv()
try {
  await actions.request({ connectionName: 'gmail', identifier: 'no_such_user', path: '/gmail/v1/users/me/profile' })
} catch (err) {
  if (err instanceof ScalekitNotFoundException) console.log(err.httpStatus, err.message)
  else if (err instanceof ScalekitGatewayTimeoutException) console.log('timed out')
  else throw err
}
