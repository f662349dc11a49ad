// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Vm } from "../base/Test.sol";
import { CommonTest } from "../setup/CommonTest.sol";
import { WithdrawalTrie } from "../setup/WithdrawalTrie.sol";
import { Portal } from "../../src/L1/Portal.sol";
import { SequencerInbox } from "../../src/L1/SequencerInbox.sol";
import { ClaimManager } from "../../src/dispute/ClaimManager.sol";
import { DisputeGame } from "../../src/dispute/DisputeGame.sol";
import { Constants } from "../../src/libraries/Constants.sol";
import { Types } from "../../src/libraries/Types.sol";

/// @notice Actor for the dispute invariants (protocol.md §8): one honest party beside three adversarial
///         ones. The honest party follows the true history of the mock prover: it proposes and stakes only
///         true roots, challenges every staker of every wrong pending claim once, and answers every game
///         it plays before its clock runs out (time never jumps by more than a quarter clock without it
///         getting to move). The adversaries propose wrong roots — some a forged state paying the whole
///         Portal to them — and true ones, stake anywhere, challenge anyone (themselves included), move
///         arbitrarily or not at all, time games out, and chain the self-challenge attack's calls in one
///         transaction (propose + challenge itself; timeout + challenge again), and the self-slash attack's
///         (issue 18: lose its own game on purpose, cutting every other game against its staker short, and
///         propose the next wrong claim). The honest party also finalizes its claims as soon as it can.
contract DisputeActor {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    ClaimManager public claims;
    DisputeGame public game;
    SequencerInbox public inbox;
    Portal public portal;
    address public honest;
    address[3] public liars;
    uint256 public proposerBond;
    uint256 public challengerBond;
    uint256 public gameClock;

    /// @notice Every address that ever staked on each claim, in order.
    mapping(uint256 claimId => address[]) internal _stakers;
    /// @notice Claims the honest party proposed or staked on.
    uint256[] public honestClaims;
    mapping(uint256 claimId => bool) public honestStakes;
    /// @notice The honest party's game against each staker of each wrong claim (0: none yet).
    mapping(uint256 claimId => mapping(address staker => uint256 gameId)) public honestGameAgainst;
    /// @notice Forged withdrawals of the adversaries' wrong claims, by claim.
    mapping(uint256 claimId => Types.Withdrawal) internal _forged;
    mapping(uint256 claimId => bool) public hasForged;
    /// @notice Wei that went into bonds, and wei paid back out of the ClaimManager and DisputeGame.
    uint256 public bondsIn;
    uint256 public paidOut;
    /// @notice Calls that tried to pay a forged withdrawal (they must all have failed).
    uint256 public forgedAttempts;

    constructor(
        ClaimManager _claims,
        DisputeGame _game,
        SequencerInbox _inbox,
        Portal _portal,
        address _honest,
        address[3] memory _liars
    ) {
        claims = _claims;
        game = _game;
        inbox = _inbox;
        portal = _portal;
        honest = _honest;
        liars = _liars;
        proposerBond = _claims.proposerBond();
        challengerBond = _game.challengerBond();
        gameClock = _game.gameClock();
    }

    receive() external payable { }

    function trueRoot(uint256 _i) public pure returns (bytes32) {
        return _i == 0 ? Constants.GENESIS_STATE_ROOT : keccak256(abi.encode("sluice.mock.root", _i));
    }

    function honestClaimCount() external view returns (uint256) {
        return honestClaims.length;
    }

    function stakersOf(uint256 _claimId) external view returns (address[] memory) {
        return _stakers[_claimId];
    }

    // ------------------------------------------------------------------ honest actions

    function proposeHonest(uint256 _batch) external {
        _driveHonest();
        uint256 b = _batch % inbox.batchCount();
        uint256 id = _propose(honest, b, trueRoot(inbox.messageCount(b)));
        honestClaims.push(id);
        honestStakes[id] = true;
        _driveHonest();
    }

    function stakeHonest(uint256 _claim) external {
        _driveHonest();
        uint256 id = _pick(_claim);
        if (id == 0) return;
        Types.Claim memory c = claims.getClaim(id);
        if (c.stateRoot != trueRoot(c.messageCount) || honestStakes[id]) return;
        if (_stake(honest, id)) {
            honestClaims.push(id);
            honestStakes[id] = true;
        }
        _driveHonest();
    }

    // ------------------------------------------------------------------ adversarial actions

    /// @dev A wrong claim (a forged state paying the Portal's balance to the liar), or a true one.
    function proposeLiar(uint256 _batch, uint256 _who, bool _trueRoot, uint256 _salt) external {
        _driveHonest();
        address liar = liars[_who % 3];
        uint256 b = _batch % inbox.batchCount();
        if (_trueRoot) {
            _propose(liar, b, trueRoot(inbox.messageCount(b)));
        } else {
            Types.Withdrawal memory w = _forgery(liar, _salt);
            (bytes32 root,,) = WithdrawalTrie.build(WithdrawalTrie.hash(w), WithdrawalTrie.hash(w));
            uint256 id = _propose(liar, b, root);
            _forged[id] = w;
            hasForged[id] = true;
        }
        _driveHonest();
    }

    /// @dev The attack of issue 11, step 1, in one transaction: propose a forged root and challenge
    ///      the claim's own staker.
    function liarProposesAndChallengesItself(uint256 _batch, uint256 _who, uint256 _salt) external {
        _driveHonest();
        address liar = liars[_who % 3];
        uint256 b = _batch % inbox.batchCount();
        Types.Withdrawal memory w = _forgery(liar, _salt);
        (bytes32 root,,) = WithdrawalTrie.build(WithdrawalTrie.hash(w), WithdrawalTrie.hash(w));
        uint256 id = _propose(liar, b, root);
        _forged[id] = w;
        hasForged[id] = true;
        _challenge(liar, id, liar);
        _driveHonest();
    }

    /// @dev The attack of issue 11, step 3, in one transaction: time out a self-game (the liar's
    ///      staker wins) and challenge the same staker again.
    function liarTimesOutAndRechallenges(uint256 _game) external {
        _driveHonest();
        uint256 count = game.gameCount();
        if (count == 0) return;
        uint256 id = 1 + _game % count;
        Types.Game memory g = game.getGame(id);
        if (g.status != Types.GameStatus.Open || g.staker == honest) return;
        bytes32 pos = game.position(id);
        try game.timeout(id, pos) { } catch { }
        _challenge(g.challenger == honest ? g.staker : g.challenger, g.claimId, g.staker);
        _driveHonest();
    }

    /// @dev The attack of issue 18, in one transaction: a liar staker that a liar (itself or a sybil) is
    ///      challenging loses that game on purpose — its clock runs out just as the other games against it
    ///      could time out — which slashes it and cuts every other game against it short; the same liar
    ///      then proposes the next wrong claim at the same message count and challenges itself.
    function liarSelfSlashes(uint256 _game, uint256 _salt) external {
        _driveHonest();
        uint256 count = game.gameCount();
        if (count == 0) return;
        uint256 id = 1 + _game % count;
        Types.Game memory g = game.getGame(id);
        if (g.status != Types.GameStatus.Open || g.staker == honest || g.challenger == honest) return;
        if (g.turn != Types.Turn.Staker || game.isVoid(id)) return;
        uint256 due = uint256(g.lastMoveAt) + g.stakerClock + 1;
        if (due > block.timestamp) _advance(due - block.timestamp);
        g = game.getGame(id);
        if (g.status != Types.GameStatus.Open || game.isVoid(id)) return;
        try game.timeout(id, game.position(id)) { } catch { return; }
        Types.Claim memory c = claims.getClaim(g.claimId);
        Types.Withdrawal memory w = _forgery(g.staker, _salt);
        (bytes32 root,,) = WithdrawalTrie.build(WithdrawalTrie.hash(w), WithdrawalTrie.hash(w));
        uint256 next = _propose(g.staker, c.batchIndex, root);
        _forged[next] = w;
        hasForged[next] = true;
        _challenge(g.staker, next, g.staker);
        _driveHonest();
    }

    function stakeLiar(uint256 _claim, uint256 _who) external {
        _driveHonest();
        uint256 id = _pick(_claim);
        if (id == 0) return;
        _stake(liars[_who % 3], id);
        _driveHonest();
    }

    /// @dev A liar challenges any staker of any claim (the honest one and itself included).
    function liarChallenges(uint256 _claim, uint256 _staker, uint256 _who) external {
        _driveHonest();
        uint256 id = _pick(_claim);
        if (id == 0) return;
        address[] storage stakers = _stakers[id];
        if (stakers.length == 0) return;
        _challenge(liars[_who % 3], id, stakers[_staker % stakers.length]);
        _driveHonest();
    }

    /// @dev A liar challenges at the last second before the claim's challenge deadline.
    function liarChallengesAtDeadline(uint256 _claim, uint256 _staker, uint256 _who) external {
        _driveHonest();
        uint256 id = _pick(_claim);
        if (id == 0) return;
        Types.Claim memory c = claims.getClaim(id);
        if (c.status != Types.ClaimStatus.Pending || block.timestamp >= c.challengeDeadline) return;
        _advance(c.challengeDeadline - 1 - block.timestamp);
        address[] storage stakers = _stakers[id];
        _challenge(liars[_who % 3], id, stakers[_staker % stakers.length]);
        _driveHonest();
    }

    /// @dev The liar to move in a game makes an arbitrary move.
    function liarMoves(uint256 _game, uint256 _choice, bytes32 _root) external {
        _driveHonest();
        uint256 count = game.gameCount();
        if (count == 0) return;
        uint256 id = 1 + _game % count;
        Types.Game memory g = game.getGame(id);
        if (g.status != Types.GameStatus.Open) return;
        address mover = g.turn == Types.Turn.Staker ? g.staker : g.challenger;
        if (mover == honest) return;
        bytes32 pos = game.position(id);
        bytes32 midRoot = _choice % 2 == 0 ? _root : trueRoot(game.midpoint(id));
        vm.startPrank(mover);
        if (g.turn == Types.Turn.Staker) {
            try game.bisect(id, pos, midRoot) { } catch { }
        } else if (g.hi - g.lo > 1) {
            if (_choice % 2 == 0) {
                try game.agree(id, pos) { } catch { }
            } else {
                try game.disagree(id, pos) { } catch { }
            }
        } else {
            try game.proveStep(id, pos, "") { } catch { }
        }
        vm.stopPrank();
        _driveHonest();
    }

    /// @dev Time passes; honest parties move first, as they would.
    function warp(uint256 _seconds) external {
        _advance(_seconds % (3 * gameClock));
    }

    function timeout(uint256 _game) external {
        _driveHonest();
        uint256 count = game.gameCount();
        if (count == 0) return;
        uint256 id = 1 + _game % count;
        try game.timeout(id, game.position(id)) { } catch { }
        _driveHonest();
    }

    function voidGame(uint256 _game) external {
        _driveHonest();
        uint256 count = game.gameCount();
        if (count == 0) return;
        uint256 id = 1 + _game % count;
        try game.voidGame(id, game.position(id)) { } catch { }
        _driveHonest();
    }

    /// @dev Anyone finalizes a claim; a liar then tries to cash its forged withdrawal against it.
    function finalizeAndWithdraw(uint256 _claim) external {
        _driveHonest();
        uint256 id = _pick(_claim);
        if (id == 0) return;
        try claims.finalizeClaim(id) { } catch { }
        if (hasForged[id]) {
            Types.Withdrawal memory w = _forged[id];
            bytes32 h = WithdrawalTrie.hash(w);
            (, bytes[] memory a, bytes[] memory s) = WithdrawalTrie.build(h, h);
            ++forgedAttempts;
            bytes32 ch = claims.getClaim(id).claimHash;
            try portal.finalizeWithdrawal(w, id, ch, a, s) { } catch { }
        }
        _driveHonest();
    }

    /// @dev Everyone withdraws what it can: credits (won bonds and prizes; deposits of finalized claims),
    ///      and stakes of finalized claims.
    function withdrawAll(uint256 _claim) external {
        _driveHonest();
        _withdrawCredit(honest);
        for (uint256 i; i < 3; ++i) _withdrawCredit(liars[i]);
        uint256 id = _pick(_claim);
        if (id == 0) return;
        address[] storage stakers = _stakers[id];
        for (uint256 i; i < stakers.length; ++i) {
            vm.prank(stakers[i]);
            try claims.withdrawStake(id) {
                paidOut += proposerBond;
            } catch { }
        }
        _driveHonest();
    }

    // ------------------------------------------------------------------ the honest party

    /// @dev Lets `_seconds` pass in steps of at most a quarter clock, the honest party moving after each.
    function _advance(uint256 _seconds) internal {
        _driveHonest();
        uint256 step = gameClock / 4;
        while (_seconds > 0) {
            uint256 s = _seconds < step ? _seconds : step;
            vm.warp(block.timestamp + s);
            _seconds -= s;
            _driveHonest();
        }
    }

    function _driveHonest() internal {
        // Finalize every honest claim that can be.
        for (uint256 i; i < honestClaims.length; ++i) {
            uint256 hid = honestClaims[i];
            if (claims.getClaim(hid).status == Types.ClaimStatus.Pending && claims.isFinalizable(hid)) {
                claims.finalizeClaim(hid);
            }
        }
        // Challenge every unslashed staker of every wrong pending claim, once, before the deadline.
        uint256 count = claims.claimCount();
        for (uint256 id = 1; id <= count; ++id) {
            Types.Claim memory c = claims.getClaim(id);
            if (c.status != Types.ClaimStatus.Pending || c.stateRoot == trueRoot(c.messageCount)) continue;
            if (block.timestamp >= c.challengeDeadline) continue;
            address[] storage stakers = _stakers[id];
            for (uint256 i; i < stakers.length; ++i) {
                address staker = stakers[i];
                if (honestGameAgainst[id][staker] != 0) continue;
                if (claims.stakerStatus(id, staker) != Types.StakerStatus.Active) continue;
                vm.deal(honest, honest.balance + challengerBond);
                bondsIn += challengerBond;
                bytes32 h = c.claimHash;
                vm.prank(honest);
                honestGameAgainst[id][staker] = game.challenge{ value: challengerBond }(id, h, staker);
            }
        }
        // Make every honest move that is due; end void games and games the honest side has won on time.
        uint256 games = game.gameCount();
        for (uint256 id = 1; id <= games; ++id) {
            Types.Game memory g = game.getGame(id);
            if (g.status != Types.GameStatus.Open) continue;
            bytes32 pos = game.position(id);
            if (game.isVoid(id)) {
                game.voidGame(id, pos);
                continue;
            }
            bool honestStaker = g.staker == honest;
            bool honestChallenger = g.challenger == honest;
            if (!honestStaker && !honestChallenger) {
                // A game between two others on a claim it backs makes that claim wait: anyone may end it
                // once the side to move ran out of clock, and the honest party does.
                uint256 clock = g.turn == Types.Turn.Staker ? g.stakerClock : g.challengerClock;
                if (honestStakes[g.claimId] && block.timestamp - g.lastMoveAt > clock) game.timeout(id, pos);
                continue;
            }
            bool honestToMove = (g.turn == Types.Turn.Staker) == honestStaker;
            if (honestStaker && honestChallenger) honestToMove = true;
            if (!honestToMove) {
                uint256 left = g.turn == Types.Turn.Staker ? g.stakerClock : g.challengerClock;
                if (block.timestamp - g.lastMoveAt > left) game.timeout(id, pos);
                continue;
            }
            vm.startPrank(honest);
            if (g.turn == Types.Turn.Staker) {
                game.bisect(id, pos, trueRoot(game.midpoint(id)));
            } else if (g.hi - g.lo == 1) {
                game.proveStep(id, pos, "");
            } else if (g.midRoot == trueRoot(game.midpoint(id))) {
                game.agree(id, pos);
            } else {
                game.disagree(id, pos);
            }
            vm.stopPrank();
        }
    }

    // ------------------------------------------------------------------ helpers

    function _pick(uint256 _claim) internal view returns (uint256) {
        uint256 count = claims.claimCount();
        return count == 0 ? 0 : 1 + _claim % count;
    }

    function _forgery(address _liar, uint256 _salt) internal view returns (Types.Withdrawal memory) {
        return Types.Withdrawal({ nonce: _salt, sender: _liar, l1Recipient: _liar, value: address(portal).balance });
    }

    function _propose(address _who, uint256 _batch, bytes32 _root) internal returns (uint256 id_) {
        vm.deal(_who, _who.balance + 2 * proposerBond);
        bondsIn += 2 * proposerBond;
        bytes32 acc = inbox.accumulator(_batch);
        vm.prank(_who);
        id_ = claims.propose{ value: 2 * proposerBond }(_batch, acc, _root);
        _stakers[id_].push(_who);
    }

    function _stake(address _who, uint256 _id) internal returns (bool ok_) {
        vm.deal(_who, _who.balance + proposerBond);
        bytes32 h = claims.getClaim(_id).claimHash;
        vm.prank(_who);
        try claims.stake{ value: proposerBond }(_id, h) {
            _stakers[_id].push(_who);
            bondsIn += proposerBond;
            ok_ = true;
        } catch { }
    }

    function _challenge(address _who, uint256 _id, address _staker) internal {
        vm.deal(_who, _who.balance + challengerBond);
        bytes32 h = claims.getClaim(_id).claimHash;
        vm.prank(_who);
        try game.challenge{ value: challengerBond }(_id, h, _staker) {
            bondsIn += challengerBond;
        } catch { }
    }

    function _withdrawCredit(address _who) internal {
        uint256 owed = game.credit(_who);
        if (owed != 0) {
            vm.prank(_who);
            game.withdraw();
            paidOut += owed;
        }
        owed = claims.credit(_who);
        if (owed != 0) {
            vm.prank(_who);
            claims.withdraw();
            paidOut += owed;
        }
    }
}

/// @title ClaimManager_Invariant
/// @notice The dispute protocol's safety properties (issue 11, protocol.md §8) under an honest party and
///         adversaries that attack it and each other, with the real Portal holding deposits.
contract ClaimManager_Invariant is CommonTest {
    DisputeActor internal actor;
    address internal honest;
    uint256 internal deposited;

    function setUp() public override {
        super.setUp();
        honest = makeAddr("honest");
        deposit(3);
        appendBatch(1, 5); // 6 messages
        appendBatch(3, 20); // 28 messages
        appendBatch(3, 0); // 28 messages
        appendBatch(3, 35); // 63 messages
        address whale = makeAddr("whale");
        vm.deal(whale, 100 ether);
        vm.prank(whale);
        portal.depositETH{ value: 100 ether }(whale);
        deposited = address(portal).balance;
        address[3] memory liars = [makeAddr("liar0"), makeAddr("liar1"), makeAddr("liar2")];
        actor = new DisputeActor(claims, game, inbox, portal, honest, liars);
        targetContract(address(actor));
    }

    /// @notice The actors really attack and defend (the invariants are not vacuous): the self-challenge
    ///         attack runs, the honest party still gets its game, wins it, and its own claim finalizes.
    function test_actor_attackAndDefence_succeeds() public {
        actor.proposeHonest(1); // claim 1, true
        actor.liarChallenges(0, 0, 0); // liar0 challenges the honest staker
        actor.liarProposesAndChallengesItself(1, 1, 7); // claim 2, forged, at the honest claim's n
        for (uint256 i; i < 40; ++i) {
            actor.liarMoves(i, i, keccak256(abi.encode(i)));
            actor.liarTimesOutAndRechallenges(i);
            actor.warp(cfg.gameClock / 3);
        }
        // Issue 18: the self-slash attack, repeated: each cycle deletes a wrong claim (burning its deposit)
        // and cuts the honest game against it short (paying the honest challenger).
        for (uint256 i; i < 6; ++i) actor.liarSelfSlashes(i, 100 + i);
        actor.warp(cfg.challengePeriod * 2);
        assertEq(uint256(claims.getClaim(2).status), uint256(Types.ClaimStatus.Deleted), "forged claim deleted");
        actor.finalizeAndWithdraw(1); // the forged claim: nothing is paid
        actor.finalizeAndWithdraw(0); // the honest claim
        assertTrue(claims.isFinalized(1), "honest claim finalized");
        assertEq(address(portal).balance, deposited);
        assertGt(actor.forgedAttempts(), 0);
        actor.withdrawAll(0);
        assertGt(actor.paidOut(), 0);
    }

    /// @custom:invariant A claim the honest party stakes on is never deleted, and it is never slashed.
    function invariant_honestClaimNeverDeleted() public view {
        uint256 n = actor.honestClaimCount();
        for (uint256 i; i < n; ++i) {
            uint256 id = actor.honestClaims(i);
            assertTrue(claims.getClaim(id).status != Types.ClaimStatus.Deleted, "honest claim deleted");
            assertTrue(claims.stakerStatus(id, honest) != Types.StakerStatus.Slashed, "honest staker slashed");
        }
    }

    /// @custom:invariant Bounded delay (§8.6): an honest claim finalizes by its challenge deadline plus
    ///                   `challengePeriod + 2 × gameClock`, plus the honest party's reaction time (here a
    ///                   quarter clock), whatever the adversaries do.
    function invariant_honestClaimFinalizesWithinBound() public view {
        uint256 n = actor.honestClaimCount();
        for (uint256 i; i < n; ++i) {
            Types.Claim memory c = claims.getClaim(actor.honestClaims(i));
            if (c.status != Types.ClaimStatus.Pending) continue;
            assertLe(
                block.timestamp,
                uint256(c.challengeDeadline) + cfg.challengePeriod + 2 * cfg.gameClock + cfg.gameClock / 4 + 2,
                "honest claim past the bound"
            );
        }
    }

    /// @custom:invariant Every deleted claim burned its whole deposit: the burn address holds at least one
    ///                   proposer bond per deleted claim.
    function invariant_deletedClaimsBurnTheirDeposit() public view {
        uint256 deleted;
        for (uint256 id = 1; id <= claims.claimCount(); ++id) {
            if (claims.getClaim(id).status == Types.ClaimStatus.Deleted) ++deleted;
        }
        assertGe(Constants.BURN_ADDRESS.balance, deleted * cfg.proposerBond, "deposits burned");
    }

    /// @custom:invariant An honest challenger whose game a slash cut short is paid more than its bond.
    function invariant_cutShortHonestGamesPay() public view {
        for (uint256 id = 1; id <= game.gameCount(); ++id) {
            Types.Game memory g = game.getGame(id);
            if (g.challenger != honest || (g.status != Types.GameStatus.Voided && !game.isVoid(id))) continue;
            assertGt(game.prizeShare(g.claimId, g.staker), 0, "cut-short honest game unpaid");
        }
    }

    /// @custom:invariant No wrong claim finalizes, so the anchor is always true.
    function invariant_onlyTrueClaimsFinalize() public view {
        uint256 count = claims.claimCount();
        for (uint256 id = 1; id <= count; ++id) {
            Types.Claim memory c = claims.getClaim(id);
            if (c.status == Types.ClaimStatus.Finalized) assertEq(c.stateRoot, trueRoot(c.messageCount), "wrong claim");
        }
        (uint256 a, bytes32 root) = claims.anchor();
        assertEq(root, trueRoot(a), "anchor");
    }

    /// @custom:invariant The honest party never loses a game it plays (so its bonds are never lost).
    function invariant_honestNeverLosesAGame() public view {
        for (uint256 id = 1; id <= game.gameCount(); ++id) {
            Types.Game memory g = game.getGame(id);
            if (g.status == Types.GameStatus.StakerWon) assertTrue(g.challenger != honest || g.staker == honest);
            if (g.status == Types.GameStatus.ChallengerWon) assertTrue(g.staker != honest || g.challenger == honest);
        }
    }

    /// @custom:invariant The Portal never pays a withdrawal that is not in the true L2 state: the mock's
    ///                   true history holds none, so it pays nothing, whatever forged roots are claimed.
    function invariant_portalPaysNothingFalse() public view {
        assertEq(address(portal).balance, deposited, "portal balance");
    }

    /// @custom:invariant Bonds are conserved: the DisputeGame holds exactly the credits owed plus the bonds
    ///                   of open games; the ClaimManager exactly the bonds of unslashed, unwithdrawn
    ///                   stakers; and every wei put into bonds is held, burned or paid out.
    function invariant_bondsConserved() public view {
        uint256 held;
        for (uint256 id = 1; id <= game.gameCount(); ++id) {
            Types.Game memory g = game.getGame(id);
            if (g.status != Types.GameStatus.Open) continue;
            held += cfg.challengerBond;
            if (game.isVoid(id)) held += game.prizeShare(g.claimId, g.staker); // owed when it is ended
        }
        uint256 credits = game.credit(honest);
        for (uint256 i; i < 3; ++i) credits += game.credit(actor.liars(i));
        assertEq(address(game).balance, credits + held, "dispute game balance");
        uint256 staked;
        uint256 deposits;
        for (uint256 id = 1; id <= claims.claimCount(); ++id) {
            if (claims.getClaim(id).status == Types.ClaimStatus.Pending) ++deposits;
            address[] memory stakers = actor.stakersOf(id);
            for (uint256 i; i < stakers.length; ++i) {
                if (claims.stakerStatus(id, stakers[i]) == Types.StakerStatus.Active) ++staked;
            }
        }
        uint256 claimCredits = claims.credit(honest);
        for (uint256 i; i < 3; ++i) claimCredits += claims.credit(actor.liars(i));
        assertEq(
            address(claims).balance, (staked + deposits) * cfg.proposerBond + claimCredits, "claim manager balance"
        );
        assertEq(
            actor.bondsIn(),
            address(claims).balance + address(game).balance + Constants.BURN_ADDRESS.balance + actor.paidOut(),
            "every bond wei accounted for"
        );
    }
}
