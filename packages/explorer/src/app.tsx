/** Layout, hash routing, the node's status line and search. */
import { createContext } from 'preact'
import { useContext, useEffect, useState } from 'preact/hooks'
import { duration, integer, num, time } from './format.ts'
import type { LiveNode } from './live.ts'
import { AddressPage } from './pages/address.tsx'
import { BatchesPage, BatchPage } from './pages/batches.tsx'
import { BlockPage } from './pages/block.tsx'
import { ClaimsPage, GamePage } from './pages/claims.tsx'
import { OverviewPage } from './pages/overview.tsx'
import { SearchPage } from './pages/search.tsx'
import { TransactionPage } from './pages/transaction.tsx'

export const LiveContext = createContext<LiveNode | undefined>(undefined)

export function useLive(): LiveNode {
  const live = useContext(LiveContext)
  if (live === undefined) throw new Error('LiveContext is missing')
  const [, setVersion] = useState(0)
  useEffect(() => live.subscribe(() => setVersion((v) => v + 1)), [live])
  return live
}

/** The route in the hash (`#/block/12`); other hashes (the skip link's `#content`) are not routes. */
function currentRoute(previous: string[] = []): string[] {
  const hash = window.location.hash
  if (hash !== '' && hash !== '#' && !hash.startsWith('#/')) return previous
  const path = hash.replace(/^#\/?/, '')
  return path === '' ? [] : path.split('/').map((part) => decodeURIComponent(part))
}

export function navigate(path: string): void {
  window.location.hash = path
}

function Page({ route }: { route: string[] }) {
  const [kind, id] = route
  switch (kind) {
    case undefined:
      return <OverviewPage />
    case 'block':
      return <BlockPage id={id ?? ''} />
    case 'tx':
      return <TransactionPage hash={id ?? ''} />
    case 'address':
      return <AddressPage address={id ?? ''} />
    case 'batches':
      return <BatchesPage />
    case 'batch':
      return <BatchPage index={id ?? ''} />
    case 'claims':
      return <ClaimsPage />
    case 'game':
      return <GamePage id={id ?? ''} />
    case 'search':
      return <SearchPage query={id ?? ''} />
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no page <code>#{route.join('/')}</code>. Try the <a href="#/">overview</a> or search.
          </p>
        </section>
      )
  }
}

/** Says plainly whether the numbers on screen are live, stale, or still catching up. */
function NodeStatusLine() {
  const live = useLive()
  const status = live.status
  const syncing = live.syncing
  if (live.reachable === false || (status !== undefined && !live.live)) {
    return (
      <div class="banner banner-down" role="alert" data-node-state="unreachable">
        <strong>Node unreachable.</strong>{' '}
        {live.unreachableSince === undefined
          ? 'No answer from the node.'
          : `No answer since ${time(live.unreachableSince / 1000)} UTC.`}{' '}
        The numbers below are the last ones seen, not live. The page retries on its own.
      </div>
    )
  }
  if (status === undefined) {
    return (
      <output class="banner" data-node-state="connecting">
        Connecting to the node…
      </output>
    )
  }
  const role = status.sequencer === undefined ? 'verifier' : 'sequencer'
  return (
    <output class={`banner ${syncing ? 'banner-sync' : 'banner-live'}`} data-node-state={syncing ? 'syncing' : 'live'}>
      <span>
        <strong>{syncing ? 'Syncing' : 'Live'}</strong> · {role} · chain {integer(num(status.chainId))} · unsafe head{' '}
        {integer(num(status.unsafe.number))}
      </span>
      {syncing && (
        <span>
          {' '}
          · catching up: {syncing.behind} batches behind L1
          {syncing.blocksPerSecond === undefined ? '' : `, ${integer(syncing.blocksPerSecond)} blocks/s`}
          {syncing.etaSeconds === undefined ? '' : `, about ${duration(syncing.etaSeconds)} left`}. Numbers below are
          this node's, behind the chain until it catches up.
        </span>
      )}
      {!live.webSocket && <span> · live head feed reconnecting</span>}
    </output>
  )
}

function SearchForm() {
  const [text, setText] = useState('')
  return (
    // biome-ignore lint/a11y/useSemanticElements: a form with role search is the search landmark every reader knows
    <form
      class="search"
      role="search"
      onSubmit={(event) => {
        event.preventDefault()
        const query = text.trim()
        if (query !== '') navigate(`/search/${encodeURIComponent(query)}`)
      }}
    >
      <label for="search-input">Search</label>
      <input
        id="search-input"
        type="search"
        placeholder="block number, block or tx hash, address"
        value={text}
        onInput={(event) => setText((event.target as HTMLInputElement).value)}
        autocomplete="off"
        spellcheck={false}
      />
      <button type="submit">Go</button>
    </form>
  )
}

export function App({ live }: { live: LiveNode }) {
  const [route, setRoute] = useState(() => currentRoute())
  useEffect(() => {
    const onHash = () => {
      if (!window.location.hash.startsWith('#/') && window.location.hash.length > 1) return
      setRoute((previous) => currentRoute(previous))
      window.scrollTo(0, 0)
    }
    window.addEventListener('hashchange', onHash)
    return () => window.removeEventListener('hashchange', onHash)
  }, [])
  const current = route[0] ?? ''
  const nav = [
    { to: '/', label: 'Overview', active: current === '' },
    { to: '/batches', label: 'Batches', active: current === 'batches' || current === 'batch' },
    { to: '/claims', label: 'Claims & games', active: current === 'claims' || current === 'game' },
  ]
  return (
    <LiveContext.Provider value={live}>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">
          Sluice explorer
        </a>
        <nav aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.to}>
                <a href={`#${item.to}`} aria-current={item.active ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <SearchForm />
      </header>
      <NodeStatusLine />
      <main id="content" tabIndex={-1}>
        <Page route={route} />
      </main>
    </LiveContext.Provider>
  )
}
