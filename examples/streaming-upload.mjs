// README, Streaming: a multipart upload and a streamed one.
//
//   node examples/streaming-upload.mjs   (without SCALEKIT_ENV_URL: against LocalScalekit, see local-fallback.mjs)
import './local-fallback.mjs'
import { Readable } from 'node:stream'
import { ScalekitClient } from 'scalekit-native'

const { actions } = ScalekitClient.fromEnv()
const identifier = 'user_123'

// multipart/form-data, fields and files:
const form = new FormData()
form.append('channels', 'C123')
form.append('file', new Blob(['name,total\nAda,3\n'], { type: 'text/csv' }), 'totals.csv')
await actions.request({ connectionName: 'slack', identifier, path: '/api/files.upload', method: 'POST', formData: form })

// A stream (for a file: fs.createReadStream(path)), sent as it is produced:
const lines = Readable.from((function* () { for (let i = 0; i < 10_000; i++) yield `line ${i}\n` })())
await actions.request({ connectionName: 'gdrive', identifier, path: '/upload/drive/v3/files', method: 'POST',
  queryParams: { uploadType: 'media' }, headers: { 'content-type': 'text/plain' }, body: lines })
