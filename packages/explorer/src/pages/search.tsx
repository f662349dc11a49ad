import { useEffect } from 'preact/hooks'
import { navigate, useLive } from '../app.tsx'
import { num } from '../format.ts'
import type { Hex } from '../rpc.ts'
import { Loading, useQuery } from '../ui.tsx'

type Found =
  | { kind: 'block'; number: Hex; hash: Hex }
  | { kind: 'transaction'; hash: Hex }
  | { kind: 'address'; address: Hex }
  | { kind: 'none'; query: string }

export function SearchPage({ query }: { query: string }) {
  const live = useLive()
  const found = useQuery(`search:${query}`, () => live.rpc.call<Found>('sluice_search', [query]))
  useEffect(() => {
    const f = found.data
    if (f === undefined) return
    if (f.kind === 'block') navigate(`/block/${num(f.number)}`)
    if (f.kind === 'transaction') navigate(`/tx/${f.hash}`)
    if (f.kind === 'address') navigate(`/address/${f.address}`)
  }, [found.data])
  return (
    <section>
      <h1>Search</h1>
      <Loading query={found} what="the search">
        {(f) =>
          f.kind === 'none' ? (
            <p>
              Nothing found for “{query}”. Search takes a block number, a block or transaction hash (0x and 64 hex
              digits) or an address (0x and 40 hex digits).
            </p>
          ) : (
            <p>Opening…</p>
          )
        }
      </Loading>
    </section>
  )
}
