import { verifyMerkleProof } from '@ethereumjs/mpt'
import {
  bigintToBytes,
  bytesToHex,
  decodeRlp,
  EMPTY_TRIE_ROOT,
  encodeAccount,
  encodeBlockHeader,
  encodeRlp,
  hexToBytes,
  keccak256,
  MESSAGE_PASSED_TOPIC,
  MESSAGE_PASSER_ADDRESS,
  protocolIntrinsicGas,
  type RlpInput,
} from '@sluice/core'
import { createPublicClient, type Hex, http, type PublicClient, TransactionReceiptNotFoundError, webSocket } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { transfer } from '../../../../test/support/wallet.ts'
import type { StoredBlock } from '../../src/chain/types.ts'
import { alice, bob, carol, chainId, type Fixture, ONE_ETH, rpc, startFixture } from './fixture.ts'

let fixture: Fixture
let client: PublicClient

beforeAll(async () => {
  fixture = await startFixture({
    rollup: {
      claimAtBlock: (blockNumber) => ({ blockNumber, stateRoot: new Uint8Array(32).fill(7), batchIndex: 3n }),
      getBatch: (index) => (index === 0n ? { batchIndex: index, l1BlockNumber: 12n } : undefined),
      syncStatus: () => ({ l1Head: 99n }),
    },
  })
  client = createPublicClient({ transport: http(fixture.address.url) }) as PublicClient
})

afterAll(async () => {
  await fixture.close()
})

const hex = (bytes: Uint8Array): Hex => bytesToHex(bytes)

describe('a wallet reading the chain over HTTP (viem)', () => {
  it('reads the chain id, the head and the client version', async () => {
    expect(BigInt(await client.getChainId())).toBe(chainId)
    expect(await client.getBlockNumber()).toBe(fixture.chain.head('unsafe').header.number)
    expect((await rpc(fixture.address.url, 'net_version')).result).toBe(chainId.toString())
    expect((await rpc(fixture.address.url, 'web3_clientVersion')).result).toBe('sluice-test/0.0.0')
  })

  it('reads balances and nonces at the head and at older blocks and tags', async () => {
    const { funded, transfers } = fixture.blocks
    const bobTx = transfers.transactions[1]!
    const expectedBob = 10n * ONE_ETH + ONE_ETH - 2n * ONE_ETH - bobTx.gasUsed * bobTx.effectiveGasPrice
    expect(await client.getBalance({ address: bob.addressHex })).toBe(expectedBob)
    expect(await client.getBalance({ address: bob.addressHex, blockNumber: funded.header.number })).toBe(10n * ONE_ETH)
    // safe is block 1 in the fixture, finalized genesis.
    expect(await client.getBalance({ address: bob.addressHex, blockTag: 'safe' })).toBe(10n * ONE_ETH)
    expect(await client.getBalance({ address: bob.addressHex, blockTag: 'finalized' })).toBe(0n)
    expect(await client.getBalance({ address: bob.addressHex, blockTag: 'earliest' })).toBe(0n)
    expect(await client.getTransactionCount({ address: alice.addressHex })).toBe(2)
    // EIP-1898: by block hash.
    const byHash = await rpc(fixture.address.url, 'eth_getBalance', [bob.addressHex, { blockHash: hex(funded.hash) }])
    expect(byHash.result).toBe(`0x${(10n * ONE_ETH).toString(16)}`)
  })

  it('answers header not found for a state query beyond the head, and null for such a block', async () => {
    const answer = await rpc(fixture.address.url, 'eth_getBalance', [bob.addressHex, '0x64'])
    expect(answer.error).toMatchObject({ code: -32000, message: expect.stringContaining('header not found') })
    expect(await rpc(fixture.address.url, 'eth_getBlockByNumber', ['0x64', false])).toMatchObject({ result: null })
  })

  it('returns blocks with hashes or full transactions, London fields, and the size of the block encoding', async () => {
    const stored = fixture.blocks.transfers
    const block = await client.getBlock({ blockNumber: stored.header.number })
    expect(block.hash).toBe(hex(stored.hash))
    expect(block.transactions).toEqual(stored.transactions.map((t) => hex(t.hash)))
    expect(block.stateRoot).toBe(hex(stored.header.stateRoot))
    expect(block.baseFeePerGas).toBe(stored.header.baseFeePerGas)
    expect(block.mixHash).toBe(hex(stored.header.delayedAccumulator))
    expect(BigInt(block.nonce!)).toBe(stored.header.delayedCountAfter)
    expect(block.nonce).toHaveLength(18)
    expect(block.withdrawals).toBeUndefined()
    // The size is the length of rlp([header, transactions, ommers]) computed independently here.
    const txItems = stored.transactions.map((t) => (t.type === 0 ? decodeRlp(t.raw) : t.raw)) as RlpInput[]
    const encoded = encodeRlp([decodeRlp(encodeBlockHeader(stored.header)) as RlpInput, txItems, []])
    expect(block.size).toBe(BigInt(encoded.length))

    const full = await client.getBlock({ blockHash: hex(stored.hash), includeTransactions: true })
    expect(full.transactions.map((t) => t.type)).toEqual(['eip1559', 'eip2930', 'legacy', 'eip1559'])
    const first = full.transactions[0]!
    expect(first.from).toBe(alice.addressHex)
    expect(first.to).toBe(bob.addressHex)
    expect(first.value).toBe(ONE_ETH)
    expect(first.blockHash).toBe(hex(stored.hash))
    expect(first.gasPrice).toBe(stored.transactions[0]!.effectiveGasPrice)

    const latest = await client.getBlock({ blockTag: 'latest' })
    expect(latest.number).toBe(stored.header.number)
    const safe = await client.getBlock({ blockTag: 'safe' })
    expect(safe.hash).toBe(hex(fixture.blocks.funded.hash))
  })

  it('returns transactions and receipts, with the MessagePassed log of a withdrawal', async () => {
    const stored = fixture.blocks.transfers
    const legacy = await client.getTransaction({ hash: hex(stored.transactions[2]!.hash) })
    expect(legacy.type).toBe('legacy')
    expect(legacy.chainId).toBe(Number(chainId))
    expect(legacy.from).toBe(carol.addressHex)

    const receipt = await client.getTransactionReceipt({ hash: hex(stored.transactions[0]!.hash) })
    expect(receipt.status).toBe('success')
    expect(receipt.blockNumber).toBe(stored.header.number)
    expect(receipt.gasUsed).toBe(21_000n)
    expect(receipt.effectiveGasPrice).toBe(stored.transactions[0]!.effectiveGasPrice)
    expect(receipt.contractAddress).toBeNull()
    expect(receipt.logs).toEqual([])

    const withdrawal = await client.getTransactionReceipt({ hash: hex(fixture.withdrawal.hash) })
    expect(withdrawal.to).toBe(MESSAGE_PASSER_ADDRESS)
    expect(withdrawal.cumulativeGasUsed).toBe(stored.transactions[3]!.cumulativeGasUsed)
    expect(withdrawal.logs).toHaveLength(1)
    const log = withdrawal.logs[0]!
    expect(log.address).toBe(MESSAGE_PASSER_ADDRESS)
    expect(log.topics[0]).toBe(hex(MESSAGE_PASSED_TOPIC))
    expect(log.logIndex).toBe(0)
    expect(log.transactionIndex).toBe(3)
    expect(withdrawal.logsBloom).toBe(hex(stored.transactions[3]!.logsBloom))

    const logs = await client.getLogs({ address: MESSAGE_PASSER_ADDRESS, fromBlock: 0n, toBlock: 'latest' })
    expect(logs.map((l) => l.transactionHash)).toEqual([hex(fixture.withdrawal.hash)])
    const none = await client.getLogs({ address: bob.addressHex, fromBlock: 0n })
    expect(none).toEqual([])
  })

  it('serves an eth_getProof that verifies against the block state root with @ethereumjs/mpt', async () => {
    const stored = fixture.blocks.transfers
    const slot = hex(fixture.withdrawal.withdrawalHash)
    for (const address of [
      alice.addressHex,
      MESSAGE_PASSER_ADDRESS,
      '0x00000000000000000000000000000000deadbeef',
    ] as const) {
      const proof = await client.getProof({ address, storageKeys: [slot], blockNumber: stored.header.number })
      const value = await verifyMerkleProof(hexToBytes(address), proof.accountProof.map(hexToBytes), {
        useKeyHashing: true,
        root: stored.header.stateRoot,
      })
      const account = fixture.chain.account(stored.header.number, hexToBytes(address))
      if (account.nonce === 0n && account.balance === 0n && address !== MESSAGE_PASSER_ADDRESS) {
        expect(value).toBeNull() // an absent account: the proof shows its absence
      } else {
        expect(value).toEqual(encodeAccount(account))
      }
      expect(proof.balance).toBe(account.balance)
      expect(proof.storageHash).toBe(hex(account.storageRoot))
      if (proof.storageHash === hex(EMPTY_TRIE_ROOT)) {
        // No storage: the empty trie needs no nodes to show a slot is unset.
        expect(proof.storageProof[0]).toMatchObject({ value: 0n, proof: [] })
        continue
      }
      const storage = await verifyMerkleProof(hexToBytes(slot), proof.storageProof[0]!.proof.map(hexToBytes), {
        useKeyHashing: true,
        root: hexToBytes(proof.storageHash),
      })
      if (address === MESSAGE_PASSER_ADDRESS) {
        // The message passer stores each withdrawal hash under itself.
        expect(storage).toEqual(encodeRlp(bigintToBytes(BigInt(slot))))
        expect(proof.storageProof[0]!.value).toBe(BigInt(slot))
      } else {
        expect(storage).toBeNull()
        expect(proof.storageProof[0]!.value).toBe(0n)
      }
    }
    expect(await client.getStorageAt({ address: MESSAGE_PASSER_ADDRESS, slot })).toBe(slot)
    expect(await client.getCode({ address: MESSAGE_PASSER_ADDRESS })).toBeUndefined()
  })

  it('estimates transfers and withdrawals, refuses contract creation, answers calls to code-less accounts as Ethereum does', async () => {
    expect(await client.estimateGas({ account: alice.addressHex, to: bob.addressHex, value: 1n })).toBe(21_000n)
    const recipientWord = `0x${'00'.repeat(12)}${carol.addressHex.slice(2)}` as Hex
    expect(
      await client.estimateGas({
        account: alice.addressHex,
        to: MESSAGE_PASSER_ADDRESS,
        value: 1n,
        data: recipientWord,
      }),
    ).toBe(protocolIntrinsicGas(hexToBytes(recipientWord)))
    await expect(client.estimateGas({ account: alice.addressHex, data: '0x6000' })).rejects.toThrow(
      /contract creation is not supported/,
    )
    // Data to an account without code: eth_call answers 0x, but such a transaction would be refused,
    // so the estimate fails with the refusal's reason before a wallet asks for a signature.
    await expect(
      client.estimateGas({ account: alice.addressHex, to: bob.addressHex, data: '0xa9059cbb' }),
    ).rejects.toThrow(/transaction data is not allowed/)
    await expect(
      client.estimateGas({ account: bob.addressHex, to: alice.addressHex, value: 100n * ONE_ETH }),
    ).rejects.toThrow(/insufficient funds/)
    expect(await client.call({ account: alice.addressHex, to: bob.addressHex, value: 1n })).toEqual({ data: undefined })
    // A wallet's ERC-20 balanceOf probe of an address without code: empty return data, not an error.
    const probe = await rpc(fixture.address.url, 'eth_call', [{ to: bob.addressHex, data: '0x70a08231' }, 'latest'])
    expect(probe).toMatchObject({ result: '0x' })
    await expect(client.call({ to: MESSAGE_PASSER_ADDRESS, data: '0x01' })).rejects.toThrow(
      /a withdrawal carries no data or a 32-byte word/,
    )
  })

  it('suggests fees: gas price, priority fee and a fee history with rewards', async () => {
    const stored = fixture.blocks.transfers
    expect(await client.getGasPrice()).toBe(stored.header.baseFeePerGas)
    expect(await client.estimateMaxPriorityFeePerGas()).toBe(0n)
    const history = await client.getFeeHistory({ blockCount: 10, rewardPercentiles: [10, 90] })
    const head = stored.header.number
    expect(history.oldestBlock).toBe(0n) // cut to the genesis
    expect(history.baseFeePerGas).toHaveLength(Number(head) + 2)
    expect(history.gasUsedRatio).toHaveLength(Number(head) + 1)
    expect(history.gasUsedRatio.at(-1)).toBeCloseTo(Number(stored.header.gasUsed) / Number(stored.header.gasLimit))
    const tips = stored.transactions.map((t) => t.effectiveGasPrice - stored.header.baseFeePerGas).sort()
    expect(history.reward!.at(-1)).toEqual([tips[0], tips.at(-1)])
    expect(history.reward![0]).toEqual([0n, 0n]) // an empty block
  })

  it('accepts a raw transaction, reports it pending with its pending nonce, then its receipt once sealed', async () => {
    const signed = transfer(alice, carol.address, { chainId, nonce: 2n, value: 5n })
    const hash = await client.sendRawTransaction({ serializedTransaction: hex(signed.raw) })
    expect(await client.getTransactionCount({ address: alice.addressHex, blockTag: 'pending' })).toBe(3)
    expect(await client.getTransactionCount({ address: alice.addressHex })).toBe(2)
    const pending = await client.getTransaction({ hash })
    expect(pending.blockNumber).toBeNull()
    expect(pending.nonce).toBe(2)
    await expect(client.getTransactionReceipt({ hash })).rejects.toBeInstanceOf(TransactionReceiptNotFoundError)
    expect((await rpc(fixture.address.url, 'sluice_getTransactionStatus', [hash])).result).toEqual({
      status: 'pending',
    })

    const sealed = await fixture.pool.seal()
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
    expect(receipt.blockHash).toBe(hex(sealed.hash))
    expect((await rpc(fixture.address.url, 'sluice_getTransactionStatus', [hash])).result).toMatchObject({
      status: 'included',
      blockHash: hex(sealed.hash),
    })
  })

  it('answers null for a dropped transaction, as Ethereum does, and keeps the reason in sluice_getTransactionStatus', async () => {
    const signed = transfer(bob, alice.address, { chainId, nonce: 7n, value: 1n })
    fixture.chain.markDropped(keccak256(signed.raw), 'nonceMismatch', 'nonce 7, account nonce 1')
    const hash = hex(keccak256(signed.raw))
    expect(await rpc(fixture.address.url, 'eth_getTransactionReceipt', [hash])).toMatchObject({ result: null })
    expect(await rpc(fixture.address.url, 'eth_getTransactionByHash', [hash])).toMatchObject({ result: null })
    await expect(client.getTransactionReceipt({ hash })).rejects.toBeInstanceOf(TransactionReceiptNotFoundError)
    expect((await rpc(fixture.address.url, 'sluice_getTransactionStatus', [hash])).result).toMatchObject({
      status: 'dropped',
      reason: 'nonceMismatch',
    })
    expect((await rpc(fixture.address.url, 'sluice_getTransactionStatus', [`0x${'11'.repeat(32)}`])).result).toBeNull()
  })

  it('answers the sluice_ methods from the chain and the rollup provider', async () => {
    const status = (await rpc(fixture.address.url, 'sluice_syncStatus')).result as Record<
      string,
      Record<string, string>
    >
    const head = fixture.chain.head('unsafe')
    expect(status.unsafe).toMatchObject({ number: `0x${head.header.number.toString(16)}`, hash: hex(head.hash) })
    expect(status.safe?.number).toBe('0x1')
    expect(status.finalized?.number).toBe('0x0')
    expect(status.chainId).toBe(`0x${chainId.toString(16)}`)
    expect(status.l1Head).toBe('0x63')
    const claim = (await rpc(fixture.address.url, 'sluice_claimAtBlock', ['safe'])).result
    expect(claim).toEqual({ blockNumber: '0x1', stateRoot: hex(new Uint8Array(32).fill(7)), batchIndex: '0x3' })
    expect((await rpc(fixture.address.url, 'sluice_getBatch', ['0x0'])).result).toEqual({
      batchIndex: '0x0',
      l1BlockNumber: '0xc',
    })
    expect((await rpc(fixture.address.url, 'sluice_getBatch', ['0x5'])).result).toBeNull()
    const missing = await rpc(fixture.address.url, 'sluice_withdrawalStatus', [`0x${'00'.repeat(32)}`])
    expect(missing.error).toMatchObject({ code: -32601, message: expect.stringContaining('sluice_withdrawalStatus') })
  })
})

/** A raw WebSocket JSON-RPC client: answers by id, notifications in arrival order. */
async function openSocket(url: string) {
  const socket = new WebSocket(url)
  const answers = new Map<number, (message: Record<string, unknown>) => void>()
  const notifications: Record<string, unknown>[] = []
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as Record<string, unknown>
    if (typeof message.id === 'number') answers.get(message.id)?.(message)
    else notifications.push(message)
  })
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve())
    socket.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)))
  })
  let nextId = 1
  return {
    notifications,
    call(method: string, params: unknown[] = []): Promise<Record<string, unknown>> {
      const id = nextId++
      const answer = new Promise<Record<string, unknown>>((resolve) => answers.set(id, resolve))
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
      return answer
    },
    sendRaw(text: string): Promise<Record<string, unknown>> {
      // An answer with id null (parse error, invalid request) is the next non-numbered message.
      const before = notifications.length
      socket.send(text)
      return waitFor(() => notifications[before])
    },
    close: () => socket.close(),
  }
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('condition not met before the deadline')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('WebSocket JSON-RPC', () => {
  it('serves calls and newHeads subscriptions on / and /ws', async () => {
    for (const path of ['', '/ws']) {
      const socket = await openSocket(`${fixture.address.wsUrl}${path}`)
      expect((await socket.call('eth_chainId')).result).toBe(`0x${chainId.toString(16)}`)
      const subscribed = await socket.call('eth_subscribe', ['newHeads'])
      const id = subscribed.result as string
      expect(id).toMatch(/^0x[1-9a-f][0-9a-f]{0,31}$/)
      const block: StoredBlock = await fixture.chain.seal([])
      const notification = await waitFor(() => socket.notifications.find((n) => n.method === 'eth_subscription'))
      expect(notification.params).toMatchObject({ subscription: id, result: { hash: hex(block.hash) } })
      expect((await socket.call('eth_unsubscribe', [id])).result).toBe(true)
      expect((await socket.call('eth_unsubscribe', [id])).result).toBe(false)
      const garbage = await socket.sendRaw('{"jsonrpc":"2.0","id":')
      expect(garbage.error).toMatchObject({ code: -32700 })
      expect((await socket.call('eth_subscribe', ['newBlocks'])).error).toMatchObject({ code: -32602 })
      expect((await socket.call('eth_blockNumber')).result).toBe(`0x${block.header.number.toString(16)}`)
      socket.close()
    }
  })

  it('lets viem watch blocks over a WebSocket transport', async () => {
    const wsClient = createPublicClient({ transport: webSocket(fixture.address.wsUrl) })
    expect(await wsClient.getBlockNumber()).toBe(fixture.chain.head('unsafe').header.number)
    const seen: bigint[] = []
    const unwatch = wsClient.watchBlocks({ onBlock: (block) => seen.push(block.number) })
    // The subscription is set up asynchronously: seal blocks until one arrives.
    const deadline = Date.now() + 5_000
    while (seen.length === 0 && Date.now() < deadline) {
      await fixture.chain.seal([])
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const first = seen[0]
    unwatch()
    expect(first).toBeGreaterThan(0n)
    expect(first).toBeLessThanOrEqual(fixture.chain.head('unsafe').header.number)
    await wsClient.transport.getRpcClient().then((rpcClient) => rpcClient.close())
  })

  it('refuses subscriptions over HTTP', async () => {
    expect((await rpc(fixture.address.url, 'eth_subscribe', ['newHeads'])).error).toMatchObject({
      code: -32601,
      message: expect.stringContaining('WebSocket'),
    })
  })
})

describe('operations endpoints', () => {
  it('reports health and Prometheus metrics, and answers CORS preflights', async () => {
    const health = await fetch(`${fixture.address.url}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok' })

    await rpc(fixture.address.url, 'eth_chainId')
    const metrics = await (await fetch(`${fixture.address.url}/metrics`)).text()
    expect(metrics).toMatch(/sluice_rpc_calls_total\{method="eth_chainId",outcome="ok"\} [1-9]/)
    expect(metrics).toContain('sluice_rpc_http_request_seconds_bucket')

    const preflight = await fetch(fixture.address.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://wallet.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    })
    expect(preflight.status).toBeLessThan(300)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://wallet.example')
    const answer = await fetch(fixture.address.url, {
      method: 'POST',
      headers: { origin: 'https://wallet.example', 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }),
    })
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://wallet.example')
  })

  it('answers 503 with the reason when the node is not serving', async () => {
    let healthy = true
    const other = await startFixture({
      health: () => (healthy ? { healthy: true, details: { head: 2n } } : { healthy: false, reason: 'L1 unreachable' }),
    })
    try {
      const ok = await fetch(`${other.address.url}/health`)
      expect(ok.status).toBe(200)
      expect(await ok.json()).toEqual({ status: 'ok', head: '0x2' })
      healthy = false
      const down = await fetch(`${other.address.url}/health`)
      expect(down.status).toBe(503)
      expect(await down.json()).toEqual({ status: 'unavailable', reason: 'L1 unreachable' })
    } finally {
      await other.close()
    }
    expect(other.chain.listenerCount).toBe(0)
  })
})
