// The same through the CommonJS typings (`npm run typecheck`): a default import is the client class.
import Scalekit = require('scalekit-native')
import DefaultScalekit from 'scalekit-native'

export function make(envUrl: string, id: string, secret: string): Scalekit.ScalekitClient {
  const a = new Scalekit.Scalekit(envUrl, id, secret)
  const b = new Scalekit.default(envUrl, id, secret)
  const c = new DefaultScalekit(envUrl, id, secret)
  return a.envUrl === b.envUrl ? a : c
}
