import {
  bigintToBytes,
  bytesToBigint,
  bytesToHex,
  concatBytes,
  decodeRlp,
  decodeRlpInteger,
  encodeRlp,
  equalBytes,
  type Hex,
  hexToBytes,
  keccak256,
  padLeft,
  type RlpDecoded,
  recoverAddress,
  SECP256K1_HALF_N,
  SECP256K1_N,
  signRecoverable,
} from '@sluice/core'
import { DEFAULT_MAX_MESSAGE_BYTES, GOSSIP_BLOCK_DOMAIN, GOSSIP_SIGNATURE_BYTES } from './constants.ts'
import { GossipEncodeError, GossipMessageError } from './errors.ts'

/**
 * A sealed L2 block as the sequencer gossips it: what a receiver needs to re-execute it (its batch
 * transactions; deposits and forced transactions come from L1 up to `delayedCountAfter`) and the
 * sequencer's claimed results, which the receiver compares with its own and never trusts.
 */
export type GossipBlock = {
  number: bigint
  /** Seconds (L1 time), as in the block header. */
  timestamp: bigint
  /** Delayed messages taken up to and including this block (the header's nonce). */
  delayedCountAfter: bigint
  parentHash: Uint8Array
  blockHash: Uint8Array
  stateRoot: Uint8Array
  /** The signed encodings (EIP-2718 envelope for typed ones) of the block's batch transactions, in order. */
  transactions: Uint8Array[]
}

/** A signed block message split into its parts. */
export type GossipMessageParts = {
  /** r (32) ‖ s (32) ‖ yParity (1). */
  signature: Uint8Array
  payload: Uint8Array
}

const UINT64_BYTES = 8
const MAX_UINT64 = 2n ** 64n - 1n
const HASH_BYTES = 32

/**
 * The payload: rlp([number, timestamp, delayedCountAfter, parentHash, blockHash, stateRoot, [rawTx, ...]]).
 * Throws `GossipEncodeError` for a field out of range (a caller's bug).
 *
 * @example const payload = encodeGossipBlock(block); const message = signGossipBlock(payload, key, chainId)
 */
export function encodeGossipBlock(block: GossipBlock): Uint8Array {
  for (const field of ['number', 'timestamp', 'delayedCountAfter'] as const) {
    const value = block[field]
    if (value < 0n || value > MAX_UINT64) throw new GossipEncodeError(`GossipBlock.${field} ${value} is not a uint64.`)
  }
  for (const field of ['parentHash', 'blockHash', 'stateRoot'] as const) {
    if (block[field].length !== HASH_BYTES) {
      throw new GossipEncodeError(`GossipBlock.${field} is ${block[field].length} bytes; it must be 32.`)
    }
  }
  block.transactions.forEach((raw, index) => {
    if (raw.length === 0) throw new GossipEncodeError(`GossipBlock.transactions[${index}] is empty.`)
  })
  return encodeRlp([
    bigintToBytes(block.number),
    bigintToBytes(block.timestamp),
    bigintToBytes(block.delayedCountAfter),
    block.parentHash,
    block.blockHash,
    block.stateRoot,
    block.transactions,
  ])
}

/**
 * Strict inverse of `encodeGossipBlock`: canonical RLP, exactly seven fields, uint64 integers,
 * 32-byte hashes, and every transaction a byte string with a transaction envelope (typed 0x01 or
 * 0x02, or a legacy RLP list; its fields are decoded by whoever executes it). Throws
 * `GossipMessageError` with problem `malformed`; never anything else.
 */
export function decodeGossipBlock(payload: Uint8Array): GossipBlock {
  let decoded: RlpDecoded
  try {
    decoded = decodeRlp(plainBytes(payload))
  } catch (error) {
    throw new GossipMessageError('malformed', 'not canonical RLP', error)
  }
  if (!Array.isArray(decoded)) throw new GossipMessageError('malformed', 'the payload is a byte string, not a list')
  if (decoded.length !== 7) throw new GossipMessageError('malformed', `${decoded.length} fields instead of 7`)
  const [number, timestamp, delayedCountAfter, parentHash, blockHash, stateRoot, transactions] = decoded as [
    RlpDecoded,
    RlpDecoded,
    RlpDecoded,
    RlpDecoded,
    RlpDecoded,
    RlpDecoded,
    RlpDecoded,
  ]
  if (!Array.isArray(transactions)) throw new GossipMessageError('malformed', 'transactions is not a list')
  const raws: Uint8Array[] = []
  transactions.forEach((raw, index) => {
    if (!(raw instanceof Uint8Array)) throw new GossipMessageError('malformed', `transaction ${index} is a list`)
    if (!isTransactionEnvelope(raw)) {
      throw new GossipMessageError('malformed', `transaction ${index} is neither typed (0x01, 0x02) nor an RLP list`)
    }
    raws.push(raw)
  })
  return {
    number: integerField(number, 'number'),
    timestamp: integerField(timestamp, 'timestamp'),
    delayedCountAfter: integerField(delayedCountAfter, 'delayedCountAfter'),
    parentHash: hashField(parentHash, 'parentHash'),
    blockHash: hashField(blockHash, 'blockHash'),
    stateRoot: hashField(stateRoot, 'stateRoot'),
    transactions: raws,
  }
}

/**
 * The envelope only: a typed transaction (0x01 EIP-2930, 0x02 EIP-1559) or a legacy RLP list.
 * Decoding every field costs ~25 µs a transaction, ~45 ms for a full block; the receiver decodes
 * them anyway to re-execute, and a block whose transaction does not decode, under the
 * sequencer's valid signature, is the sequencer's fault that re-execution reports as a mismatch.
 */
function isTransactionEnvelope(raw: Uint8Array): boolean {
  const first = raw[0]
  return first === 0x01 || first === 0x02 || (first !== undefined && first >= 0xc0)
}

function integerField(item: RlpDecoded, name: string): bigint {
  try {
    return decodeRlpInteger(item, UINT64_BYTES)
  } catch (error) {
    throw new GossipMessageError('malformed', `${name} is not a canonical uint64`, error)
  }
}

function hashField(item: RlpDecoded, name: string): Uint8Array {
  if (!(item instanceof Uint8Array) || item.length !== HASH_BYTES) {
    throw new GossipMessageError('malformed', `${name} is not 32 bytes`)
  }
  return item
}

/** keccak256(domain(32) ‖ chainId(uint64, 8 bytes big-endian) ‖ keccak256(payload)): what the sequencer signs. */
export function gossipSigningHash(payload: Uint8Array, chainId: bigint): Uint8Array {
  if (chainId < 0n || chainId > MAX_UINT64) throw new GossipEncodeError(`chainId ${chainId} is not a uint64.`)
  return keccak256(concatBytes(GOSSIP_BLOCK_DOMAIN, padLeft(bigintToBytes(chainId), UINT64_BYTES), keccak256(payload)))
}

/**
 * Signs a payload with the sequencer key and returns the message to publish:
 * signature(65: r ‖ s ‖ yParity) ‖ payload. Deterministic (RFC 6979) and low-s.
 */
export function signGossipBlock(payload: Uint8Array, privateKey: Uint8Array | Hex, chainId: bigint): Uint8Array {
  const key = typeof privateKey === 'string' ? hexToBytes(privateKey) : privateKey
  let signature: Uint8Array
  try {
    signature = signRecoverable(gossipSigningHash(payload, chainId), key)
  } catch (error) {
    throw new GossipEncodeError('The sequencer key cannot sign: it must be a 32-byte secp256k1 private key.', error)
  }
  // r ‖ s ‖ yParity, then the payload
  const message = new Uint8Array(GOSSIP_SIGNATURE_BYTES + payload.length)
  message.set(signature, 0)
  message.set(payload, GOSSIP_SIGNATURE_BYTES)
  return message
}

/** Splits signature ‖ payload. Throws `GossipMessageError('unsigned')` when there is no room for both. */
export function splitGossipMessage(message: Uint8Array): GossipMessageParts {
  if (message.length <= GOSSIP_SIGNATURE_BYTES) {
    throw new GossipMessageError('unsigned', `${message.length} bytes; a signature alone is ${GOSSIP_SIGNATURE_BYTES}`)
  }
  return { signature: message.subarray(0, GOSSIP_SIGNATURE_BYTES), payload: message.subarray(GOSSIP_SIGNATURE_BYTES) }
}

/**
 * The address that signed a message. Throws `GossipMessageError` (`unsigned`, `bad_signature`):
 * yParity must be 0 or 1, 1 ≤ r < n and 1 ≤ s ≤ n/2 (so a message has exactly one valid signature).
 */
export function recoverGossipSigner(message: Uint8Array, chainId: bigint): Uint8Array {
  const { signature, payload } = splitGossipMessage(message)
  const yParity = signature[64] as number
  if (yParity !== 0 && yParity !== 1) throw new GossipMessageError('bad_signature', `yParity is ${yParity}`)
  const r = bytesToBigint(signature.subarray(0, 32))
  const s = bytesToBigint(signature.subarray(32, 64))
  if (r === 0n || r >= SECP256K1_N) throw new GossipMessageError('bad_signature', 'r is out of range')
  if (s === 0n || s > SECP256K1_HALF_N) throw new GossipMessageError('bad_signature', 's is zero or high')
  const signer = recoverAddress(gossipSigningHash(payload, chainId), signature.subarray(0, 64), yParity)
  if (!signer) throw new GossipMessageError('bad_signature', 'no public key recovers from it')
  return signer
}

/** Throws `GossipMessageError` unless `message` is validly signed by `sequencer`. */
export function verifyGossipSigner(message: Uint8Array, chainId: bigint, sequencer: Uint8Array | Hex): void {
  const expected = typeof sequencer === 'string' ? hexToBytes(sequencer) : sequencer
  const signer = recoverGossipSigner(message, chainId)
  if (!equalBytes(signer, expected)) {
    throw new GossipMessageError('wrong_signer', `signed by ${bytesToHex(signer)}, expected ${bytesToHex(expected)}`)
  }
}

export type DecodeGossipMessageOptions = {
  chainId: bigint
  /** The rollup config's sequencer address. */
  sequencer: Uint8Array | Hex
  /** Default `DEFAULT_MAX_MESSAGE_BYTES`. */
  maxMessageBytes?: number | undefined
}

/**
 * Everything a receiver checks from the bytes alone, cheapest first: size, signature room,
 * payload structure, then the signer (one secp256k1 recovery). Returns the block or throws
 * `GossipMessageError`, whose `problem` names the first check that failed.
 */
export function decodeGossipMessage(message: Uint8Array, options: DecodeGossipMessageOptions): GossipBlock {
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  if (message.length > maxBytes)
    throw new GossipMessageError('too_large', `${message.length} bytes, at most ${maxBytes}`)
  const { payload } = splitGossipMessage(message)
  let block: GossipBlock
  try {
    block = decodeGossipBlock(payload)
  } catch (error) {
    // A bare payload (no signature in front) is "unsigned", not "malformed": say what is missing.
    if (isBarePayload(message)) throw new GossipMessageError('unsigned', 'the message is a payload without signature')
    throw error
  }
  verifyGossipSigner(message, options.chainId, options.sequencer)
  return block
}

/**
 * A plain Uint8Array view of the same memory. Network code hands out Buffers; the decoded fields
 * are views into the input, and callers compare and store them as Uint8Arrays.
 */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function isBarePayload(message: Uint8Array): boolean {
  try {
    decodeGossipBlock(message)
    return true
  } catch {
    return false
  }
}
