/**
 * Serves the explorer's built files (packages/explorer/dist) beside the JSON-RPC: `GET /` for a
 * browser (it asks for HTML; JSON-RPC clients keep their 405 and WebSocket upgrades their socket)
 * and `GET /assets/<file>`. The node never imports the explorer's code, only reads that directory;
 * files are read per request so a rebuilt explorer is served without a restart.
 */
import { readdir, readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** Where `npm run explorer:build` writes the explorer, relative to this file. */
export const EXPLORER_DIST = join(import.meta.dirname, '..', '..', '..', 'explorer', 'dist')

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
}

/** Only the node itself: the page talks to this node's JSON-RPC and nothing else. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sluice explorer not built</title></head>
<body><h1>The explorer is not built</h1><p>This node serves the explorer from <code>packages/explorer/dist</code>,
which is missing. Run <code>npm run explorer:build</code> in the repository (npm ci does it), then reload.
The JSON-RPC on this address works meanwhile.</p></body></html>`

export type ExplorerStatic = {
  /** Answers `GET /` for a browser; undefined for any other client (the caller answers it). */
  index(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | undefined
  asset(request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply): Promise<FastifyReply>
}

export function explorerStatic(dist: string = EXPLORER_DIST): ExplorerStatic {
  const assets = join(dist, 'assets')
  return {
    index(request, reply) {
      if (!(request.headers.accept ?? '').includes('text/html')) return undefined
      return readFile(join(dist, 'index.html')).then(
        (html) =>
          reply
            .code(200)
            .headers(SECURITY_HEADERS)
            .header('cache-control', 'no-cache')
            .type(CONTENT_TYPES['.html'] as string)
            .send(html),
        () =>
          reply
            .code(503)
            .type(CONTENT_TYPES['.html'] as string)
            .send(NOT_BUILT),
      )
    },
    async asset(request, reply) {
      const file = request.params.file
      // Only names the build wrote: no path, no traversal.
      const names = await readdir(assets).catch(() => [] as string[])
      const type = CONTENT_TYPES[extname(file)]
      if (!names.includes(file) || type === undefined) {
        return reply
          .code(404)
          .type('text/plain; charset=utf-8')
          .send(`no explorer asset ${file.slice(0, 100)}`)
      }
      const body = await readFile(join(assets, file))
      return reply.code(200).headers(SECURITY_HEADERS).header('cache-control', 'no-cache').type(type).send(body)
    },
  }
}
