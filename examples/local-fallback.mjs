// Imported first by the README's samples in this folder, so that each runs as it is:
//
// - With SCALEKIT_ENV_URL set (in the environment or in ./.env), it does nothing: the sample's
//   `ScalekitClient.fromEnv()` talks to that environment, with your own connections and accounts.
// - Without it, it starts LocalScalekit (the local emulator) with the connected accounts the
//   samples use already authorized, and points the SCALEKIT_* variables at it. Their connections
//   reach the built-in echo upstream, which answers with what it received.
//
// LocalScalekit does not keep the process alive: the sample exits by itself when it is done.
import { LocalScalekit } from 'scalekit-native'

try {
  process.loadEnvFile()
} catch {
  // No .env file: the environment alone.
}

if (!process.env.SCALEKIT_ENV_URL && !process.env.SCALEKIT_ENVIRONMENT_URL) {
  const identifier = 'user_123'
  const oauth = ['gmail', 'salesforce', 'slack', 'gdrive']
  const local = await LocalScalekit.start({
    connections: [...oauth.map((name) => ({ name, authType: 'OAUTH' })), { name: 'my-crm', authType: 'API_KEY', apiKey: { header: 'X-API-Key' } }],
    accounts: [
      ...oauth.map((connectionName) => ({ connectionName, identifier, authorizationDetails: { oauth_token: { access_token: `${connectionName}-token` } } })),
      { connectionName: 'my-crm', identifier, authorizationDetails: { static_auth: { details: { api_key: 'crm-key-123' } } } },
    ],
    tools: [
      {
        name: 'gmail_get_profile',
        connection: 'gmail',
        description: "Reads the user's Gmail profile",
        inputSchema: { type: 'object', properties: {} },
        request: { method: 'GET', path: '/gmail/v1/users/me/profile' },
      },
    ],
  })
  Object.assign(process.env, local.env())
  console.error(`(SCALEKIT_ENV_URL is not set: using LocalScalekit at ${local.url})`)
}
