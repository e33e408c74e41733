// Every connected account and every tool, page after page, with `for await`: each next page is
// fetched only when the loop reaches it. Runs against LocalScalekit, seeded with 25 accounts.
import { LocalScalekit } from 'scalekit-native'

const accounts = Array.from({ length: 25 }, (_, i) => ({
  connectionName: 'crm',
  identifier: `user_${i + 1}`,
  authorizationDetails: { oauth_token: { access_token: `token-${i + 1}` } },
}))
const tools = ['crm_list_contacts', 'crm_get_contact'].map((name) => ({ name, connection: 'crm', request: { path: `/v1/${name}` } }))
const local = await LocalScalekit.start({ connections: [{ name: 'crm', authType: 'OAUTH' }], accounts, tools })
try {
  const client = local.client()
  const actions = client.actions

  // `await` still gives one page…
  const first = await actions.listConnectedAccounts({ connectionName: 'crm', pageSize: 10 })
  console.log(`First page: ${first.connectedAccounts.length} accounts, next page token ${JSON.stringify(first.nextPageToken)}`)

  // …and `for await` walks them all (3 requests of 10 here).
  const controller = new AbortController()
  let count = 0
  for await (const account of actions.listConnectedAccounts({ connectionName: 'crm', pageSize: 10, signal: controller.signal })) {
    count += 1
    if (account.status !== 'ACTIVE') console.log(`${account.identifier} is ${account.status}`)
  }
  console.log(`Walked ${count} accounts in ${local.stats()['connected_accounts.list'] - 1} page requests`)

  // The tool listings too; breaking out fetches nothing more.
  for await (const tool of client.tools.listTools({ pageSize: 1 })) {
    console.log('First tool:', tool.definition.name)
    break
  }
} finally {
  await local.close()
}
