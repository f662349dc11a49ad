import { useState } from 'preact/hooks'
import { useLive } from '../app.tsx'
import { eth, gwei, integer, num, time } from '../format.ts'
import type { Hex } from '../rpc.ts'
import { Field, HashText, Link, Loading, Table, useQuery } from '../ui.tsx'

type FullBlock = {
  number: Hex
  hash: Hex
  parentHash: Hex
  timestamp: Hex
  gasUsed: Hex
  gasLimit: Hex
  baseFeePerGas: Hex
  stateRoot: Hex
  transactionsRoot: Hex
  receiptsRoot: Hex
  transactions: { hash: Hex; from: Hex; to: Hex | null; value: Hex }[]
}

const PAGE = 50

export function BlockPage({ id }: { id: string }) {
  const live = useLive()
  const [page, setPage] = useState(0)
  const byHash = /^0x[0-9a-fA-F]{64}$/.test(id)
  const selector = byHash ? id : /^\d+$/.test(id) ? `0x${BigInt(id).toString(16)}` : id
  const block = useQuery(`block:${id}`, () =>
    live.rpc.call<FullBlock | null>(byHash ? 'eth_getBlockByHash' : 'eth_getBlockByNumber', [selector, true]),
  )
  const status = live.status
  return (
    <section aria-labelledby="block-title">
      <h1 id="block-title">Block {byHash ? '' : id}</h1>
      <Loading query={block} what="the block">
        {(b) => {
          if (b === null) return <p>This node has no block {id} (yet).</p>
          const number = num(b.number) ?? 0
          const head =
            status === undefined
              ? undefined
              : number <= (num(status.finalized.number) ?? -1)
                ? 'finalized'
                : number <= (num(status.safe.number) ?? -1)
                  ? 'safe'
                  : 'unsafe'
          const txs = b.transactions
          const shown = txs.slice(page * PAGE, page * PAGE + PAGE)
          return (
            <>
              <dl class="facts">
                <Field name="Number">{integer(number)}</Field>
                <Field name="Hash">
                  <span class="mono break">{b.hash}</span>
                </Field>
                <Field name="State" id="block-state">
                  {head ?? '—'}
                </Field>
                <Field name="Time">{time(num(b.timestamp))} UTC</Field>
                <Field name="Parent">
                  {number === 0 ? '—' : <HashText value={b.parentHash} to={`/block/${number - 1}`} />}
                </Field>
                <Field name="Transactions">{integer(txs.length)}</Field>
                <Field name="Gas used">
                  {integer(num(b.gasUsed))} of {integer(num(b.gasLimit))} (
                  {((Number(BigInt(b.gasUsed)) / Math.max(1, Number(BigInt(b.gasLimit)))) * 100).toFixed(2)} %)
                </Field>
                <Field name="Base fee">{gwei(BigInt(b.baseFeePerGas))}</Field>
                <Field name="State root">
                  <span class="mono break">{b.stateRoot}</span>
                </Field>
                <Field name="Receipts root">
                  <span class="mono break">{b.receiptsRoot}</span>
                </Field>
              </dl>
              <p>
                <Link to={`/block/${number + 1}`}>Next block</Link>
                {number > 0 && (
                  <>
                    {' · '}
                    <Link to={`/block/${number - 1}`}>Previous block</Link>
                  </>
                )}
              </p>
              <Table caption={`Transactions of block ${number}`} head={['#', 'Hash', 'From', 'To', 'Value']}>
                {shown.map((tx, i) => (
                  <tr key={tx.hash}>
                    <td>{page * PAGE + i}</td>
                    <td>
                      <HashText value={tx.hash} to={`/tx/${tx.hash}`} />
                    </td>
                    <td>
                      <HashText value={tx.from} to={`/address/${tx.from}`} keep={4} />
                    </td>
                    <td>{tx.to === null ? '—' : <HashText value={tx.to} to={`/address/${tx.to}`} keep={4} />}</td>
                    <td>{eth(BigInt(tx.value), 4)}</td>
                  </tr>
                ))}
              </Table>
              {txs.length > PAGE && (
                <nav class="pager" aria-label="Transaction pages">
                  <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
                    Previous
                  </button>
                  <span>
                    {page * PAGE + 1}–{Math.min(txs.length, page * PAGE + PAGE)} of {integer(txs.length)}
                  </span>
                  <button type="button" disabled={(page + 1) * PAGE >= txs.length} onClick={() => setPage(page + 1)}>
                    Next
                  </button>
                </nav>
              )}
            </>
          )
        }}
      </Loading>
    </section>
  )
}
