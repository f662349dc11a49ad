/**
 * One-step-proof vectors from the TypeScript state transition (protocol.md §11). Every case is one
 * message applied to a state: the pre-state root, the message and where it sits, the proofs of
 * §7.4 against the running root, and the post-state root. The forge tests replay them through the
 * Solidity prover, which must reach the same post-state root.
 */
import { decodeSlot, encodeBatch, locateMessage, walkBatch } from '../../packages/core/src/batch/index.ts'
import { bigintToBytes32, bytesToHex, concatBytes, type Hex, hexToBytes } from '../../packages/core/src/bytes/index.ts'
import {
  DELAYED_KIND_DEPOSIT,
  DELAYED_KIND_FORCED_TX,
  MESSAGE_PASSER,
} from '../../packages/core/src/config/constants.ts'
import type { RollupConfig } from '../../packages/core/src/config/rollupConfig.ts'
import { recoverPublicKey } from '../../packages/core/src/crypto/index.ts'
import { MemoryStore } from '../../packages/core/src/db/store.ts'
import { delayedToStfMessage } from '../../packages/core/src/derive/messages.ts'
import { type DelayedMessage, encodeDepositPayload } from '../../packages/core/src/messages/delayed.ts'
import { type MessageProof, recordMessageProof } from '../../packages/core/src/proof/index.ts'
import { encodeRlp, type RlpInput } from '../../packages/core/src/rlp/index.ts'
import { StateDb, writeGenesisState } from '../../packages/core/src/state/index.ts'
import {
  applyMessage,
  type PreparedStfConfig,
  prepareStfConfig,
  type StfMessage,
} from '../../packages/core/src/stf/index.ts'
import { encodeTransaction, signingHash } from '../../packages/core/src/tx/index.ts'
import type { SignedTransaction } from '../../packages/core/src/tx/types.ts'
import { signTransaction, type TestAccount, testAccount, transfer } from '../../test/support/wallet.ts'

export type SlotLocation = {
  kind: 'slot'
  batch: Hex
  offset: number
  delayedBefore: Hex
  delayedCount: Hex
  slotCount: number
}
export type DelayedLocation = {
  kind: 'delayed'
  delayedKind: number
  delayedIndex: Hex
  l1Sender: Hex
  l1Timestamp: Hex
  payload: Hex
}

export type StfVector = {
  name: string
  reason: string
  preRoot: Hex
  postRoot: Hex
  message: SlotLocation | DelayedLocation
  proofNodes: Hex[]
  proofLengths: number[]
  storageProof: Hex[]
}

/** `genesisStateRoot` is root_0 computed from the genesis state of §3.3 (the contracts' constant must match). */
export type VectorConfig = {
  chainId: Hex
  baseFeePerGas: Hex
  feeVault: Hex
  messagePasser: Hex
  genesisStateRoot: Hex
}

export type StfVectorFile = {
  config: VectorConfig
  cases: StfVector[]
}

/** The config fields a vector file carries (the same in every file). */
export function vectorConfig(config: RollupConfig, genesisStateRoot: Uint8Array): VectorConfig {
  return {
    chainId: `0x${config.chainId.toString(16)}`,
    baseFeePerGas: `0x${config.baseFeePerGas.toString(16)}`,
    feeVault: config.feeVault,
    messagePasser: bytesToHex(MESSAGE_PASSER),
    genesisStateRoot: bytesToHex(genesisStateRoot),
  }
}

/** §7.4's proofs of a recorded message, flattened for forge's JSON reader. */
export function proofFields(proof: MessageProof): Pick<StfVector, 'proofNodes' | 'proofLengths' | 'storageProof'> {
  return {
    proofNodes: proof.accountProofs.flat().map(bytesToHex),
    proofLengths: proof.accountProofs.map((p) => p.length),
    storageProof: proof.storageProof.map(bytesToHex),
  }
}

const ETH = 10n ** 18n
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

type Context = { state: StateDb; stf: PreparedStfConfig; config: RollupConfig; cases: StfVector[] }

function record(ctx: Context, name: string, message: StfMessage, location: SlotLocation | DelayedLocation): StfVector {
  const proof = recordMessageProof(ctx.state, message, ctx.stf)
  const reason = proof.outcome.applied ? 'applied' : proof.outcome.reason
  const vector: StfVector = {
    name,
    reason,
    preRoot: bytesToHex(proof.preRoot),
    postRoot: bytesToHex(proof.postRoot),
    message: location,
    ...proofFields(proof),
  }
  ctx.cases.push(vector)
  return vector
}

/** A batch holding `tx` (or raw slot bytes) as slot `position`, with fillers around it and one delayed message first. */
function slotCase(
  ctx: Context,
  name: string,
  tx: SignedTransaction,
  options: { fillersBefore?: number; fillersAfter?: number; expect: string },
): void {
  const fillerSender = testAccount(9_999)
  const filler = (k: number) =>
    transfer(fillerSender, testAccount(10_000 + k).address, {
      chainId: ctx.config.chainId,
      nonce: BigInt(k),
      value: ETH / 1000n,
    }).tx
  const before = Array.from({ length: options.fillersBefore ?? 1 }, (_, k) => filler(k))
  const after = Array.from({ length: options.fillersAfter ?? 1 }, (_, k) => filler(1000 + k))
  const delayedBefore = 40n
  const transactions = [...before, tx, ...after]
  const batch = encodeBatch({
    chainId: ctx.config.chainId,
    prevDelayedCount: delayedBefore,
    blocks: [{ timestamp: ctx.config.l2GenesisTimestamp + 10n, delayedCountAfter: delayedBefore + 1n, transactions }],
  })
  const offset = 1 + before.length // the delayed message comes first
  addSlotCase(ctx, name, batch, offset, delayedBefore, 1n, transactions.length, options.expect)
}

/**
 * Like `slotCase`, but the slot's bytes are rewritten by `mutate` (its length byte follows): encodings
 * the batch encoder never writes, which §5.5 still makes legal or illegal.
 */
function mutatedSlotCase(
  ctx: Context,
  name: string,
  tx: SignedTransaction,
  mutate: (slotBytes: Uint8Array) => Uint8Array,
  expect: string,
): void {
  const fillerSender = testAccount(9_997)
  const filler = (k: number) =>
    transfer(fillerSender, testAccount(11_000 + k).address, {
      chainId: ctx.config.chainId,
      nonce: BigInt(k),
      value: 1n,
    }).tx
  const delayedBefore = 40n
  const transactions = [filler(0), tx, filler(1)]
  const encoded = encodeBatch({
    chainId: ctx.config.chainId,
    prevDelayedCount: delayedBefore,
    blocks: [{ timestamp: ctx.config.l2GenesisTimestamp + 10n, delayedCountAfter: delayedBefore + 1n, transactions }],
  })
  const walk = walkBatch(encoded, 1n, transactions.length)
  const start = walk.slotStart[1] as number
  const end = walk.slotEnd[1] as number
  const slotBytes = mutate(encoded.slice(start, end))
  if (slotBytes.length > 255) throw new Error(`vector ${name}: a slot is at most 255 bytes`)
  const batch = concatBytes(
    encoded.subarray(0, start - 1),
    new Uint8Array([slotBytes.length]),
    slotBytes,
    encoded.subarray(end),
  )
  addSlotCase(ctx, name, batch, 2, delayedBefore, 1n, transactions.length, expect)
}

function addSlotCase(
  ctx: Context,
  name: string,
  batch: Uint8Array,
  offset: number,
  delayedBefore: bigint,
  delayedCount: bigint,
  slotCount: number,
  expect: string,
): void {
  const location = locateMessage(batch, BigInt(offset), delayedCount, slotCount)
  const prelude = walkBatch(batch, delayedCount, slotCount).prelude
  if (location.kind !== 'slot') throw new Error(`vector ${name}: message ${offset} is not a slot`)
  let message: StfMessage
  if (prelude === undefined) {
    message = { kind: 'undecodable', reason: 'slotDecode', detail: 'the batch has no prelude' }
  } else {
    const result = decodeSlot(location.bytes, prelude, ctx.config.chainId)
    message = result.ok
      ? { kind: 'transaction', tx: result.tx }
      : { kind: 'undecodable', reason: 'slotDecode', detail: result.detail }
  }
  const vector = record(ctx, name, message, {
    kind: 'slot',
    batch: bytesToHex(batch),
    offset,
    delayedBefore: `0x${delayedBefore.toString(16)}`,
    delayedCount: `0x${delayedCount.toString(16)}`,
    slotCount,
  })
  if (vector.reason !== expect) throw new Error(`vector ${name}: expected ${expect}, got ${vector.reason}`)
}

function delayedCase(ctx: Context, name: string, message: DelayedMessage, expect: string): void {
  const vector = record(ctx, name, delayedToStfMessage(message), {
    kind: 'delayed',
    delayedKind: message.kind,
    delayedIndex: `0x${message.index.toString(16)}`,
    l1Sender: bytesToHex(message.l1Sender),
    l1Timestamp: `0x${message.l1Timestamp.toString(16)}`,
    payload: bytesToHex(message.payload),
  })
  if (vector.reason !== expect) throw new Error(`vector ${name}: expected ${expect}, got ${vector.reason}`)
}

export function generateStfVectors(config: RollupConfig): StfVectorFile {
  const stf = prepareStfConfig(config)
  const state = new StateDb(new MemoryStore())
  const root0 = writeGenesisState(state)
  const ctx: Context = { state, stf, config, cases: [] }
  const chainId = config.chainId
  const users: TestAccount[] = Array.from({ length: 400 }, (_, i) => testAccount(i))
  // A populated state so proofs have realistic depth; funded through deposits like everything on L2.
  for (const user of users) applyMessage(state, { kind: 'deposit', recipient: user.address, amount: 5n * ETH }, stf)
  const l1Sender = hexToBytes('0x00000000000000000000000000000000000a11ce')
  let delayedIndex = 0n
  const deposit = (recipient: Uint8Array, amount: bigint): DelayedMessage => ({
    kind: DELAYED_KIND_DEPOSIT,
    index: delayedIndex++,
    l1Sender,
    l1Timestamp: config.l2GenesisTimestamp + 1n,
    payload: encodeDepositPayload(recipient, amount),
  })
  const forced = (payload: Uint8Array): DelayedMessage => ({
    kind: DELAYED_KIND_FORCED_TX,
    index: delayedIndex++,
    l1Sender,
    l1Timestamp: config.l2GenesisTimestamp + 2n,
    payload,
  })
  const nonces = new Map<number, bigint>()
  const nextNonce = (i: number) => nonces.get(i) ?? 0n
  const send = (
    i: number,
    to: Uint8Array,
    value: bigint,
    extra: Parameters<typeof transfer>[2] extends infer T ? Partial<T> : never = {},
  ) => {
    const { tx, raw } = transfer(users[i] as TestAccount, to, { chainId, nonce: nextNonce(i), value, ...extra })
    return { tx, raw, commit: () => nonces.set(i, nextNonce(i) + 1n) }
  }

  // Delayed messages.
  delayedCase(ctx, 'deposit/existing-account', deposit((users[1] as TestAccount).address, ETH), 'applied')
  delayedCase(ctx, 'deposit/new-account', deposit(testAccount(50_000).address, 3n * 10n ** 15n), 'applied')
  delayedCase(ctx, 'deposit/to-fee-vault', deposit(stf.feeVault, 1n), 'applied')
  // §7.2: a deposit reaching derivation with the message passer as recipient (L1 refuses it; a broken
  // L1 node could deliver it) applies like any other: the passer's balance is credited.
  delayedCase(ctx, 'deposit/to-message-passer', deposit(MESSAGE_PASSER, 7n), 'applied')
  // §7.2: a credit that would take a balance to 2^256 or more saturates at 2^256 − 1.
  {
    const whale = testAccount(80_000).address
    applyMessage(state, { kind: 'deposit', recipient: whale, amount: 2n ** 256n - 5n }, stf)
    delayedCase(ctx, 'deposit/saturates-at-max-uint256', deposit(whale, 10n), 'applied')
    if (state.getAccount(whale).balance !== 2n ** 256n - 1n) throw new Error('the deposit did not saturate')
    // §7.3: a transfer's credit to a recipient at 2^256 − 1 saturates too (the sender still pays).
    const t = send(7, whale, 1n)
    delayedCase(ctx, 'forced/recipient-credit-saturates-at-max-uint256', forced(t.raw), 'applied')
    t.commit()
    if (state.getAccount(whale).balance !== 2n ** 256n - 1n) throw new Error('the credit did not saturate')
  }
  // §7.2: a deposit payload that is not 52 bytes (the Portal never records one) is a no-op.
  delayedCase(
    ctx,
    'deposit/noop-depositMalformed-51-bytes',
    { ...deposit(stf.feeVault, 1n), payload: new Uint8Array(51).fill(0x11) },
    'depositMalformed',
  )
  {
    const t = send(2, (users[3] as TestAccount).address, ETH / 4n, { type: 1 })
    delayedCase(ctx, 'forced/eip2930-transfer-raw-rlp', forced(t.raw), 'applied')
    t.commit()
  }
  {
    const t = send(2, (users[3] as TestAccount).address, 1n, { type: 0 })
    delayedCase(ctx, 'forced/legacy-transfer-raw-rlp', forced(t.raw), 'applied')
    t.commit()
  }
  delayedCase(ctx, 'forced/garbage-bytes', forced(hexToBytes('0x02c0ffee')), 'forcedDecode')
  const sign = (fields: Partial<SignedTransaction>, i = 4) =>
    signTransaction(
      {
        type: 2,
        chainId,
        nonce: nextNonce(i),
        maxFeePerGas: 2_000_000_000n,
        maxPriorityFeePerGas: 1n,
        gasLimit: 21_000n,
        to: (users[5] as TestAccount).address,
        value: 1n,
        data: new Uint8Array(0),
        accessList: [],
        ...fields,
      },
      (users[i] as TestAccount).privateKey,
    )
  // No-op reasons only a forced (raw) transaction can carry: the batch format cannot express them.
  delayedCase(
    ctx,
    'forced/noop-preEip155',
    forced(sign({ type: 0, chainId: undefined, maxPriorityFeePerGas: 2_000_000_000n }).raw),
    'preEip155',
  )
  delayedCase(ctx, 'forced/noop-wrongChainId', forced(sign({ chainId: chainId + 1n }).raw), 'wrongChainId')
  delayedCase(
    ctx,
    'forced/noop-contractCreation',
    forced(sign({ to: undefined, gasLimit: 100_000n }).raw),
    'contractCreation',
  )
  delayedCase(
    ctx,
    'forced/noop-invalidData',
    forced(sign({ data: new Uint8Array([0xab]), gasLimit: 30_000n }).raw),
    'invalidData',
  )
  delayedCase(
    ctx,
    'forced/noop-withdrawal-word-top-bytes',
    forced(sign({ to: MESSAGE_PASSER, data: new Uint8Array(32).fill(0xff), gasLimit: 30_000n }).raw),
    'invalidData',
  )
  delayedCase(
    ctx,
    'forced/noop-accessListNotEmpty',
    forced(
      sign({ accessList: [{ address: (users[6] as TestAccount).address, storageKeys: [] }], gasLimit: 30_000n }).raw,
    ),
    'accessListNotEmpty',
  )
  delayedCase(ctx, 'forced/noop-invalidYParity', forced(encodeTransaction({ ...sign({}).tx, v: 2n })), 'invalidYParity')
  // §7.3: rule 3 (chain id) is checked before rule 4 (yParity).
  delayedCase(
    ctx,
    'forced/noop-wrongChainId-before-invalidYParity',
    forced(encodeTransaction({ ...sign({ chainId: chainId + 1n }).tx, v: 2n })),
    'wrongChainId',
  )
  // §7.3: a legacy v that is neither 27/28 nor 2·chainId+35/36 fails rule 3.
  {
    const legacy = sign({ type: 0, maxPriorityFeePerGas: 2_000_000_000n }).tx
    delayedCase(
      ctx,
      'forced/noop-legacy-v-outside-allowed',
      forced(encodeTransaction({ ...legacy, v: 2n * chainId + 37n })),
      'wrongChainId',
    )
    delayedCase(ctx, 'forced/noop-legacy-v-below-35', forced(encodeTransaction({ ...legacy, v: 30n })), 'wrongChainId')
  }
  delayedCase(ctx, 'forced/eip1559-applied', forced(sign({}).raw), 'applied')
  nonces.set(4, nextNonce(4) + 1n)
  // §7.3 strict decoding: `data` must be a byte string and the access list a list, else forcedDecode.
  {
    const t = sign({}).tx
    const fields = (data: RlpInput, accessList: RlpInput): RlpInput[] => [
      t.chainId as bigint,
      t.nonce,
      t.maxPriorityFeePerGas,
      t.maxFeePerGas,
      t.gasLimit,
      t.to as Uint8Array,
      t.value,
      data,
      accessList,
      t.v,
      t.r,
      t.s,
    ]
    const typed = (items: RlpInput[]) => concatBytes(new Uint8Array([2]), encodeRlp(items))
    delayedCase(ctx, 'forced/noop-data-is-a-list', forced(typed(fields([], []))), 'forcedDecode')
    delayedCase(
      ctx,
      'forced/noop-accessList-is-bytes',
      forced(typed(fields(new Uint8Array(0), new Uint8Array(0)))),
      'forcedDecode',
    )
  }

  // Batch slots.
  const slot = (
    name: string,
    tx: SignedTransaction,
    expect: string,
    options: { fillersBefore?: number; fillersAfter?: number } = {},
  ) => slotCase(ctx, name, tx, { ...options, expect })
  {
    const t = send(10, testAccount(60_000).address, 12_300_000_000_000_000n)
    slot('slot/transfer-new-recipient', t.tx, 'applied')
    t.commit()
  }
  {
    const t = send(11, (users[12] as TestAccount).address, ETH / 2n, { maxPriorityFeePerGas: 0n })
    slot('slot/transfer-existing-recipient', t.tx, 'applied')
    t.commit()
  }
  {
    const t = send(13, (users[13] as TestAccount).address, ETH / 3n)
    slot('slot/sender-is-recipient', t.tx, 'applied')
    t.commit()
  }
  {
    const t = send(14, stf.feeVault, 777n)
    slot('slot/recipient-is-fee-vault', t.tx, 'applied')
    t.commit()
  }
  {
    // A "send max" whose value needs a mantissa wider than 64 bits (§5.5 wide varint).
    applyMessage(state, { kind: 'deposit', recipient: (users[22] as TestAccount).address, amount: 30n * ETH }, stf)
    const t = send(22, (users[23] as TestAccount).address, 20_123_456_789_012_345_678n)
    slot('slot/transfer-wide-mantissa-value', t.tx, 'applied')
    t.commit()
  }
  {
    const t = send(15, (users[16] as TestAccount).address, 5n, { type: 0, maxFeePerGas: 3_000_000_000n })
    slot('slot/legacy-eip155', t.tx, 'applied')
    t.commit()
  }
  {
    const t = send(17, MESSAGE_PASSER, ETH / 10n)
    slot('slot/withdrawal-to-self', t.tx, 'applied')
    t.commit()
  }
  {
    const data = new Uint8Array(32)
    data.set(hexToBytes('0x1111111111111111111111111111111111111111'), 12)
    const t = send(18, MESSAGE_PASSER, ETH / 10n, { data, gasLimit: 30_000n })
    slot('slot/withdrawal-to-l1-recipient', t.tx, 'applied')
    t.commit()
  }
  // A deeper passer storage trie: many withdrawals, then one more recorded.
  for (let k = 0; k < 200; k++) {
    const i = 100 + k
    const t = send(i, MESSAGE_PASSER, 1000n + BigInt(k))
    applyMessage(state, { kind: 'transaction', tx: t.tx }, stf)
    t.commit()
  }
  {
    const t = send(19, MESSAGE_PASSER, ETH / 20n)
    slot('slot/withdrawal-deep-storage-trie', t.tx, 'applied')
    t.commit()
  }
  // §5.5 encoding freedoms: the encoder never writes these forms; they decode (or fail) as stated.
  {
    // a zero mantissa with a non-zero exponent is the value 0
    const t = send(24, (users[25] as TestAccount).address, 0n)
    mutatedSlotCase(
      ctx,
      'slot/encoding-zero-mantissa-nonzero-exponent',
      t.tx,
      (b) => {
        const out = b.slice()
        out[out.length - 66] = 5 // (exponent 0, mantissa 0) -> (5, 0)
        return out
      },
      'applied',
    )
    t.commit()
  }
  {
    // an unnormalised (exponent, mantissa) pair: 10 wei as (0, 10) instead of (1, 1)
    const t = send(26, (users[27] as TestAccount).address, 10n)
    mutatedSlotCase(
      ctx,
      'slot/encoding-unnormalised-value',
      t.tx,
      (b) => {
        const out = b.slice()
        out.set([0, 10], out.length - 66)
        return out
      },
      'applied',
    )
    t.commit()
  }
  {
    // fee index 7 in the flags with a varint carrying an index below 7
    const t = send(28, (users[29] as TestAccount).address, 1n)
    mutatedSlotCase(
      ctx,
      'slot/encoding-fee-index-varint-below-7',
      t.tx,
      (b) => {
        const flags = b[0] as number
        // same fee entry, now named by a varint after the (one-byte) nonce
        return concatBytes(new Uint8Array([(flags & 0x1f) | 0xe0, b[1] as number, flags >> 5]), b.subarray(2))
      },
      'applied',
    )
    t.commit()
  }
  {
    // the wide varint of a mantissa ending in 0x00 is non-canonical: 10 as (0, 8a 00)
    const t = send(36, (users[37] as TestAccount).address, 10n)
    mutatedSlotCase(
      ctx,
      'slot/encoding-wide-varint-trailing-zero',
      t.tx,
      (b) => concatBytes(b.subarray(0, b.length - 66), new Uint8Array([0, 0x8a, 0]), b.subarray(b.length - 64)),
      'slotDecode',
    )
  }
  // Stateless no-ops a slot can carry.
  const base = () => send(20, (users[21] as TestAccount).address, 1n).tx
  slot('slot/noop-rOutOfRange-zero', { ...base(), r: 0n }, 'rOutOfRange')
  slot('slot/noop-rOutOfRange-n', { ...base(), r: N }, 'rOutOfRange')
  slot('slot/noop-sOutOfRange-zero', { ...base(), s: 0n }, 'sOutOfRange')
  {
    const tx = base()
    slot('slot/noop-highS', { ...tx, s: N - tx.s, v: 1n - tx.v }, 'highS')
  }
  {
    const tx = base()
    // an r that is no x-coordinate on the curve: nothing can be recovered from it
    const hash = signingHash(tx)
    let r = 1n
    while (recoverPublicKey(hash, concatBytes(bigintToBytes32(r), bigintToBytes32(tx.s)), Number(tx.v)) !== undefined)
      r++
    slot('slot/noop-recoveryFailed', { ...tx, r }, 'recoveryFailed')
  }
  {
    const data = new Uint8Array(32)
    data[31] = 1
    slot('slot/noop-invalidData-word-to-non-passer', sign({ data, gasLimit: 30_000n }, 20).tx, 'invalidData')
  }
  slot('slot/noop-nonceMax', sign({ nonce: 2n ** 64n - 1n }, 20).tx, 'nonceMax')
  slot(
    'slot/noop-priorityFeeAboveMaxFee',
    sign({ maxPriorityFeePerGas: 3_000_000_000n }, 20).tx,
    'priorityFeeAboveMaxFee',
  )
  slot(
    'slot/noop-maxFeeBelowBaseFee',
    sign({ maxFeePerGas: config.baseFeePerGas - 1n, maxPriorityFeePerGas: 0n }, 20).tx,
    'maxFeeBelowBaseFee',
  )
  slot('slot/noop-intrinsicGasTooLow', sign({ gasLimit: 20_999n }, 20).tx, 'intrinsicGasTooLow')
  {
    const data = new Uint8Array(32)
    data.set(hexToBytes('0x2222222222222222222222222222222222222222'), 12)
    slot(
      'slot/noop-intrinsicGasTooLow-withdrawal-data',
      sign({ to: MESSAGE_PASSER, data, gasLimit: 21_000n }, 20).tx,
      'intrinsicGasTooLow',
    )
  }
  // Stateful no-ops: the sender's proof only.
  slot('slot/noop-nonceMismatch', sign({ nonce: nextNonce(20) + 5n }, 20).tx, 'nonceMismatch')
  slot('slot/noop-insufficientBalance', sign({ value: 5n * ETH }, 20).tx, 'insufficientBalance')
  slot(
    'slot/noop-insufficientBalance-new-sender',
    signTransaction({ ...sign({}).tx, nonce: 0n, type: 2 }, testAccount(70_000).privateKey).tx,
    'insufficientBalance',
  )

  // A garbage slot between two good ones: corrupt the flags byte of the middle slot to type 3.
  {
    const good1 = send(30, (users[31] as TestAccount).address, 1n)
    const middle = send(32, (users[33] as TestAccount).address, 1n)
    const good2 = send(34, (users[35] as TestAccount).address, 1n)
    const batch = encodeBatch({
      chainId,
      prevDelayedCount: 0n,
      blocks: [
        {
          timestamp: config.l2GenesisTimestamp + 5n,
          delayedCountAfter: 0n,
          transactions: [good1.tx, middle.tx, good2.tx],
        },
      ],
    })
    const walk = walkBatch(batch, 0n, 3)
    const flags = walk.slotStart[1] as number
    batch[flags] = 0x06
    addSlotCase(ctx, 'slot/garbage-between-two-good', batch, 1, 0n, 0n, 3, 'slotDecode')
  }

  // The maximum-size batch with the interesting slot last (a withdrawal: four proofs): as many
  // transfers to fresh addresses (no dictionary help, ~91 bytes each) as fit before it.
  {
    const sender = testAccount(9_998)
    const last = send(40, MESSAGE_PASSER, ETH / 8n)
    const fillers = Array.from(
      { length: 1_200 },
      (_, k) =>
        transfer(sender, testAccount(20_000 + k).address, { chainId, nonce: BigInt(k), value: 1234n * 10n ** 13n }).tx,
    )
    const withFillers = (n: number) =>
      encodeBatch({
        chainId,
        prevDelayedCount: 0n,
        blocks: [
          {
            timestamp: config.l2GenesisTimestamp + 5n,
            delayedCountAfter: 0n,
            transactions: [...fillers.slice(0, n), last.tx],
          },
        ],
      })
    // The largest filler count whose batch fits in maxBatchBytes (batch size grows with n).
    let fits = 0
    let tooMany = fillers.length + 1
    if (withFillers(fillers.length).length <= Number(config.maxBatchBytes)) {
      throw new Error('1,200 fillers fit in maxBatchBytes: sign more to fill the batch')
    }
    while (tooMany - fits > 1) {
      const mid = (fits + tooMany) >> 1
      if (withFillers(mid).length <= Number(config.maxBatchBytes)) fits = mid
      else tooMany = mid
    }
    const batch = withFillers(fits)
    addSlotCase(ctx, 'slot/max-batch-withdrawal-last', batch, fits, 0n, 0n, fits + 1, 'applied')
    last.commit()
  }

  // §7.3: the fee vault's credit saturates at 2^256 − 1 (last, so that no earlier case sees a full vault).
  {
    applyMessage(state, { kind: 'deposit', recipient: stf.feeVault, amount: 2n ** 256n - 1n }, stf)
    const t = send(8, (users[9] as TestAccount).address, 1n)
    delayedCase(ctx, 'forced/fee-vault-credit-saturates-at-max-uint256', forced(t.raw), 'applied')
    t.commit()
    if (state.getAccount(stf.feeVault).balance !== 2n ** 256n - 1n) throw new Error('the fee credit did not saturate')
  }

  return {
    config: vectorConfig(config, root0),
    cases: ctx.cases,
  }
}
