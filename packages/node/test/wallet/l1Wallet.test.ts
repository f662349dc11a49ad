/**
 * The L1 wallet's type-3 transactions against a real anvil: blobs with KZG commitments and proofs
 * computed by the caller, the right transaction hash for the network form, and a stuck blob
 * transaction replaced at its nonce with the blob pool's doubled fees.
 */
import { bytesToHex, encodeBlobs, kzg, kzgCommitmentToVersionedHash } from '@sluice/core'
import { createPublicClient, createWalletClient, type Hex, http, type PublicClient } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ANVIL_MNEMONIC,
  type Anvil,
  jsonRpc,
  startAnvil,
  stopAll,
  tempDir,
  waitFor,
} from '../../../../test/support/processes.ts'
import { type L1BlobSidecars, L1Wallet } from '../../src/wallet/l1Wallet.ts'

let anvil: Anvil
let client: PublicClient
let wallet: L1Wallet
beforeAll(async () => {
  anvil = await startAnvil(tempDir())
  client = createPublicClient({ transport: http(anvil.rpcUrl) }) as PublicClient
  const chainId = await client.getChainId()
  const chain = {
    id: chainId,
    name: 'anvil',
    nativeCurrency: { name: 'E', symbol: 'E', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
  }
  const account = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 3 })
  wallet = new L1Wallet(createWalletClient({ account, chain, transport: http(anvil.rpcUrl) }), client)
}, 60_000)
afterAll(stopAll)

function sidecars(data: Uint8Array): L1BlobSidecars {
  const k = kzg()
  const blobs = encodeBlobs(data)
  const commitments = blobs.map((blob) => k.blobToCommitment(blob))
  return {
    blobs,
    commitments,
    proofs: blobs.map((blob, i) => k.computeBlobProof(blob, commitments[i] as Uint8Array)),
    versionedHashes: commitments.map((c) => bytesToHex(kzgCommitmentToVersionedHash(c)) as Hex),
  }
}

const SINK = '0x000000000000000000000000000000000000dEaD'

describe('L1Wallet type-3 transactions on anvil', () => {
  it('sends blobs with precomputed sidecars; the hash it returns is the mined transaction’s', async () => {
    const blobs = sidecars(Uint8Array.from({ length: 150_000 }, (_, i) => (i * 13 + 1) & 0xff))
    expect(blobs.blobs.length).toBe(2)
    const sent = await wallet.send({ to: SINK, data: '0x', gas: 100_000n, blobs }, 'blob test')
    expect(sent.fees.maxFeePerBlobGas).toBeGreaterThan(0n)
    const receipt = await client.waitForTransactionReceipt({ hash: sent.hash, timeout: 30_000 })
    expect(receipt.status).toBe('success')
    expect(receipt.blobGasUsed).toBe(2n * 131_072n)
    const tx = await client.getTransaction({ hash: sent.hash })
    expect(tx.type).toBe('eip4844')
    expect(tx.blobVersionedHashes).toEqual(blobs.versionedHashes)
  }, 60_000)

  it('replaces a stuck blob transaction at its nonce with every fee cap doubled; never with a plain one', async () => {
    const blobs = sidecars(Uint8Array.from({ length: 1_000 }, (_, i) => i & 0xff))
    // With mining paused the transaction waits in the pool, as behind a full L1.
    await jsonRpc(anvil.rpcUrl, 'evm_setAutomine', [false])
    const stuck = await wallet.send({ to: SINK, data: '0x', gas: 100_000n, blobs }, 'stuck')
    const pending = await client.getTransaction({ hash: stuck.hash })
    expect(pending.blockNumber).toBeNull()
    await expect(
      wallet.send({ to: SINK, data: '0x', gas: 100_000n, replaces: { nonce: stuck.nonce, fees: stuck.fees } }, 'plain'),
    ).rejects.toThrow(/blob transaction can only be replaced by another/)

    const replacement = await wallet.send(
      { to: SINK, data: '0x', gas: 100_000n, blobs, replaces: { nonce: stuck.nonce, fees: stuck.fees } },
      'replacement',
    )
    expect(replacement.nonce).toBe(stuck.nonce)
    expect(replacement.hash).not.toBe(stuck.hash)
    expect(replacement.fees.maxFeePerGas).toBeGreaterThanOrEqual(2n * stuck.fees.maxFeePerGas)
    expect(replacement.fees.maxPriorityFeePerGas).toBeGreaterThanOrEqual(2n * stuck.fees.maxPriorityFeePerGas)
    expect(replacement.fees.maxFeePerBlobGas).toBeGreaterThanOrEqual(2n * (stuck.fees.maxFeePerBlobGas as bigint))
    await jsonRpc(anvil.rpcUrl, 'evm_mine', [])
    await jsonRpc(anvil.rpcUrl, 'evm_setAutomine', [true])
    const receipt = await client.waitForTransactionReceipt({ hash: replacement.hash, timeout: 30_000 })
    expect(receipt.status).toBe('success')
    expect(receipt.blobGasUsed).toBe(131_072n)
    // The replaced transaction is gone from the pool and never mined.
    await waitFor(
      'the replaced transaction to leave the pool',
      async () => {
        try {
          await client.getTransaction({ hash: stuck.hash })
          return undefined
        } catch {
          return true
        }
      },
      { timeoutMs: 30_000 },
    )
  }, 60_000)
})
