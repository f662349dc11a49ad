import { bigintToBytes32, bytesToHex, concatBytes, encodeRlp, keccak256, SECP256K1_N } from '@sluice/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeGossipBlock,
  decodeGossipMessage,
  encodeGossipBlock,
  GOSSIP_BLOCK_DOMAIN,
  GossipEncodeError,
  GossipMessageError,
  type GossipMessageProblem,
  gossipSigningHash,
  recoverGossipSigner,
  signGossipBlock,
  verifyGossipSigner,
} from '../../src/p2p/index.ts'
import { CHAIN_ID, makeBlock, SEQUENCER, STRANGER, sign } from './helpers.ts'

function problemOf(action: () => unknown): GossipMessageProblem | 'no error' | 'other error' {
  try {
    action()
    return 'no error'
  } catch (error) {
    return error instanceof GossipMessageError ? error.problem : 'other error'
  }
}

const options = { chainId: CHAIN_ID, sequencer: SEQUENCER.address }

describe('gossip block encoding', () => {
  it('round-trips every field, transactions in order', () => {
    const block = makeBlock(42n, { txCount: 3 })
    const decoded = decodeGossipBlock(encodeGossipBlock(block))
    expect(decoded).toEqual(block)
    expect(decoded.transactions.map((raw) => bytesToHex(raw))).toEqual(block.transactions.map((raw) => bytesToHex(raw)))
  })

  it('round-trips a block without transactions and uint64 extremes', () => {
    const block = { ...makeBlock(0n, { txCount: 0 }), number: 2n ** 64n - 1n, timestamp: 0n, delayedCountAfter: 0n }
    expect(decodeGossipBlock(encodeGossipBlock(block))).toEqual(block)
  })

  it('is the documented rlp list', () => {
    const block = makeBlock(7n, { txCount: 1 })
    const expected = encodeRlp([
      7n,
      block.timestamp,
      block.delayedCountAfter,
      block.parentHash,
      block.blockHash,
      block.stateRoot,
      block.transactions,
    ])
    expect(bytesToHex(encodeGossipBlock(block))).toBe(bytesToHex(expected))
  })

  it('refuses to encode fields out of range', () => {
    const block = makeBlock(1n)
    expect(() => encodeGossipBlock({ ...block, number: 2n ** 64n })).toThrow(GossipEncodeError)
    expect(() => encodeGossipBlock({ ...block, stateRoot: new Uint8Array(31) })).toThrow(GossipEncodeError)
    expect(() => encodeGossipBlock({ ...block, transactions: [new Uint8Array(0)] })).toThrow(GossipEncodeError)
  })

  it('refuses malformed payloads with GossipMessageError(malformed)', () => {
    const block = makeBlock(5n, { txCount: 1 })
    const fields = [5n, block.timestamp, block.delayedCountAfter, block.parentHash, block.blockHash, block.stateRoot]
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      encodeRlp(new Uint8Array(10)), // a byte string, not a list
      encodeRlp(fields), // six fields
      encodeRlp([...fields, block.transactions, []]), // eight fields
      encodeRlp([new Uint8Array([0, 5]), ...fields.slice(1), block.transactions]), // non-canonical integer
      encodeRlp([2n ** 64n, ...fields.slice(1), block.transactions]), // wider than uint64
      encodeRlp([...fields.slice(0, 3), new Uint8Array(31), ...fields.slice(4), block.transactions]), // 31-byte hash
      encodeRlp([...fields, block.transactions[0] as Uint8Array]), // transactions not a list
      encodeRlp([...fields, [[new Uint8Array(1)]]]), // a transaction that is a list
      encodeRlp([...fields, [new Uint8Array([3, 0xc0])]]), // a blob transaction envelope
      encodeRlp([...fields, [new Uint8Array([0x80])]]), // neither typed nor a list
      concatBytes(encodeGossipBlock(block), new Uint8Array([0])), // trailing byte
    ]
    for (const payload of cases) expect(problemOf(() => decodeGossipBlock(payload))).toBe('malformed')
  })

  it('never throws anything but GossipMessageError on arbitrary bytes', () => {
    const valid = sign(makeBlock(3n, { txCount: 1 }))
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          // valid messages with bytes flipped, cut or appended: close to the real thing
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
            const copy = valid.slice()
            copy[at] = (copy[at] as number) ^ xor
            return copy
          }),
          fc.nat(valid.length).map((length) => valid.subarray(0, length)),
        ),
        (bytes) => {
          expect(problemOf(() => decodeGossipMessage(bytes, options))).not.toBe('other error')
        },
      ),
      { numRuns: 400 },
    )
  })
})

describe('gossip block signatures', () => {
  it('signs keccak256(domain ‖ chainId as 8 bytes ‖ keccak256(payload)) as r ‖ s ‖ yParity', () => {
    const payload = encodeGossipBlock(makeBlock(9n))
    const chainIdBytes = new Uint8Array(8)
    new DataView(chainIdBytes.buffer).setBigUint64(0, CHAIN_ID)
    const expectedHash = keccak256(concatBytes(GOSSIP_BLOCK_DOMAIN, chainIdBytes, keccak256(payload)))
    expect(bytesToHex(gossipSigningHash(payload, CHAIN_ID))).toBe(bytesToHex(expectedHash))
    expect(bytesToHex(GOSSIP_BLOCK_DOMAIN)).toBe(bytesToHex(keccak256(new TextEncoder().encode('sluice/p2p/block/v1'))))
    // the value README.md documents
    expect(bytesToHex(GOSSIP_BLOCK_DOMAIN)).toBe('0xf35d3fc4509799772cf0c98e5c3988dd530a4a70240bc3080bc2d5515199aa86')

    const message = signGossipBlock(payload, SEQUENCER.privateKey, CHAIN_ID)
    expect(message.length).toBe(65 + payload.length)
    expect([0, 1]).toContain(message[64])
    expect(bytesToHex(message.subarray(65))).toBe(bytesToHex(payload))
    expect(bytesToHex(recoverGossipSigner(message, CHAIN_ID))).toBe(SEQUENCER.addressHex)
    expect(() => verifyGossipSigner(message, CHAIN_ID, SEQUENCER.addressHex)).not.toThrow()
    // a hex key signs the same bytes (RFC 6979)
    expect(bytesToHex(signGossipBlock(payload, bytesToHex(SEQUENCER.privateKey), CHAIN_ID))).toBe(bytesToHex(message))
  })

  it('decodes a message signed by the sequencer', () => {
    const block = makeBlock(11n)
    expect(decodeGossipMessage(sign(block), options)).toEqual(block)
  })

  it('refuses another signer, another chain id, and unsigned or tampered messages', () => {
    const block = makeBlock(12n)
    const payload = encodeGossipBlock(block)
    expect(problemOf(() => decodeGossipMessage(sign(block, STRANGER), options))).toBe('wrong_signer')
    expect(problemOf(() => decodeGossipMessage(sign(block, SEQUENCER, CHAIN_ID + 1n), options))).toBe('wrong_signer')
    expect(problemOf(() => decodeGossipMessage(payload, options))).toBe('unsigned')
    expect(problemOf(() => decodeGossipMessage(new Uint8Array(65), options))).toBe('unsigned')
    // the sequencer's signature over another state root: well formed, recovers some other key
    const tampered = concatBytes(
      sign(block).subarray(0, 65),
      encodeGossipBlock({ ...block, stateRoot: new Uint8Array(32) }),
    )
    expect(problemOf(() => decodeGossipMessage(tampered, options))).toBe('wrong_signer')
    expect(problemOf(() => decodeGossipMessage(sign(block), { ...options, maxMessageBytes: 100 }))).toBe('too_large')
  })

  it('refuses yParity other than 0/1, out-of-range r and the high-s twin', () => {
    const message = sign(makeBlock(13n))
    const withParity = message.slice()
    withParity[64] = (message[64] as number) + 27
    expect(problemOf(() => decodeGossipMessage(withParity, options))).toBe('bad_signature')

    const zeroR = message.slice()
    zeroR.fill(0, 0, 32)
    expect(problemOf(() => decodeGossipMessage(zeroR, options))).toBe('bad_signature')

    const bigR = message.slice()
    bigR.set(bigintToBytes32(SECP256K1_N), 0)
    expect(problemOf(() => decodeGossipMessage(bigR, options))).toBe('bad_signature')

    // (r, n - s, 1 - yParity) is the same signature's malleable twin: valid on the curve, refused here.
    const s = BigInt(bytesToHex(message.subarray(32, 64)))
    const twin = message.slice()
    twin.set(bigintToBytes32(SECP256K1_N - s), 32)
    twin[64] = 1 - (message[64] as number)
    expect(problemOf(() => decodeGossipMessage(twin, options))).toBe('bad_signature')
  })

  it('refuses a key that is not a private key', () => {
    expect(() => signGossipBlock(encodeGossipBlock(makeBlock(1n)), new Uint8Array(32), CHAIN_ID)).toThrow(
      GossipEncodeError,
    )
  })
})
