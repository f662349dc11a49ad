import {
  bytesToHex,
  decodeTransaction,
  keccak256,
  MESSAGE_PASSER,
  recoverSender,
  type SignedTransaction,
  type StfMessage,
} from '@sluice/core'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { testConfig } from '../../../../test/support/config.ts'
import { type TestAccount, testAccount, transfer } from '../../../../test/support/wallet.ts'
import type { StoredBlock, StoredTransaction } from '../../src/chain/types.ts'
import { TxPoolRefusalError } from '../../src/rpc/errors.ts'
import { createRpcServer, type RpcServer, type RpcServerAddress } from '../../src/rpc/server.ts'
import type { PendingPool, PendingTransaction, RpcServerOptions } from '../../src/rpc/types.ts'
import { MemoryChain } from './memoryChain.ts'

export const config = testConfig()
export const chainId = config.chainId
export const alice = testAccount(1)
export const bob = testAccount(2)
export const carol = testAccount(3)
export const ONE_ETH = 10n ** 18n

/** What a transaction the pool cannot store answers (an internal error, as an intake log failure). */
export const STORAGE_FAILURE = new Error('the test pool could not store it')

/** A minimal mempool for the tests: accepts what the chain would apply next, keyed by hash. */
export class TestPool implements PendingPool {
  readonly transactions = new Map<string, PendingTransaction>()
  private readonly nonces = new Map<string, bigint>()
  private readonly chain: MemoryChain

  constructor(chain: MemoryChain) {
    this.chain = chain
  }

  nonce(address: Uint8Array): bigint | undefined {
    return this.nonces.get(bytesToHex(address))
  }

  transaction(hash: Uint8Array): PendingTransaction | undefined {
    return this.transactions.get(bytesToHex(hash))
  }

  /** Hashes (0x hex) whose admission the pool takes back after admitting it, as an intake log that fails does. */
  readonly unstorable = new Set<string>()

  /** The usual path: admitted, then taken back with `STORAGE_FAILURE` when `unstorable`. */
  async submit(raw: Uint8Array): Promise<Uint8Array> {
    const hash = this.admit(raw)
    if (this.unstorable.has(bytesToHex(hash))) {
      this.takeBack(hash)
      throw STORAGE_FAILURE
    }
    return hash
  }

  /** Takes an admitted transaction back out of the pool (its nonce with it). */
  takeBack(hash: Uint8Array): void {
    const pending = this.transactions.get(bytesToHex(hash))
    if (pending === undefined) return
    this.transactions.delete(bytesToHex(hash))
    this.nonces.set(bytesToHex(pending.sender), pending.tx.nonce)
  }

  /** Admits a transaction synchronously: its hash, or throws its refusal. */
  admit(raw: Uint8Array): Uint8Array {
    let tx: SignedTransaction
    try {
      tx = decodeTransaction(raw)
    } catch (error) {
      throw new TxPoolRefusalError('undecodable', { cause: error })
    }
    const hash = keccak256(raw)
    if (this.transactions.has(bytesToHex(hash))) throw new TxPoolRefusalError('alreadyKnown')
    const sender = recoverSender(tx)
    if (sender === undefined) throw new TxPoolRefusalError('invalidSender')
    const head = this.chain.head('unsafe').header.number
    const account = this.chain.account(head, sender)
    const expected = this.nonce(sender) ?? account.nonce
    if (tx.nonce < expected) throw new TxPoolRefusalError('nonceTooLow')
    if (tx.nonce > expected) throw new TxPoolRefusalError('nonceTooHigh')
    if (account.balance < tx.value + tx.gasLimit * tx.maxFeePerGas) throw new TxPoolRefusalError('insufficientFunds')
    if (tx.maxFeePerGas < config.baseFeePerGas) throw new TxPoolRefusalError('feeCapBelowBaseFee')
    this.transactions.set(bytesToHex(hash), { hash, tx, sender })
    this.nonces.set(bytesToHex(sender), tx.nonce + 1n)
    return hash
  }

  /** Seals everything pending into one block. */
  async seal(): Promise<StoredBlock> {
    const messages: StfMessage[] = [...this.transactions.values()].map((p) => ({ kind: 'transaction', tx: p.tx }))
    this.transactions.clear()
    this.nonces.clear()
    return this.chain.seal(messages)
  }
}

export type Fixture = {
  chain: MemoryChain
  pool: TestPool
  server: RpcServer
  address: RpcServerAddress
  registry: Registry
  /** Every log line the server wrote, parsed. */
  logs: Record<string, unknown>[]
  blocks: { funded: StoredBlock; transfers: StoredBlock }
  /** The withdrawal of block 2 (alice → the message passer, recipient carol): transaction hash, withdrawal hash. */
  withdrawal: { hash: Uint8Array; withdrawalHash: Uint8Array }
  close(): Promise<void>
}

/**
 * A chain with: genesis; block 1 deposits to alice, bob and carol; block 2 an EIP-1559, an EIP-2930
 * and a legacy transfer and a withdrawal; then a server on a free port in front of it.
 */
export async function startFixture(overrides: Partial<RpcServerOptions> = {}): Promise<Fixture> {
  const chain = await MemoryChain.create(config)
  const funded = await chain.seal(
    [alice, bob, carol].map((a) => ({ kind: 'deposit', recipient: a.address, amount: 10n * ONE_ETH })),
  )
  const txs = [
    transfer(alice, bob.address, { chainId, nonce: 0n, value: ONE_ETH }),
    transfer(bob, carol.address, { chainId, nonce: 0n, value: 2n * ONE_ETH, type: 1 }),
    transfer(carol, alice.address, { chainId, nonce: 0n, value: 3n, type: 0 }),
    transfer(alice, MESSAGE_PASSER, {
      chainId,
      nonce: 1n,
      value: ONE_ETH / 2n,
      gasLimit: 30_000n,
      data: new Uint8Array([...new Uint8Array(12), ...carol.address]),
    }),
  ]
  const transfers = await chain.seal(txs.map((t) => ({ kind: 'transaction', tx: t.tx, raw: t.raw })))
  if (transfers.transactions.length !== 4) throw new Error('the fixture block did not apply every transaction')
  chain.setHeads(1n, 0n)

  const pool = new TestPool(chain)
  const registry = new Registry()
  const logs: Record<string, unknown>[] = []
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        logs.push(JSON.parse(line) as Record<string, unknown>)
      },
    },
  )
  const server = createRpcServer({
    chain,
    submit: (raw) => pool.submit(raw),
    pending: pool,
    clientVersion: 'sluice-test/0.0.0',
    metrics: registry,
    logger,
    ...overrides,
  })
  const address = await server.listen('127.0.0.1', 0)
  return {
    chain,
    pool,
    server,
    address,
    registry,
    logs,
    blocks: { funded, transfers },
    withdrawal: {
      hash: (transfers.transactions[3] as StoredTransaction).hash,
      // MessagePassed data: value (32 bytes), then the withdrawal hash, the slot the passer sets.
      withdrawalHash: (transfers.transactions[3] as StoredTransaction).logs[0]!.data.slice(32),
    },
    close: () => server.close(),
  }
}

export type RawAnswer = { status: number; headers: Headers; text: string; json: unknown }

/** POSTs `body` as is (a string is sent verbatim) and returns what came back. */
export async function post(url: string, body: unknown, contentType = 'application/json'): Promise<RawAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  let json: unknown
  try {
    json = text === '' ? undefined : JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

/** One JSON-RPC call over HTTP; the whole response object. */
export async function rpc(url: string, method: string, params: unknown[] = []): Promise<Record<string, unknown>> {
  const answer = await post(url, { jsonrpc: '2.0', id: 1, method, params })
  return answer.json as Record<string, unknown>
}

export type { TestAccount }
