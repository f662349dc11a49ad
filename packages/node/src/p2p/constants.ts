import { keccak256 } from '@sluice/core'

/**
 * Wire constants of the Sluice p2p protocol (README.md in this folder). Changing any of them is a
 * protocol change: bump the `/1` version in the topic or protocol id with it.
 */

/** 32-byte domain separator of block signatures: keccak256("sluice/p2p/block/v1"). */
export const GOSSIP_BLOCK_DOMAIN: Uint8Array = keccak256(new TextEncoder().encode('sluice/p2p/block/v1'))

/** Bytes of a signature: r (32) ‖ s (32) ‖ yParity (1, value 0 or 1). */
export const GOSSIP_SIGNATURE_BYTES = 65

/** The gossipsub topic every sealed L2 block is published on. */
export function blocksTopic(chainId: bigint): string {
  return `/sluice/${chainId}/blocks/1`
}

/** The request/response protocol that serves signed blocks by number range (gap filling). */
export function blocksByRangeProtocol(chainId: bigint): string {
  return `/sluice/${chainId}/blocks-by-range/1`
}

/** Most blocks one range request may ask for. */
export const MAX_RANGE_COUNT = 256

/**
 * Largest signed block message accepted (gossip or range response). A 30 M gas block of
 * non-zero calldata is ~1.9 MB; zero bytes cost 4 gas, so 8 MiB bounds any block a 30 M gas
 * limit allows with room for the signature and RLP.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024

/** Largest request frame (rlp([from, count]) with uint64 values is at most 20 bytes). */
export const MAX_RANGE_REQUEST_BYTES = 32

/** Largest status frame of a range response (1 status byte + a short UTF-8 reason). */
export const MAX_RANGE_STATUS_BYTES = 257

/** Blocks more than this far beyond the receiver's unsafe head are ignored as far-future. */
export const DEFAULT_MAX_BLOCKS_AHEAD = 1024n

/** Seconds a block timestamp may run ahead of the receiver's wall clock before it is ignored. */
export const DEFAULT_MAX_CLOCK_DRIFT_SECONDS = 60n

/** Accepted block hashes remembered to ignore a block seen again under different bytes. */
export const DEFAULT_SEEN_BLOCKS = 4096
