// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { CommonTest } from "../setup/CommonTest.sol";
import { WithdrawalTrie } from "../setup/WithdrawalTrie.sol";
import { Portal } from "../../src/L1/Portal.sol";
import { ClaimManager } from "../../src/dispute/ClaimManager.sol";
import { DisputeGame } from "../../src/dispute/DisputeGame.sol";
import "../../src/libraries/DisputeErrors.sol";
import "../../src/libraries/PortalErrors.sol";
import { Types } from "../../src/libraries/Types.sol";

/// @notice The attack of issue 11, as one contract with no privileges: it proposes a forged root (a state
///         holding a withdrawal of everything the Portal holds, to itself) and, in the same transaction,
///         challenges its own staker; as staker it posts any midpoint and lets its challenger clock run out;
///         then in one transaction it times the game out (its staker wins) and challenges again, over and
///         over until the challenge period is over. Under the old rules (one game per staker) its staker
///         was never free at a transaction boundary, every honest `challenge` reverted, the forged claim
///         finalized and the Portal paid it.
contract SelfChallengeAttacker {
    ClaimManager public immutable claims;
    DisputeGame public immutable game;
    Portal public immutable portal;
    uint256 public claimId;
    bytes32 public claimHash;
    uint256 public gameId;
    Types.Withdrawal internal _forged;

    constructor(ClaimManager _claims, DisputeGame _game, Portal _portal) payable {
        claims = _claims;
        game = _game;
        portal = _portal;
    }

    receive() external payable { }

    /// @notice Step 1, one transaction: propose the forged root and challenge its own staker.
    function start(uint256 _batchIndex, bytes32 _accumulator) external {
        _forged = Types.Withdrawal({
            nonce: 0, sender: address(this), l1Recipient: address(this), value: address(portal).balance
        });
        bytes32 h = WithdrawalTrie.hash(_forged);
        (bytes32 root,,) = WithdrawalTrie.build(h, h);
        claimId = claims.propose{ value: 2 * claims.proposerBond() }(_batchIndex, _accumulator, root);
        claimHash = claims.hashClaim(_batchIndex, _accumulator, root);
        gameId = game.challenge{ value: game.challengerBond() }(claimId, claimHash, address(this));
    }

    /// @notice Step 2: as staker, post any midpoint.
    function bisect() external {
        game.bisect(gameId, game.position(gameId), keccak256("any midpoint"));
    }

    /// @notice Step 3, one transaction: time out its own game (the staker wins) and challenge again.
    function timeoutAndRechallenge() external {
        game.timeout(gameId, game.position(gameId));
        gameId = game.challenge{ value: game.challengerBond() }(claimId, claimHash, address(this));
    }

    /// @notice The payoff it is after: finalize the forged claim and take the Portal's balance.
    function cashOut() external {
        claims.finalizeClaim(claimId);
        bytes32 h = WithdrawalTrie.hash(_forged);
        (, bytes[] memory a, bytes[] memory s) = WithdrawalTrie.build(h, h);
        portal.finalizeWithdrawal(_forged, claimId, claimHash, a, s);
    }

    function forgedWithdrawal() external view returns (Types.Withdrawal memory) {
        return _forged;
    }
}

/// @notice The attack of issue 18 (protocol.md §8.6): a proposer of wrong claims that challenges its own
///         staker in the proposal's transaction, never answers the honest games, and one transaction before
///         they would time out loses its own game on purpose — the slash cuts the honest games short — and
///         proposes the next wrong claim, so that a conflicting claim is always pending beside the honest one.
///         It is one contract, staker and challenger at once: no rule can tell its challenger from an
///         honest one.
contract SelfSlashAttacker {
    ClaimManager public immutable claims;
    DisputeGame public immutable game;
    uint256 public claimId;
    uint256 public gameId;
    uint256 public proposals;

    constructor(ClaimManager _claims, DisputeGame _game) payable {
        claims = _claims;
        game = _game;
    }

    receive() external payable { }

    /// @notice One transaction: propose a wrong root at `_batchIndex` and challenge its own staker.
    function proposeAndSelfChallenge(uint256 _batchIndex, bytes32 _accumulator) public {
        bytes32 root = keccak256(abi.encode("forged", proposals++));
        claimId = claims.propose{ value: 2 * claims.proposerBond() }(_batchIndex, _accumulator, root);
        bytes32 h = claims.hashClaim(_batchIndex, _accumulator, root);
        gameId = game.challenge{ value: game.challengerBond() }(claimId, h, address(this));
    }

    /// @notice One transaction: lose its own game on purpose (its staker never moved, so its own challenger
    ///         times it out), which slashes its staker and cuts every honest game short; then propose again.
    function selfSlashAndRepropose(uint256 _batchIndex, bytes32 _accumulator) external {
        game.timeout(gameId, game.position(gameId));
        proposeAndSelfChallenge(_batchIndex, _accumulator);
    }

    /// @notice One transaction: win its own game as challenger with a real one-step proof (its staker's root
    ///         is wrong), which slashes its staker just before an honest challenger's `proveStep` would
    ///         land; then propose again.
    function selfSlashByProofAndRepropose(uint256 _batchIndex, bytes32 _accumulator, bytes calldata _proof) external {
        game.proveStep(gameId, game.position(gameId), _proof);
        proposeAndSelfChallenge(_batchIndex, _accumulator);
    }

    /// @notice Takes back whatever the contracts credit it.
    function collect() external {
        if (game.credit(address(this)) > 0) game.withdraw();
        if (claims.credit(address(this)) > 0) claims.withdraw();
    }
}

/// @title SelfChallengeAttack_Test
/// @notice The attack above against the fixed rules (protocol.md §8.2): the honest challenger still opens
///         its own game whenever it wants, wins it through the one-step prover, the forged claim is
///         deleted, the Portal pays nothing and the anchor never becomes the forged root.
contract SelfChallengeAttack_Test is CommonTest {
    SelfChallengeAttacker internal attacker;
    address internal honest;
    uint256 internal portalFunds;

    function setUp() public override {
        super.setUp();
        honest = makeAddr("honest");
        deposit(3);
        appendBatch(3, 97); // batch 0: 100 messages
        address whale = makeAddr("whale");
        vm.deal(whale, 500 ether);
        vm.prank(whale);
        portal.depositETH{ value: 500 ether }(whale);
        portalFunds = address(portal).balance;
        attacker = new SelfChallengeAttacker{ value: 100 ether }(claims, game, portal);
        attacker.start(0, inbox.accumulator(0));
    }

    /// @dev Plays the honest challenger's side of `_gameId` to its end, the attacker's staker posting
    ///      lies, an hour passing per move; the attacker keeps cycling its self-game whenever its own
    ///      challenger clock has run out.
    function _honestPlays(uint256 _gameId, bool _attackerCycles) internal {
        for (uint256 moves; moves < 100; ++moves) {
            vm.warp(block.timestamp + 1 hours);
            Types.Game memory g = game.getGame(_gameId);
            if (g.status != Types.GameStatus.Open) return;
            if (g.turn == Types.Turn.Staker) {
                // The attacker's staker answers the honest game with a lie at every midpoint.
                bytes32 pos = game.position(_gameId);
                vm.prank(address(attacker));
                game.bisect(_gameId, pos, keccak256(abi.encode("lie", moves)));
            } else {
                uint256 mid = game.midpoint(_gameId);
                if (g.hi - g.lo == 1) proveAs(honest, _gameId, "");
                else respondAs(honest, _gameId, g.midRoot == trueRoot(mid));
            }
            if (_attackerCycles) _cycleIfDue();
        }
        revert("game did not end");
    }

    /// @dev One round of the attacker's loop: bisect as staker, let its own challenger clock run out,
    ///      then time out and re-challenge in one transaction.
    function _cycleIfDue() internal {
        uint256 own = attacker.gameId();
        Types.Game memory g = game.getGame(own);
        if (g.status != Types.GameStatus.Open || game.isVoid(own)) return;
        if (g.turn == Types.Turn.Staker) attacker.bisect();
        else if (block.timestamp - g.lastMoveAt > g.challengerClock) attacker.timeoutAndRechallenge();
    }

    function _cycle() internal {
        Types.Game memory own = game.getGame(attacker.gameId());
        if (own.status != Types.GameStatus.Open || game.isVoid(attacker.gameId())) return;
        if (own.turn == Types.Turn.Staker) attacker.bisect();
        vm.warp(block.timestamp + cfg.gameClock + 1);
        attacker.timeoutAndRechallenge();
    }

    function test_attack_honestChallengerStillOpensAndWins_succeeds() public {
        uint256 claimId = attacker.claimId();
        for (uint256 i; i < 3; ++i) _cycle();
        // The attacker's staker is in a game, yet the honest challenger opens its own at once.
        uint256 honestGame = challenge(honest, claimId, address(attacker));
        assertEq(claims.openGamesAgainst(claimId, address(attacker)), 2);
        // The attack loop runs beside the honest game; clocks are per game, so it cannot starve it.
        _honestPlays(honestGame, true);
        assertEq(uint256(game.getGame(honestGame).status), uint256(Types.GameStatus.ChallengerWon));
        assertEq(uint256(claims.getClaim(claimId).status), uint256(Types.ClaimStatus.Deleted));
        assertEq(uint256(claims.stakerStatus(claimId, address(attacker))), uint256(Types.StakerStatus.Slashed));
        // The attacker's last self-game is void: it ends without a winner.
        uint256 own = attacker.gameId();
        assertTrue(game.isVoid(own));
        vm.expectRevert(abi.encodeWithSelector(GameVoid.selector, own));
        attacker.timeoutAndRechallenge();
        game.voidGame(own, game.position(own));
        assertEq(uint256(game.getGame(own).status), uint256(Types.GameStatus.Voided));
        // The payoff fails, now and after the period.
        vm.warp(block.timestamp + 2 * cfg.challengePeriod);
        vm.expectRevert(abi.encodeWithSelector(ClaimNotPending.selector, claimId));
        attacker.cashOut();
        assertEq(address(portal).balance, portalFunds, "the Portal paid nothing");
        (uint256 a, bytes32 root) = claims.anchor();
        assertEq(root, trueRoot(a), "the anchor is true");
        // The attacker's bond less the burn is split between the two challengers that had a game open
        // against it when it was slashed — the honest one and the attacker's own — so the attacker gets
        // half back; the honest challenger gets its half plus its own bond.
        uint256 burn = cfg.proposerBond * cfg.bondBurnBps / 10_000;
        assertEq(game.credit(honest), cfg.challengerBond + (cfg.proposerBond - burn) / 2);
    }

    /// @notice The honest challenger waits until the last second of the period while the attacker
    ///         cycles; its game still opens, runs past the period, and the claim waits for it.
    function test_attack_honestChallengesInLastSecond_succeeds() public {
        uint256 claimId = attacker.claimId();
        uint256 deadline = claims.getClaim(claimId).challengeDeadline;
        while (block.timestamp + cfg.gameClock + 1 < deadline - 1) _cycle();
        vm.warp(deadline - 1);
        uint256 honestGame = challenge(honest, claimId, address(attacker));
        vm.warp(deadline);
        // The period is over: nobody can open a game now, but the forged claim cannot finalize.
        assertFalse(claims.isFinalizable(claimId));
        vm.expectRevert(abi.encodeWithSelector(ClaimNotFinalizable.selector, claimId));
        attacker.cashOut();
        _honestPlays(honestGame, false);
        assertEq(uint256(claims.getClaim(claimId).status), uint256(Types.ClaimStatus.Deleted));
        vm.expectRevert(abi.encodeWithSelector(ClaimNotPending.selector, claimId));
        attacker.cashOut();
        assertEq(address(portal).balance, portalFunds);
    }

    /// @notice Defence in depth: with no challenger at all, an honest claim at the same message count
    ///         keeps the forged one from finalizing (and waits itself while the forged one is pending).
    function test_attack_conflictingHonestClaim_blocksForgedClaim_succeeds() public {
        uint256 claimId = attacker.claimId();
        uint256 honestClaim = propose(honest, 0, trueRoot(100));
        _cycle();
        _cycle();
        attacker.bisect();
        vm.warp(block.timestamp + cfg.gameClock + 1);
        game.timeout(attacker.gameId(), game.position(attacker.gameId())); // its staker wins again
        vm.warp(block.timestamp + 2 * cfg.challengePeriod);
        vm.expectRevert(abi.encodeWithSelector(ClaimConflict.selector, claimId, 100));
        attacker.cashOut();
        vm.expectRevert(abi.encodeWithSelector(ClaimConflict.selector, honestClaim, 100));
        claims.finalizeClaim(honestClaim);
        assertEq(address(portal).balance, portalFunds);
    }

    /// @notice Issue 18 on the mock prover. The honest claim H is proposed; the attacker keeps a conflicting
    ///         claim pending at every moment, each self-challenged, never answering the honest games and
    ///         self-slashing one second before they would time out, cutting them short. The honest
    ///         challenger challenges every wrong claim at once. Under the fixed rules: every cut-short
    ///         honest game pays its challenger a share of the prize; every deleted claim burns its deposit,
    ///         so the attacker ends poorer by at least one whole bond per blocking claim; and a conflicting
    ///         claim proposed at or after H's challenge deadline no longer blocks H, which finalizes within
    ///         the bound of §8.6, `challengeDeadline + challengePeriod + 2 × gameClock` (+ reaction time).
    function test_selfSlashAttack_mockProver_boundedDelay_attackerPoorer_succeeds() public {
        // A fresh batch at which both the attacker and the honest proposer claim.
        deposit(1);
        uint256 b = appendBatch(4, 3);
        bytes32 acc = inbox.accumulator(b);
        uint256 n = inbox.messageCount(b);
        SelfSlashAttacker slasher = new SelfSlashAttacker{ value: 1_000 ether }(claims, game);
        uint256 attackerStart = address(slasher).balance;
        address honestProposer = makeAddr("honestProposer");
        uint256 h = propose(honestProposer, b, trueRoot(n));
        uint256 deadline = claims.getClaim(h).challengeDeadline;
        uint256 bound = deadline + cfg.challengePeriod + 2 * cfg.gameClock + 2 hours;
        vm.deal(honest, 1_000 ether);
        uint256 honestStart = honest.balance;

        slasher.proposeAndSelfChallenge(b, acc);
        uint256 blocking;
        uint256 cutShortPaid;
        // The attacker cycles for as long as it likes (here until well past H's deadline); an hour after
        // each proposal the honest challenger challenges the new wrong claim's staker.
        while (block.timestamp < deadline + 3 * cfg.gameClock) {
            uint256 w = slasher.claimId();
            if (claims.getClaim(w).proposedAt < deadline) blocking++;
            vm.warp(block.timestamp + 1 hours);
            uint256 g = challenge(honest, w, address(slasher));
            // The attacker never answers; one second before the honest game could time out it slashes
            // itself (its own game opened an hour earlier has run out) and proposes the next claim.
            vm.warp(game.getGame(g).lastMoveAt + cfg.gameClock);
            assertFalse(claims.isFinalizable(h) && claims.getClaim(w).proposedAt < deadline);
            slasher.selfSlashAndRepropose(b, acc);
            assertEq(uint256(claims.getClaim(w).status), uint256(Types.ClaimStatus.Deleted));
            assertTrue(game.isVoid(g), "the slash cut the honest game short");
            uint256 before = game.credit(honest);
            game.voidGame(g, game.position(g));
            // Paid, not merely refunded: its bond back and half the prize (two games were open).
            assertEq(game.credit(honest) - before, cfg.challengerBond + (cfg.proposerBond - _burn()) / 2);
            cutShortPaid++;
            if (claims.isFinalizable(h)) break;
        }
        // A wrong claim proposed at or after H's deadline is pending, yet H finalizes.
        assertGe(claims.getClaim(slasher.claimId()).proposedAt, deadline);
        assertEq(uint256(claims.getClaim(slasher.claimId()).status), uint256(Types.ClaimStatus.Pending));
        claims.finalizeClaim(h);
        assertTrue(claims.isFinalized(h));
        assertLe(block.timestamp, bound, "H finalized within the bound of section 8.6");
        assertGt(blocking, 1);
        // The last wrong claim never finalizes, even after its own deadline and games: H did.
        vm.warp(block.timestamp + 2 * cfg.challengePeriod + 2 * cfg.gameClock);
        uint256 last = slasher.claimId();
        game.timeout(slasher.gameId(), game.position(slasher.gameId())); // its own game: its staker loses
        assertEq(uint256(claims.getClaim(last).status), uint256(Types.ClaimStatus.Deleted));

        // Everyone collects. The attacker lost at least one whole bond per wrong claim it proposed (every
        // one was deleted): the deposit burned, plus the burn on its stake and the share paid away.
        slasher.collect();
        vm.prank(honest);
        game.withdraw();
        uint256 wrongClaims = slasher.proposals();
        assertGe(attackerStart - address(slasher).balance, wrongClaims * cfg.proposerBond);
        assertEq(
            attackerStart - address(slasher).balance,
            wrongClaims * (cfg.proposerBond + _burn()) + cutShortPaid * (cfg.proposerBond - _burn()) / 2
        );
        // The honest challenger (its bonds funded by `challenge` beside its balance) withdrew each bond back
        // and half a prize per cut-short game: it ends richer, not merely refunded.
        assertEq(honest.balance - honestStart, cutShortPaid * (cfg.challengerBond + (cfg.proposerBond - _burn()) / 2));
    }

    function _burn() internal view returns (uint256) {
        return cfg.proposerBond * cfg.bondBurnBps / 10_000;
    }
}
