// README, Retries and timeouts: per-client and per-call settings.
//
//   node examples/retries.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { ScalekitClient } from 'scalekit-native'

const { actions } = ScalekitClient.fromEnv({ maxRetries: 3, toolTimeoutMs: 15_000 })
const connectionName = 'my-crm'
const identifier = 'user_123'
const orderId = 'order-1042'

// A POST is not retried unless you say so; this one may be retried twice, all within 5 s:
await actions.request({ connectionName, identifier, path: '/v1/orders', method: 'POST',
  body: { sku: 'A1' }, headers: { 'Idempotency-Key': orderId }, retry: 2, timeoutMs: 5_000 })
// Never retry this GET:
await actions.request({ connectionName, identifier, path: '/v1/quota', retry: false })
