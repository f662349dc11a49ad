/**
 * Test wallets for the batch codec: transactions signed by viem (as a wallet would), decoded with
 * `decodeTransaction`, plus fast-check arbitraries for batches of them.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import fc from 'fast-check'
import type { Hex } from 'viem'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import type { BatchBlock } from '../../src/batch/index.ts'
import { bytesToBigint, bytesToHex, hexToBytes } from '../../src/bytes/index.ts'
import { MESSAGE_PASSER } from '../../src/config/constants.ts'
import { decodeTransaction, type SignedTransaction, signingHash } from '../../src/tx/index.ts'

export const CHAIN_ID = 901n
export { MESSAGE_PASSER }

export const KEYS: Uint8Array[] = Array.from({ length: 4 }, (_, i) => {
  const key = new Uint8Array(32)
  key[31] = i + 1
  key[0] = 0x5a
  return key
})
const ACCOUNTS: PrivateKeyAccount[] = KEYS.map((key) => privateKeyToAccount(bytesToHex(key)))

/** A transaction as the wallet sent it: its raw bytes, the decoded object, and the signer. */
export type WalletTx = { raw: Uint8Array; tx: SignedTransaction; sender: Uint8Array }

export type TxParams = {
  signer: number
  type: 0 | 1 | 2
  nonce: number
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
  gasLimit: bigint
  to: Uint8Array
  value: bigint
  /** undefined: empty data; else the 20-byte tail of a withdrawal word */
  withdrawalTail: Uint8Array | undefined
}

/** Signs with viem (a wallet) and decodes the raw bytes. */
export async function walletSign(p: TxParams): Promise<WalletTx> {
  const account = ACCOUNTS[p.signer] as PrivateKeyAccount
  const to = bytesToHex(p.to)
  const data: Hex =
    p.withdrawalTail === undefined ? '0x' : `0x${'00'.repeat(12)}${bytesToHex(p.withdrawalTail).slice(2)}`
  const common = { chainId: Number(CHAIN_ID), nonce: p.nonce, gas: p.gasLimit, to, value: p.value, data }
  const signed =
    p.type === 0
      ? await account.signTransaction({ ...common, type: 'legacy', gasPrice: p.maxFeePerGas })
      : p.type === 1
        ? await account.signTransaction({ ...common, type: 'eip2930', gasPrice: p.maxFeePerGas, accessList: [] })
        : await account.signTransaction({
            ...common,
            type: 'eip1559',
            maxFeePerGas: p.maxFeePerGas,
            maxPriorityFeePerGas: p.maxPriorityFeePerGas,
          })
  const raw = hexToBytes(signed)
  return { raw, tx: decodeTransaction(raw), sender: hexToBytes(account.address) }
}

/** Signs a transaction object directly with noble (for fields viem cannot carry, e.g. nonces ≥ 2^53). */
export function nobleSign(tx: SignedTransaction, signer = 0): SignedTransaction {
  const signature = secp256k1.sign(signingHash(tx), KEYS[signer] as Uint8Array, {
    prehash: false,
    format: 'recovered',
  })
  const recid = BigInt(signature[0] as number)
  const r = bytesToBigint(signature.subarray(1, 33))
  const s = bytesToBigint(signature.subarray(33, 65))
  const v = tx.type !== 0 ? recid : (tx.chainId as bigint) * 2n + 35n + recid
  return { ...tx, v, r, s }
}

/** An EIP-1559 transfer object (unsigned: v = r = s = 0); override any field. */
export function transfer(overrides: Partial<SignedTransaction> = {}): SignedTransaction {
  return {
    type: 2,
    chainId: CHAIN_ID,
    nonce: 7n,
    maxPriorityFeePerGas: 1_000_000n,
    maxFeePerGas: 2_000_000_000n,
    gasLimit: 21_000n,
    to: hexToBytes(`0x${'ab'.repeat(20)}`),
    value: 5n * 10n ** 16n,
    data: new Uint8Array(0),
    accessList: [],
    v: 1n,
    r: 3n,
    s: 4n,
    ...overrides,
  }
}

const bytes20 = fc.uint8Array({ minLength: 20, maxLength: 20 })
/** A few recipients that repeat, so the dictionary is used. */
const POOL = Array.from({ length: 5 }, (_, i) => hexToBytes(`0x${(i + 1).toString(16).padStart(2, '0').repeat(20)}`))

/** Values the format expresses: mantissa < 2^64 times a power of ten, below 2^256; 0 and extremes included. */
export const valueArb: fc.Arbitrary<bigint> = fc.oneof(
  fc.constantFrom(0n, 1n, 10n ** 18n, 5n * 10n ** 16n, 2n ** 64n - 1n, (2n ** 64n - 1n) * 10n ** 57n),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.tuple(fc.bigInt({ min: 1n, max: 999n }), fc.integer({ min: 0, max: 74 })).map(([m, e]) => m * 10n ** BigInt(e)),
  fc
    .tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 0, max: 57 }))
    .map(([m, e]) => m * 10n ** BigInt(e)),
)

const feeArb = fc.oneof(
  fc.constantFrom(0n, 1n, 1_000_000_000n, 2n ** 128n - 1n),
  fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }),
  fc.bigInt({ min: 0n, max: 100_000_000_000n }),
)

export const txParamsArb: fc.Arbitrary<TxParams> = fc
  .record({
    signer: fc.integer({ min: 0, max: KEYS.length - 1 }),
    type: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
    nonce: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
    feeA: feeArb,
    feeB: feeArb,
    gasLimit: fc.oneof(fc.constantFrom(21_000n, 21_512n, 2n ** 64n - 1n), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
    recipient: fc.oneof(fc.constantFrom(...POOL), bytes20),
    withdrawal: fc.option(fc.option(bytes20, { nil: undefined }), { nil: null, freq: 2 }),
    value: valueArb,
  })
  .map((r) => {
    const [high, low] = r.feeA >= r.feeB ? [r.feeA, r.feeB] : [r.feeB, r.feeA]
    const toPasser = r.withdrawal !== null
    return {
      signer: r.signer,
      type: r.type,
      nonce: r.nonce,
      maxFeePerGas: high,
      maxPriorityFeePerGas: r.type === 2 ? low : high,
      gasLimit: r.gasLimit,
      to: toPasser ? MESSAGE_PASSER : r.recipient,
      value: r.value,
      withdrawalTail: toPasser ? (r.withdrawal ?? undefined) : undefined,
    }
  })

export type BlockParams = { timestampDelta: bigint; delayedDelta: bigint; txs: TxParams[] }

export const blocksArb: fc.Arbitrary<{ base: bigint; prevDelayed: bigint; blocks: BlockParams[] }> = fc.record({
  base: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 2n ** 40n })),
  prevDelayed: fc.bigInt({ min: 0n, max: 2n ** 40n }),
  blocks: fc.array(
    fc.record({
      timestampDelta: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 1000n })),
      delayedDelta: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 300n })),
      txs: fc.array(txParamsArb, { maxLength: 6 }),
    }),
    { maxLength: 4 },
  ),
})

/** Signs every transaction and lays out absolute timestamps and delayed counts. */
export async function materialize(params: { base: bigint; prevDelayed: bigint; blocks: BlockParams[] }): Promise<{
  blocks: BatchBlock[]
  wallet: WalletTx[][]
}> {
  let t = params.base
  let delayed = params.prevDelayed
  const blocks: BatchBlock[] = []
  const wallet: WalletTx[][] = []
  for (const block of params.blocks) {
    t += block.timestampDelta
    delayed += block.delayedDelta
    const signed = await Promise.all(block.txs.map(walletSign))
    wallet.push(signed)
    blocks.push({ timestamp: t, delayedCountAfter: delayed, transactions: signed.map((w) => w.tx) })
  }
  return { blocks, wallet }
}
