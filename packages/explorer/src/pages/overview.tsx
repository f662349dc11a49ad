/** The overview: heads, node, charts, latest blocks and transactions. All from `LiveNode`, throttled. */
import { useMemo } from 'preact/hooks'
import { useLive } from '../app.tsx'
import { ago, duration, eth, integer, num } from '../format.ts'
import type { Hex } from '../rpc.ts'
import { Chart, HashText, Link, Loading, Table, useQuery } from '../ui.tsx'

type BatchSummary = { index: Hex; bytesPerTransaction: number | null; bytes: number | null; transactionSlots: Hex }

function Head({
  name,
  number,
  note,
  testId,
}: {
  name: string
  number: number | undefined
  note?: string
  testId: string
}) {
  return (
    <div class="card head">
      <h3>{name}</h3>
      <p class="big" data-head={testId}>
        {number === undefined ? '—' : <Link to={`/block/${number}`}>{integer(number)}</Link>}
      </p>
      {note !== undefined && <p class="note">{note}</p>}
    </div>
  )
}

function BatchChart() {
  const live = useLive()
  const batches = useQuery(
    'overview-batches',
    () => live.rpc.call<{ batches: BatchSummary[] }>('sluice_getBatches', [{ limit: 50 }]),
    {
      refreshMs: 5_000,
    },
  )
  const data = useMemo(() => {
    const list = [...(batches.data?.batches ?? [])].reverse().filter((b) => b.bytesPerTransaction !== null)
    return [list.map((b) => num(b.index) ?? 0), list.map((b) => b.bytesPerTransaction ?? 0)]
  }, [batches.data])
  return (
    <Loading query={batches} what="batches">
      {() =>
        (data[0]?.length ?? 0) === 0 ? (
          <p>No batch with transactions on L1 yet.</p>
        ) : (
          <Chart
            title="Batch bytes per transaction, by batch index"
            xTime={false}
            series={[{ label: 'bytes/tx', color: '#8a4baf' }]}
            data={data}
          />
        )
      }
    </Loading>
  )
}

export function OverviewPage() {
  const live = useLive()
  const status = live.status
  const series = live.series()
  const chartData = useMemo(
    () => [series.seconds, series.transactionsPerSecond, series.fillPercent],
    // Recomputed at most at the live node's notify rate.
    [
      series.seconds[series.seconds.length - 1],
      series.transactionsPerSecond[series.transactionsPerSecond.length - 1],
      live.blocks.length,
    ],
  )
  const lastMinute = series.transactionsPerSecond.slice(-60)
  const averageTps = lastMinute.length === 0 ? undefined : lastMinute.reduce((a, b) => a + b, 0) / lastMinute.length
  const l1Head = num(status?.l1?.head ?? undefined)
  const l1Confirmed = num(status?.l1?.confirmed.number)
  const syncing = live.syncing
  return (
    <section aria-labelledby="overview-title" class={live.live ? '' : 'stale'}>
      <h1 id="overview-title">Overview</h1>
      <h2 class="visually-hidden">Heads</h2>
      <div class="grid heads">
        <Head name="Unsafe" testId="unsafe" number={num(status?.unsafe.number)} note="sealed by the sequencer" />
        <Head name="Safe" testId="safe" number={num(status?.safe.number)} note="derived from confirmed L1 batches" />
        <Head
          name="Finalized"
          testId="finalized"
          number={num(status?.finalized.number)}
          note="under a finalized claim"
        />
        <div class="card head">
          <h3>L1 head / confirmed</h3>
          <p class="big" data-head="l1">
            {integer(l1Head)} / {integer(l1Confirmed)}
          </p>
          <p class="note">the L1 blocks this node has seen and read</p>
        </div>
      </div>

      <h2>Node</h2>
      <dl class="facts">
        <dt>Role</dt>
        <dd data-field="role">
          {status === undefined ? '—' : status.sequencer === undefined ? 'verifier' : 'sequencer'}
        </dd>
        <dt>Peers</dt>
        <dd data-field="peers">{live.peers === undefined ? '—' : integer(live.peers)}</dd>
        <dt>Heads feed</dt>
        <dd>{live.webSocket ? `connected, ${live.headRate.toFixed(1)} blocks/s` : 'reconnecting'}</dd>
        <dt>Sync</dt>
        <dd data-field="sync">
          {status === undefined
            ? '—'
            : syncing === undefined
              ? `in sync: ${integer(num(status.batches?.count))} of ${integer(num(status.batches?.l1Count))} L1 batches derived`
              : `catching up: ${syncing.behind} batches behind, ${syncing.blocksPerSecond === undefined ? '—' : integer(syncing.blocksPerSecond)} blocks/s, ETA ${duration(syncing.etaSeconds)}`}
        </dd>
        <dt>
          Transactions per second (
          {lastMinute.length === 0 ? 'last minute' : `average of the last ${lastMinute.length} s`})
        </dt>
        <dd data-field="tps">{averageTps === undefined ? '—' : averageTps.toFixed(1)}</dd>
      </dl>

      <h2>Activity</h2>
      {series.seconds.length === 0 ? (
        <p>Waiting for blocks…</p>
      ) : (
        <Chart
          title="Transactions per second and block fill (%), last 2 minutes"
          windowSeconds={120}
          series={[
            { label: 'tx/s', color: '#1f6feb' },
            { label: 'fill %', color: '#2da44e', scale: '%' },
          ]}
          data={chartData}
        />
      )}
      <BatchChart />

      <div class="grid two">
        <div>
          <Table caption="Latest blocks" head={['Block', 'Txs', 'Fill', 'Age']}>
            {live.latestBlocks(10).map((block) => (
              <tr key={block.number}>
                <td>
                  <Link to={`/block/${block.number}`}>{integer(block.number)}</Link>
                </td>
                <td>{integer(block.transactions)}</td>
                <td>{(block.fill * 100).toFixed(1)} %</td>
                <td>{ago(block.timestamp)}</td>
              </tr>
            ))}
          </Table>
        </div>
        <div>
          <Table caption="Latest transactions" head={['Hash', 'From', 'To', 'Value']}>
            {live.latestTransactions.map((tx) => (
              <tr key={tx.hash}>
                <td>
                  <HashText value={tx.hash} to={`/tx/${tx.hash}`} keep={5} />
                </td>
                <td>
                  <HashText value={tx.from} to={`/address/${tx.from}`} keep={4} />
                </td>
                <td>{tx.to === null ? '—' : <HashText value={tx.to} to={`/address/${tx.to}`} keep={4} />}</td>
                <td>{eth(BigInt(tx.value), 4)}</td>
              </tr>
            ))}
          </Table>
        </div>
      </div>
    </section>
  )
}
