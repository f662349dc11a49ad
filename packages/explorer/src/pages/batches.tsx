import { useLive } from '../app.tsx'
import { eth, integer, num } from '../format.ts'
import type { Hex } from '../rpc.ts'
import { Field, HashText, Link, Loading, Pager, Table, usePages, useQuery } from '../ui.tsx'

/** `sluice_getBatchDetails` (docs/sdk.md). */
export type BatchJson = {
  index: Hex
  l1BlockNumber: Hex
  l1TransactionHash: Hex | null
  dataAvailability: { kind: 'calldata' | 'blobs' | 'none'; blobCount: number; versionedHashes: Hex[] }
  bytes: number | null
  blobFill: number | null
  transactionSlots: Hex
  delayedMessages: Hex
  bytesPerTransaction: number | null
  l1GasUsed: Hex | null
  l1BlobGasUsed: Hex | null
  l1ExecutionCost: Hex | null
  l1BlobCost: Hex | null
  l1Cost: Hex | null
  firstBlock: Hex
  lastBlock: Hex
  blockCount: Hex
  stateRoot: Hex
  state: 'safe' | 'finalized'
}

const cost = (wei: Hex | null) => (wei === null ? 'unknown' : eth(BigInt(wei), 8))
/** `calldata`, `2 blobs`, or `none (forced)`. */
const daShort = (b: BatchJson) => {
  const { kind, blobCount } = b.dataAvailability
  if (kind === 'blobs') return `${blobCount} blob${blobCount === 1 ? '' : 's'}`
  return kind === 'none' ? 'none (forced)' : 'calldata'
}
const fill = (b: BatchJson) => (b.blobFill === null ? '' : ` (${(b.blobFill * 100).toFixed(1)}% of the blobs)`)
const blocks = (b: BatchJson) =>
  num(b.blockCount) === 0 ? 'none' : `${integer(num(b.firstBlock))}–${integer(num(b.lastBlock))}`

export function BatchesPage() {
  const live = useLive()
  const { query: page, pager } = usePages<{ total: Hex; batches: BatchJson[]; nextBefore: Hex | null }>(
    live.rpc,
    'sluice_getBatches',
    [],
    { limit: 20, refreshMs: 5_000 },
  )
  return (
    <section aria-labelledby="batches-title">
      <h1 id="batches-title">Batches</h1>
      <p>Each batch this node derived from L1, newest first, with what posting it cost on L1.</p>
      <Loading query={page} what="batches">
        {(p) => (
          <>
            <Table
              caption={`Batches (${integer(num(p.total))})`}
              head={['Batch', 'L1 transaction', 'DA', 'Bytes', 'Tx slots', 'Bytes/tx', 'L1 cost', 'Blocks', 'State']}
            >
              {p.batches.map((b) => (
                <tr key={b.index}>
                  <td>
                    <Link to={`/batch/${num(b.index)}`}>{integer(num(b.index))}</Link>
                  </td>
                  <td>
                    <HashText value={b.l1TransactionHash} keep={5} />
                  </td>
                  <td>{daShort(b)}</td>
                  <td>{b.bytes === null ? '—' : integer(b.bytes)}</td>
                  <td>{integer(num(b.transactionSlots))}</td>
                  <td>{b.bytesPerTransaction === null ? '—' : b.bytesPerTransaction.toFixed(1)}</td>
                  <td>{cost(b.l1Cost)}</td>
                  <td>{blocks(b)}</td>
                  <td>
                    <span class={`pill pill-${b.state}`}>{b.state}</span>
                  </td>
                </tr>
              ))}
            </Table>
            <Pager {...pager} next={p.nextBefore} />
          </>
        )}
      </Loading>
    </section>
  )
}

export function BatchPage({ index }: { index: string }) {
  const live = useLive()
  const batch = useQuery(`batch:${index}`, () =>
    live.rpc.call<BatchJson | null>('sluice_getBatchDetails', [
      `0x${BigInt(/^\d+$/.test(index) ? index : 0).toString(16)}`,
    ]),
  )
  return (
    <section aria-labelledby="batch-title">
      <h1 id="batch-title">Batch {index}</h1>
      <Loading query={batch} what="the batch">
        {(b) =>
          b === null ? (
            <p>This node has not derived batch {index} (yet).</p>
          ) : (
            <dl class="facts">
              <Field name="L1 transaction" id="batch-l1tx">
                <span class="mono break">{b.l1TransactionHash ?? '— (forced inclusion, no transaction body)'}</span>
              </Field>
              <Field name="L1 block">{integer(num(b.l1BlockNumber))}</Field>
              <Field name="Data availability" id="batch-da">
                {b.dataAvailability.kind === 'blobs' ? (
                  <>
                    {daShort(b)}
                    <ul class="plain">
                      {b.dataAvailability.versionedHashes.map((hash) => (
                        <li key={hash} class="mono break">
                          {hash}
                        </li>
                      ))}
                    </ul>
                  </>
                ) : b.dataAvailability.kind === 'none' ? (
                  'none (forced inclusion: the batch has no body)'
                ) : (
                  'calldata of the inbox call'
                )}
              </Field>
              <Field name="Bytes">
                {b.bytes === null ? '—' : integer(b.bytes)}
                {fill(b)}
              </Field>
              <Field name="Transaction slots">{integer(num(b.transactionSlots))}</Field>
              <Field name="Delayed messages">{integer(num(b.delayedMessages))}</Field>
              <Field name="Bytes per transaction">
                {b.bytesPerTransaction === null ? '—' : b.bytesPerTransaction.toFixed(1)}
              </Field>
              <Field name="L1 cost" id="batch-cost">
                {cost(b.l1Cost)}
                {b.l1GasUsed === null ? '' : ` (${integer(num(b.l1GasUsed))} gas`}
                {b.l1BlobGasUsed === null || num(b.l1BlobGasUsed) === 0
                  ? b.l1GasUsed === null
                    ? ''
                    : ')'
                  : ` + ${integer(num(b.l1BlobGasUsed))} blob gas: ${cost(b.l1ExecutionCost)} execution, ${cost(b.l1BlobCost)} blobs)`}
              </Field>
              <Field name="Blocks" id="batch-blocks">
                {num(b.blockCount) === 0 ? (
                  'none'
                ) : (
                  <>
                    <Link to={`/block/${num(b.firstBlock)}`}>{integer(num(b.firstBlock))}</Link> to{' '}
                    <Link to={`/block/${num(b.lastBlock)}`}>{integer(num(b.lastBlock))}</Link> (
                    {integer(num(b.blockCount))})
                  </>
                )}
              </Field>
              <Field name="State root">
                <span class="mono break">{b.stateRoot}</span>
              </Field>
              <Field name="State" id="batch-state">
                <span class={`pill pill-${b.state}`}>{b.state}</span>
              </Field>
            </dl>
          )
        }
      </Loading>
    </section>
  )
}
