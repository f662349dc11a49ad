/** Small shared pieces: links, hashes, data loading, tables, the chart. */
import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import uPlot from 'uplot'
import { short } from './format.ts'
import type { Hex, RpcClient } from './rpc.ts'

export function Link({ to, children, label }: { to: string; children: ComponentChildren; label?: string }) {
  return (
    <a href={`#${to}`} aria-label={label}>
      {children}
    </a>
  )
}

/** A hash or address shown short, whole in its title and for screen readers, linked when `to` is given. */
export function HashText({ value, to, keep = 6 }: { value: string | null | undefined; to?: string; keep?: number }) {
  if (value === null || value === undefined) return <span>—</span>
  const text = (
    <span class="mono" title={value}>
      {short(value, keep)}
    </span>
  )
  return to === undefined ? (
    text
  ) : (
    <Link to={to} label={value}>
      {text}
    </Link>
  )
}

export type Query<T> = { data: T | undefined; error: string | undefined; loading: boolean }

/**
 * Loads `load()` when `key` changes and again every `refreshMs` while `refresh` says so. The last
 * answer stays on screen while the next loads; an error is shown beside it.
 */
export function useQuery<T>(
  key: string,
  load: () => Promise<T>,
  { refreshMs, refresh }: { refreshMs?: number | undefined; refresh?: (data: T | undefined) => boolean } = {},
): Query<T> {
  const [state, setState] = useState<Query<T>>({ data: undefined, error: undefined, loading: true })
  const loader = useRef(load)
  loader.current = load
  const again = useRef(refresh)
  again.current = refresh
  useEffect(() => {
    let cancelled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let last: T | undefined
    setState({ data: undefined, error: undefined, loading: true })
    const run = () => {
      loader
        .current()
        .then(
          (data) => {
            last = data
            if (!cancelled) setState({ data, error: undefined, loading: false })
          },
          (error: unknown) => {
            if (!cancelled)
              setState({ data: last, error: error instanceof Error ? error.message : String(error), loading: false })
          },
        )
        .finally(() => {
          if (cancelled || refreshMs === undefined) return
          if (again.current !== undefined && !again.current(last)) return
          timer = setTimeout(run, refreshMs)
        })
    }
    run()
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
  }, [key, refreshMs])
  return state
}

export function Loading<T>({
  query,
  what,
  children,
}: {
  query: Query<T>
  what: string
  children: (data: T) => ComponentChildren
}) {
  if (query.data === undefined) {
    if (query.error !== undefined)
      return (
        <p class="error" role="alert">
          Could not load {what}: {query.error}
        </p>
      )
    return <p aria-busy="true">Loading {what}…</p>
  }
  return (
    <>
      {query.error !== undefined && (
        <p class="error" role="alert">
          Showing the last answer; refreshing {what} failed: {query.error}
        </p>
      )}
      {children(query.data)}
    </>
  )
}

/** A table that scrolls sideways on narrow screens (focusable, so keyboard users can scroll it). */
export function Table({ caption, head, children }: { caption: string; head: string[]; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
    <section class="table-wrap" tabIndex={0} aria-label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </section>
  )
}

export function Field({ name, children, id }: { name: string; children: ComponentChildren; id?: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd data-field={id ?? name}>{children}</dd>
    </>
  )
}

/** Previous/next buttons for cursor pages (a stack of the cursors that led here). */
export function Pager({
  cursors,
  next,
  onChange,
}: {
  cursors: (string | undefined)[]
  next: string | null | undefined
  onChange: (cursors: (string | undefined)[]) => void
}) {
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={cursors.length <= 1} onClick={() => onChange(cursors.slice(0, -1))}>
        Newer
      </button>
      <span>Page {cursors.length}</span>
      <button
        type="button"
        disabled={next === null || next === undefined}
        onClick={() => onChange([...cursors, next ?? undefined])}
      >
        Older
      </button>
    </nav>
  )
}

/** A uPlot line chart that follows its container's width; `data` replaces the series on each change. */
export function Chart({
  title,
  series,
  data,
  xTime = true,
  windowSeconds,
}: {
  title: string
  series: { label: string; color: string; scale?: string }[]
  data: number[][]
  xTime?: boolean
  windowSeconds?: number
}) {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | undefined>(undefined)
  useEffect(() => {
    const element = box.current
    if (element === null) return
    const scales = new Set(series.map((s) => s.scale ?? 'y'))
    const chart = new uPlot(
      {
        title,
        width: Math.max(element.clientWidth, 200),
        height: 180,
        // A time chart always spans its last `windowSeconds`, however few points it has yet.
        scales: {
          x:
            windowSeconds === undefined
              ? { time: xTime }
              : { time: xTime, range: (_u: uPlot, _min: number, max: number) => [max - windowSeconds, max] },
        },
        axes: [{}, ...[...scales].map((scale, i) => ({ scale, side: i === 0 ? 3 : 1, grid: { show: i === 0 } }))],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, scale: s.scale ?? 'y' }))],
      },
      data as uPlot.AlignedData,
      element,
    )
    plot.current = chart
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(element.clientWidth, 200), height: 180 }))
    resize.observe(element)
    return () => {
      resize.disconnect()
      chart.destroy()
      plot.current = undefined
    }
  }, [title])
  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData)
  }, [data])
  return <figure class="chart" ref={box} aria-label={title} />
}

/**
 * A `sluice_*` list read page by page, newest first (`{ before, limit }` as docs/sdk.md says): the
 * first page refreshes every `refreshMs`; older pages stay as they were read.
 */
export function usePages<T extends { nextBefore: Hex | null }>(
  rpc: RpcClient,
  method: string,
  args: readonly unknown[],
  { limit, refreshMs }: { limit: number; refreshMs: number },
): {
  query: Query<T>
  pager: { cursors: (string | undefined)[]; onChange: (cursors: (string | undefined)[]) => void }
} {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined])
  const before = cursors[cursors.length - 1]
  const query = useQuery(
    `${method}:${args.join(',')}:${before ?? ''}`,
    () => rpc.call<T>(method, [...args, { limit, ...(before === undefined ? {} : { before }) }]),
    { refreshMs: cursors.length === 1 ? refreshMs : undefined },
  )
  return { query, pager: { cursors, onChange: setCursors } }
}
