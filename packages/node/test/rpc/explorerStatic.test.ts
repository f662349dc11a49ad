/** The node serves the explorer's built files at `/` beside the JSON-RPC, and nothing else from disk. */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXPLORER_DIST, explorerStatic } from '../../src/rpc/explorerStatic.ts'
import { type Fixture, startFixture } from './fixture.ts'

let fixture: Fixture

beforeAll(async () => {
  if (!existsSync(join(EXPLORER_DIST, 'index.html'))) {
    // `npm test` builds it first; a lone vitest run builds it here.
    execFileSync(process.execPath, [join(EXPLORER_DIST, '..', 'scripts', 'build.ts')], { stdio: 'inherit' })
  }
  fixture = await startFixture()
})

afterAll(async () => {
  await fixture?.close()
})

describe('explorer files', () => {
  it('GET / from a browser is the explorer page, with a policy that keeps it on this node', async () => {
    const response = await fetch(fixture.address.url, { headers: { accept: 'text/html,application/xhtml+xml' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/)
    const html = await response.text()
    expect(html).toContain('<script type="module" src="assets/app.js">')
    const script = await fetch(`${fixture.address.url}/assets/app.js`)
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect((await script.text()).length).toBeGreaterThan(10_000)
    const css = await fetch(`${fixture.address.url}/assets/app.css`)
    expect(css.headers.get('content-type')).toMatch(/^text\/css/)
  })

  it('GET / from a JSON-RPC client still answers 405, and POST / still serves JSON-RPC', async () => {
    const response = await fetch(fixture.address.url, { headers: { accept: 'application/json' } })
    expect(response.status).toBe(405)
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/uses POST/)
    const call = await fetch(fixture.address.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    })
    expect(((await call.json()) as { result: string }).result).toMatch(/^0x/)
  })

  it('serves only the files the build wrote', async () => {
    for (const path of [
      '/assets/nope.js',
      '/assets/..%2F..%2Fpackage.json',
      '/assets/%2Fetc%2Fpasswd',
      '/assets/index.html',
    ]) {
      const response = await fetch(`${fixture.address.url}${path}`)
      expect(response.status, path).toBe(404)
    }
  })

  it('says how to build the explorer when it is missing', async () => {
    const files = explorerStatic(join(EXPLORER_DIST, 'missing'))
    const app = Fastify()
    app.get('/', (request, reply) => files.index(request, reply) ?? reply.code(405).send())
    const response = await app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } })
    expect(response.statusCode).toBe(503)
    expect(response.body).toContain('npm run explorer:build')
    await app.close()
  })
})
