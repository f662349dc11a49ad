import { decodeBlobs, encodeBlobs, kzg, kzgCommitmentToVersionedHash } from '@sluice/core'
import { bytesToHex, concat, createPublicClient, createWalletClient, type Hex, http, toHex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANVIL_MNEMONIC, type Anvil, startAnvil, stopAll, tempDir } from '../../../../test/support/processes.ts'
import { BlobMismatchError, BlobUnavailableError, fetchBlobs } from '../../src/l1/beacon.ts'

let anvil: Anvil
beforeAll(async () => {
  anvil = await startAnvil(tempDir())
}, 60_000)
afterAll(stopAll)

describe('beacon blob reader against anvil', () => {
  it('posts two blobs, reads and checks them, opens one element through the 0x0a precompile', async () => {
    const data = Uint8Array.from({ length: 140_000 }, (_, i) => (i * 7 + 3) & 0xff)
    const blobs = encodeBlobs(data)
    expect(blobs.length).toBe(2)
    const k = kzg()
    let start = performance.now()
    const commitments = blobs.map((b) => k.blobToCommitment(b))
    const commitMs = (performance.now() - start) / blobs.length
    start = performance.now()
    const blobProofs = blobs.map((b, i) => k.computeBlobProof(b, commitments[i]!))
    const proofMs = (performance.now() - start) / blobs.length
    expect(blobProofs.map((p) => p.length)).toEqual([48, 48])
    console.log(`kzg per blob: commitment ${commitMs.toFixed(1)} ms, blob proof ${proofMs.toFixed(1)} ms`)
    const hashes = commitments.map((c) => bytesToHex(kzgCommitmentToVersionedHash(c)))

    const account = mnemonicToAccount(ANVIL_MNEMONIC)
    const wallet = createWalletClient({ account, transport: http(anvil.rpcUrl) })
    const client = createPublicClient({ transport: http(anvil.rpcUrl) })
    const chain = {
      id: await client.getChainId(),
      name: 'anvil',
      nativeCurrency: { name: 'E', symbol: 'E', decimals: 18 },
      rpcUrls: { default: { http: [anvil.rpcUrl] } },
    }
    const hash = await wallet.sendTransaction({
      chain,
      to: '0x000000000000000000000000000000000000dEaD',
      blobs,
      kzg: {
        blobToKzgCommitment: (blob) => k.blobToCommitment(blob),
        computeBlobKzgProof: (blob, commitment) => k.computeBlobProof(blob, commitment),
      },
      maxFeePerBlobGas: 10n ** 10n,
    })
    const receipt = await client.waitForTransactionReceipt({ hash })
    const tx = await client.getTransaction({ hash })
    expect(tx.blobVersionedHashes).toEqual(hashes)

    const read = await fetchBlobs(anvil.rpcUrl, receipt.blockNumber.toString(), hashes)
    expect(decodeBlobs(read)).toEqual(data)

    const wrong = `0x01${'ab'.repeat(31)}`
    await expect(fetchBlobs(anvil.rpcUrl, receipt.blockNumber.toString(), [wrong])).rejects.toBeInstanceOf(
      BlobMismatchError,
    )
    await expect(fetchBlobs(anvil.rpcUrl, '999999', hashes)).rejects.toBeInstanceOf(BlobUnavailableError)

    // Opening of field element 5 of blob 1 at its evaluation-domain point is what the prover will use; any z < modulus works for the precompile.
    const z = new Uint8Array(32)
    z[31] = 5
    const { proof, y } = k.computeProof(blobs[1]!, z)
    const input = concat([hashes[1] as Hex, toHex(z), toHex(y), toHex(commitments[1]!), toHex(proof)])
    const precompile = '0x000000000000000000000000000000000000000a'
    const out = await client.call({ to: precompile, data: input })
    // FIELD_ELEMENTS_PER_BLOB ++ BLS_MODULUS
    expect(out.data).toBe(
      `0x${4096n.toString(16).padStart(64, '0')}73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001`,
    )
    const gas = await client.estimateGas({ to: precompile, data: input, account: account.address })
    console.log(`point-evaluation: eth_estimateGas ${gas} (call incl. 21000 + calldata)`)
    const badY = Uint8Array.from(y)
    badY[31]! ^= 1
    await expect(
      client.call({
        to: precompile,
        data: concat([hashes[1] as Hex, toHex(z), toHex(badY), toHex(commitments[1]!), toHex(proof)]),
      }),
    ).rejects.toThrow()
  }, 120_000)
})
