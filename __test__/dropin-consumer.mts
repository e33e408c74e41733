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
