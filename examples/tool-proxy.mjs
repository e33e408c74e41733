// The Tool Proxy flow from Scalekit's docs, through scalekit-native.
//
// With SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET set (or in .env), it talks to
// that Scalekit environment. Without SCALEKIT_ENV_URL it starts LocalScalekit, the local emulator,
// and points the client at it. When stdin is not a terminal and the emulator is in use, it follows
// the authorization link itself, as the user's browser would, instead of waiting for Enter.
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
  } else {
    process.stdout.write('Press Enter after authorizing...')
    await new Promise((resolve) => {
      process.stdin.once('data', resolve)
      process.stdin.once('end', resolve)
    })
    // Stop reading stdin so that the process can exit by itself.
    process.stdin.pause()
    process.stdout.write('\n')
  }

  const result = await actions.request({ connectionName, identifier, path: '/v1/customers', method: 'GET' })
  console.log(result)
} finally {
  await local?.close()
}
