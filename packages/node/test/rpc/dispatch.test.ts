import pino from 'pino'
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { JsonRpcDispatcher } from '../../src/rpc/dispatch.ts'
import type { CallContext } from '../../src/rpc/methods.ts'
import { createRpcMetrics } from '../../src/rpc/metrics.ts'

const context: CallContext = { ip: '127.0.0.1', charge: () => {}, transport: 'http' }

/** A dispatcher whose one method, `echo`, answers its first parameter. */
function echoDispatcher(): JsonRpcDispatcher {
  return new JsonRpcDispatcher(new Map([['echo', (params: readonly unknown[]) => params[0]]]), {
    maxBatchLength: 100,
    maxRequestCost: 1_000,
    maxResponseBytes: 1_000_000,
    costOf: () => 1,
    log: pino({ level: 'silent' }),
    metrics: createRpcMetrics(new Registry(), ['echo']),
  })
}

describe('JsonRpcDispatcher answers', () => {
  it('writes every string result as JSON.stringify does, quoted in place or escaped', async () => {
    const results = [
      '0x',
      `0x${'ab'.repeat(32)}`,
      '',
      'plain text ~!',
      'a "quoted" word',
      'back\\slash',
      'line\nbreak\ttab\u0000',
      'non-ASCII é ✓ 😀',
      '\u007f delete',
      '\ud800 lone surrogate',
    ]
    const dispatcher = echoDispatcher()
    const body = JSON.stringify(results.map((result, id) => ({ jsonrpc: '2.0', id, method: 'echo', params: [result] })))
    const { body: answers } = await dispatcher.handle(body, context, () => undefined)
    expect(answers).toBe(
      `[${results.map((result, id) => `{"jsonrpc":"2.0","id":${id},"result":${JSON.stringify(result)}}`).join(',')}]`,
    )
    expect((JSON.parse(answers as string) as { result: string }[]).map((answer) => answer.result)).toEqual(results)
  })

  it('brackets a batch of one, skips notifications and answers nothing for notifications only', async () => {
    const dispatcher = echoDispatcher()
    const answer = async (body: string) => (await dispatcher.handle(body, context, () => undefined)).body
    expect(await answer('[{"jsonrpc":"2.0","id":1,"method":"echo","params":["0x1"]}]')).toBe(
      '[{"jsonrpc":"2.0","id":1,"result":"0x1"}]',
    )
    expect(
      await answer(
        '[{"jsonrpc":"2.0","method":"echo","params":["a"]},{"jsonrpc":"2.0","id":2,"method":"echo","params":["b"]},{"jsonrpc":"2.0","method":"echo","params":["c"]}]',
      ),
    ).toBe('[{"jsonrpc":"2.0","id":2,"result":"b"}]')
    expect(await answer('[{"jsonrpc":"2.0","method":"echo","params":["a"]}]')).toBeUndefined()
  })

  it('writes other results and string ids through JSON.stringify', async () => {
    const dispatcher = echoDispatcher()
    const { body } = await dispatcher.handle(
      '{"jsonrpc":"2.0","id":"a\\"b","method":"echo","params":[{"n":[1,null]}]}',
      context,
      () => undefined,
    )
    expect(body).toBe('{"jsonrpc":"2.0","id":"a\\"b","result":{"n":[1,null]}}')
  })
})
