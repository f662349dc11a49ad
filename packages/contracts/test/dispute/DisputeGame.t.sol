// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { CommonTest } from "../setup/CommonTest.sol";
import { MockOneStepProver } from "../setup/MockOneStepProver.sol";
import { Constants } from "../../src/libraries/Constants.sol";
import "../../src/libraries/DisputeErrors.sol";
import { RollupConfig } from "../../src/libraries/RollupConfig.sol";
import { Types } from "../../src/libraries/Types.sol";

/// @notice Refuses ETH (a winner that cannot be paid directly still gets its credit).
contract Refuser {
    receive() external payable {
        revert("no");
    }
}

contract DisputeGame_Test is CommonTest {
    event GameOpened(
        uint256 indexed gameId,
        uint256 indexed claimId,
        address indexed staker,
        address challenger,
        uint256 lo,
        uint256 hi,
        bytes32 rootLo,
        bytes32 rootHi,
        bytes32 position
    );
    event Bisected(uint256 indexed gameId, uint256 mid, bytes32 root, bytes32 position);
    event Responded(uint256 indexed gameId, bool agreed, uint256 lo, uint256 hi, bytes32 position);
    event GameVoided(uint256 indexed gameId, uint256 indexed claimId, address indexed challenger, uint256 paid);
    event StepProven(uint256 indexed gameId, uint256 messageIndex, bytes32 postStateRoot);
    event GameResolved(
        uint256 indexed gameId, uint256 indexed claimId, bool stakerWon, address winner, uint256 credited, uint256 burned
    );

    address internal alice; // proposer / staker
    address internal bob; // challenger
    address internal carol; // second staker
    uint256 internal burnOfProposerBond;
    uint256 internal burnOfChallengerBond;
    uint256 internal lastMoves;

    function setUp() public override {
        super.setUp();
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        carol = makeAddr("carol");
        appendBatch(0, 0); // batch 0: 0 messages
        deposit(3);
        appendBatch(3, 97); // batch 1: 100 messages
        appendBatch(3, 1); // batch 2: 101 messages
        burnOfProposerBond = cfg.proposerBond * cfg.bondBurnBps / 10_000;
        burnOfChallengerBond = cfg.challengerBond * cfg.bondBurnBps / 10_000;
    }

    // ------------------------------------------------------------------ players

    /// @dev The staker's root at `_i`: true when honest, otherwise a wrong one.
    function _stakerRoot(bool _honest, uint256 _i, uint256 _seed) internal pure returns (bytes32) {
        if (_honest) return trueRoot(_i);
        // A dishonest staker lies at random points (but never where it does not matter to the test).
        return uint256(keccak256(abi.encode(_seed, _i))) % 2 == 0 ? trueRoot(_i) : keccak256(abi.encode("lie", _i));
    }

    /// @dev Plays game `_gameId` to its end. An honest side follows the true history; a dishonest one
    ///      posts random roots (staker) or agrees at random (challenger). Each move waits `_delay` seconds.
    function _play(uint256 _gameId, bool _stakerHonest, bool _challengerHonest, uint256 _seed, uint256 _delay)
        internal
        returns (bool stakerWon_)
    {
        uint256 moves;
        while (true) {
            Types.Game memory g = game.getGame(_gameId);
            if (g.status != Types.GameStatus.Open) break;
            vm.warp(block.timestamp + _delay);
            if (g.turn == Types.Turn.Staker) {
                uint256 mid = game.midpoint(_gameId);
                {
                    bytes32 pos = game.position(_gameId);
                    vm.prank(g.staker);
                    game.bisect(_gameId, pos, _stakerRoot(_stakerHonest, mid, _seed));
                }
            } else if (g.hi - g.lo > 1) {
                uint256 mid = game.midpoint(_gameId);
                bool agree = _challengerHonest
                    ? g.midRoot == trueRoot(mid)
                    : uint256(keccak256(abi.encode(_seed, "c", moves))) % 2 == 0;
                respondAs(g.challenger, _gameId, agree);
            } else {
                {
                    bytes32 pos = game.position(_gameId);
                    vm.prank(g.challenger);
                    game.proveStep(_gameId, pos, "");
                }
            }
            ++moves;
            assertLt(moves, 200, "game does not end");
        }
        lastMoves = moves;
        stakerWon_ = game.getGame(_gameId).status == Types.GameStatus.StakerWon;
    }

    // ------------------------------------------------------------------ constructor

    function test_constructor_storesConfig_succeeds() public view {
        assertEq(game.configHash(), RollupConfig.hash(cfg));
        assertEq(game.challengerBond(), cfg.challengerBond);
        assertEq(game.proposerBond(), cfg.proposerBond);
        assertEq(game.gameClock(), cfg.gameClock);
        assertEq(game.bondBurnBps(), cfg.bondBurnBps);
        assertEq(address(game.claimManager()), address(claims));
        assertEq(address(game.oneStepProver()), address(prover));
    }

    function test_receive_notClaimManager_reverts() public {
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        vm.expectRevert(NotClaimManager.selector);
        (bool ok,) = address(game).call{ value: 1 ether }("");
        ok;
    }

    // ------------------------------------------------------------------ challenge

    function test_challenge_opensGame_succeeds() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        vm.deal(bob, cfg.challengerBond);
        bytes32 h = claimHash(id);
        bytes32 pos =
            positionOf(id, alice, bob, 0, 100, cfg.genesisStateRoot, trueRoot(100), bytes32(0), Types.Turn.Staker);
        vm.expectEmit(address(game));
        emit GameOpened(1, id, alice, bob, 0, 100, cfg.genesisStateRoot, trueRoot(100), pos);
        vm.prank(bob);
        uint256 g = game.challenge{ value: cfg.challengerBond }(id, h, alice);
        assertEq(g, 1);
        assertEq(game.gameCount(), 1);
        Types.Game memory s = game.getGame(g);
        assertEq(uint256(s.lo), 0);
        assertEq(uint256(s.hi), 100);
        assertEq(s.staker, alice);
        assertEq(s.challenger, bob);
        assertEq(uint256(s.claimId), id);
        assertEq(uint256(s.turn), uint256(Types.Turn.Staker));
        assertEq(uint256(s.status), uint256(Types.GameStatus.Open));
        assertEq(uint256(s.stakerClock), cfg.gameClock);
        assertEq(uint256(s.challengerClock), cfg.gameClock);
        assertEq(game.midpoint(g), 50);
        assertEq(game.position(g), pos);
        assertEq(uint256(claims.stakerStatus(id, alice)), uint256(Types.StakerStatus.Active));
        assertEq(claims.openGamesAgainst(id, alice), 1);
        assertEq(uint256(claims.getClaim(id).openGames), 1);
        assertEq(address(game).balance, cfg.challengerBond);
    }

    function test_challenge_startsAtAnchor_succeeds() public {
        uint256 first = propose(carol, 1, trueRoot(100));
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(first);
        uint256 id = propose(alice, 2, keccak256("wrong"));
        uint256 g = challenge(bob, id, alice);
        Types.Game memory s = game.getGame(g);
        assertEq(uint256(s.lo), 100);
        assertEq(uint256(s.hi), 101);
        assertEq(s.rootLo, trueRoot(100));
        // One message: the challenger proves at once.
        assertEq(uint256(s.turn), uint256(Types.Turn.Challenger));
        {
            bytes32 pos = game.position(g);
            vm.prank(bob);
            game.proveStep(g, pos, "");
        }
        assertEq(uint256(game.getGame(g).status), uint256(Types.GameStatus.ChallengerWon));
    }

    function test_challenge_anchorAboveClaim_startsAtGenesis_succeeds() public {
        uint256 high = propose(carol, 2, trueRoot(101));
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(high);
        uint256 id = propose(alice, 1, keccak256("wrong"));
        uint256 g = challenge(bob, id, alice);
        assertEq(uint256(game.getGame(g).lo), 0);
        assertEq(game.getGame(g).rootLo, cfg.genesisStateRoot);
        assertFalse(_play(g, false, true, 1, 60));
    }

    function test_challenge_wrongBond_reverts() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        vm.deal(bob, 1 ether);
        bytes32 h = claimHash(id);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IncorrectBond.selector, 1, cfg.challengerBond));
        game.challenge{ value: 1 }(id, h, alice);
    }

    function test_challenge_unknownClaim_reverts() public {
        vm.deal(bob, cfg.challengerBond);
        bytes32 h = claimHash(9);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ClaimNotFound.selector, 9));
        game.challenge{ value: cfg.challengerBond }(9, h, alice);
    }

    function test_challenge_afterPeriod_reverts() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        vm.warp(block.timestamp + cfg.challengePeriod);
        vm.deal(bob, cfg.challengerBond);
        bytes32 h = claimHash(id);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ChallengePeriodOver.selector, id));
        game.challenge{ value: cfg.challengerBond }(id, h, alice);
    }

    /// @notice A staker in a game can be challenged again, by anyone, in a game of its own (§8.2).
    function test_challenge_stakerAlreadyInGame_opensAnotherGame_succeeds() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g1 = challenge(bob, id, alice);
        uint256 g2 = challenge(carol, id, alice);
        uint256 g3 = challenge(bob, id, alice);
        assertEq(g2, g1 + 1);
        assertEq(g3, g2 + 1);
        assertEq(claims.openGamesAgainst(id, alice), 3);
        assertEq(uint256(claims.getClaim(id).openGames), 3);
        // Each game has its own clocks: moving in one does not touch another.
        vm.warp(block.timestamp + 100);
        bisectAs(alice, g2, trueRoot(50));
        assertEq(uint256(game.getGame(g2).stakerClock), cfg.gameClock - 100);
        assertEq(uint256(game.getGame(g1).turn), uint256(Types.Turn.Staker));
        assertEq(game.clockLeft(g1), cfg.gameClock - 100);
    }

    function test_challenge_notStaker_reverts() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        vm.deal(bob, cfg.challengerBond);
        bytes32 h = claimHash(id);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(NotActiveStaker.selector, id, carol));
        game.challenge{ value: cfg.challengerBond }(id, h, carol);
    }

    function test_challenge_deletedClaim_reverts() public {
        uint256 id = propose(alice, 0, keccak256("wrong"));
        challenge(bob, id, alice); // zero-length range: decided at once, claim deleted
        vm.deal(carol, cfg.challengerBond);
        bytes32 h = claimHash(id);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(ClaimNotPending.selector, id));
        game.challenge{ value: cfg.challengerBond }(id, h, alice);
    }

    function test_challenge_finalizedClaim_reverts() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(id);
        vm.deal(bob, cfg.challengerBond);
        bytes32 h = claimHash(id);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ClaimNotPending.selector, id));
        game.challenge{ value: cfg.challengerBond }(id, h, alice);
    }

    // ------------------------------------------------------------------ zero-length range

    function test_challenge_zeroLength_correctRoot_stakerWins_succeeds() public {
        uint256 id = propose(alice, 0, cfg.genesisStateRoot); // n = 0 = a
        uint256 g = challenge(bob, id, alice);
        assertEq(uint256(game.getGame(g).status), uint256(Types.GameStatus.StakerWon));
        assertEq(game.credit(alice), cfg.challengerBond - burnOfChallengerBond);
        assertEq(uint256(claims.stakerStatus(id, alice)), uint256(Types.StakerStatus.Active));
        assertEq(uint256(claims.getClaim(id).openGames), 0);
        assertEq(Constants.BURN_ADDRESS.balance, burnOfChallengerBond);
    }

    function test_challenge_zeroLength_wrongRoot_challengerWins_succeeds() public {
        uint256 id = propose(alice, 0, keccak256("wrong"));
        uint256 g = challenge(bob, id, alice);
        assertEq(uint256(game.getGame(g).status), uint256(Types.GameStatus.ChallengerWon));
        assertEq(game.credit(bob), cfg.challengerBond + cfg.proposerBond - burnOfProposerBond);
        assertEq(uint256(claims.getClaim(id).status), uint256(Types.ClaimStatus.Deleted));
        // The burned share of the stake, and the deleted claim's whole deposit.
        assertEq(Constants.BURN_ADDRESS.balance, burnOfProposerBond + cfg.proposerBond);
    }

    // ------------------------------------------------------------------ bisect / agree / disagree

    function test_bisect_postsMidRoot_succeeds() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        vm.warp(block.timestamp + 100);
        bytes32 next =
            positionOf(id, alice, bob, 0, 100, cfg.genesisStateRoot, trueRoot(100), trueRoot(50), Types.Turn.Challenger);
        {
            bytes32 pos = game.position(g);
            vm.expectEmit(address(game));
            emit Bisected(g, 50, trueRoot(50), next);
            vm.prank(alice);
            game.bisect(g, pos, trueRoot(50));
        }
        Types.Game memory s = game.getGame(g);
        assertEq(s.midRoot, trueRoot(50));
        assertEq(uint256(s.turn), uint256(Types.Turn.Challenger));
        assertEq(uint256(s.stakerClock), cfg.gameClock - 100);
        assertEq(uint256(s.lastMoveAt), block.timestamp);
        assertEq(game.clockLeft(g), cfg.gameClock);
    }

    function test_bisect_notStaker_reverts() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        {
            bytes32 pos = game.position(g);
            vm.prank(bob);
            vm.expectRevert(abi.encodeWithSelector(NotYourTurn.selector, g));
            game.bisect(g, pos, bytes32(0));
        }
    }

    function test_bisect_notStakersTurn_reverts() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        {
            bytes32 pos = game.position(g);
            vm.prank(alice);
            game.bisect(g, pos, trueRoot(50));
        }
        {
            bytes32 pos = game.position(g);
            vm.prank(alice);
            vm.expectRevert(abi.encodeWithSelector(NotYourTurn.selector, g));
            game.bisect(g, pos, trueRoot(50));
        }
    }

    function test_bisect_clockExpired_reverts() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        vm.warp(block.timestamp + cfg.gameClock + 1);
        {
            bytes32 pos = game.position(g);
            vm.prank(alice);
            vm.expectRevert(abi.encodeWithSelector(ClockExpired.selector, g));
            game.bisect(g, pos, trueRoot(50));
        }
    }

    function test_bisect_exactlyAtClockEnd_succeeds() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        vm.warp(block.timestamp + cfg.gameClock);
        {
            bytes32 pos = game.position(g);
            vm.prank(alice);
            game.bisect(g, pos, trueRoot(50));
        }
        assertEq(uint256(game.getGame(g).stakerClock), 0);
    }

    function test_bisect_gameNotOpen_reverts() public {
        {
            bytes32 pos = game.position(5);
            vm.prank(alice);
            vm.expectRevert(abi.encodeWithSelector(GameNotOpen.selector, 5));
            game.bisect(5, pos, bytes32(0));
        }
    }

    function test_agree_movesLowerBound_succeeds() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        {
            bytes32 pos = game.position(g);
            vm.prank(alice);
            game.bisect(g, pos, trueRoot(50));
        }
        vm.warp(block.timestamp + 7);
        {
            bytes32 pos = game.position(g);
            vm.expectEmit(address(game));
            emit Responded(
                g,
                true,
                50,
                100,
                positionOf(id, alice, bob, 50, 100, trueRoot(50), trueRoot(100), trueRoot(50), Types.Turn.Staker)
            );
            vm.prank(bob);
            game.agree(g, pos);
        }
        Types.Game memory s = game.getGame(g);
        assertEq(uint256(s.lo), 50);
        assertEq(s.rootLo, trueRoot(50));
        assertEq(s.rootHi, trueRoot(100));
        assertEq(uint256(s.turn), uint256(Types.Turn.Staker));
        assertEq(uint256(s.challengerClock), cfg.gameClock - 7);
    }

    function test_disagree_movesUpperBound_succeeds() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        {
            bytes32 pos = game.position(g);
            vm.prank(alice);
            game.bisect(g, pos, keccak256("lie"));
        }
        {
            bytes32 pos = game.position(g);
            vm.expectEmit(address(game));
            emit Responded(
                g,
                false,
                0,
                50,
                positionOf(
                    id, alice, bob, 0, 50, cfg.genesisStateRoot, keccak256("lie"), keccak256("lie"), Types.Turn.Staker
                )
            );
            vm.prank(bob);
            game.disagree(g, pos);
        }
        Types.Game memory s = game.getGame(g);
        assertEq(uint256(s.hi), 50);
        assertEq(s.rootHi, keccak256("lie"));
        assertEq(s.rootLo, cfg.genesisStateRoot);
    }

    function test_agree_notChallenger_reverts() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        {
            bytes32 pos = game.position(g);
            vm.prank(alice);
            game.bisect(g, pos, trueRoot(50));
        }
        {
            bytes32 pos = game.position(g);
            vm.prank(alice);
            vm.expectRevert(abi.encodeWithSelector(NotYourTurn.selector, g));
            game.agree(g, pos);
        }
    }

    function test_disagree_beforeBisect_reverts() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        {
            bytes32 pos = game.position(g);
            vm.prank(bob);
            vm.expectRevert(abi.encodeWithSelector(NotYourTurn.selector, g));
            game.disagree(g, pos);
        }
    }

    function test_agree_atOneMessage_reverts() public {
        uint256 id = propose(alice, 2, keccak256("wrong"));
        uint256 first = propose(carol, 1, trueRoot(100));
        vm.warp(block.timestamp + cfg.challengePeriod - 1);
        uint256 g = challenge(bob, id, alice);
        vm.warp(block.timestamp + 1);
        claims.finalizeClaim(first);
        // The game was opened before `first` finalized: its range is [0, 101].
        assertEq(uint256(game.getGame(g).lo), 0);
        // Drive it down to one message, then try to agree instead of proving.
        while (game.getGame(g).hi - game.getGame(g).lo > 1) {
            if (game.getGame(g).turn == Types.Turn.Staker) {
                bytes32 midRoot = trueRoot(game.midpoint(g));
                {
                    bytes32 pos = game.position(g);
                    vm.prank(alice);
                    game.bisect(g, pos, midRoot);
                }
            } else {
                {
                    bytes32 pos = game.position(g);
                    vm.prank(bob);
                    game.agree(g, pos);
                }
            }
        }
        {
            bytes32 pos = game.position(g);
            vm.prank(bob);
            vm.expectRevert(abi.encodeWithSelector(WrongMove.selector, g));
            game.agree(g, pos);
        }
        {
            bytes32 pos = game.position(g);
            vm.prank(bob);
            vm.expectRevert(abi.encodeWithSelector(WrongMove.selector, g));
            game.disagree(g, pos);
        }
    }

    function test_agree_clockExpired_reverts() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        {
            bytes32 pos = game.position(g);
            vm.prank(alice);
            game.bisect(g, pos, trueRoot(50));
        }
        vm.warp(block.timestamp + cfg.gameClock + 1);
        {
            bytes32 pos = game.position(g);
            vm.prank(bob);
            vm.expectRevert(abi.encodeWithSelector(ClockExpired.selector, g));
            game.agree(g, pos);
        }
    }

    // ------------------------------------------------------------------ proveStep

    function test_proveStep_wrongPost_challengerWins_succeeds() public {
        uint256 id = propose(alice, 1, keccak256("wrong"));
        uint256 g = challenge(bob, id, alice);
        assertFalse(_play(g, false, true, 42, 1));
        Types.Game memory s = game.getGame(g);
        assertEq(uint256(s.hi - s.lo), 1);
        assertEq(uint256(claims.getClaim(id).status), uint256(Types.ClaimStatus.Deleted));
    }

    function test_proveStep_beforeOneMessage_reverts() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        {
            bytes32 pos = game.position(g);
            vm.prank(alice);
            game.bisect(g, pos, trueRoot(50));
        }
        {
            bytes32 pos = game.position(g);
            vm.prank(bob);
            vm.expectRevert(abi.encodeWithSelector(WrongMove.selector, g));
            game.proveStep(g, pos, "");
        }
    }

    function test_proveStep_notChallenger_reverts() public {
        uint256 id = propose(alice, 2, keccak256("wrong"));
        uint256 first = propose(carol, 1, trueRoot(100));
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(first);
        // Claim `id` is past its period; use a new one at batch 2.
        uint256 id2 = propose(alice, 2, keccak256("wrong2"));
        id;
        uint256 g = challenge(bob, id2, alice);
        {
            bytes32 pos = game.position(g);
            vm.prank(alice);
            vm.expectRevert(abi.encodeWithSelector(NotYourTurn.selector, g));
            game.proveStep(g, pos, "");
        }
    }

    function test_proveStep_rejectedProof_keepsGameOpen_reverts() public {
        uint256 first = propose(carol, 1, trueRoot(100));
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(first);
        uint256 id = propose(alice, 2, keccak256("wrong"));
        uint256 g = challenge(bob, id, alice);
        {
            bytes32 pos = game.position(g);
            vm.prank(bob);
            vm.expectRevert(MockOneStepProver.MockProofRejected.selector);
            game.proveStep(g, pos, hex"ff");
        }
        assertEq(uint256(game.getGame(g).status), uint256(Types.GameStatus.Open));
        {
            bytes32 pos = game.position(g);
            vm.expectEmit(address(game));
            emit StepProven(g, 100, trueRoot(101));
            vm.prank(bob);
            game.proveStep(g, pos, hex"00");
        }
        assertEq(uint256(game.getGame(g).status), uint256(Types.GameStatus.ChallengerWon));
    }

    function test_proveStep_matchingPost_stakerWins_succeeds() public {
        uint256 first = propose(carol, 1, trueRoot(100));
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(first);
        uint256 id = propose(alice, 2, trueRoot(101));
        uint256 g = challenge(bob, id, alice);
        {
            bytes32 pos = game.position(g);
            vm.prank(bob);
            game.proveStep(g, pos, "");
        }
        assertEq(uint256(game.getGame(g).status), uint256(Types.GameStatus.StakerWon));
        assertEq(game.credit(alice), cfg.challengerBond - burnOfChallengerBond);
    }

    // ------------------------------------------------------------------ timeout

    function test_timeout_staker_challengerWins_succeeds() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        vm.warp(block.timestamp + cfg.gameClock + 1);
        assertEq(game.clockLeft(g), 0);
        {
            bytes32 pos = game.position(g);
            vm.expectEmit(address(game));
            emit GameResolved(g, id, false, bob, cfg.challengerBond + cfg.proposerBond - burnOfProposerBond, burnOfProposerBond);
            vm.prank(makeAddr("anyone"));
            game.timeout(g, pos);
        }
        assertEq(uint256(claims.getClaim(id).status), uint256(Types.ClaimStatus.Deleted));
        assertEq(uint256(claims.stakerStatus(id, alice)), uint256(Types.StakerStatus.Slashed));
    }

    function test_timeout_challenger_stakerWins_succeeds() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        vm.warp(block.timestamp + 1000);
        {
            bytes32 pos = game.position(g);
            vm.prank(alice);
            game.bisect(g, pos, trueRoot(50));
        }
        vm.warp(block.timestamp + cfg.gameClock + 1);
        timeoutGame(g);
        assertEq(uint256(game.getGame(g).status), uint256(Types.GameStatus.StakerWon));
        assertEq(game.credit(alice), cfg.challengerBond - burnOfChallengerBond);
        assertEq(uint256(claims.stakerStatus(id, alice)), uint256(Types.StakerStatus.Active));
    }

    function test_timeout_challengerAtProofStep_stakerWins_succeeds() public {
        uint256 first = propose(carol, 1, trueRoot(100));
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(first);
        uint256 id = propose(alice, 2, trueRoot(101));
        uint256 g = challenge(bob, id, alice);
        vm.warp(block.timestamp + cfg.gameClock + 1);
        timeoutGame(g);
        assertEq(uint256(game.getGame(g).status), uint256(Types.GameStatus.StakerWon));
    }

    function test_timeout_clockNotExpired_reverts() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        vm.warp(block.timestamp + cfg.gameClock);
        {
            bytes32 pos = game.position(g);
            vm.expectRevert(abi.encodeWithSelector(ClockNotExpired.selector, g));
            game.timeout(g, pos);
        }
    }

    function test_timeout_clocksAreCumulative_succeeds() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        // The staker spends 60% of its clock on its first move, then 41% on its second.
        vm.warp(block.timestamp + cfg.gameClock * 6 / 10);
        {
            bytes32 pos = game.position(g);
            vm.prank(alice);
            game.bisect(g, pos, trueRoot(50));
        }
        {
            bytes32 pos = game.position(g);
            vm.prank(bob);
            game.agree(g, pos);
        }
        vm.warp(block.timestamp + cfg.gameClock * 41 / 100);
        {
            bytes32 pos = game.position(g);
            vm.prank(alice);
            vm.expectRevert(abi.encodeWithSelector(ClockExpired.selector, g));
            game.bisect(g, pos, trueRoot(75));
        }
        timeoutGame(g);
        assertEq(uint256(game.getGame(g).status), uint256(Types.GameStatus.ChallengerWon));
    }

    function test_timeout_finishedGame_reverts() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        uint256 g = challenge(bob, id, alice);
        vm.warp(block.timestamp + cfg.gameClock + 1);
        timeoutGame(g);
        {
            bytes32 pos = game.position(g);
            vm.expectRevert(abi.encodeWithSelector(GameNotOpen.selector, g));
            game.timeout(g, pos);
        }
    }

    // ------------------------------------------------------------------ withdraw

    function test_withdraw_paysCredit_succeeds() public {
        uint256 id = propose(alice, 1, keccak256("wrong"));
        uint256 g = challenge(bob, id, alice);
        vm.warp(block.timestamp + cfg.gameClock + 1);
        timeoutGame(g);
        uint256 owed = cfg.challengerBond + cfg.proposerBond - burnOfProposerBond;
        uint256 before = bob.balance;
        vm.prank(bob);
        game.withdraw();
        assertEq(bob.balance, before + owed);
        assertEq(game.credit(bob), 0);
        assertEq(address(game).balance, 0);
    }

    function test_withdraw_nothing_reverts() public {
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(NothingToWithdraw.selector, bob));
        game.withdraw();
    }

    function test_withdraw_refusingRecipient_reverts() public {
        Refuser r = new Refuser();
        uint256 id = propose(alice, 1, keccak256("wrong"));
        uint256 g = challenge(address(r), id, alice);
        vm.warp(block.timestamp + cfg.gameClock + 1);
        timeoutGame(g); // resolution does not depend on the winner accepting ETH
        vm.prank(address(r));
        vm.expectRevert();
        game.withdraw();
        assertGt(game.credit(address(r)), 0);
    }

    // ------------------------------------------------------------------ adversarial games

    /// @notice A wrong claim loses to an honest challenger, whatever the staker posts.
    function testFuzz_game_wrongClaim_honestChallengerWins_succeeds(uint256 _seed, uint8 _batch) public {
        uint256 b = bound(_batch, 1, 2);
        uint256 n = inbox.messageCount(b);
        uint256 id = propose(alice, b, keccak256(abi.encode("wrong", _seed)));
        uint256 g = challenge(bob, id, alice);
        assertFalse(_play(g, false, true, _seed, 30));
        assertEq(uint256(claims.getClaim(id).status), uint256(Types.ClaimStatus.Deleted));
        assertEq(game.credit(bob), cfg.challengerBond + cfg.proposerBond - burnOfProposerBond);
        assertEq(Constants.BURN_ADDRESS.balance, burnOfProposerBond + cfg.proposerBond);
        n;
    }

    /// @notice A wrong claim whose staker posts only true midpoint roots still loses at the last message.
    function test_game_wrongClaimTrueMidpoints_honestChallengerWins_succeeds() public {
        uint256 id = propose(alice, 1, keccak256("wrong"));
        uint256 g = challenge(bob, id, alice);
        assertFalse(_play(g, true, true, 0, 30)); // "honest" midpoints, wrong final root
        Types.Game memory s = game.getGame(g);
        assertEq(uint256(s.lo), 99);
        assertEq(uint256(s.hi), 100);
    }

    /// @notice An honest staker beats a dishonest challenger, whatever the challenger picks.
    function testFuzz_game_honestStaker_beatsDishonestChallenger_succeeds(uint256 _seed, uint8 _batch) public {
        uint256 b = bound(_batch, 1, 2);
        uint256 id = propose(alice, b, trueRoot(inbox.messageCount(b)));
        uint256 g = challenge(bob, id, alice);
        assertTrue(_play(g, true, false, _seed, 30));
        assertEq(game.credit(alice), cfg.challengerBond - burnOfChallengerBond);
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(id);
        vm.prank(alice);
        claims.withdrawStake(id);
    }

    /// @notice A proposer that throws its own game loses its bond, but the claim a second, honest
    ///         staker defends survives and finalizes.
    function test_game_proposerThrowsOwnGame_claimSurvives_succeeds() public {
        uint256 id = propose(alice, 1, trueRoot(100));
        stakeOn(carol, id);
        // Alice colludes with bob: bob challenges alice, alice lies at the first midpoint.
        uint256 g1 = challenge(bob, id, alice);
        {
            bytes32 pos = game.position(g1);
            vm.prank(alice);
            game.bisect(g1, pos, keccak256("thrown"));
        }
        assertFalse(_play(g1, false, true, 3, 10));
        assertEq(uint256(claims.stakerStatus(id, alice)), uint256(Types.StakerStatus.Slashed));
        assertEq(uint256(claims.getClaim(id).status), uint256(Types.ClaimStatus.Pending));
        assertEq(uint256(claims.getClaim(id).liveStakers), 1);
        // Bob then goes after carol, who defends honestly.
        uint256 g2 = challenge(bob, id, carol);
        assertTrue(_play(g2, true, false, 9, 10));
        // Even alice throwing again as a challenger cannot hurt carol.
        uint256 g3 = challenge(alice, id, carol);
        assertTrue(_play(g3, true, false, 11, 10));
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(id);
        assertTrue(claims.isFinalized(id));
        vm.prank(carol);
        claims.withdrawStake(id);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(StakeNotWithdrawable.selector, id, alice));
        claims.withdrawStake(id);
        // The throw cost the colluders: alice's bond less bob's winnings, i.e. the burned share.
        assertEq(Constants.BURN_ADDRESS.balance, burnOfProposerBond + 2 * burnOfChallengerBond);
    }

    /// @notice Conservation: all ETH put into bonds ends up withdrawn, credited or burned.
    function testFuzz_game_bondsConserved_succeeds(uint256 _seed, bool _stakerHonest, bool _challengerHonest) public {
        bytes32 root = _stakerHonest ? trueRoot(100) : keccak256(abi.encode(_seed));
        uint256 id = propose(alice, 1, root);
        uint256 g = challenge(bob, id, alice);
        bool stakerWon = _play(g, _stakerHonest, _challengerHonest, _seed, 5);
        if (_stakerHonest && !_challengerHonest) assertTrue(stakerWon);
        if (!_stakerHonest && _challengerHonest) assertFalse(stakerWon);
        uint256 total = 2 * cfg.proposerBond + cfg.challengerBond; // stake, deposit, challenger bond
        assertEq(
            address(claims).balance + address(game).balance + Constants.BURN_ADDRESS.balance,
            total,
            "bonds conserved"
        );
        assertEq(address(game).balance, game.credit(alice) + game.credit(bob));
    }

    /// @notice A game over a full batch (~1,600 messages) ends in 2 * ceil(log2(n)) + 1 moves or fewer.
    function test_game_longRange_endsInLogarithmicMoves_succeeds() public {
        bytes memory batch = makeBatch(1, 3, 1_300, 89_000);
        vm.prank(sequencer, sequencer);
        inbox.appendBatch(batch, 3);
        uint256 n = inbox.messageCount(3);
        assertEq(n, 101 + 1_300);
        uint256 id = propose(alice, 3, keccak256("wrong"));
        uint256 g = challenge(bob, id, alice);
        assertFalse(_play(g, false, true, 5, 1));
        // ceil(log2(1401)) = 11 bisections and 11 answers, then one proof.
        assertLe(lastMoves, 2 * 11 + 1);
        assertGe(lastMoves, 2 * 10 + 1);
    }
}
