/**
 * Funding the load's sender accounts: on anvil with `anvil_setBalance`; on a Sluice L2 with one L1
 * deposit to a root funder and a fan-out tree of L2 transfers (each funder sends at most
 * `FAN_OUT` transfers, under the sequencer's per-sender pool limit), one JSON-RPC batch per level.
 */
import { createRequire } from 'node:module'
import { bytesToBigint, bytesToHex } from '../../packages/core/src/bytes/index.ts'
import { keccak256 } from '../../packages/core/src/crypto/index.ts'
import { encodeTransaction, signingHash } from '../../packages/core/src/tx/index.ts'
import type { SignedTransaction } from '../../packages/core/src/tx/types.ts'
import { RpcClient } from './http.ts'

type NativeSecp = {
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number }
  publicKeyCreate(seckey: Uint8Array, compressed: boolean): Uint8Array
}
const secp = createRequire(import.meta.url)('secp256k1/bindings.js') as NativeSecp

/** Transfers one funder sends (the sequencer pools at most 64 per sender). */
export const FAN_OUT = 60
const GWEI = 1_000_000_000n
/** Fees of a funding transfer: at most 21,000 × this. */
const FUNDING_MAX_FEE = 3n * GWEI
const FUNDING_TIP = GWEI / 10n
const RPC_BATCH = 500

export function addressOfKey(key: Uint8Array): Uint8Array {
  return keccak256(secp.publicKeyCreate(key, false).subarray(1)).subarray(12)
}

/** Signs an EIP-1559 transfer with the native libsecp256k1 binding. */
export function signTransfer(
  key: Uint8Array,
  fields: { chainId: bigint; nonce: bigint; to: Uint8Array; value: bigint; maxFeePerGas: bigint; tip: bigint },
): Uint8Array {
  const tx: SignedTransaction = {
    type: 2,
    chainId: fields.chainId,
    nonce: fields.nonce,
    maxPriorityFeePerGas: fields.tip,
    maxFeePerGas: fields.maxFeePerGas,
    gasLimit: 21_000n,
    to: fields.to,
    value: fields.value,
    data: new Uint8Array(0),
    accessList: [],
    v: 0n,
    r: 0n,
    s: 0n,
  }
  const { signature, recid } = secp.ecdsaSign(signingHash(tx), key)
  tx.v = BigInt(recid)
  tx.r = bytesToBigint(signature.subarray(0, 32))
  tx.s = bytesToBigint(signature.subarray(32, 64))
  return encodeTransaction(tx)
}

/** Sets every address's balance on anvil (batched `anvil_setBalance`). */
export async function fundOnAnvil(rpcUrl: string, addresses: readonly Uint8Array[], balance: bigint): Promise<void> {
  const client = new RpcClient(rpcUrl, 2)
  try {
    for (let i = 0; i < addresses.length; i += RPC_BATCH) {
      const answers = await client.batch(
        addresses
          .slice(i, i + RPC_BATCH)
          .map((a) => ({ method: 'anvil_setBalance', params: [bytesToHex(a), `0x${balance.toString(16)}`] })),
      )
      const failed = answers.find((a) => a.error)
      if (failed) throw new Error(`anvil_setBalance refused: ${failed.error?.message}`)
    }
  } finally {
    client.close()
  }
}

/** Sends raws in JSON-RPC batches; throws on the first refusal; returns the hashes. */
async function submitAll(client: RpcClient, raws: readonly Uint8Array[]): Promise<string[]> {
  const hashes: string[] = []
  for (let i = 0; i < raws.length; i += RPC_BATCH) {
    const answers = await client.batch(
      raws.slice(i, i + RPC_BATCH).map((raw) => ({ method: 'eth_sendRawTransaction', params: [bytesToHex(raw)] })),
    )
    const failed = answers.find((a) => a.error)
    if (failed) throw new Error(`funding transfer refused: ${failed.error?.message}`)
    hashes.push(...answers.map((a) => a.result as string))
  }
  return hashes
}

/** Waits until every hash has a receipt (batched receipt polls). */
export async function waitForHashes(client: RpcClient, hashes: readonly string[], timeoutMs: number): Promise<void> {
  const missing = new Set(hashes)
  const deadline = Date.now() + timeoutMs
  while (missing.size > 0) {
    if (Date.now() > deadline) {
      throw new Error(`${missing.size} of ${hashes.length} funding transfers have no receipt after ${timeoutMs} ms`)
    }
    const chunk = [...missing].slice(0, RPC_BATCH)
    const answers = await client.batch(chunk.map((hash) => ({ method: 'eth_getTransactionReceipt', params: [hash] })))
    for (const answer of answers) if (answer.result) missing.delete(chunk[answer.id] as string)
    if (missing.size > 0) await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

export type FanOutPlan = {
  /** The key the whole amount must reach first (by an L1 deposit). */
  rootKey: Uint8Array
  rootAddress: Uint8Array
  /** What the root must hold. */
  rootAmount: bigint
  /** Run once the root is funded. */
  run(options: { rpcUrl: string; chainId: bigint; log?: (m: string) => void; timeoutMs?: number }): Promise<void>
}

type Node = { key: Uint8Array | undefined; address: Uint8Array; amount: bigint; children: Node[] }

/**
 * Plans a fan-out tree that gives each of `addresses` `each` wei: leaves are the addresses; every
 * inner node is a fresh funder (key derived from `seed`) that receives its children's amounts plus
 * their fees and sends at most `FAN_OUT` transfers.
 */
export function planFanOut(addresses: readonly Uint8Array[], each: bigint, seed = 'sluice-loadgen-funder'): FanOutPlan {
  if (addresses.length === 0) throw new Error('planFanOut: no address to fund')
  const fee = 21_000n * FUNDING_MAX_FEE
  let funderIndex = 0
  const funder = (children: Node[]): Node => {
    const key = keccak256(new TextEncoder().encode(`${seed}/${funderIndex++}`)).slice()
    const amount = children.reduce((sum, c) => sum + c.amount + fee, 0n)
    return { key, address: addressOfKey(key), amount, children }
  }
  let level: Node[] = addresses.map((address) => ({ key: undefined, address, amount: each, children: [] }))
  while (level.length > 1 || level[0]?.key === undefined) {
    const next: Node[] = []
    for (let i = 0; i < level.length; i += FAN_OUT) next.push(funder(level.slice(i, i + FAN_OUT)))
    level = next
  }
  const root = level[0] as Node
  return {
    rootKey: root.key as Uint8Array,
    rootAddress: root.address,
    rootAmount: root.amount,
    async run({ rpcUrl, chainId, log = () => {}, timeoutMs = 120_000 }) {
      const client = new RpcClient(rpcUrl, 4)
      try {
        let senders = [root]
        let depth = 0
        while (senders.length > 0) {
          const raws: Uint8Array[] = []
          for (const sender of senders) {
            sender.children.forEach((child, nonce) => {
              raws.push(
                signTransfer(sender.key as Uint8Array, {
                  chainId,
                  nonce: BigInt(nonce),
                  to: child.address,
                  value: child.amount,
                  maxFeePerGas: FUNDING_MAX_FEE,
                  tip: FUNDING_TIP,
                }),
              )
            })
          }
          const started = performance.now()
          const hashes = await submitAll(client, raws)
          await waitForHashes(client, hashes, timeoutMs)
          log(
            `funding level ${depth}: ${raws.length} transfers from ${senders.length} funders in ${Math.round(performance.now() - started)} ms`,
          )
          senders = senders.flatMap((s) => s.children.filter((c) => c.key !== undefined))
          depth++
        }
      } finally {
        client.close()
      }
    },
  }
}
