// A local HTTP server that misbehaves on purpose, written on raw sockets so each test controls
// every byte and every close. Shared by the Vitest and Jest suites.
import net from 'node:net'

/**
 * Starts a server on 127.0.0.1; `handler(request, socket)` answers each request.
 * @param {(request: { method: string, path: string, headers: Record<string, string>, body: string }, socket: net.Socket) => void} handler
 */
export async function startServer(handler) {
  const requests = []
  const sockets = new Set()
  const closed = []
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => {
      sockets.delete(socket)
      closed.push(Date.now())
    })
    socket.on('error', () => {})
    let buffer = Buffer.alloc(0)
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk])
      const end = buffer.indexOf('\r\n\r\n')
      if (end === -1) return
      const head = buffer.subarray(0, end).toString('latin1').split('\r\n')
      const [method, path] = head[0].split(' ')
      const headers = {}
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
      }
      const length = Number(headers['content-length'] ?? 0)
      if (buffer.length < end + 4 + length) return
      const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8')
      buffer = buffer.subarray(end + 4 + length)
      const request = { method, path, headers, body }
      requests.push(request)
      handler(request, socket)
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    closed,
    openSockets: () => sockets.size,
    async stop() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** The head of a 200 SSE response (connection closes at the end of the body). */
export function sseHead(extra = '') {
  return `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nx-request-id: req_test\r\nconnection: close\r\n${extra}\r\n`
}

/** One SSE event carrying `data` as JSON. */
export function sse(data) {
  return `data: ${JSON.stringify(data)}\n\n`
}

/** A complete response with a status, headers and a body. */
export function httpResponse(status, body, headers = {}) {
  const lines = [`HTTP/1.1 ${status} X`, `content-length: ${Buffer.byteLength(body)}`, 'connection: close']
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  return `${lines.join('\r\n')}\r\n\r\n${body}`
}

/** The events of a short successful response. */
export function completedResponse(text = 'Hello world') {
  const words = text.split(' ')
  return [
    { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', status: 'in_progress' } },
    ...words.map((word, index) => ({
      type: 'response.output_text.delta',
      sequence_number: index + 1,
      item_id: 'msg_1',
      delta: index === 0 ? word : ` ${word}`,
    })),
    {
      type: 'response.completed',
      sequence_number: words.length + 1,
      response: { id: 'resp_1', status: 'completed', output: [{ type: 'message', content: [{ type: 'output_text', text }] }] },
    },
  ]
}
