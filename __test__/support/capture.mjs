// A recording reverse proxy for tests: clients are pointed at `capture.url`, every request they
// send is recorded exactly as it arrived (method, raw request-target, raw header names and values
// in order, body bytes) and then forwarded unchanged to `target` (only `host` is rewritten).
//
// LocalScalekit strips Scalekit's own headers (`connection_name`, `identifier`, `authorization`)
// before forwarding to the echo upstream, so what a client really put on the wire can only be seen
// in front of LocalScalekit, here.

import http from 'node:http'

/**
 * @param {string} target base URL, e.g. LocalScalekit's `url`
 * @returns {Promise<{ url: string, records: object[], since(n: number): object[], close(): Promise<void> }>}
 */
export async function startCapture(target) {
  const upstream = new URL(target)
  const agent = new http.Agent({ keepAlive: false })
  const records = []

  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const record = {
        method: req.method,
        target: req.url, // the raw request-target, byte for byte
        httpVersion: req.httpVersion,
        rawHeaders: req.rawHeaders.slice(),
        headers: { ...req.headers },
        body,
      }
      records.push(record)

      const headers = {}
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]
        const lower = name.toLowerCase()
        if (lower === 'host' || lower === 'connection' || lower === 'keep-alive' || lower === 'transfer-encoding') continue
        if (lower in headers) continue // duplicates: keep Node's joined form below
        headers[lower] = req.headers[lower]
      }
      headers['content-length'] = String(body.length)
      const out = http.request(
        {
          agent,
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers,
        },
        (up) => {
          const respHeaders = { ...up.headers }
          delete respHeaders.connection
          delete respHeaders['keep-alive']
          delete respHeaders['transfer-encoding']
          res.writeHead(up.statusCode, up.statusMessage, respHeaders)
          up.pipe(res)
        },
      )
      out.on('error', (e) => {
        res.writeHead(502, { 'content-type': 'text/plain' })
        res.end(`capture: upstream error: ${e.message}`)
      })
      out.end(body)
    })
  })

  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address()

  return {
    url: `http://127.0.0.1:${port}`,
    records,
    /** Records made since `records.length` was `n`. */
    since(n) {
      return records.slice(n)
    },
    async close() {
      // Drop keep-alive sockets the clients hold (axios, reqwest), so the process can exit.
      server.closeAllConnections()
      await new Promise((resolve) => server.close(() => resolve()))
      agent.destroy()
    },
  }
}
