import { useLive } from '../app.tsx'
import { eth, gwei, integer, num } from '../format.ts'
import type { Hex } from '../rpc.ts'
import { RpcCallError } from '../rpc.ts'
import { Field, HashText, Link, Loading, useQuery } from '../ui.tsx'
import type { BatchJson } from './batches.tsx'

type Tx = { hash: Hex; from: Hex; to: Hex | null; value: Hex; nonce: Hex; gas: Hex; blockNumber: Hex | null; type: Hex }
type Receipt = { status: Hex; gasUsed: Hex; effectiveGasPrice: Hex; blockNumber: Hex; blockHash: Hex }
type TxStatus =
  | { status: 'pending' }
  | { status: 'included'; blockNumber: Hex; blockHash: Hex; transactionIndex: Hex }
  | { status: 'dropped'; reason: string; detail: string | null }
  | null

type Details = { tx: Tx | null; receipt: Receipt | null; status: TxStatus; batch: BatchJson | null }

export function TransactionPage({ hash }: { hash: string }) {
  const live = useLive()
  const details = useQuery(
    `tx:${hash}`,
    async (): Promise<Details> => {
      const [tx, status] = await Promise.all([
        live.rpc.call<Tx | null>('eth_getTransactionByHash', [hash]),
        live.rpc.call<TxStatus>('sluice_getTransactionStatus', [hash]),
      ])
      let receipt: Receipt | null = null
      if (status?.status === 'included') {
        receipt = await live.rpc.call<Receipt | null>('eth_getTransactionReceipt', [hash]).catch((error: unknown) => {
          if (error instanceof RpcCallError) return null
          throw error
        })
      }
      const batch =
        status?.status === 'included'
          ? await live.rpc.call<BatchJson | null>('sluice_getBatchOfBlock', [status.blockNumber])
          : null
      return { tx, receipt, status, batch }
    },
    // Follows the transaction until it is finalized or dropped.
    {
      refreshMs: 2_000,
      refresh: (d) => d === undefined || (d.batch?.state !== 'finalized' && d.status?.status !== 'dropped'),
    },
  )
  const heads = live.status
  return (
    <section aria-labelledby="tx-title">
      <h1 id="tx-title">Transaction</h1>
      <p class="mono break">{hash}</p>
      <Loading query={details} what="the transaction">
        {({ tx, receipt, status, batch }) => {
          if (status === null && tx === null) return <p>This node does not know this transaction.</p>
          let shown: string
          if (status === null || status.status === 'pending') shown = 'pending'
          else if (status.status === 'dropped') shown = 'dropped'
          else {
            const n = num(status.blockNumber) ?? 0
            shown =
              heads === undefined
                ? 'included'
                : n <= (num(heads.finalized.number) ?? -1)
                  ? 'finalized'
                  : n <= (num(heads.safe.number) ?? -1)
                    ? 'safe'
                    : 'unsafe'
          }
          const blockNumber = status?.status === 'included' ? num(status.blockNumber) : undefined
          const fee = receipt === null ? undefined : BigInt(receipt.gasUsed) * BigInt(receipt.effectiveGasPrice)
          return (
            <dl class="facts">
              <Field name="Status" id="tx-status">
                <span class={`pill pill-${shown}`}>{shown}</span>
                {status?.status === 'dropped' && (
                  <span>
                    {' '}
                    — {status.reason}
                    {status.detail === null ? '' : ` (${status.detail})`}; it will not be included
                  </span>
                )}
              </Field>
              <Field name="From">
                {tx === null ? '—' : <HashText value={tx.from} to={`/address/${tx.from}`} keep={20} />}
              </Field>
              <Field name="To">
                {tx?.to == null ? '—' : <HashText value={tx.to} to={`/address/${tx.to}`} keep={20} />}
              </Field>
              <Field name="Value">{tx === null ? '—' : eth(BigInt(tx.value), 18)}</Field>
              <Field name="Nonce">{tx === null ? '—' : integer(num(tx.nonce))}</Field>
              <Field name="Fee" id="tx-fee">
                {fee === undefined
                  ? '—'
                  : `${eth(fee, 12)} (${integer(num(receipt?.gasUsed))} gas at ${gwei(BigInt(receipt?.effectiveGasPrice ?? '0x0'))})`}
              </Field>
              <Field name="Block" id="tx-block">
                {blockNumber === undefined ? '—' : <Link to={`/block/${blockNumber}`}>{integer(blockNumber)}</Link>}
              </Field>
              <Field name="Batch" id="tx-batch">
                {batch === null ? (
                  shown === 'unsafe' ? (
                    'not on L1 yet'
                  ) : (
                    '—'
                  )
                ) : (
                  <Link to={`/batch/${num(batch.index)}`}>{integer(num(batch.index))}</Link>
                )}
              </Field>
              <Field name="L1 transaction" id="tx-l1">
                {batch?.l1TransactionHash == null ? '—' : <span class="mono break">{batch.l1TransactionHash}</span>}
              </Field>
              <Field name="L1 block">{batch === null ? '—' : `${integer(num(batch.l1BlockNumber))}`}</Field>
            </dl>
          )
        }}
      </Loading>
    </section>
  )
}
