// Tracing: every call of scalekit-native as a log line, then as a span, from its
// diagnostics_channel events (README, "Tracing").
//
// `instrument(tracer)` takes an OpenTelemetry-style tracer (`startSpan(name, options)` → a span with
// `setAttribute`, `recordException`, `setStatus`, `end`). With `@opentelemetry/api` installed and an
// SDK registered, it feeds your spans; here, with no SDK registered, a tiny recorder prints them.
//
//   node examples/tracing.mjs
import { ScalekitClient, LocalScalekit, subscribeTracing } from 'scalekit-native'

// Logs each call when it ends: kind, method, path (never its query), status, attempts, duration.
const started = new Map()
const stopLogging = subscribeTracing({
  start(event) {
    started.set(event.callId, event)
  },
  error(event) {
    console.log(`call ${event.callId} failed: ${event.error.name}: ${event.error.message}`)
  },
  end(event) {
    const start = started.get(event.callId)
    started.delete(event.callId)
    console.log(`${start.kind} ${start.method} ${start.path} -> ${event.status} (${event.attempts} attempt(s), ${event.durationMs.toFixed(1)} ms)`)
  },
})

const SPAN_KIND_CLIENT = 2 // SpanKind.CLIENT
const STATUS_ERROR = 2 // SpanStatusCode.ERROR

/** Turns each call into one span; returns `stop()`. */
function instrument(tracer) {
  const spans = new Map()
  return subscribeTracing({
    start({ callId, kind, method, path, connectionName, identifier }) {
      const span = tracer.startSpan(`scalekit ${kind} ${method} ${path}`, {
        kind: SPAN_KIND_CLIENT,
        attributes: { 'scalekit.kind': kind, 'http.request.method': method, 'url.path': path },
      })
      if (connectionName !== undefined) span.setAttribute('scalekit.connection_name', connectionName)
      if (identifier !== undefined) span.setAttribute('scalekit.identifier', identifier)
      spans.set(callId, span)
    },
    error({ callId, error }) {
      const span = spans.get(callId)
      span?.recordException(error)
      span?.setStatus({ code: STATUS_ERROR, message: error.message })
    },
    end({ callId, status, durationMs, attempts }) {
      const span = spans.get(callId)
      if (span === undefined) return
      spans.delete(callId)
      span.setAttribute('http.response.status_code', status)
      span.setAttribute('scalekit.attempts', attempts)
      span.setAttribute('scalekit.duration_ms', durationMs)
      span.end()
    },
  })
}

/** A tracer that prints each span when it ends: enough to see what OpenTelemetry would get. */
function printingTracer() {
  return {
    startSpan(name, { attributes }) {
      const span = { name, attributes: { ...attributes }, error: undefined }
      return {
        setAttribute: (key, value) => { span.attributes[key] = value },
        recordException: (error) => { span.error = `${error.name}: ${error.message}` },
        setStatus: () => {},
        end: () => {
          const a = span.attributes
          console.log(`span ${span.name} status=${a['http.response.status_code']} attempts=${a['scalekit.attempts']}` +
            (span.error ? ` error=${span.error}` : ''))
        },
      }
    },
  }
}

let tracer = printingTracer()
try {
  // With OpenTelemetry: your SDK's tracer (register a provider and exporter first, as usual).
  const { trace, ProxyTracerProvider } = await import('@opentelemetry/api')
  // The API alone (installed along with other packages, e.g. `ai`) drops every span: it has no SDK
  // when its provider delegates to the same no-op one as a fresh ProxyTracerProvider.
  if (trace.getTracerProvider().getDelegate() !== new ProxyTracerProvider().getDelegate()) {
    tracer = trace.getTracer('scalekit-native')
    console.log('feeding spans to @opentelemetry/api')
  } else {
    console.log('no OpenTelemetry SDK is registered: printing spans instead')
  }
} catch {
  console.log('@opentelemetry/api is not installed: printing spans instead')
}
const stop = instrument(tracer)

// LocalScalekit plays Scalekit: any connection name reaches its echo upstream.
const local = await LocalScalekit.start({
  accounts: [{ connectionName: 'gmail', identifier: 'user_123', authorizationDetails: { oauth_token: { access_token: 'provider-token' } } }],
})
const scalekit = new ScalekitClient(local.url, local.clientId, local.clientSecret)
try {
  await scalekit.actions.request({ connectionName: 'gmail', identifier: 'user_123', path: '/v1/messages?q=unread' })
  await scalekit.actions.listConnectedAccounts({ connectionName: 'gmail' })
  await scalekit.actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'nobody' }).catch(() => {})
} finally {
  stop()
  stopLogging()
  await local.close()
}
