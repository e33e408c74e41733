// Waits until the user has authorized, with no "Press Enter" step. Runs against LocalScalekit,
// where a fetch of the link stands in for the user's browser.
import { LocalScalekit, ScalekitGatewayTimeoutException } from 'scalekit-native'

const local = await LocalScalekit.start({ connections: [{ name: 'crm', authType: 'OAUTH' }] })
try {
  const actions = local.client().actions
  const connectionName = 'crm'
  const identifier = 'user_123'

  const { link } = await actions.getAuthorizationLink({ connectionName, identifier })
  console.log('Authorize provider:', link)
  // The user opens the link a moment later (here this process does, as their browser would).
  setTimeout(() => fetch(link).then((page) => page.arrayBuffer()), 500)

  // Resolves as soon as the account is ACTIVE: polls from pollIntervalMs, doubling up to 5 s.
  const { connectedAccount } = await actions.waitForConnectedAccount({
    connectionName,
    identifier,
    timeoutMs: 5 * 60_000,
    pollIntervalMs: 250,
  })
  console.log(`Connected account ${connectedAccount?.id} is ${connectedAccount?.status}`)

  // Not ACTIVE in time: ScalekitGatewayTimeoutException, naming the status it still had.
  await actions.getAuthorizationLink({ connectionName, identifier: 'user_456' })
  try {
    await actions.waitForConnectedAccount({ connectionName, identifier: 'user_456', timeoutMs: 1_000 })
  } catch (err) {
    if (!(err instanceof ScalekitGatewayTimeoutException)) throw err
    console.log(err.message)
  }
} finally {
  await local.close()
}
