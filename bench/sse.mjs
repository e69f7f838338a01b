// The bench's SSE server process and the reader every stream benchmark measures against: Node
// `http` + eventsource-parser, parsing each event's JSON.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import http from 'node:http'
import { createInterface } from 'node:readline'

import { createParser } from 'eventsource-parser'

/** Starts the server process; resolves with its port and the payload's size. */
export async function startServer() {
  const child = spawn(process.execPath, [new URL('./sse-server.mjs', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] })
  const [line] = await once(createInterface({ input: child.stdout }), 'line')
  return { child, ...JSON.parse(line) }
}

/** Reads the stream with Node `http` and eventsource-parser, parsing every event's JSON. */
export function httpParser(port, agent, request) {
  return new Promise((resolve, reject) => {
    const call = http.request(
      { host: '127.0.0.1', port, path: '/v1/responses', method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' } },
      (response) => {
        let count = 0
        const parser = createParser({
          onEvent(event) {
            JSON.parse(event.data)
            count++
          },
        })
        response.setEncoding('utf8')
        response.on('data', (chunk) => parser.feed(chunk))
        response.on('end', () => resolve(count))
        response.on('error', reject)
      },
    )
    call.on('error', reject)
    call.end(JSON.stringify({ ...request, stream: true }))
  })
}
