import { useLive } from '../app.tsx'
import { duration, integer, num, time } from '../format.ts'
import type { Hex } from '../rpc.ts'
import { Field, HashText, Link, Loading, Pager, Table, usePages, useQuery } from '../ui.tsx'

type GameSummary = { gameId: Hex; staker: Hex; challenger: Hex; status: string; stakerWon: boolean | null }
type Claim = {
  claimId: Hex
  batchIndex: Hex
  stateRoot: Hex
  stakers: Hex[]
  slashed: Hex[]
  status: string
  challengeDeadline: Hex | null
  finalizable: boolean | null
  openGames: number
  games: GameSummary[]
  verdict: string
}
type Move = {
  name: string
  l1BlockNumber: Hex
  l1TransactionHash: Hex
  lo?: Hex
  hi?: Hex
  mid?: Hex
  agreed?: boolean
  messageIndex?: Hex
  postStateRoot?: Hex
}
type Game = {
  gameId: Hex
  claimId: Hex
  claimStatus: string | null
  staker: Hex
  challenger: Hex
  status: string
  turn: 'staker' | 'challenger' | null
  clocks: { staker: Hex; challenger: Hex; lastMoveAt: Hex; l1Now: Hex | null } | null
  ranges: { lo: Hex; hi: Hex; l1BlockNumber: Hex }[]
  moves: Move[]
  oneStepProof: Move | null
  outcome: string | null
}

function moveText(m: Move): string {
  switch (m.name) {
    case 'GameOpened':
      return `opened over messages [${num(m.lo)}, ${num(m.hi)}]`
    case 'Bisected':
      return `staker posted its root at message ${num(m.mid)}`
    case 'Responded':
      return `challenger ${m.agreed ? 'agreed' : 'disagreed'}: range now [${num(m.lo)}, ${num(m.hi)}]`
    case 'StepProven':
      return `one-step proof of message ${num(m.messageIndex)} on L1`
    case 'GameResolved':
      return 'resolved'
    case 'GameVoided':
      return 'voided'
    default:
      return m.name
  }
}

export function ClaimsPage() {
  const live = useLive()
  const { query: page, pager } = usePages<{ total: Hex; claims: Claim[]; nextBefore: Hex | null }>(
    live.rpc,
    'sluice_getClaims',
    [],
    { limit: 20, refreshMs: 3_000 },
  )
  return (
    <section aria-labelledby="claims-title">
      <h1 id="claims-title">Claims and games</h1>
      <p>State-root claims on L1, newest first, with this node's verdict on each and the games played on them.</p>
      <Loading query={page} what="claims">
        {(p) => (
          <>
            <Table
              caption={`Claims (${integer(num(p.total))})`}
              head={['Claim', 'Batch', 'Root', 'Stakers', 'Deadline', 'Status', 'Our verdict', 'Games']}
            >
              {p.claims.map((c) => (
                <tr key={c.claimId} data-claim={num(c.claimId)}>
                  <td>{integer(num(c.claimId))}</td>
                  <td>
                    <Link to={`/batch/${num(c.batchIndex)}`}>{integer(num(c.batchIndex))}</Link>
                  </td>
                  <td>
                    <HashText value={c.stateRoot} keep={5} />
                  </td>
                  <td>
                    {c.stakers.length - c.slashed.length} of {c.stakers.length}
                  </td>
                  <td>{c.challengeDeadline === null ? '—' : `${time(num(c.challengeDeadline))} UTC`}</td>
                  <td data-status={c.status}>
                    <span class={`pill pill-${c.status}`}>{c.status}</span>
                    {c.finalizable === true && c.status === 'pending' ? ' · finalizable' : ''}
                  </td>
                  <td>
                    <span class={`pill pill-${c.verdict.replaceAll(' ', '-')}`}>{c.verdict}</span>
                  </td>
                  <td>
                    {c.games.length === 0
                      ? '—'
                      : c.games.map((g) => (
                          <span key={g.gameId}>
                            <Link to={`/game/${num(g.gameId)}`}>game {integer(num(g.gameId))}</Link> ({g.status}){' '}
                          </span>
                        ))}
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

/** The disputed range at each step, drawn against the opening range. */
function Narrowing({ ranges }: { ranges: Game['ranges'] }) {
  const first = ranges[0]
  if (first === undefined) return null
  const lo0 = num(first.lo) ?? 0
  const span = Math.max(1, (num(first.hi) ?? 1) - lo0)
  return (
    <ol class="ranges" aria-label="Disputed range after each move">
      {ranges.map((r, i) => {
        const lo = num(r.lo) ?? 0
        const hi = num(r.hi) ?? 0
        return (
          <li key={`${i}-${r.lo}-${r.hi}`}>
            <span class="range-label">
              [{integer(lo)}, {integer(hi)}]
            </span>
            <span class="range-track" aria-hidden="true">
              <span
                class="range-bar"
                style={{ left: `${((lo - lo0) / span) * 100}%`, width: `${Math.max(1, ((hi - lo) / span) * 100)}%` }}
              />
            </span>
          </li>
        )
      })}
    </ol>
  )
}

export function GamePage({ id }: { id: string }) {
  const live = useLive()
  const game = useQuery(
    `game:${id}`,
    () => live.rpc.call<Game | null>('sluice_getGame', [`0x${BigInt(/^\d+$/.test(id) ? id : 0).toString(16)}`]),
    {
      refreshMs: 2_000,
      refresh: (g) => g === undefined || g === null || g.status === 'open' || g.claimStatus === 'pending',
    },
  )
  return (
    <section aria-labelledby="game-title">
      <h1 id="game-title">Game {id}</h1>
      <Loading query={game} what="the game">
        {(g) =>
          g === null ? (
            <p>This node has not seen game {id} on L1 (yet).</p>
          ) : (
            <>
              <dl class="facts">
                <Field name="Claim">
                  {integer(num(g.claimId))} —{' '}
                  <span data-field="claim-status">
                    {g.claimStatus === 'deleted' ? 'claim deleted' : (g.claimStatus ?? '—')}
                  </span>
                </Field>
                <Field name="Staker">
                  <HashText value={g.staker} keep={20} />
                </Field>
                <Field name="Challenger">
                  <HashText value={g.challenger} keep={20} />
                </Field>
                <Field name="Status" id="game-status">
                  <span class={`pill pill-${g.status}`}>{g.status}</span>
                </Field>
                <Field name="Whose move" id="game-turn">
                  {g.turn === null ? '— (game over)' : g.turn}
                </Field>
                <Field name="Staker's clock">{g.clocks === null ? 'unknown' : duration(num(g.clocks.staker))}</Field>
                <Field name="Challenger's clock">
                  {g.clocks === null ? 'unknown' : duration(num(g.clocks.challenger))}
                </Field>
                <Field name="One-step proof" id="game-proof">
                  {g.oneStepProof === null
                    ? 'not yet'
                    : `message ${integer(num(g.oneStepProof.messageIndex))} → root ${g.oneStepProof.postStateRoot?.slice(0, 18)}…`}
                </Field>
                <Field name="Outcome" id="game-outcome">
                  {g.outcome ?? 'being played'}
                </Field>
              </dl>
              <h2>Disputed range</h2>
              <Narrowing ranges={g.ranges} />
              <Table caption="Moves" head={['L1 block', 'Move', 'L1 transaction']}>
                {g.moves.map((m, i) => (
                  <tr key={`${m.l1TransactionHash}-${i}`}>
                    <td>{integer(num(m.l1BlockNumber))}</td>
                    <td>{moveText(m)}</td>
                    <td>
                      <HashText value={m.l1TransactionHash} keep={5} />
                    </td>
                  </tr>
                ))}
              </Table>
            </>
          )
        }
      </Loading>
    </section>
  )
}
