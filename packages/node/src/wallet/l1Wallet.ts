import { SluiceError } from '@sluice/core'
import {
  type Account,
  type Address,
  type Chain,
  type Hex,
  keccak256,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import { Mutex } from '../ops/mutex.ts'

/** An L1 call failed in a way a retry may fix (RPC down, nonce race, underpriced); the loop retries. */
export class L1SendError extends SluiceError {
  override name = 'L1SendError'
  constructor(what: string, cause: unknown) {
    const message =
      cause instanceof Error ? ((cause as { shortMessage?: string }).shortMessage ?? cause.message) : String(cause)
    super(`${what} failed: ${message}`, { cause, severity: 'temporary', details: 'Retried on the next round.' })
  }
}

export type L1TransactionRequest = {
  to: Address
  data: Hex
  value?: bigint
  gas: bigint
  /** Fee multiplier in percent (100: the node's estimate). */
  feeBumpPercent?: number
  /** Reuse this nonce (a replacement); default: the account's pending nonce. */
  nonce?: number
}

export type SignedL1Transaction = { raw: Hex; hash: Hex; nonce: number }

/**
 * One L1 account's transactions, signed one at a time: every sender of the account (batcher,
 * proposer, dispute agent) goes through the same wallet, so two of them never pick the same nonce.
 * Each signature takes the pending nonce from L1 afresh (after a reorg or a dropped transaction the
 * next one fills the gap), unless a replacement names its nonce.
 */
export class L1Wallet {
  readonly address: Address
  private readonly client: WalletClient<Transport, Chain | undefined, Account>
  private readonly publicClient: PublicClient
  private readonly lock = new Mutex()
  /**
   * Nonces of transactions signed with `sign` and not broadcast yet (the proposer stores its signed
   * claim before sending it): the node does not know them, so the next signature must skip them.
   */
  private readonly unsent = new Map<Hex, number>()

  constructor(client: WalletClient<Transport, Chain | undefined, Account>, publicClient: PublicClient) {
    this.client = client
    this.publicClient = publicClient
    this.address = client.account.address
  }

  /** Signs without sending (so the caller can store the bytes first); see `broadcast`. */
  sign(request: L1TransactionRequest, what: string): Promise<SignedL1Transaction> {
    return this.lock.run(async () => {
      const signed = await this.signUnlocked(request, what)
      this.unsent.set(signed.hash, signed.nonce)
      return signed
    })
  }

  /** Signs and sends; resolves with the hash once the node accepted it. */
  send(request: L1TransactionRequest, what: string): Promise<SignedL1Transaction> {
    return this.lock.run(async () => {
      const signed = await this.signUnlocked(request, what)
      await this.broadcast(signed.raw, what)
      return signed
    })
  }

  /** Sends signed bytes (again); "already known" and "nonce too low" mean they are in or were replaced. */
  async broadcast(raw: Hex, what: string): Promise<void> {
    this.unsent.delete(keccak256(raw))
    try {
      await this.publicClient.sendRawTransaction({ serializedTransaction: raw })
    } catch (error) {
      const text = String((error as { details?: string }).details ?? (error as Error).message).toLowerCase()
      if (text.includes('already known') || text.includes('already imported')) return
      throw new L1SendError(what, error)
    }
  }

  /**
   * The pending nonce from L1 — after a reorg or a dropped transaction that is the gap to fill — or
   * past the transactions this wallet signed and has not broadcast yet.
   */
  private async freshNonce(): Promise<number> {
    const pending = await this.publicClient.getTransactionCount({ address: this.address, blockTag: 'pending' })
    let nonce = pending
    for (const reserved of this.unsent.values()) if (reserved >= nonce) nonce = reserved + 1
    return nonce
  }

  private async signUnlocked(request: L1TransactionRequest, what: string): Promise<SignedL1Transaction> {
    try {
      const nonce = request.nonce ?? (await this.freshNonce())
      const fees = await this.publicClient.estimateFeesPerGas()
      const bump = (value: bigint) => (value * BigInt(request.feeBumpPercent ?? 100)) / 100n
      const raw = await this.client.signTransaction({
        to: request.to,
        data: request.data,
        value: request.value ?? 0n,
        gas: request.gas,
        nonce,
        maxFeePerGas: bump(fees.maxFeePerGas),
        maxPriorityFeePerGas: bump(fees.maxPriorityFeePerGas),
        chain: this.client.chain ?? null,
        type: 'eip1559',
      } as never)
      return { raw, hash: keccak256(raw), nonce }
    } catch (error) {
      throw new L1SendError(what, error)
    }
  }
}

/** Creates the wallets of the node's keys, one per distinct key (equal keys share one). */
export function walletFor(
  cache: Map<string, L1Wallet>,
  client: WalletClient<Transport, Chain | undefined, Account>,
  publicClient: PublicClient,
): L1Wallet {
  const key = client.account.address.toLowerCase()
  let wallet = cache.get(key)
  if (wallet === undefined) {
    wallet = new L1Wallet(client, publicClient)
    cache.set(key, wallet)
  }
  return wallet
}
