import { Buffer } from 'node:buffer'
import { decodeRlp, encodeRlpAfter, hexToBytes, SluiceError } from '@sluice/core'
import {
  type Account,
  type Address,
  type Chain,
  concatHex,
  fromRlp,
  type Hex,
  keccak256,
  type PublicClient,
  type Transport,
  toRlp,
  type WalletClient,
} from 'viem'
import { Mutex } from '../ops/mutex.ts'
import { type L1Fees, replacementFees } from './fees.ts'

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
  /**
   * A type-3 transaction carrying these blobs, with their KZG commitments and blob proofs computed
   * by the caller (off the main thread: viem would compute them synchronously).
   */
  blobs?: L1BlobSidecars | undefined
  /**
   * Replace the pending transaction sent at `nonce` with these fees: the new fees meet the pool's
   * replacement rule against them (see `replacementFees`) and the market's current estimate.
   */
  replaces?: { nonce: number; fees: L1Fees } | undefined
}

/** Blobs of a type-3 transaction, each with its KZG commitment, blob proof and versioned hash. */
export type L1BlobSidecars = {
  blobs: readonly Uint8Array[]
  commitments: readonly Uint8Array[]
  proofs: readonly Uint8Array[]
  versionedHashes: readonly Hex[]
}

export type SignedL1Transaction = { raw: Hex; hash: Hex; nonce: number; fees: L1Fees }

/**
 * The transaction hash of signed bytes: for a type-3 transaction in its network form
 * (`0x03 ‖ rlp([tx, blobs, commitments, proofs])`) the hash covers only `0x03 ‖ rlp(tx)`.
 */
export function l1TransactionHash(raw: Hex): Hex {
  if (!raw.startsWith('0x03')) return keccak256(raw)
  // Read only the two list headers: the wrapper's blobs (up to ~1.5 MB of hex for six) were decoded
  // and copied whole, twice per batch posted, for the few hundred bytes of the transaction.
  const outer = rlpItemAt(raw, 4)
  if (outer !== undefined && outer.end === raw.length) {
    if (!outer.list) return keccak256(raw)
    const first = rlpItemAt(raw, outer.start)
    if (first !== undefined && first.end <= outer.end) {
      if (!first.list) return keccak256(raw)
      return keccak256(`0x03${raw.slice(outer.start, first.end)}`)
    }
  }
  // Not well-formed RLP: as the decoder sees it.
  const body = fromRlp(`0x${raw.slice(4)}`)
  // A wrapper's first item is the transaction's field list; a bare type-3 transaction's is its chain id.
  if (!Array.isArray(body[0])) return keccak256(raw)
  return keccak256(concatHex(['0x03', toRlp(body[0])]))
}

/**
 * The network form of a signed type-3 transaction (`0x03 ‖ rlp([tx, blobs, commitments, proofs])`,
 * EIP-4844) from the signed transaction without sidecars (`0x03 ‖ rlp(tx)`) and the sidecars' bytes.
 */
export function blobNetworkForm(signed: Hex, sidecars: L1BlobSidecars): Hex {
  if (!signed.startsWith('0x03')) throw new TypeError(`not a type-3 transaction: ${signed.slice(0, 4)}`)
  const fields = decodeRlp(hexToBytes(`0x${signed.slice(4)}`))
  if (!Array.isArray(fields)) throw new TypeError('a type-3 transaction is an RLP list')
  const wrapper = encodeRlpAfter(1, [fields, [...sidecars.blobs], [...sidecars.commitments], [...sidecars.proofs]])
  wrapper[0] = 3
  return `0x${Buffer.from(wrapper.buffer, wrapper.byteOffset, wrapper.byteLength).toString('hex')}`
}

/**
 * The RLP item whose header starts at hex character `at` of `hex`: a list or not, and its payload's
 * start and end (hex characters). Undefined when the header runs past the text or is not hex.
 */
function rlpItemAt(hex: string, at: number): { list: boolean; start: number; end: number } | undefined {
  const prefix = hexByte(hex, at)
  if (prefix === undefined) return undefined
  if (prefix < 0x80) return { list: false, start: at, end: at + 2 }
  const list = prefix >= 0xc0
  const short = prefix - (list ? 0xc0 : 0x80)
  if (short <= 55) return { list, start: at + 2, end: at + 2 + 2 * short }
  const lengthBytes = short - 55
  let length = 0
  for (let i = 0; i < lengthBytes; i++) {
    const b = hexByte(hex, at + 2 + 2 * i)
    if (b === undefined) return undefined
    length = length * 256 + b
  }
  const start = at + 2 + 2 * lengthBytes
  return { list, start, end: start + 2 * length }
}

function hexByte(hex: string, at: number): number | undefined {
  if (at + 2 > hex.length) return undefined
  const value = Number.parseInt(hex.slice(at, at + 2), 16)
  return Number.isNaN(value) ? undefined : value
}

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
    this.unsent.delete(l1TransactionHash(raw))
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

  /**
   * What the market asks now: viem's EIP-1559 estimate and, for a blob transaction, twice the
   * current blob base fee (it can rise by ~14% a block; the headroom keeps a batch from waiting on
   * a few full blocks of blobs).
   */
  private async marketFees(blob: boolean): Promise<L1Fees> {
    const fees = await this.publicClient.estimateFeesPerGas()
    if (!blob) return { maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas }
    const blobBaseFee = await this.publicClient.getBlobBaseFee()
    return {
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      maxFeePerBlobGas: blobBaseFee * 2n > 1n ? blobBaseFee * 2n : 1n,
    }
  }

  private async signUnlocked(request: L1TransactionRequest, what: string): Promise<SignedL1Transaction> {
    const replacesBlob = request.replaces?.fees.maxFeePerBlobGas !== undefined
    if (request.replaces !== undefined && replacesBlob !== (request.blobs !== undefined)) {
      // L1 pools refuse it anyway (a blob transaction and a plain one never replace each other).
      throw new SluiceError(
        `${what}: a ${replacesBlob ? 'blob' : 'plain'} transaction can only be replaced by another`,
        {
          code: 'L1ReplacementKind',
          severity: 'critical',
          details: 'Re-send the pending transaction with the same kind of payload at its nonce.',
        },
      )
    }
    try {
      const nonce = request.replaces?.nonce ?? request.nonce ?? (await this.freshNonce())
      const market = await this.marketFees(request.blobs !== undefined)
      const bump = (value: bigint) => (value * BigInt(request.feeBumpPercent ?? 100)) / 100n
      let fees: L1Fees = {
        maxFeePerGas: bump(market.maxFeePerGas),
        maxPriorityFeePerGas: bump(market.maxPriorityFeePerGas),
        ...(market.maxFeePerBlobGas === undefined ? {} : { maxFeePerBlobGas: bump(market.maxFeePerBlobGas) }),
      }
      if (request.replaces !== undefined) fees = replacementFees(request.replaces.fees, fees)
      const common = {
        to: request.to,
        data: request.data,
        value: request.value ?? 0n,
        gas: request.gas,
        nonce,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
        chain: this.client.chain ?? null,
      }
      const { blobs } = request
      const raw =
        blobs === undefined
          ? await this.client.signTransaction({ ...common, type: 'eip1559' } as never)
          : blobNetworkForm(
              // The signature covers the transaction without its sidecars: viem signs that, and the
              // network form is built here from the blobs' bytes (viem's took them as hex, ~1.5 MB
              // for six, and turned them into bytes and the whole wrapper back into hex).
              await this.client.signTransaction({
                ...common,
                type: 'eip4844',
                maxFeePerBlobGas: fees.maxFeePerBlobGas,
                blobVersionedHashes: [...blobs.versionedHashes],
                sidecars: false,
              } as never),
              blobs,
            )
      return { raw, hash: l1TransactionHash(raw), nonce, fees }
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
