// README, Networks: a private CA and an explicit proxy, per client.
//
//   node examples/networks.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { readFileSync } from 'node:fs'
import { ScalekitClient } from 'scalekit-native'

// A private CA (a TLS-inspecting proxy, an internal gateway): NODE_EXTRA_CA_CERTS=/path/ca.pem node app.js,
// or per client, here from a file named by COMPANY_CA_FILE:
const caFile = process.env.COMPANY_CA_FILE
const trusting = caFile ? ScalekitClient.fromEnv({ ca: readFileSync(caFile) }) : undefined
// Through a given proxy, whatever HTTPS_PROXY says; or ignoring the proxy variables:
const proxied = ScalekitClient.fromEnv({ proxy: 'http://user:pass@proxy.internal:3128' })
const direct = ScalekitClient.fromEnv({ proxy: false })
console.log(trusting, proxied, direct) // credentials never show: { envUrl, clientId } only
