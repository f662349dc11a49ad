// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Vm } from "../base/Test.sol";
import { CommonTest } from "../setup/CommonTest.sol";
import { ClaimManager } from "../../src/dispute/ClaimManager.sol";
import { DisputeGame } from "../../src/dispute/DisputeGame.sol";
import { SequencerInbox } from "../../src/L1/SequencerInbox.sol";
import { Types } from "../../src/libraries/Types.sol";

/// @notice Actor: one honest party and three dishonest ones propose, stake, challenge and play games
///         against each other while time passes. The honest party follows the true history of the mock
///         prover, challenges every staker of every wrong claim in time, and always answers before its
///         clock runs out; the dishonest ones do anything, including nothing.
contract ClaimActor {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    ClaimManager public claims;
    DisputeGame public game;
    SequencerInbox public inbox;
    address public honest;
    address[3] public liars;
    uint256 public proposerBond;
    uint256 public challengerBond;
    uint256 public gameClock;

    mapping(uint256 claimId => address[]) internal _stakers;
    uint256[] public honestClaims;
    mapping(uint256 claimId => bool) public honestStakes;
    mapping(uint256 gameId => bool) internal _done;

    constructor(ClaimManager _claims, DisputeGame _game, SequencerInbox _inbox, address _honest, address[3] memory _liars) {
        claims = _claims;
        game = _game;
        inbox = _inbox;
        honest = _honest;
        liars = _liars;
        proposerBond = _claims.proposerBond();
        challengerBond = _game.challengerBond();
        gameClock = _game.gameClock();
    }

    function trueRoot(uint256 _i) public pure returns (bytes32) {
        return keccak256(abi.encode("sluice.mock.root", _i));
    }

    function honestClaimCount() external view returns (uint256) {
        return honestClaims.length;
    }

    // ------------------------------------------------------------------ actions

    function proposeHonest(uint256 _batch) external {
        uint256 b = _batch % inbox.batchCount();
        uint256 id = _propose(honest, b, trueRoot(inbox.messageCount(b)));
        honestClaims.push(id);
        honestStakes[id] = true;
        _driveHonest();
    }

    function proposeLiar(uint256 _batch, uint256 _who, bool _trueRoot, uint256 _salt) external {
        uint256 b = _batch % inbox.batchCount();
        bytes32 root = _trueRoot ? trueRoot(inbox.messageCount(b)) : keccak256(abi.encode(_salt));
        _propose(liars[_who % 3], b, root);
        _driveHonest();
    }

    function stakeHonest(uint256 _claim) external {
        uint256 count = claims.claimCount();
        if (count == 0) return;
        uint256 id = 1 + _claim % count;
        Types.Claim memory c = claims.getClaim(id);
        if (c.stateRoot != trueRoot(c.messageCount) || honestStakes[id]) return;
        if (_stake(honest, id)) {
            honestClaims.push(id);
            honestStakes[id] = true;
        }
        _driveHonest();
    }

    function stakeLiar(uint256 _claim, uint256 _who) external {
        uint256 count = claims.claimCount();
        if (count == 0) return;
        _stake(liars[_who % 3], 1 + _claim % count);
        _driveHonest();
    }

    /// @dev A liar challenges any staker of any claim (the honest one included).
    function liarChallenges(uint256 _claim, uint256 _staker, uint256 _who) external {
        uint256 count = claims.claimCount();
        if (count == 0) return;
        uint256 id = 1 + _claim % count;
        address[] storage stakers = _stakers[id];
        if (stakers.length == 0) return;
        _challenge(liars[_who % 3], id, stakers[_staker % stakers.length]);
        _driveHonest();
    }

    /// @dev The liar to move in game `_game` makes an arbitrary move.
    function liarMoves(uint256 _game, uint256 _choice, bytes32 _root) external {
        uint256 count = game.gameCount();
        if (count == 0) return;
        uint256 id = 1 + _game % count;
        Types.Game memory g = game.getGame(id);
        if (g.status != Types.GameStatus.Open) return;
        address mover = g.turn == Types.Turn.Staker ? g.staker : g.challenger;
        if (mover == honest) return;
        bytes32 midRoot = _choice % 2 == 0 ? _root : trueRoot(game.midpoint(id));
        vm.prank(mover);
        if (g.turn == Types.Turn.Staker) {
            try game.bisect(id, midRoot) { } catch { }
        } else if (g.hi - g.lo > 1) {
            if (_choice % 2 == 0) {
                try game.agree(id) { } catch { }
            } else {
                try game.disagree(id) { } catch { }
            }
        } else {
            try game.proveStep(id, "") { } catch { }
        }
        _driveHonest();
    }

    /// @dev Time passes (less than half a clock at once); honest parties move first, as they would.
    function warp(uint256 _seconds) external {
        _driveHonest();
        vm.warp(block.timestamp + _seconds % (gameClock / 2));
        _driveHonest();
    }

    function timeout(uint256 _game) external {
        uint256 count = game.gameCount();
        if (count == 0) return;
        try game.timeout(1 + _game % count) { } catch { }
        _driveHonest();
    }

    function finalize(uint256 _claim) external {
        uint256 count = claims.claimCount();
        if (count == 0) return;
        try claims.finalizeClaim(1 + _claim % count) { } catch { }
        _driveHonest();
    }

    // ------------------------------------------------------------------ the honest party

    function _driveHonest() internal {
        // Challenge every free staker of every wrong pending claim within its period.
        uint256 count = claims.claimCount();
        for (uint256 id = 1; id <= count; ++id) {
            Types.Claim memory c = claims.getClaim(id);
            if (c.status != Types.ClaimStatus.Pending || c.stateRoot == trueRoot(c.messageCount)) continue;
            address[] storage stakers = _stakers[id];
            for (uint256 i; i < stakers.length; ++i) {
                if (claims.stakerStatus(id, stakers[i]) == Types.StakerStatus.Active) {
                    _challenge(honest, id, stakers[i]);
                }
            }
        }
        // Make every honest move that is due.
        uint256 games = game.gameCount();
        for (uint256 id = 1; id <= games; ++id) {
            if (_done[id]) continue;
            Types.Game memory g = game.getGame(id);
            if (g.status != Types.GameStatus.Open) {
                _done[id] = true;
                continue;
            }
            if (g.turn == Types.Turn.Staker && g.staker == honest) {
                bytes32 root = trueRoot(game.midpoint(id));
                vm.prank(honest);
                game.bisect(id, root);
            } else if (g.turn == Types.Turn.Challenger && g.challenger == honest) {
                bool agree = g.hi - g.lo > 1 && g.midRoot == trueRoot(game.midpoint(id));
                vm.prank(honest);
                if (g.hi - g.lo == 1) game.proveStep(id, "");
                else if (agree) game.agree(id);
                else game.disagree(id);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    function _propose(address _who, uint256 _batch, bytes32 _root) internal returns (uint256 id_) {
        vm.deal(_who, _who.balance + proposerBond);
        bytes32 acc = inbox.accumulator(_batch);
        vm.prank(_who);
        id_ = claims.propose{ value: proposerBond }(_batch, acc, _root);
        _stakers[id_].push(_who);
    }

    function _stake(address _who, uint256 _id) internal returns (bool ok_) {
        vm.deal(_who, _who.balance + proposerBond);
        vm.prank(_who);
        try claims.stake{ value: proposerBond }(_id) {
            _stakers[_id].push(_who);
            ok_ = true;
        } catch { }
    }

    function _challenge(address _who, uint256 _id, address _staker) internal {
        vm.deal(_who, _who.balance + challengerBond);
        vm.prank(_who);
        try game.challenge{ value: challengerBond }(_id, _staker) { } catch { }
    }
}

contract ClaimManager_Invariant is CommonTest {
    ClaimActor internal actor;
    address internal honest;

    function setUp() public override {
        super.setUp();
        honest = makeAddr("honest");
        deposit(3);
        appendBatch(1, 5); // 6 messages
        appendBatch(3, 20); // 28 messages
        appendBatch(3, 0); // 28 messages
        appendBatch(3, 35); // 63 messages
        address[3] memory liars = [makeAddr("liar0"), makeAddr("liar1"), makeAddr("liar2")];
        actor = new ClaimActor(claims, game, inbox, honest, liars);
        targetContract(address(actor));
    }

    /// @notice The actor's honest party really defends and attacks (the invariant is not vacuous).
    function test_actor_honestDefendsAndAttacks_succeeds() public {
        actor.proposeHonest(1);
        actor.liarChallenges(0, 0, 0); // liar0 challenges the honest staker
        actor.proposeLiar(3, 1, false, 7); // a wrong claim: the honest party challenges it at once
        for (uint256 i; i < 20; ++i) actor.liarMoves(i, i, keccak256(abi.encode(i)));
        for (uint256 i; i < 10; ++i) actor.warp(type(uint256).max);
        actor.timeout(0);
        actor.timeout(1);
        assertEq(uint256(claims.getClaim(2).status), uint256(Types.ClaimStatus.Deleted));
        assertEq(uint256(claims.getClaim(1).status), uint256(Types.ClaimStatus.Pending));
        for (uint256 i; i < 30; ++i) actor.warp(type(uint256).max);
        actor.finalize(0);
        assertTrue(claims.isFinalized(1));
    }

    /// @custom:invariant A claim with an honest staker is never deleted, and the honest staker is never slashed.
    function invariant_honestClaimNeverDeleted() public view {
        uint256 n = actor.honestClaimCount();
        for (uint256 i; i < n; ++i) {
            uint256 id = actor.honestClaims(i);
            assertTrue(claims.getClaim(id).status != Types.ClaimStatus.Deleted, "honest claim deleted");
            assertTrue(claims.stakerStatus(id, honest) != Types.StakerStatus.Slashed, "honest staker slashed");
        }
    }

    /// @custom:invariant No wrong claim finalizes while an honest challenger watches, so the anchor is true.
    function invariant_onlyTrueClaimsFinalize() public view {
        uint256 count = claims.claimCount();
        for (uint256 id = 1; id <= count; ++id) {
            Types.Claim memory c = claims.getClaim(id);
            if (c.status == Types.ClaimStatus.Finalized) assertEq(c.stateRoot, trueRoot(c.messageCount));
        }
        (uint256 a, bytes32 root) = claims.anchor();
        assertEq(root, trueRoot(a));
    }

    /// @custom:invariant Bonds are conserved: the DisputeGame holds exactly the credits owed plus the
    ///                   bonds of open games, and the ClaimManager exactly the bonds of unslashed stakers.
    function invariant_bondsConserved() public view {
        uint256 open;
        for (uint256 id = 1; id <= game.gameCount(); ++id) {
            if (game.getGame(id).status == Types.GameStatus.Open) ++open;
        }
        uint256 credits = game.credit(honest);
        for (uint256 i; i < 3; ++i) credits += game.credit(actor.liars(i));
        assertEq(address(game).balance, credits + open * cfg.challengerBond, "dispute game balance");
        uint256 live;
        for (uint256 id = 1; id <= claims.claimCount(); ++id) live += claims.getClaim(id).liveStakers;
        assertEq(address(claims).balance, live * cfg.proposerBond, "claim manager balance");
    }
}
