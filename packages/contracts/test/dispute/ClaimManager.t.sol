// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { CommonTest } from "../setup/CommonTest.sol";
import "../../src/libraries/DisputeErrors.sol";
import { BatchNotFound } from "../../src/libraries/InboxErrors.sol";
import { RollupConfig } from "../../src/libraries/RollupConfig.sol";
import { IOneStepProver } from "../../src/interfaces/IOneStepProver.sol";
import { Constants } from "../../src/libraries/Constants.sol";
import { Types } from "../../src/libraries/Types.sol";

/// @notice A staker contract that refuses ETH.
contract RefusingStaker {
    receive() external payable {
        revert("no");
    }
}

contract ClaimManager_Test is CommonTest {
    event ClaimProposed(
        uint256 indexed claimId,
        uint256 indexed batchIndex,
        uint256 messageCount,
        bytes32 stateRoot,
        address indexed proposer,
        bytes32 accumulator,
        bytes32 claimHash
    );
    event Staked(uint256 indexed claimId, address indexed staker);
    event ClaimFinalized(uint256 indexed claimId, uint256 messageCount, bytes32 stateRoot, bool isAnchor);
    event StakeWithdrawn(uint256 indexed claimId, address indexed staker, uint256 amount);

    address internal alice;
    address internal bob;

    function setUp() public override {
        super.setUp();
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        deposit(2);
        appendBatch(2, 8); // batch 0: 10 messages
        appendBatch(2, 6); // batch 1: 16 messages
    }

    function _finalizeLater(uint256 _claimId) internal {
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(_claimId);
    }

    // ------------------------------------------------------------------ constructor / anchor

    function test_constructor_storesConfig_succeeds() public view {
        assertEq(claims.configHash(), RollupConfig.hash(cfg));
        assertEq(claims.proposerBond(), cfg.proposerBond);
        assertEq(claims.challengePeriod(), cfg.challengePeriod);
        assertEq(claims.genesisStateRoot(), cfg.genesisStateRoot);
        assertEq(address(claims.sequencerInbox()), address(inbox));
        assertEq(claims.disputeGame(), address(game));
    }

    function test_anchor_beforeAnyClaim_isGenesis_succeeds() public view {
        (uint256 n, bytes32 root) = claims.anchor();
        assertEq(n, 0);
        assertEq(root, cfg.genesisStateRoot);
        assertEq(claims.anchorClaimId(), 0);
    }

    // ------------------------------------------------------------------ propose

    function test_propose_recordsClaim_succeeds() public {
        bytes32 root = trueRoot(10);
        vm.deal(alice, 2 * cfg.proposerBond);
        bytes32 acc = inbox.accumulator(0);
        vm.expectEmit(address(claims));
        emit ClaimProposed(1, 0, 10, root, alice, acc, keccak256(abi.encode(uint256(0), acc, root)));
        vm.expectEmit(address(claims));
        emit Staked(1, alice);
        vm.prank(alice);
        uint256 id = claims.propose{ value: 2 * cfg.proposerBond }(0, acc, root);
        assertEq(id, 1);
        assertEq(claims.claimCount(), 1);
        Types.Claim memory c = claims.getClaim(1);
        assertEq(c.stateRoot, root);
        assertEq(uint256(c.batchIndex), 0);
        assertEq(uint256(c.messageCount), 10);
        assertEq(uint256(c.proposedAt), block.timestamp);
        assertEq(uint256(c.challengeDeadline), block.timestamp + cfg.challengePeriod);
        assertEq(c.claimHash, claims.hashClaim(0, acc, root));
        assertEq(uint256(c.liveStakers), 1);
        assertEq(uint256(c.status), uint256(Types.ClaimStatus.Pending));
        assertEq(uint256(claims.stakerStatus(1, alice)), uint256(Types.StakerStatus.Active));
        assertEq(claims.proposerOf(1), alice);
        assertEq(address(claims).balance, 2 * cfg.proposerBond, "the stake and the deposit");
    }

    function test_propose_wrongBond_reverts() public {
        vm.deal(alice, 10 ether);
        bytes32 acc = inbox.accumulator(0);
        vm.prank(alice);
        // The stake alone is not enough: a proposal also pays the claim's deposit.
        vm.expectRevert(abi.encodeWithSelector(IncorrectBond.selector, cfg.proposerBond, 2 * cfg.proposerBond));
        claims.propose{ value: cfg.proposerBond }(0, acc, bytes32(0));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IncorrectBond.selector, 2 * cfg.proposerBond - 1, 2 * cfg.proposerBond));
        claims.propose{ value: 2 * cfg.proposerBond - 1 }(0, acc, bytes32(0));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IncorrectBond.selector, 2 * cfg.proposerBond + 1, 2 * cfg.proposerBond));
        claims.propose{ value: 2 * cfg.proposerBond + 1 }(0, acc, bytes32(0));
    }

    function test_propose_accumulatorMismatch_reverts() public {
        vm.deal(alice, cfg.proposerBond);
        bytes32 acc = inbox.accumulator(1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(AccumulatorMismatch.selector, acc, inbox.accumulator(0)));
        claims.propose{ value: 2 * cfg.proposerBond }(0, acc, bytes32(0));
    }

    function test_propose_unknownBatch_reverts() public {
        vm.deal(alice, 2 * cfg.proposerBond);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(BatchNotFound.selector, 2));
        claims.propose{ value: 2 * cfg.proposerBond }(2, bytes32(0), bytes32(0));
    }

    // ------------------------------------------------------------------ stake

    function test_stake_addsStaker_succeeds() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        vm.deal(bob, cfg.proposerBond);
        vm.expectEmit(address(claims));
        emit Staked(id, bob);
        bytes32 h = claimHash(id);
        vm.prank(bob);
        claims.stake{ value: cfg.proposerBond }(id, h);
        assertEq(uint256(claims.getClaim(id).liveStakers), 2);
        assertEq(uint256(claims.stakerStatus(id, bob)), uint256(Types.StakerStatus.Active));
    }

    function test_stake_wrongBond_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        vm.deal(bob, 1 ether);
        bytes32 h = claimHash(id);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IncorrectBond.selector, 0, cfg.proposerBond));
        claims.stake(id, h);
    }

    function test_stake_twice_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        vm.deal(alice, cfg.proposerBond);
        bytes32 h = claimHash(id);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(AlreadyStaked.selector, id, alice));
        claims.stake{ value: cfg.proposerBond }(id, h);
    }

    function test_stake_unknownClaim_reverts() public {
        vm.deal(bob, cfg.proposerBond);
        bytes32 h = claimHash(7);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ClaimNotFound.selector, 7));
        claims.stake{ value: cfg.proposerBond }(7, h);
    }

    function test_stake_afterPeriod_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        vm.warp(block.timestamp + cfg.challengePeriod);
        vm.deal(bob, cfg.proposerBond);
        bytes32 h = claimHash(id);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(StakingClosed.selector, id));
        claims.stake{ value: cfg.proposerBond }(id, h);
    }

    function test_stake_deletedClaim_reverts() public {
        uint256 id = propose(alice, 0, keccak256("wrong"));
        uint256 g = challenge(makeAddr("carol"), id, alice);
        vm.warp(block.timestamp + cfg.gameClock + 1);
        timeoutGame(g);
        vm.deal(bob, cfg.proposerBond);
        bytes32 h = claimHash(id);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ClaimNotPending.selector, id));
        claims.stake{ value: cfg.proposerBond }(id, h);
    }

    function test_stake_finalizedClaim_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        _finalizeLater(id);
        vm.deal(bob, cfg.proposerBond);
        bytes32 h = claimHash(id);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ClaimNotPending.selector, id));
        claims.stake{ value: cfg.proposerBond }(id, h);
    }

    // ------------------------------------------------------------------ finalizeClaim

    function test_finalizeClaim_afterPeriod_becomesAnchor_succeeds() public {
        uint256 id = propose(alice, 1, trueRoot(16));
        vm.warp(block.timestamp + cfg.challengePeriod);
        assertTrue(claims.isFinalizable(id));
        vm.expectEmit(address(claims));
        emit ClaimFinalized(id, 16, trueRoot(16), true);
        claims.finalizeClaim(id);
        assertTrue(claims.isFinalized(id));
        assertEq(claims.anchorClaimId(), id);
        (uint256 n, bytes32 root) = claims.anchor();
        assertEq(n, 16);
        assertEq(root, trueRoot(16));
        assertEq(uint256(claims.getClaim(id).finalizedAt), block.timestamp);
    }

    function test_finalizeClaim_smallerOrEqualCount_keepsAnchor_succeeds() public {
        uint256 a = propose(alice, 1, trueRoot(16));
        uint256 b = propose(bob, 0, trueRoot(10));
        uint256 c = propose(makeAddr("carol"), 1, trueRoot(16));
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(a);
        vm.expectEmit(address(claims));
        emit ClaimFinalized(b, 10, trueRoot(10), false);
        claims.finalizeClaim(b);
        claims.finalizeClaim(c); // a tie keeps the earliest finalized
        assertEq(claims.anchorClaimId(), a);
    }

    function test_finalizeClaim_largerCount_replacesAnchor_succeeds() public {
        uint256 b = propose(bob, 0, trueRoot(10));
        uint256 a = propose(alice, 1, trueRoot(16));
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(b);
        assertEq(claims.anchorClaimId(), b);
        claims.finalizeClaim(a);
        assertEq(claims.anchorClaimId(), a);
    }

    function test_finalizeClaim_duringPeriod_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        vm.warp(block.timestamp + cfg.challengePeriod - 1);
        assertFalse(claims.isFinalizable(id));
        vm.expectRevert(abi.encodeWithSelector(ClaimNotFinalizable.selector, id));
        claims.finalizeClaim(id);
    }

    function test_finalizeClaim_gameOpen_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        vm.warp(block.timestamp + cfg.challengePeriod - 1);
        uint256 g = challenge(bob, id, alice);
        vm.warp(block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(ClaimNotFinalizable.selector, id));
        claims.finalizeClaim(id);
        // The game runs to its end; the claim waits, then finalizes.
        {
            bytes32 pos = game.position(g);
            vm.prank(alice);
            game.bisect(g, pos, trueRoot(5));
        }
        vm.warp(block.timestamp + cfg.gameClock + 1);
        timeoutGame(g); // the challenger never answered
        claims.finalizeClaim(id);
        assertTrue(claims.isFinalized(id));
    }

    function test_finalizeClaim_twice_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        _finalizeLater(id);
        vm.expectRevert(abi.encodeWithSelector(ClaimNotPending.selector, id));
        claims.finalizeClaim(id);
    }

    function test_finalizeClaim_unknown_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(ClaimNotFound.selector, 1));
        claims.finalizeClaim(1);
    }

    function test_finalizeClaim_deleted_reverts() public {
        uint256 id = propose(alice, 0, keccak256("wrong"));
        uint256 g = challenge(bob, id, alice);
        vm.warp(block.timestamp + cfg.gameClock + 1);
        timeoutGame(g); // the staker never moved
        assertEq(uint256(claims.getClaim(id).status), uint256(Types.ClaimStatus.Deleted));
        vm.warp(block.timestamp + cfg.challengePeriod);
        vm.expectRevert(abi.encodeWithSelector(ClaimNotPending.selector, id));
        claims.finalizeClaim(id);
    }

    // ------------------------------------------------------------------ withdrawStake

    function test_withdrawStake_afterFinalization_succeeds() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        stakeOn(bob, id);
        _finalizeLater(id);
        uint256 before = alice.balance;
        vm.expectEmit(address(claims));
        emit StakeWithdrawn(id, alice, cfg.proposerBond);
        vm.prank(alice);
        claims.withdrawStake(id);
        assertEq(alice.balance, before + cfg.proposerBond);
        vm.prank(bob);
        claims.withdrawStake(id);
        // The deposit is alice's credit until she withdraws it.
        assertEq(address(claims).balance, cfg.proposerBond);
        assertEq(claims.credit(alice), cfg.proposerBond);
        before = alice.balance;
        vm.prank(alice);
        claims.withdraw();
        assertEq(alice.balance, before + cfg.proposerBond);
        assertEq(address(claims).balance, 0);
        assertEq(uint256(claims.stakerStatus(id, alice)), uint256(Types.StakerStatus.Withdrawn));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(NothingToWithdraw.selector, alice));
        claims.withdraw();
    }

    function test_withdrawStake_twice_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        _finalizeLater(id);
        vm.startPrank(alice);
        claims.withdrawStake(id);
        vm.expectRevert(abi.encodeWithSelector(StakeNotWithdrawable.selector, id, alice));
        claims.withdrawStake(id);
        vm.stopPrank();
    }

    function test_withdrawStake_notFinalized_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(StakeNotWithdrawable.selector, id, alice));
        claims.withdrawStake(id);
    }

    function test_withdrawStake_notStaker_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        _finalizeLater(id);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(StakeNotWithdrawable.selector, id, bob));
        claims.withdrawStake(id);
    }

    function test_withdrawStake_slashedStaker_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        stakeOn(bob, id);
        uint256 g = challenge(makeAddr("carol"), id, alice);
        vm.warp(block.timestamp + cfg.gameClock + 1);
        timeoutGame(g); // alice never moved: slashed
        _finalizeLater(id);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(StakeNotWithdrawable.selector, id, alice));
        claims.withdrawStake(id);
        vm.prank(bob);
        claims.withdrawStake(id);
    }

    function test_withdrawStake_refusingStaker_reverts() public {
        RefusingStaker r = new RefusingStaker();
        uint256 id = propose(address(r), 0, trueRoot(10));
        _finalizeLater(id);
        vm.prank(address(r));
        vm.expectRevert(abi.encodeWithSelector(TransferFailed.selector, address(r), cfg.proposerBond));
        claims.withdrawStake(id);
        assertEq(uint256(claims.stakerStatus(id, address(r))), uint256(Types.StakerStatus.Active));
    }

    // ------------------------------------------------------------------ DisputeGame-only entry points

    function test_openGame_notDisputeGame_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        bytes32 h = claimHash(id);
        vm.expectRevert(NotDisputeGame.selector);
        claims.openGame(1, id, h, alice);
    }

    function test_closeGame_notDisputeGame_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        vm.expectRevert(NotDisputeGame.selector);
        claims.closeGame(1, id, alice, false);
    }

    function test_closeGame_stakerNotInGame_reverts() public {
        uint256 id = propose(alice, 0, trueRoot(10));
        vm.prank(address(game));
        vm.expectRevert(abi.encodeWithSelector(NotActiveStaker.selector, id, alice));
        claims.closeGame(1, id, alice, true);
    }

    /// @notice Finding 3 of issue 18: with the longest challenge period and game clock a config may set
    ///         (90 days), late in uint64 time, a claim's deadline lies in the future (it used to wrap to the
    ///         past when the period was near 2^64): a challenge is accepted and the claim cannot finalize
    ///         in the block it was proposed.
    function test_maxDurations_deadlineInFuture_challengeAccepted() public {
        cfg.challengePeriod = uint64(Constants.MAX_DURATION);
        cfg.gameClock = uint64(Constants.MAX_DURATION);
        vm.warp(2 ** 40);
        deploySet(cfg, IOneStepProver(address(prover)));
        appendBatch(0, 1);
        uint256 id = propose(alice, 0, keccak256("forged"));
        assertEq(uint256(claims.getClaim(id).challengeDeadline), block.timestamp + Constants.MAX_DURATION);
        assertFalse(claims.isFinalizable(id));
        challenge(bob, id, alice);
        vm.warp(block.timestamp + Constants.MAX_DURATION);
        assertFalse(claims.isFinalizable(id), "the game still runs");
    }

    /// @notice §8.1: a claim waits only for conflicting claims proposed before its challenge deadline — one
    ///         proposed a second before blocks it until it ends; one proposed at the deadline does not
    ///         (and never finalizes once the first did).
    function test_conflict_onlyClaimsProposedBeforeDeadlineBlock() public {
        uint256 h = propose(alice, 0, trueRoot(10));
        uint256 deadline = claims.getClaim(h).challengeDeadline;
        vm.warp(deadline - 1);
        uint256 early = propose(bob, 0, keccak256("wrong early"));
        vm.warp(deadline);
        uint256 late = propose(bob, 0, keccak256("wrong late"));
        vm.expectRevert(abi.encodeWithSelector(ClaimConflict.selector, h, 10));
        claims.finalizeClaim(h);
        // The early one is deleted (its staker never answers a game): H is free despite `late`.
        uint256 g = challenge(makeAddr("carol"), early, bob);
        vm.warp(block.timestamp + cfg.gameClock + 1);
        game.timeout(g, game.position(g));
        assertEq(uint256(claims.getClaim(early).status), uint256(Types.ClaimStatus.Deleted));
        assertEq(uint256(claims.getClaim(late).status), uint256(Types.ClaimStatus.Pending));
        assertTrue(claims.isFinalizable(h));
        claims.finalizeClaim(h);
        vm.warp(claims.getClaim(late).challengeDeadline);
        vm.expectRevert(abi.encodeWithSelector(ClaimConflict.selector, late, 10));
        claims.finalizeClaim(late);
    }
}
