// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { CommonTest } from "../setup/CommonTest.sol";
import { Constants } from "../../src/libraries/Constants.sol";
import "../../src/libraries/DisputeErrors.sol";
import { Types } from "../../src/libraries/Types.sol";

/// @title Soundness_Test
/// @notice The game rules of protocol.md §8 that issue 11 changed: many games per staker, the first loss
///         slashes and voids the rest, late stakers extend the challenge deadline, conflicting claims wait,
///         and every call naming a claim or a game reverts after an L1 reorg replaced it (§8.5).
contract Soundness_Test is CommonTest {
    event GameVoided(uint256 indexed gameId, uint256 indexed claimId, address indexed challenger, uint256 paid);

    address internal alice;
    address internal bob;
    address internal carol;
    address internal dave;
    uint256 internal burnOfProposerBond;
    uint256 internal burnOfChallengerBond;

    function setUp() public override {
        super.setUp();
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        carol = makeAddr("carol");
        dave = makeAddr("dave");
        deposit(3);
        appendBatch(3, 97); // batch 0: 100 messages
        appendBatch(3, 1); // batch 1: 101 messages
        burnOfProposerBond = cfg.proposerBond * cfg.bondBurnBps / 10_000;
        burnOfChallengerBond = cfg.challengerBond * cfg.bondBurnBps / 10_000;
    }

    /// @dev The staker of `_gameId` lies at `_lieFrom` and beyond; the challenger is honest; plays to the end.
    function _playHonestChallenger(uint256 _gameId) internal {
        for (uint256 moves; moves < 100; ++moves) {
            Types.Game memory g = game.getGame(_gameId);
            if (g.status != Types.GameStatus.Open) return;
            uint256 mid = game.midpoint(_gameId);
            if (g.turn == Types.Turn.Staker) bisectAs(g.staker, _gameId, keccak256(abi.encode("lie", mid)));
            else if (g.hi - g.lo == 1) proveAs(g.challenger, _gameId, "");
            else respondAs(g.challenger, _gameId, g.midRoot == trueRoot(mid));
        }
        revert("game did not end");
    }

    // ------------------------------------------------------------------ many games per staker

    /// @notice The first game a wrong staker loses slashes it; its other open games are cut short: they no
    ///         longer make the claim wait, cannot be played or timed out, and pay their challengers their
    ///         own bond plus the same share of the prize (the staker's bond less the burn) as the winner:
    ///         a challenger whose game a slash it did not cause ends is paid, not merely refunded. Bonds
    ///         are conserved throughout; the division's dust and the deleted claim's deposit are burned.
    function test_firstLossSlashes_otherGamesVoid_succeeds() public {
        uint256 id = propose(alice, 0, keccak256("wrong"));
        uint256 g1 = challenge(bob, id, alice);
        uint256 g2 = challenge(carol, id, alice);
        uint256 g3 = challenge(dave, id, alice);
        bisectAs(alice, g3, trueRoot(50)); // g3 moves on; its position changes
        assertEq(uint256(claims.getClaim(id).openGames), 3);

        _playHonestChallenger(g2);
        assertEq(uint256(game.getGame(g2).status), uint256(Types.GameStatus.ChallengerWon));
        assertEq(uint256(claims.getClaim(id).status), uint256(Types.ClaimStatus.Deleted));
        assertEq(uint256(claims.getClaim(id).openGames), 0, "void games do not count");
        assertEq(claims.openGamesAgainst(id, alice), 0);
        assertTrue(game.isVoid(g1) && game.isVoid(g3));

        // No move, proof or timeout on a void game.
        vm.warp(block.timestamp + cfg.gameClock + 1);
        bytes32 p1 = game.position(g1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(GameVoid.selector, g1));
        game.bisect(g1, p1, trueRoot(50));
        vm.expectRevert(abi.encodeWithSelector(GameVoid.selector, g1));
        game.timeout(g1, p1);
        bytes32 p3 = game.position(g3);
        vm.prank(dave);
        vm.expectRevert(abi.encodeWithSelector(GameVoid.selector, g3));
        game.agree(g3, p3);

        uint256 share = (cfg.proposerBond - burnOfProposerBond) / 3;
        assertGt(share, 0);
        assertEq(game.prizeShare(id, alice), share);
        vm.expectEmit(address(game));
        emit GameVoided(g1, id, bob, cfg.challengerBond + share);
        game.voidGame(g1, p1);
        game.voidGame(g3, p3);
        assertEq(game.credit(bob), cfg.challengerBond + share);
        assertEq(game.credit(dave), cfg.challengerBond + share);
        assertEq(game.credit(carol), cfg.challengerBond + share);
        uint256 dust = cfg.proposerBond - burnOfProposerBond - 3 * share;
        assertEq(Constants.BURN_ADDRESS.balance, burnOfProposerBond + dust + cfg.proposerBond);
        vm.expectRevert(abi.encodeWithSelector(GameNotOpen.selector, g1));
        game.voidGame(g1, p1);
        assertEq(
            address(game).balance + address(claims).balance + Constants.BURN_ADDRESS.balance,
            2 * cfg.proposerBond + 3 * cfg.challengerBond,
            "bonds conserved"
        );
        assertEq(address(game).balance, game.credit(bob) + game.credit(carol) + game.credit(dave));
    }

    function test_voidGame_stakerNotSlashed_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        bytes32 p = game.position(g);
        vm.expectRevert(abi.encodeWithSelector(GameNotVoid.selector, g));
        game.voidGame(g, p);
    }

    /// @notice An honest staker defends every game at once; each win pays it the challenger's bond, and
    ///         the claim finalizes once the last game is over.
    function test_honestStaker_winsManyGames_claimFinalizes_succeeds() public {
        uint256 id = propose(alice, 0, trueRoot(100));
        uint256[3] memory gs = [challenge(bob, id, alice), challenge(carol, id, alice), challenge(bob, id, alice)];
        for (uint256 k; k < 3; ++k) {
            bisectAs(alice, gs[k], trueRoot(50));
            respondAs(game.getGame(gs[k]).challenger, gs[k], false); // a dishonest challenger disputes the truth
        }
        for (uint256 k; k < 3; ++k) {
            Types.Game memory g = game.getGame(gs[k]);
            while (g.status == Types.GameStatus.Open) {
                if (g.turn == Types.Turn.Staker) bisectAs(alice, gs[k], trueRoot(game.midpoint(gs[k])));
                else if (g.hi - g.lo == 1) proveAs(g.challenger, gs[k], "");
                else respondAs(g.challenger, gs[k], false);
                g = game.getGame(gs[k]);
            }
            assertEq(uint256(g.status), uint256(Types.GameStatus.StakerWon));
        }
        assertEq(game.credit(alice), 3 * (cfg.challengerBond - burnOfChallengerBond));
        assertEq(uint256(claims.getClaim(id).openGames), 0);
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(id);
        assertTrue(claims.isFinalized(id));
    }

    // ------------------------------------------------------------------ staking and the deadline

    /// @notice A late staker raises the claim's challenge deadline to a full period after its stake, so
    ///         a staker added in the last second can still be challenged.
    function test_stake_late_extendsChallengeDeadline_succeeds() public {
        uint256 id = propose(alice, 0, keccak256("wrong"));
        uint256 proposedAt = block.timestamp;
        vm.warp(proposedAt + cfg.challengePeriod - 1);
        stakeOn(carol, id);
        assertEq(uint256(claims.getClaim(id).challengeDeadline), block.timestamp + cfg.challengePeriod);
        vm.warp(proposedAt + cfg.challengePeriod + 1 days);
        // Past the original period: staking is closed, challenging is not.
        vm.deal(dave, cfg.proposerBond);
        bytes32 h = claimHash(id);
        vm.prank(dave);
        vm.expectRevert(abi.encodeWithSelector(StakingClosed.selector, id));
        claims.stake{ value: cfg.proposerBond }(id, h);
        uint256 g = challenge(bob, id, carol);
        assertFalse(claims.isFinalizable(id));
        _playHonestChallenger(g);
        vm.warp(proposedAt + 2 * cfg.challengePeriod);
        // Alice was never challenged, so the claim survives with her; but it waited for the deadline.
        assertTrue(claims.isFinalizable(id));
    }

    // ------------------------------------------------------------------ conflicting claims

    /// @notice Two claims at the same message count with different roots: neither finalizes while both
    ///         are pending; once the wrong one is deleted the true one finalizes; a wrong claim at a count
    ///         where a true one finalized never finalizes.
    function test_conflictingClaims_waitForEachOther_succeeds() public {
        uint256 good = propose(alice, 0, trueRoot(100));
        uint256 bad = propose(bob, 0, keccak256("wrong"));
        uint256 same = propose(carol, 0, trueRoot(100)); // same root: no conflict with `good`
        vm.warp(block.timestamp + cfg.challengePeriod);
        assertFalse(claims.isFinalizable(good));
        vm.expectRevert(abi.encodeWithSelector(ClaimConflict.selector, good, 100));
        claims.finalizeClaim(good);
        vm.expectRevert(abi.encodeWithSelector(ClaimConflict.selector, bad, 100));
        claims.finalizeClaim(bad);
        // A game opened in time deletes the wrong claim (re-run with a fresh wrong claim in its period).
        uint256 bad2 = propose(bob, 0, keccak256("wrong2"));
        uint256 g = challenge(dave, bad2, bob);
        _playHonestChallenger(g);
        assertEq(uint256(claims.getClaim(bad2).status), uint256(Types.ClaimStatus.Deleted));
        // `bad` is still pending (nobody challenged it in time): the true claims keep waiting.
        assertFalse(claims.isFinalizable(good));
        assertFalse(claims.isFinalizable(same));
    }

    function test_conflictingClaims_trueFinalizesFirst_wrongNeverFinalizes_succeeds() public {
        uint256 good = propose(alice, 0, trueRoot(100));
        uint256 bad = propose(bob, 0, keccak256("wrong"));
        uint256 g = challenge(carol, bad, bob);
        _playHonestChallenger(g);
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(good);
        // A wrong claim proposed later at the same count can never finalize, even unchallenged.
        uint256 late = propose(bob, 0, keccak256("late"));
        vm.warp(block.timestamp + cfg.challengePeriod);
        vm.expectRevert(abi.encodeWithSelector(ClaimConflict.selector, late, 100));
        claims.finalizeClaim(late);
        // Claims at another count are independent.
        uint256 other = propose(dave, 1, trueRoot(101));
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(other);
    }

    // ------------------------------------------------------------------ reorg-safe references (§8.5)

    /// @notice After a reorg replaced claim 1 by another claim (same id), an honest staker's and an
    ///         honest challenger's transactions, which name the claim they saw, revert.
    function test_reorg_replacedClaim_stakeAndChallengeRevert() public {
        uint256 snapshot = vm.snapshotState();
        uint256 seen = propose(alice, 0, trueRoot(100));
        bytes32 seenHash = claimHash(seen);
        assertTrue(vm.revertToState(snapshot)); // the reorg: the claim is gone
        uint256 replaced = propose(bob, 0, keccak256("wrong")); // another claim lands at the same id
        assertEq(replaced, seen);
        bytes32 actual = claimHash(replaced);

        vm.deal(carol, cfg.proposerBond);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(ClaimHashMismatch.selector, seen, seenHash, actual));
        claims.stake{ value: cfg.proposerBond }(seen, seenHash);

        vm.deal(dave, cfg.challengerBond);
        vm.prank(dave);
        vm.expectRevert(abi.encodeWithSelector(ClaimHashMismatch.selector, seen, seenHash, actual));
        game.challenge{ value: cfg.challengerBond }(seen, seenHash, bob);
    }

    /// @notice The same claim content re-proposed at another batch (a reorg that moved batches) is a
    ///         different claim: the hash covers the batch index and the accumulator.
    function test_reorg_hashCoversBatchAndAccumulator() public view {
        bytes32 acc0 = inbox.accumulator(0);
        bytes32 acc1 = inbox.accumulator(1);
        bytes32 root = trueRoot(100);
        assertNotEq(claims.hashClaim(0, acc0, root), claims.hashClaim(1, acc0, root));
        assertNotEq(claims.hashClaim(0, acc0, root), claims.hashClaim(0, acc1, root));
        assertNotEq(claims.hashClaim(0, acc0, root), claims.hashClaim(0, acc0, trueRoot(101)));
        assertEq(claims.hashClaim(0, acc0, root), keccak256(abi.encode(uint256(0), acc0, root)));
    }

    /// @notice After a reorg replaced game 1 by another game (another challenger), every move, the proof
    ///         and the timeout that name the position seen before revert.
    function test_reorg_replacedGame_everyMoveReverts() public {
        uint256 id = propose(alice, 0, keccak256("wrong"));
        uint256 snapshot = vm.snapshotState();
        uint256 seen = challenge(bob, id, alice);
        bytes32 seenPos = game.position(seen);
        assertTrue(vm.revertToState(snapshot));
        uint256 replaced = challenge(carol, id, alice);
        assertEq(replaced, seen);
        bytes32 actual = game.position(replaced);
        assertNotEq(actual, seenPos);

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(PositionMismatch.selector, seen, seenPos, actual));
        game.bisect(seen, seenPos, trueRoot(50));
        vm.warp(block.timestamp + cfg.gameClock + 1);
        vm.expectRevert(abi.encodeWithSelector(PositionMismatch.selector, seen, seenPos, actual));
        game.timeout(seen, seenPos);
        vm.expectRevert(abi.encodeWithSelector(PositionMismatch.selector, seen, seenPos, actual));
        game.voidGame(seen, seenPos);
    }

    /// @notice After a reorg in which the staker posted a different midpoint root, the challenger's answer
    ///         to the root it saw reverts (it would otherwise agree with a root it never checked), and so
    ///         does a proof at a range it did not see.
    function test_reorg_differentMidRoot_answerAndProofRevert() public {
        uint256 id = propose(alice, 0, keccak256("wrong"));
        uint256 g = challenge(bob, id, alice);
        uint256 snapshot = vm.snapshotState();
        bisectAs(alice, g, trueRoot(50));
        bytes32 seenPos = game.position(g); // bob saw the true root at 50 and will agree
        assertTrue(vm.revertToState(snapshot));
        bisectAs(alice, g, keccak256("lie at 50"));
        bytes32 actual = game.position(g);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(PositionMismatch.selector, g, seenPos, actual));
        game.agree(g, seenPos);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(PositionMismatch.selector, g, seenPos, actual));
        game.disagree(g, seenPos);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(PositionMismatch.selector, g, seenPos, actual));
        game.proveStep(g, seenPos, "");
        // The answer to what is really there goes through.
        respondAs(bob, g, false);
    }

    /// @notice A stale position is refused even without a reorg: two moves raced and the other landed.
    function test_stalePosition_afterOwnMove_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        bytes32 p0 = game.position(g);
        vm.prank(alice);
        bytes32 p1 = game.bisect(g, p0, trueRoot(50));
        assertEq(p1, game.position(g));
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(PositionMismatch.selector, g, p0, p1));
        game.agree(g, p0);
        vm.prank(bob);
        bytes32 p2 = game.agree(g, p1);
        assertEq(p2, game.position(g));
    }
}
