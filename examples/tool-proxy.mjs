// The Tool Proxy flow from Scalekit's docs, through scalekit-native.
//
// With SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET set (or in .env), it talks to
// that Scalekit environment. Without SCALEKIT_ENV_URL it starts LocalScalekit, the local emulator,
// and points the client at it, and (stdin not a terminal) follows the authorization link itself, as
// the user's browser would. Then it goes on once the account is ACTIVE (waitForConnectedAccount),
// or when Enter is pressed in a terminal, whichever comes first.
import { ScalekitClient, LocalScalekit } from 'scalekit-native'

// The same variables ScalekitClient.fromEnv() reads: from the environment, else from ./.env.
try {
  process.loadEnvFile()
} catch {
  // No .env file: the environment alone.
}
process.env.SCALEKIT_ENV_URL ||= process.env.SCALEKIT_ENVIRONMENT_URL ?? ''
let local
if (!process.env.SCALEKIT_ENV_URL) {
  local = await LocalScalekit.start()
  Object.assign(process.env, local.env())
  console.log(`SCALEKIT_ENV_URL is not set: using LocalScalekit at ${local.url}`)
}

try {
  const connectionName = process.env.SCALEKIT_CONNECTION_NAME || 'your-provider-connection'
  const identifier = process.env.SCALEKIT_IDENTIFIER || 'user_123'
  const scalekit = new ScalekitClient(process.env.SCALEKIT_ENV_URL, process.env.SCALEKIT_CLIENT_ID, process.env.SCALEKIT_CLIENT_SECRET)
  const actions = scalekit.actions

  const { link } = await actions.getAuthorizationLink({ connectionName, identifier })
  console.log('Authorize provider:', link)

  if (local && !process.stdin.isTTY) {
    const page = await fetch(link)
    console.log(`Followed the link as the user's browser would: ${page.status} ${page.statusText}`)
  }

  const waiting = new AbortController()
  const active = actions.waitForConnectedAccount({ connectionName, identifier, signal: waiting.signal })
  if (process.stdin.isTTY) {
    process.stdout.write('Press Enter after authorizing (or just authorize: this goes on once the account is ACTIVE)...')
    const enter = new Promise((resolve) => {
      process.stdin.once('data', resolve)
      process.stdin.once('end', resolve)
    })
    try {
      await Promise.race([enter, active])
    } finally {
      // Enter came first: the wait is not needed any more.
      waiting.abort()
      active.catch(() => {})
      // Stop reading stdin so that the process can exit by itself.
      process.stdin.pause()
      process.stdout.write('\n')
    }
  } else {
    console.log('Waiting until the account is ACTIVE (open the link in a browser)...')
    const { connectedAccount } = await active
    console.log(`Connected account ${connectedAccount?.id} is ${connectedAccount?.status}`)
  }

  const result = await actions.request({ connectionName, identifier, path: '/v1/customers', method: 'GET' })
  console.log(result)
} finally {
  await local?.close()
}
