// Options, `signal` included, go in the params object a method takes: an argument after those is
// refused with ScalekitValidationException, never silently ignored, and nothing is sent.
import { LocalScalekit, ScalekitValidationException } from 'scalekit-native'

const local = await LocalScalekit.start({ connections: [{ name: 'crm', authType: 'OAUTH' }] })
try {
  const actions = local.client().actions
  const signal = AbortSignal.timeout(5_000)
  const { connections } = await actions.listConnections({ signal })
  console.log(`${connections.length} connection(s)`)
  try {
    // @ts-expect-error: the signal goes in params, not as a second argument
    await actions.listConnections({}, signal)
  } catch (err) {
    if (!(err instanceof ScalekitValidationException)) throw err
    console.log(`${err.argument}: ${err.message}`)
  }
} finally {
  await local.close()
}
