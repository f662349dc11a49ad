/**
 * The blob batch hash of protocol.md §5.7 on the TypeScript side (`blobBatchHash`) against the same
 * literal the inbox's forge test (test/L1/SequencerInbox.t.sol, `test_appendBlobBatch_twoBlobs_succeeds`
 * and `test_appendBlobBatch_oneBlobNoMessages_succeeds`) expects from `SequencerInbox.appendBlobBatch`:
 * computed once with viem's `encodePacked`, outside both implementations.
 */
import { blobBatchHash, bytesToHex, hexToBytes } from '@sluice/core'
import { describe, expect, it } from 'vitest'

const BLOB_0 = hexToBytes(`0x01${'11'.repeat(31)}`)
const BLOB_1 = hexToBytes(`0x01${'22'.repeat(31)}`)

describe('blobBatchHash', () => {
  it('equals the hash SequencerInbox stores for a two-blob batch', () => {
    expect(bytesToHex(blobBatchHash(5n, 7, [BLOB_0, BLOB_1]))).toBe(
      '0xc43d4abf6c9b346f9911b8061947531379670f611698c5b3126c50826d73b90a',
    )
  })

  it('equals the hash SequencerInbox stores for a one-blob batch with no messages', () => {
    expect(bytesToHex(blobBatchHash(0n, 0, [BLOB_0]))).toBe(
      '0x420fece46f03f6864cab69511f300148e1032ab892ff488bd3741239f5377321',
    )
  })
})
