// Code written against @scalekit-sdk/node compiles against this package (`npm run typecheck`,
// ESM): `Scalekit` is the client class; the default import is, as the official package's under
// Node's ESM, the CommonJS exports, whose `default` is the client class; `isToolException`
// narrows to `IScalekitToolException`.
import sk, { Scalekit, ScalekitClient, isToolException, type IScalekitToolException } from 'scalekit-native'

export function make(envUrl: string, id: string, secret: string): ScalekitClient {
  const a: ScalekitClient = new Scalekit(envUrl, id, secret)
  const b: ScalekitClient = new sk.default(envUrl, id, secret)
  const c: ScalekitClient = new sk.ScalekitClient(envUrl, id, secret)
  return a.envUrl === b.envUrl ? a : c
}

export function toolCode(e: unknown): string | undefined {
  if (!isToolException(e)) return undefined
  const narrowed: IScalekitToolException = e
  return `${narrowed.toolErrorCode} ${narrowed.executionId}`
}

// The low-level views, and what comes from the Python SDK, as typed.
export async function extras(client: ScalekitClient): Promise<string[]> {
  const { connectedAccount } = await client.connectedAccounts.getConnectedAccountByIdentifier({ connector: 'gmail', identifier: 'u' })
  const { connections } = await client.connection.listAppConnections({ query: 'gmail', pageSize: 10 })
  const details = await client.actions.getConnectedAccountDetails({ connectionName: 'gmail', identifier: 'u' })
  const { tools } = await client.tools.searchTools({ query: 'send an email', identifier: 'u', topK: 5 })
  const ready = tools.flatMap((t) => t.connections.filter((c) => c.readinessState === 'READY').map((c) => c.connectedAccountId))
  const pre = client.actions.preModifier(['gmail_send_email'], (input) => ({ ...input, to: 'x@y.z' }))
  client.actions.postModifier('gmail_send_email', async (data) => ({ wrapped: data }))
  const types: string[] = client.actions.getModifiers('gmail_send_email', 'pre').map((m) => m.type)
  const { provider } = await client.actions.providers.createCustomProvider({ displayName: 'Docs MCP', proxyUrl: 'https://docs.example/mcp', authPatterns: [{ type: 'NO_AUTH', isMcp: true }] })
  const { providers } = await client.actions.providers.listProviders({ providerType: 'CUSTOM' })
  return [connectedAccount?.status ?? '', connections[0]?.keyId ?? '', details.connectedAccount?.id ?? '', ...ready, pre.type, ...types, provider.identifier, ...providers.map((p) => p.displayName)]
}
