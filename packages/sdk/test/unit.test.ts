/** The SDK's pure parts: withdrawal encoding, log parsing, RPC answer parsing, chains, devnet files. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { bytesToHex, MESSAGE_PASSED_TOPIC, messagePassedLog, withdrawalHash } from '@sluice/core'
import { encodeEventTopics, getAddress, hexToBytes, type Log, pad, toHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../../test/support/processes.ts'
import {
  DevnetFileError,
  defineSluiceChain,
  devnetChains,
  devnetContracts,
  getWithdrawalsFromLogs,
  MESSAGE_PASSER,
  messagePassedEvent,
  readDevnetFile,
  SluiceRpcResponseError,
  sluiceDevnet,
  withdrawalData,
  withdrawalGas,
} from '../src/index.ts'
import { parseBatch, parseSyncStatus } from '../src/utils/rpc.ts'

const SENDER = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
const RECIPIENT = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65'

describe('withdrawals', () => {
  it('the event ABI has the topic the protocol defines', () => {
    expect(encodeEventTopics({ abi: [messagePassedEvent], eventName: 'MessagePassed' })[0]).toBe(
      bytesToHex(MESSAGE_PASSED_TOPIC),
    )
  })

  it('reads the withdrawal back from the log the state transition writes', () => {
    const withdrawal = { nonce: 7n, sender: hexToBytes(SENDER), l1Recipient: hexToBytes(RECIPIENT), value: 10n ** 17n }
    const hash = withdrawalHash(withdrawal)
    const log = messagePassedLog(withdrawal, hash)
    const rpcLog = {
      address: bytesToHex(log.address),
      topics: log.topics.map((topic) => bytesToHex(topic)),
      data: bytesToHex(log.data),
    } as unknown as Log
    const transfer = { ...rpcLog, address: '0x0000000000000000000000000000000000000001' } as Log
    expect(getWithdrawalsFromLogs([transfer, rpcLog])).toEqual([
      { nonce: 7n, sender: SENDER, l1Recipient: RECIPIENT, value: 10n ** 17n, withdrawalHash: bytesToHex(hash) },
    ])
  })

  it('data names the recipient in one word, or is empty; gas is intrinsic gas exactly', () => {
    expect(withdrawalData(undefined)).toBe('0x')
    expect(withdrawalData(RECIPIENT)).toBe(pad(RECIPIENT, { size: 32 }))
    expect(withdrawalGas('0x')).toBe(21_000n)
    const data = withdrawalData(RECIPIENT)
    const nonZero = hexToBytes(data).filter((b) => b !== 0).length
    expect(withdrawalGas(data)).toBe(21_000n + 4n * BigInt(32 - nonZero) + 16n * BigInt(nonZero))
    expect(MESSAGE_PASSER).toBe('0x5100000000000000000000000000000000000000')
  })
})

describe('rollup RPC parsing', () => {
  const ref = (n: number) => ({ number: toHex(n), hash: pad(toHex(n), { size: 32 }), timestamp: toHex(1000 + n) })

  it('parses quantities and keeps extra fields', () => {
    const status = parseSyncStatus({
      chainId: '0x146a2d',
      l1: { head: ref(20), confirmed: ref(18) },
      unsafe: ref(40),
      safe: ref(30),
      finalized: ref(10),
      lag: { unsafeToSafeBlocks: '0xa', l1HeadToConfirmedBlocks: '0x2' },
      batches: { count: '0x3', lastIndex: '0x2', l1Count: '0x4' },
      claims: [],
      games: [],
      derivation: { batchIndex: '0x2', messageCount: '0x400', waitingForBlobs: null, futureField: 1 },
    })
    expect(status.chainId).toBe(1_337_901n)
    expect(status.safe.number).toBe(30n)
    expect(status.lag).toEqual({ unsafeToSafeBlocks: 10n, l1HeadToConfirmedBlocks: 2n })
    expect(status.batches).toEqual({ count: 3n, lastIndex: 2n, l1Count: 4n })
    expect(status.derivation).toEqual({ batchIndex: 2n, messageCount: 1_024n, waitingForBlobs: null, catchUp: null })
    expect((status.raw.derivation as Record<string, unknown>).futureField).toBe(1)
    expect(status.latestBatch).toBeNull()
  })

  it('parses what derivation waits for and its catch-up progress, as a verifier sends them', () => {
    const hash = pad('0x0103', { size: 32 })
    const base = {
      chainId: '0x1',
      l1: { head: ref(9), confirmed: ref(8) },
      unsafe: ref(4),
      safe: ref(3),
      finalized: ref(1),
    }
    const waiting = parseSyncStatus({
      ...base,
      derivation: {
        batchIndex: null,
        messageCount: '0x0',
        waitingForBlobs: {
          batchIndex: 0,
          l1Block: 12,
          versionedHashes: [hash],
          code: 'BLOB_UNAVAILABLE',
          message: 'beacon API answered 503',
          attempts: 3,
          waitingSeconds: 7,
        },
        targetMessageCount: '0x2710',
        transactionsPerSecond: 0,
        blocksPerSecond: 0,
        etaSeconds: null,
      },
    })
    expect(waiting.derivation).toEqual({
      batchIndex: null,
      messageCount: 0n,
      waitingForBlobs: {
        batchIndex: 0n,
        l1Block: 12n,
        versionedHashes: [hash],
        code: 'BLOB_UNAVAILABLE',
        message: 'beacon API answered 503',
        attempts: 3,
        waitingSeconds: 7,
      },
      catchUp: { targetMessageCount: 10_000n, transactionsPerSecond: 0, blocksPerSecond: 0, etaSeconds: null },
    })
    expect(parseSyncStatus(base).derivation).toBeNull()
    expect(() =>
      parseSyncStatus({
        ...base,
        derivation: { messageCount: '0x1', waitingForBlobs: { batchIndex: 0, versionedHashes: [] } },
      }),
    ).toThrow(/derivation.waitingForBlobs.l1Block is not a quantity/)
  })

  it('parses a batch’s DA, bytes and L1 cost, in sluice_getBatch and as syncStatus.latestBatch', () => {
    const hashes = [pad('0x0101', { size: 32 }), pad('0x0102', { size: 32 })]
    const batch = {
      index: '0x5',
      l1BlockNumber: '0x20',
      l1TransactionHash: pad('0x99', { size: 32 }),
      forced: false,
      firstBlock: '0x10',
      lastBlock: '0x12',
      messageCountAfter: '0x400',
      delayedCountAfter: '0x2',
      stateRoot: pad('0x1', { size: 32 }),
      dataAvailability: { kind: 'blobs', blobCount: 2, versionedHashes: hashes },
      bytes: 150_000,
      transactionSlots: '0x7d0',
      bytesPerTransaction: 75,
      blobFill: 0.572,
      l1GasUsed: '0xea60',
      l1BlobGasUsed: '0x40000',
      l1Cost: '0x1000',
    }
    const parsed = parseBatch(batch)
    expect(parsed).toMatchObject({
      dataAvailability: { kind: 'blobs', blobCount: 2, versionedHashes: hashes },
      bytes: 150_000,
      transactionSlots: 2_000n,
      bytesPerTransaction: 75,
      blobFill: 0.572,
      l1GasUsed: 60_000n,
      l1BlobGasUsed: 262_144n,
      l1Cost: 4_096n,
    })
    const status = parseSyncStatus({
      chainId: '0x1',
      l1: { head: ref(2), confirmed: ref(1) },
      unsafe: ref(4),
      safe: ref(3),
      finalized: ref(1),
      latestBatch: batch,
    })
    expect(status.latestBatch).toEqual(parsed)
    // A node from before blob batches: the fields are null, not invented.
    const old = parseBatch({ ...batch, dataAvailability: undefined, bytes: undefined, l1Cost: undefined })
    expect(old).toMatchObject({ dataAvailability: null, bytes: null, l1Cost: null })
    expect(() => parseBatch({ ...batch, dataAvailability: { kind: 'ipfs' } })).toThrow(
      /dataAvailability.kind is not one of calldata, blobs, none/,
    )
  })

  it('names the field that is malformed', () => {
    expect(() => parseSyncStatus({ chainId: '0x1', l1: { head: ref(1), confirmed: ref(1) }, unsafe: ref(1) })).toThrow(
      SluiceRpcResponseError,
    )
    expect(() =>
      parseBatch({
        index: '0x1',
        l1BlockNumber: '0x2',
        firstBlock: '0x1',
        lastBlock: 'ten',
        messageCountAfter: '0x1',
        stateRoot: pad('0x1'),
      }),
    ).toThrow(/lastBlock is not a quantity/)
    expect(parseBatch(null)).toBeNull()
  })
})

describe('chains and devnet files', () => {
  it('a Sluice chain keeps the L1 addresses under its L1 chain id and prices at the base fee', () => {
    const chain = defineSluiceChain({
      id: 5,
      rpcUrl: 'http://h:1',
      l1ChainId: 9,
      contracts: devnetContracts,
      deployBlock: 3n,
    })
    expect(chain.sourceId).toBe(9)
    expect(chain.contracts.portal[9]).toEqual({ address: devnetContracts.portal, blockCreated: 3 })
    expect(chain.rpcUrls.default.webSocket).toEqual(['ws://h:1'])
    expect(chain.fees?.baseFeeMultiplier).toBe(1)
    expect(sluiceDevnet.id).toBe(1_337_901)
  })

  it('reads a devnet file into chains pointed at its URLs', () => {
    const file = join(tempDir('sluice-devnet-'), 'devnet.json')
    const contracts = {
      Portal: devnetContracts.portal,
      SequencerInbox: devnetContracts.sequencerInbox,
      ClaimManager: devnetContracts.claimManager,
      DisputeGame: devnetContracts.disputeGame,
      OneStepProver: devnetContracts.oneStepProver,
    }
    writeFileSync(
      file,
      JSON.stringify({
        l1: { rpcUrl: 'http://127.0.0.1:7000', chainId: 31_337 },
        l2: { chainId: 1_337_901, sequencerRpcUrl: 'http://127.0.0.1:7001', verifierRpcUrls: [] },
        contracts,
        accounts: [],
        components: {},
        deployBlock: '4',
      }),
    )
    const { l1, l2 } = devnetChains(readDevnetFile(file), { l2RpcUrl: 'http://127.0.0.1:7002' })
    expect(l1.rpcUrls.default.http).toEqual(['http://127.0.0.1:7000'])
    expect(l2.rpcUrls.default.http).toEqual(['http://127.0.0.1:7002'])
    expect(getAddress(l2.contracts.claimManager[31_337]!.address)).toBe(contracts.ClaimManager)
    expect(l2.contracts.portal[31_337]?.blockCreated).toBe(4)
    expect(() => readDevnetFile(join(tempDir('sluice-devnet-'), 'none.json'))).toThrow(DevnetFileError)
  })
})
