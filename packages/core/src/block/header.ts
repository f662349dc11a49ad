import { bigintToBytes, hexToBytes, padLeft } from '../bytes/index.ts'
import { keccak256 } from '../crypto/index.ts'
import { encodeRlp } from '../rlp/index.ts'

/** keccak256(rlp([])): the ommers hash of a block without ommers. */
export const EMPTY_OMMERS_HASH = hexToBytes('0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347')

/** An L2 block header: Ethereum's London header (protocol.md §6.3). */
export type L2BlockHeader = {
  parentHash: Uint8Array
  beneficiary: Uint8Array
  stateRoot: Uint8Array
  transactionsRoot: Uint8Array
  receiptsRoot: Uint8Array
  logsBloom: Uint8Array
  number: bigint
  gasLimit: bigint
  gasUsed: bigint
  timestamp: bigint
  /** Delayed messages taken up to and including this block; the header's 8-byte nonce. */
  delayedCountAfter: bigint
  /** The delayed accumulator after this block's last delayed message; the header's mixHash. */
  delayedAccumulator: Uint8Array
  baseFeePerGas: bigint
}

export function encodeBlockHeader(header: L2BlockHeader): Uint8Array {
  return encodeRlp([
    header.parentHash,
    EMPTY_OMMERS_HASH,
    header.beneficiary,
    header.stateRoot,
    header.transactionsRoot,
    header.receiptsRoot,
    header.logsBloom,
    new Uint8Array(0),
    bigintToBytes(header.number),
    bigintToBytes(header.gasLimit),
    bigintToBytes(header.gasUsed),
    bigintToBytes(header.timestamp),
    new Uint8Array(0),
    header.delayedAccumulator,
    padLeft(bigintToBytes(header.delayedCountAfter), 8),
    bigintToBytes(header.baseFeePerGas),
  ])
}

export function blockHash(header: L2BlockHeader): Uint8Array {
  return keccak256(encodeBlockHeader(header))
}
