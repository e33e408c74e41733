// Type-checked (npm run typecheck), not run: the tracing and retry-budget surface of index.d.ts as a
// TypeScript user sees it under `strict`.
import dc from 'node:diagnostics_channel'
import {
  ScalekitClient,
  TracingChannels,
  subscribeTracing,
  type RequestEndEvent,
  type RequestErrorEvent,
  type RequestStartEvent,
  type TracedCallKind,
  type TracingChannel,
} from 'scalekit-native'

export function clients(): ScalekitClient[] {
  // README, "Retry budget".
  const busy = ScalekitClient.fromEnv({ retryBudget: 2000 })
  const unbounded = ScalekitClient.fromEnv({ retryBudget: false })
  return [busy, unbounded]
}

export function watch(log: (line: string) => void): () => void {
  const kinds = new Map<number, TracedCallKind>()
  const onStart = (message: unknown): void => {
    const { callId, kind, method, path } = message as RequestStartEvent
    kinds.set(callId, kind)
    log(`${kind} ${method ?? '?'} ${path ?? '?'}`)
  }
  const onError = (message: unknown): void => {
    const { callId, error } = message as RequestErrorEvent
    log(`${kinds.get(callId) ?? '?'} failed: ${error.name}: ${error.message}`)
  }
  const onEnd = (message: unknown): void => {
    const { callId, status, durationMs, attempts }: RequestEndEvent = message as RequestEndEvent
    kinds.delete(callId)
    log(`${status} after ${attempts} attempt(s), ${durationMs.toFixed(1)} ms`)
  }
  const names: TracingChannel[] = [TracingChannels.start, TracingChannels.error, TracingChannels.end]
  dc.subscribe(names[0], onStart)
  dc.subscribe(names[1], onError)
  dc.subscribe(names[2], onEnd)
  return () => {
    dc.unsubscribe(TracingChannels.start, onStart)
    dc.unsubscribe(TracingChannels.error, onError)
    dc.unsubscribe(TracingChannels.end, onEnd)
  }
}

export function watchTyped(log: (line: string) => void): () => void {
  // subscribeTracing: the handlers' events are typed, no cast needed.
  return subscribeTracing({
    start: (event) => log(`${event.kind} ${event.method ?? '?'} ${event.path ?? '?'}`),
    end: (event) => log(`${event.callId} ${event.status} ${event.attempts} ${event.durationMs}`),
    error: (event) => log(event.error.message),
  })
}
