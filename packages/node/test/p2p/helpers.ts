import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak256 } from '@sluice/core'
import { type TestAccount, testAccount, transfer } from '../../../../test/support/wallet.ts'
import { encodeGossipBlock, type GossipBlock, gossipSigningHash, signGossipBlock } from '../../src/p2p/index.ts'

export const CHAIN_ID = 1_337_901n
/** The rollup config's sequencer in these tests. */
export const SEQUENCER: TestAccount = testAccount(0)
/** Someone else with a valid key. */
export const STRANGER: TestAccount = testAccount(1)

const GENESIS_HASH = keccak256(new TextEncoder().encode('test genesis'))

/** Wall-clock seconds, as block timestamps are. */
export function nowSeconds(): bigint {
  return BigInt(Math.floor(Date.now() / 1000))
}

/**
 * A block with `txCount` real signed transfers. Hashes are stand-ins (the p2p layer never
 * recomputes them) but chain: each block's parentHash is the previous block's blockHash.
 */
export function makeBlock(
  number: bigint,
  options: { parentHash?: Uint8Array; txCount?: number; timestamp?: bigint } = {},
): GossipBlock {
  const sender = testAccount(2)
  const transactions = Array.from(
    { length: options.txCount ?? 2 },
    (_, index) =>
      transfer(sender, STRANGER.address, { chainId: CHAIN_ID, nonce: number * 1000n + BigInt(index), value: 1n }).raw,
  )
  return {
    number,
    timestamp: options.timestamp ?? nowSeconds(),
    delayedCountAfter: number / 3n,
    parentHash: options.parentHash ?? GENESIS_HASH,
    blockHash: keccak256(new TextEncoder().encode(`block ${number} of ${options.parentHash ? 'a chain' : 'genesis'}`)),
    stateRoot: keccak256(new TextEncoder().encode(`state ${number}`)),
    transactions,
  }
}

/** Blocks from..to linked by parentHash, with their messages signed by `signer`. */
export function makeChain(
  from: bigint,
  to: bigint,
  signer: TestAccount = SEQUENCER,
): { block: GossipBlock; message: Uint8Array }[] {
  const chain: { block: GossipBlock; message: Uint8Array }[] = []
  let parentHash: Uint8Array | undefined
  for (let number = from; number <= to; number++) {
    const block = makeBlock(number, parentHash ? { parentHash } : {})
    block.blockHash = keccak256(encodeGossipBlock(block))
    chain.push({ block, message: sign(block, signer) })
    parentHash = block.blockHash
  }
  return chain
}

export function sign(block: GossipBlock, signer: TestAccount = SEQUENCER, chainId = CHAIN_ID): Uint8Array {
  return signGossipBlock(encodeGossipBlock(block), signer.privateKey, chainId)
}

/** A second valid signature of the same block (random nonce instead of RFC 6979): other bytes, same block. */
export function signWithFreshNonce(block: GossipBlock, signer: TestAccount = SEQUENCER): Uint8Array {
  const payload = encodeGossipBlock(block)
  const recovered = secp256k1.sign(gossipSigningHash(payload, CHAIN_ID), signer.privateKey, {
    prehash: false,
    format: 'recovered',
    extraEntropy: true,
  })
  const message = new Uint8Array(65 + payload.length)
  message.set(recovered.subarray(1), 0)
  message[64] = recovered[0] as number
  message.set(payload, 65)
  return message
}
