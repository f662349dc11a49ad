/**
 * The standard workload (../shared/DESIGN.md, Performance): N funded accounts with deterministic
 * keys; senders uniform over them; recipients Zipf (exponent 1.1) over the same accounts, one in
 * ten a brand-new address; EIP-1559 transfers with values and fees as a wallet sets them; nonces
 * tracked per sender. Signed with the native libsecp256k1 binding (signing is not measured).
 *
 * Generation is deterministic for given parameters and cached under os.tmpdir() (the 1M-account
 * key derivation takes a while), keyed by the parameters.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToBigint } from '../../packages/core/src/bytes/index.ts'
import { keccak256 } from '../../packages/core/src/crypto/index.ts'
import { encodeTransaction, signingHash } from '../../packages/core/src/tx/index.ts'
import type { SignedTransaction } from '../../packages/core/src/tx/types.ts'
import { log, Prng } from './harness.ts'

type NativeSecp = {
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number }
  publicKeyCreate(seckey: Uint8Array, compressed: boolean): Uint8Array
}
const secp = createRequire(import.meta.url)('secp256k1/bindings.js') as NativeSecp

export const GWEI = 1_000_000_000n
export const ETHER = 10n ** 18n

export type WorkloadParams = {
  /** Funded accounts. */
  accounts: number
  /** Signed transfers to generate. */
  txs: number
  chainId: bigint
  /** The base fee every maxFeePerGas must reach. */
  baseFeePerGas: bigint
  seed?: number
  /** Share of recipients that are brand-new addresses (default 0.1). */
  newRecipientShare?: number
  /** Zipf exponent of the recipient distribution (default 1.1). */
  zipfExponent?: number
}

export type Workload = {
  params: Required<WorkloadParams>
  /** Address i is `addresses.subarray(20i, 20i + 20)`. */
  addresses: Uint8Array
  /** What each funded account holds before the first transfer. */
  fundedBalance: bigint
  /** The raw signed EIP-1559 transfers, in order. */
  raws: Uint8Array[]
  /** How many transfers went to a brand-new address. */
  newRecipients: number
  /** How many distinct accounts sent. */
  distinctSenders: number
}

/** Every funded account starts with 1,000 ETH (values are at most 10 ETH). */
export const FUNDED_BALANCE = 1000n * ETHER

export function addressAt(workload: Workload, index: number): Uint8Array {
  return workload.addresses.subarray(index * 20, index * 20 + 20)
}

/** Deterministic private key of funded account `index`: keccak256("sluice-bench" zero-padded to 20 bytes ‖ u32be(index)). */
export function accountKey(index: number): Uint8Array {
  const input = new Uint8Array(24)
  input.set(new TextEncoder().encode('sluice-bench'), 0)
  new DataView(input.buffer).setUint32(20, index)
  return keccak256(input).slice()
}

function addressOfKey(key: Uint8Array): Uint8Array {
  return keccak256(secp.publicKeyCreate(key, false).subarray(1)).subarray(12)
}

/** Cumulative Zipf(s) weights over ranks 1..n, normalised to 1. */
function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n)
  let sum = 0
  for (let k = 0; k < n; k++) {
    sum += 1 / (k + 1) ** s
    cdf[k] = sum
  }
  for (let k = 0; k < n; k++) cdf[k] = (cdf[k] as number) / sum
  return cdf
}

function sampleCdf(cdf: Float64Array, u: number): number {
  let lo = 0
  let hi = cdf.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((cdf[mid] as number) < u) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** A value a person types: 1–3 significant digits, between 0.001 and 10 ETH. */
function walletValue(prng: Prng): bigint {
  const digits = 1 + prng.int(3)
  const lead = 1 + prng.int(9)
  let mantissa = BigInt(lead)
  for (let d = 1; d < digits; d++) mantissa = mantissa * 10n + BigInt(prng.int(10))
  // leading digit at 10^15 (0.001 ETH) … 10^18 (1 ETH); the largest is 9.99 ETH
  const leadExponent = 15 + prng.int(4)
  return mantissa * 10n ** BigInt(leadExponent - (digits - 1))
}

/** Typical wallet tips and max fees (viem: maxFee = 1.2 × baseFee + tip; MetaMask: 2 × baseFee + tip). */
const TIPS_MILLIGWEI = [1n, 10n, 100n, 1000n, 1500n, 2000n]

function walletFees(prng: Prng, baseFee: bigint): { tip: bigint; maxFee: bigint } {
  const tip = ((TIPS_MILLIGWEI[prng.int(TIPS_MILLIGWEI.length)] as bigint) * GWEI) / 1000n
  const style = prng.int(3)
  const maxFee = style === 0 ? (baseFee * 12n) / 10n + tip : style === 1 ? baseFee * 2n + tip : baseFee * 3n + tip
  return { tip, maxFee }
}

function cachePath(params: Required<WorkloadParams>): string {
  const key = createHash('sha256')
    .update(JSON.stringify(params, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)))
    .update('v1')
    .digest('hex')
    .slice(0, 16)
  return join(tmpdir(), `sluice-bench-workload-${key}.bin`)
}

function save(path: string, w: Workload): void {
  let rawBytes = 0
  for (const r of w.raws) rawBytes += 2 + r.length
  const out = Buffer.alloc(16 + w.addresses.length + rawBytes)
  out.writeUInt32BE(w.raws.length, 0)
  out.writeUInt32BE(w.newRecipients, 4)
  out.writeUInt32BE(w.distinctSenders, 8)
  out.set(w.addresses, 16)
  let o = 16 + w.addresses.length
  for (const r of w.raws) {
    out.writeUInt16BE(r.length, o)
    out.set(r, o + 2)
    o += 2 + r.length
  }
  writeFileSync(`${path}.tmp`, out)
  renameSync(`${path}.tmp`, path)
}

function load(path: string, params: Required<WorkloadParams>): Workload {
  const data = readFileSync(path)
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  const count = data.readUInt32BE(0)
  const addresses = bytes.slice(16, 16 + params.accounts * 20)
  const raws: Uint8Array[] = new Array(count)
  let o = 16 + addresses.length
  for (let i = 0; i < count; i++) {
    const len = data.readUInt16BE(o)
    raws[i] = bytes.slice(o + 2, o + 2 + len)
    o += 2 + len
  }
  return {
    params,
    addresses,
    fundedBalance: FUNDED_BALANCE,
    raws,
    newRecipients: data.readUInt32BE(4),
    distinctSenders: data.readUInt32BE(8),
  }
}

/** Builds (or loads from the temp-dir cache) the standard workload for `params`. */
export function standardWorkload(input: WorkloadParams): Workload {
  const params: Required<WorkloadParams> = {
    seed: 1,
    newRecipientShare: 0.1,
    zipfExponent: 1.1,
    ...input,
  }
  const path = cachePath(params)
  if (existsSync(path)) {
    try {
      return load(path, params)
    } catch (error) {
      log(`workload cache ${path} unreadable (${String(error)}); regenerating`)
    }
  }
  const started = performance.now()
  const n = params.accounts
  const addresses = new Uint8Array(n * 20)
  for (let i = 0; i < n; i++) addresses.set(addressOfKey(accountKey(i)), i * 20)
  const prng = new Prng(params.seed)
  const cdf = zipfCdf(n, params.zipfExponent)
  // Zipf rank → account: a fixed shuffle, so the popular recipients are spread over the key space.
  const rankToAccount = new Uint32Array(n)
  for (let i = 0; i < n; i++) rankToAccount[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = prng.int(i + 1)
    const t = rankToAccount[i] as number
    rankToAccount[i] = rankToAccount[j] as number
    rankToAccount[j] = t
  }
  const nonces = new Uint32Array(n)
  const keys = new Map<number, Uint8Array>()
  const raws: Uint8Array[] = new Array(params.txs)
  let newRecipients = 0
  for (let t = 0; t < params.txs; t++) {
    const from = prng.int(n)
    let to: Uint8Array
    if (prng.nextU32() / 4294967296 < params.newRecipientShare) {
      to = prng.bytes(20)
      newRecipients++
    } else {
      const account = rankToAccount[sampleCdf(cdf, prng.nextU32() / 4294967296)] as number
      to = addresses.slice(account * 20, account * 20 + 20)
    }
    const { tip, maxFee } = walletFees(prng, params.baseFeePerGas)
    const fields: SignedTransaction = {
      type: 2,
      chainId: params.chainId,
      nonce: BigInt(nonces[from] as number),
      maxPriorityFeePerGas: tip,
      maxFeePerGas: maxFee,
      gasLimit: 21_000n,
      to,
      value: walletValue(prng),
      data: new Uint8Array(0),
      accessList: [],
      v: 0n,
      r: 0n,
      s: 0n,
    }
    nonces[from] = (nonces[from] as number) + 1
    let key = keys.get(from)
    if (key === undefined) {
      key = accountKey(from)
      keys.set(from, key)
    }
    const { signature, recid } = secp.ecdsaSign(signingHash(fields), key)
    fields.v = BigInt(recid)
    fields.r = bytesToBigint(signature.subarray(0, 32))
    fields.s = bytesToBigint(signature.subarray(32, 64))
    raws[t] = encodeTransaction(fields)
  }
  const workload: Workload = {
    params,
    addresses,
    fundedBalance: FUNDED_BALANCE,
    raws,
    newRecipients,
    distinctSenders: keys.size,
  }
  log(
    `workload: ${n} accounts, ${params.txs} transfers generated in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  )
  try {
    save(path, workload)
  } catch (error) {
    log(`workload cache not written (${String(error)})`)
  }
  return workload
}
