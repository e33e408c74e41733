// README, Streaming: a download piped to a file, never held whole in memory.
//
//   node examples/streaming-download.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { ScalekitClient } from 'scalekit-native'

const { actions } = ScalekitClient.fromEnv()
const fileId = process.argv[2] ?? 'your-file-id'

const { data } = await actions.request({
  connectionName: 'gdrive', identifier: 'user_123', path: `/drive/v3/files/${fileId}`, queryParams: { alt: 'media' },
  responseType: 'stream', timeoutMs: 10 * 60_000,
})
await pipeline(data, createWriteStream('download.bin'))
