import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { Transaction as EthersTransaction } from 'ethers'
import { describe, expect, it } from 'vitest'
import { vectorPath, vectorsPresent } from '../../../../test/support/vectors.ts'
import { bytesToHex, hexToBytes } from '../../src/bytes/index.ts'
import { decodeRlp, encodeRlp, type RlpDecoded } from '../../src/rlp/index.ts'
import {
  checkTransactionStatic,
  decodeTransaction,
  encodeTransaction,
  intrinsicGas,
  recoverSender,
  type SignedTransaction,
  TransactionDecodeError,
  type TransactionInvalidReason,
  transactionHash,
  UnsupportedTransactionTypeError,
} from '../../src/tx/index.ts'

/** Forks oldest first; an unknown name fails the test so that a new fork is looked at, not skipped. */
const FORKS = [
  'Frontier',
  'Homestead',
  'EIP150',
  'EIP158',
  'Byzantium',
  'Constantinople',
  'ConstantinopleFix',
  'Istanbul',
  'Berlin',
  'London',
  'Paris',
  'Shanghai',
  'Cancun',
  'Prague',
  'Osaka',
]
/** Forks whose intrinsic gas includes EIP-7623's calldata floor. */
const EIP7623_FORKS = new Set(['Prague', 'Osaka'])
/** ethereum/tests use chain id 1. */
const CHAIN_ID = 1n

type ForkResult = { hash?: string; sender?: string; intrinsicGas?: string; exception?: string }
type TxVector = { txbytes: string; result: Record<string, ForkResult> }

/** How we refuse what each ethereum/tests exception names. */
type Refusal = 'decode' | 'unsupportedType' | TransactionInvalidReason
const EXPECTED_REFUSALS: Record<string, Refusal[]> = {
  INVALID_SIGNATURE_VRS: ['invalidV', 'invalidYParity', 'rOutOfRange', 'sOutOfRange', 'highS', 'recoveryFailed'],
  INVALID_CHAINID: ['wrongChainId', 'invalidV'],
  GASPRICE_OVERFLOW: ['decode'],
  GASLIMIT_PRICE_PRODUCT_OVERFLOW: ['gasLimitPriceProductOverflow'],
  TYPE_NOT_SUPPORTED: ['unsupportedType'],
  INTRINSIC_GAS_TOO_LOW: ['intrinsicGasTooLow'],
  NONCE_IS_MAX: ['nonceMax'],
  PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS: ['priorityFeeAboveMaxFee'],
  INITCODE_SIZE_EXCEEDED: ['initcodeTooLarge'],
}
function expectedRefusals(exception: string): Refusal[] | undefined {
  const refusals: Refusal[] = []
  for (const part of exception.split('|')) {
    const name = part.trim().replace(/^TransactionException\./, '')
    if (name.startsWith('RLP_')) refusals.push('decode')
    else {
      const known = EXPECTED_REFUSALS[name]
      if (!known) return undefined
      refusals.push(...known)
    }
  }
  return refusals
}

function newestFork(results: Record<string, ForkResult>): string {
  for (const fork of Object.keys(results)) {
    if (!FORKS.includes(fork))
      throw new Error(`unknown fork ${fork} in the vectors: add it to FORKS (and EIP7623_FORKS)`)
  }
  const newest = FORKS.filter((fork) => fork in results).at(-1)
  if (newest === undefined) throw new Error('a vector without results')
  return newest
}

/** Decodes and validates the way the STF does (with pre-EIP-155 allowed, as Ethereum still does). */
function refusalOf(raw: Uint8Array, eip7623Floor: boolean): { refusal: Refusal } | { tx: SignedTransaction } {
  let tx: SignedTransaction
  try {
    tx = decodeTransaction(raw)
  } catch (error) {
    expect(error).toBeInstanceOf(TransactionDecodeError)
    return { refusal: error instanceof UnsupportedTransactionTypeError ? 'unsupportedType' : 'decode' }
  }
  const check = checkTransactionStatic(tx, { expectedChainId: CHAIN_ID, allowPreEip155: true, eip7623Floor })
  return check.reason === undefined ? { tx } : { refusal: check.reason }
}

describe.skipIf(!vectorsPresent)('ethereum/tests TransactionTests (newest fork in each file)', () => {
  const root = vectorPath('ethereum-tests', 'TransactionTests')
  const files = vectorsPresent
    ? readdirSync(root, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.json'))
        .sort()
    : []

  it('finds all 30 files', () => {
    expect(files.length).toBe(30)
  })

  for (const file of files) {
    const vectors = JSON.parse(readFileSync(join(root, file), 'utf8')) as Record<string, TxVector>
    for (const [name, vector] of Object.entries(vectors)) {
      const fork = newestFork(vector.result)
      const result = vector.result[fork] as ForkResult
      const raw = hexToBytes(vector.txbytes)
      const eip7623Floor = EIP7623_FORKS.has(fork)

      if (result.exception !== undefined) {
        const exception = result.exception
        it(`${file} ${name} (${fork}): refuses it (${exception})`, () => {
          const outcome = refusalOf(raw, eip7623Floor)
          expect('refusal' in outcome ? outcome.refusal : 'accepted').not.toBe('accepted')
          const expected = expectedRefusals(exception)
          if (expected && 'refusal' in outcome) expect(expected).toContain(outcome.refusal)
        })
      } else {
        it(`${file} ${name} (${fork}): decodes to the listed sender, hash and intrinsic gas`, () => {
          const outcome = refusalOf(raw, eip7623Floor)
          if ('refusal' in outcome) throw new Error(`refused a valid vector: ${outcome.refusal}`)
          const tx = outcome.tx
          expect(bytesToHex(transactionHash(raw))).toBe(result.hash)
          const sender = recoverSender(tx, { allowPreEip155: true })
          expect(sender && bytesToHex(sender)).toBe(result.sender)
          if (result.intrinsicGas !== undefined) {
            expect(intrinsicGas(tx, { eip7623Floor })).toBe(BigInt(result.intrinsicGas))
          }
          expect(bytesToHex(encodeTransaction(tx))).toBe(bytesToHex(raw))
        })
      }
    }
  }
})

type BlockchainTx = Record<string, unknown> & { sender: string }
type BlockchainTest = {
  network: string
  blocks: { rlp: string; blockHeader: { transactionsTrie: string }; transactions: BlockchainTx[] }[]
}

describe.skipIf(!vectorsPresent)('ethereum/tests BlockchainTests: transactions inside blocks', () => {
  const root = vectorPath('ethereum-tests', 'BlockchainTests')
  const files = vectorsPresent
    ? readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'))
    : []

  it('finds the block files', () => {
    expect(files.length).toBeGreaterThan(0)
  })

  for (const file of files) {
    const tests = JSON.parse(readFileSync(join(root, file), 'utf8')) as Record<string, BlockchainTest>
    for (const [name, test] of Object.entries(tests)) {
      it(`${file} ${name}: each transaction decodes to its listed fields and sender; the transactions root matches`, async () => {
        let typed = 0
        for (const block of test.blocks) {
          const decodedBlock = decodeRlp(hexToBytes(block.rlp)) as RlpDecoded[]
          const items = decodedBlock[1] as RlpDecoded[]
          expect(items.length).toBe(block.transactions.length)
          const trie = new MerklePatriciaTrie()
          for (const [index, item] of items.entries()) {
            // In a block body a legacy transaction is a list, a typed one a byte string holding its raw form.
            const raw = item instanceof Uint8Array ? item : encodeRlp(item)
            const tx = decodeTransaction(raw)
            const listed = block.transactions[index] as BlockchainTx
            expectFieldsMatch(tx, listed)
            if (tx.type !== 0) typed++
            const sender = recoverSender(tx, { allowPreEip155: true })
            expect(sender && bytesToHex(sender)).toBe(listed.sender)
            // The hash against an independent implementation (ethers).
            const ethersTx = EthersTransaction.from(bytesToHex(raw))
            expect(bytesToHex(transactionHash(raw))).toBe(ethersTx.hash)
            expect(ethersTx.from?.toLowerCase()).toBe(listed.sender)
            expect(encodeTransaction(tx)).toEqual(raw)
            await trie.put(encodeRlp(BigInt(index)), encodeTransaction(tx))
          }
          expect(bytesToHex(trie.root())).toBe(block.blockHeader.transactionsTrie)
        }
        expect(typed).toBeGreaterThan(0)
      })
    }
  }
})

function expectFieldsMatch(tx: SignedTransaction, listed: Record<string, unknown>): void {
  const int = (key: string) => BigInt(listed[key] as string)
  expect(tx.type).toBe(listed.type === undefined ? 0 : Number(int('type')))
  expect(tx.nonce).toBe(int('nonce'))
  expect(tx.gasLimit).toBe(int('gasLimit'))
  expect(tx.value).toBe(int('value'))
  expect(bytesToHex(tx.data)).toBe(listed.data)
  expect(tx.to && bytesToHex(tx.to)).toBe(listed.to === '' ? undefined : listed.to)
  expect(tx.v).toBe(int('v'))
  expect(tx.r).toBe(int('r'))
  expect(tx.s).toBe(int('s'))
  if (tx.type === 2) {
    expect(tx.maxFeePerGas).toBe(int('maxFeePerGas'))
    expect(tx.maxPriorityFeePerGas).toBe(int('maxPriorityFeePerGas'))
  } else {
    expect(tx.maxFeePerGas).toBe(int('gasPrice'))
    expect(tx.maxPriorityFeePerGas).toBe(int('gasPrice'))
  }
  if (tx.type !== 0) {
    expect(tx.chainId).toBe(int('chainId'))
    const list = listed.accessList as { address: string; storageKeys: string[] }[]
    expect(
      tx.accessList.map((i) => ({ address: bytesToHex(i.address), storageKeys: i.storageKeys.map(bytesToHex) })),
    ).toEqual(list)
  }
}
