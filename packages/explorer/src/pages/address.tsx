import { useLive } from '../app.tsx'
import { ago, eth, integer, isAddress, num, time } from '../format.ts'
import type { Hex } from '../rpc.ts'
import { Field, HashText, Link, Loading, Pager, Table, usePages, useQuery } from '../ui.tsx'

type AddressTx = {
  hash: Hex
  blockNumber: Hex
  timestamp: Hex
  from: Hex
  to: Hex | null
  value: Hex
  fee: Hex
  kind: 'transfer' | 'withdrawal'
}
type Withdrawal = {
  transactionHash: Hex
  blockNumber: Hex
  l1Recipient: Hex
  value: Hex
  status: 'included' | 'safe' | 'claimed' | 'finalizable' | 'finalized'
  claimId: Hex | null
  finalizableAt: Hex | null
  command: string | null
}

function Transactions({ address }: { address: string }) {
  const live = useLive()
  const { query: page, pager } = usePages<{ total: Hex; transactions: AddressTx[]; nextBefore: Hex | null }>(
    live.rpc,
    'sluice_getAddressTransactions',
    [address],
    { limit: 25, refreshMs: 3_000 },
  )
  return (
    <Loading query={page} what="transactions">
      {(p) => (
        <>
          <Table
            caption={`Transactions (${integer(num(p.total))}), newest first`}
            head={['Hash', 'Block', 'Age', 'Direction', 'Counterparty', 'Value', 'Kind']}
          >
            {p.transactions.map((tx) => {
              const outgoing = tx.from.toLowerCase() === address.toLowerCase()
              const other = outgoing ? tx.to : tx.from
              return (
                <tr key={tx.hash}>
                  <td>
                    <HashText value={tx.hash} to={`/tx/${tx.hash}`} keep={5} />
                  </td>
                  <td>
                    <Link to={`/block/${num(tx.blockNumber)}`}>{integer(num(tx.blockNumber))}</Link>
                  </td>
                  <td>{ago(num(tx.timestamp))}</td>
                  <td>{outgoing ? 'out' : 'in'}</td>
                  <td>{other === null ? '—' : <HashText value={other} to={`/address/${other}`} keep={4} />}</td>
                  <td>{eth(BigInt(tx.value), 6)}</td>
                  <td>{tx.kind}</td>
                </tr>
              )
            })}
          </Table>
          <Pager {...pager} next={p.nextBefore} />
        </>
      )}
    </Loading>
  )
}

function Withdrawals({ address }: { address: string }) {
  const live = useLive()
  const list = useQuery(
    `address-withdrawals:${address}`,
    () => live.rpc.call<{ withdrawals: Withdrawal[] }>('sluice_getAddressWithdrawals', [address, { limit: 20 }]),
    { refreshMs: 3_000 },
  )
  return (
    <Loading query={list} what="withdrawals">
      {({ withdrawals }) =>
        withdrawals.length === 0 ? (
          <p>No withdrawals from this address.</p>
        ) : (
          <Table
            caption="Withdrawals to L1, newest first"
            head={['Transaction', 'Value', 'L1 recipient', 'Status', 'Finalize with']}
          >
            {withdrawals.map((w) => (
              <tr key={w.transactionHash} data-withdrawal={w.transactionHash}>
                <td>
                  <HashText value={w.transactionHash} to={`/tx/${w.transactionHash}`} keep={5} />
                </td>
                <td>{eth(BigInt(w.value), 6)}</td>
                <td>
                  <HashText value={w.l1Recipient} keep={4} />
                </td>
                <td data-status={w.status}>
                  <span class={`pill pill-${w.status}`}>{w.status}</span>
                  {w.status === 'claimed' && w.finalizableAt !== null && (
                    <span> · finalizable at {time(num(w.finalizableAt))} UTC</span>
                  )}
                  {w.claimId !== null && <span> · claim {integer(num(w.claimId))}</span>}
                </td>
                <td>{w.command === null ? 'paid on L1' : <code>{w.command}</code>}</td>
              </tr>
            ))}
          </Table>
        )
      }
    </Loading>
  )
}

export function AddressPage({ address }: { address: string }) {
  const live = useLive()
  const account = useQuery(
    `address:${address}`,
    async () => {
      const [balance, nonce] = await Promise.all([
        live.rpc.call<Hex>('eth_getBalance', [address, 'latest']),
        live.rpc.call<Hex>('eth_getTransactionCount', [address, 'latest']),
      ])
      return { balance, nonce }
    },
    { refreshMs: 3_000 },
  )
  if (!isAddress(address)) {
    return (
      <section>
        <h1>Address</h1>
        <p class="error">“{address}” is not an address (0x and 40 hex digits).</p>
      </section>
    )
  }
  return (
    <section aria-labelledby="address-title">
      <h1 id="address-title">Address</h1>
      <p class="mono break">{address}</p>
      <Loading query={account} what="the account">
        {(a) => (
          <dl class="facts">
            <Field name="Balance" id="balance">
              {eth(BigInt(a.balance), 18)}
            </Field>
            <Field name="Nonce" id="nonce">
              {integer(num(a.nonce))}
            </Field>
          </dl>
        )}
      </Loading>
      <h2>Transactions</h2>
      <Transactions key={address} address={address} />
      <h2>Withdrawals</h2>
      <Withdrawals address={address} />
    </section>
  )
}
