// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BlobOpening} from "../../src/libraries/batch/BlobBody.sol";
import { StfTestBase } from "../libraries/stf/StfTestBase.sol";
import { ValidConfig } from "../setup/ValidConfig.sol";
import { SelfChallengeAttacker, SelfSlashAttacker } from "./SelfChallengeAttack.t.sol";
import { OneStepProver } from "../../src/L1/OneStepProver.sol";
import { Portal } from "../../src/L1/Portal.sol";
import { SequencerInbox } from "../../src/L1/SequencerInbox.sol";
import { ClaimManager } from "../../src/dispute/ClaimManager.sol";
import { DisputeGame } from "../../src/dispute/DisputeGame.sol";
import { IClaimManager } from "../../src/interfaces/IClaimManager.sol";
import { IOneStepProver } from "../../src/interfaces/IOneStepProver.sol";
import { IPortal } from "../../src/interfaces/IPortal.sol";
import { ISequencerInbox } from "../../src/interfaces/ISequencerInbox.sol";
import "../../src/libraries/DisputeErrors.sol";
import { Types } from "../../src/libraries/Types.sol";
import { DelayedMessage } from "../../src/libraries/stf/StateTransition.sol";

/// @title SelfChallengeAttackRealProver_Test
/// @notice The attack of issue 11 end to end on the real contracts, the real one-step prover included:
///         a deposit funds the Portal and L2, the sequencer posts the batch that takes it, the attacker
///         claims a forged state (a withdrawal of the Portal's whole balance to itself) and keeps
///         challenging its own staker; the honest challenger opens its own game beside it and wins it
///         with a real one-step proof of the deposit. The forged claim is deleted, the true claim
///         finalizes and becomes the anchor, and the Portal pays nothing.
contract SelfChallengeAttackRealProver_Test is StfTestBase {
    Types.RollupConfig internal cfg;
    Portal internal portal;
    SequencerInbox internal inbox;
    OneStepProver internal prover;
    ClaimManager internal claims;
    DisputeGame internal game;
    SelfChallengeAttacker internal attacker;

    address internal sequencer = address(0x5E0);
    address internal whale = address(0x3A1E);
    address internal l2Recipient = address(0xB0B);
    address internal honest = address(0x40E57);
    uint256 internal constant DEPOSIT = 50 ether;
    bytes internal batch;
    uint64 internal depositTime;
    bytes internal _stepProof;

    function setUp() public {
        vm.warp(1_700_000_000);
        _genesis();
        cfg = ValidConfig.get();
        cfg.chainId = uint64(CHAIN_ID);
        cfg.baseFeePerGas = BASE_FEE;
        cfg.feeVault = FEE_VAULT;
        cfg.sequencer = sequencer;
        cfg.genesisStateRoot = _root();

        uint256 nonce = vm.getNonce(address(this));
        address portalAddr = _createAddress(nonce);
        address inboxAddr = _createAddress(nonce + 1);
        address claimsAddr = _createAddress(nonce + 3);
        address gameAddr = _createAddress(nonce + 4);
        portal = new Portal(cfg, IClaimManager(claimsAddr));
        inbox = new SequencerInbox(cfg, IPortal(portalAddr));
        prover = new OneStepProver(ISequencerInbox(inboxAddr), IPortal(portalAddr), cfg);
        claims = new ClaimManager(cfg, ISequencerInbox(inboxAddr), gameAddr);
        game = new DisputeGame(cfg, IClaimManager(claimsAddr), IOneStepProver(address(prover)));
        assertEq(address(game), gameAddr);

        // L1: a deposit, then the sequencer's batch 0 taking it (header only: the implicit block).
        vm.deal(whale, DEPOSIT);
        vm.prank(whale);
        portal.depositETH{ value: DEPOSIT }(l2Recipient);
        depositTime = uint64(block.timestamp);
        batch = abi.encodePacked(uint8(1), uint64(1), uint32(0));
        vm.prank(sequencer, sequencer);
        inbox.appendBatch(batch, 0);
        assertEq(inbox.messageCount(0), 1);

        attacker = new SelfChallengeAttacker{ value: 10 ether }(claims, game, portal);
        attacker.start(0, inbox.accumulator(0));
    }

    function _createAddress(uint256 _nonce) internal view returns (address) {
        assertLt(_nonce, 0x80);
        return address(
            uint160(uint256(keccak256(abi.encodePacked(bytes1(0xd6), bytes1(0x94), address(this), uint8(_nonce)))))
        );
    }

    /// @dev The one-step proof of message 0 (the deposit) from genesis, and the true root after it.
    function _depositProof() internal returns (bytes memory proof_, bytes32 post_) {
        bytes[][] memory accountProofs = new bytes[][](1);
        accountProofs[0] = _proof(l2Recipient);
        _credit(l2Recipient, DEPOSIT);
        post_ = _root();
        DelayedMessage memory d = DelayedMessage({
            kind: 0, l1Sender: whale, l1Timestamp: depositTime, payload: abi.encodePacked(l2Recipient, DEPOSIT)
        });
        proof_ = abi.encode(OneStepProver.OneStepProof(0, batch, new BlobOpening[](0), d, accountProofs, new bytes[](0)));
    }

    function test_attack_realProver_honestChallengerWins_portalPaysNothing() public {
        uint256 forged = attacker.claimId();
        uint256 funds = address(portal).balance;
        // The attacker cycles its self-game: its own challenger clock runs out, then one transaction
        // times the game out (its staker wins) and re-challenges.
        for (uint256 i; i < 3; ++i) {
            vm.warp(block.timestamp + cfg.gameClock + 1);
            attacker.timeoutAndRechallenge();
        }
        // The honest challenger opens its own game against the attacker's staker: the range is one
        // message (genesis to the claim), so it proves at once with a real one-step proof.
        vm.deal(honest, cfg.challengerBond);
        bytes32 h = claims.getClaim(forged).claimHash;
        vm.prank(honest);
        uint256 g = game.challenge{ value: cfg.challengerBond }(forged, h, address(attacker));
        (bytes memory proof, bytes32 trueRoot) = _depositProof();
        bytes32 pos = game.position(g);
        vm.prank(honest);
        game.proveStep(g, pos, proof);
        assertEq(uint256(game.getGame(g).status), uint256(Types.GameStatus.ChallengerWon));
        assertEq(uint256(claims.getClaim(forged).status), uint256(Types.ClaimStatus.Deleted));
        assertTrue(game.isVoid(attacker.gameId()), "the attacker's own game is void");

        // The true claim finalizes and is the anchor; the forged withdrawal is never paid.
        address proposer = address(0x7A0E);
        vm.deal(proposer, 2 * cfg.proposerBond);
        bytes32 acc = inbox.accumulator(0);
        vm.prank(proposer);
        uint256 good = claims.propose{ value: 2 * cfg.proposerBond }(0, acc, trueRoot);
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(good);
        (uint256 a, bytes32 anchorRoot) = claims.anchor();
        assertEq(a, 1);
        assertEq(anchorRoot, trueRoot);
        vm.expectRevert(abi.encodeWithSelector(ClaimNotPending.selector, forged));
        attacker.cashOut();
        assertEq(address(portal).balance, funds, "the Portal paid nothing");
    }

    /// @notice Issue 18 on the real one-step prover: the attacker keeps a self-challenged wrong claim
    ///         pending beside the honest claim H and, each time the honest challenger opens its game, lands
    ///         its own real one-step proof first (its challenger wins against its own staker), cutting the
    ///         honest game short before the honest `proveStep`, and proposes again in the same transaction.
    ///         The honest challenger is paid for every cut-short game; each deleted claim burns its deposit;
    ///         a wrong claim proposed at or after H's challenge deadline does not block H, which finalizes
    ///         within the bound of §8.6; the Portal pays nothing forged.
    function test_selfSlashAttack_realProver_boundedDelay_attackerPoorer_succeeds() public {
        bytes32 trueRoot;
        (_stepProof, trueRoot) = _depositProof();
        bytes32 acc = inbox.accumulator(0);
        address honestProposer = address(0x7A0E);
        vm.deal(honestProposer, 2 * cfg.proposerBond);
        vm.prank(honestProposer);
        uint256 h = claims.propose{ value: 2 * cfg.proposerBond }(0, acc, trueRoot);
        uint256 deadline = claims.getClaim(h).challengeDeadline;
        vm.deal(honest, 100 ether);
        uint256 honestStart = honest.balance;
        // The issue-11 attacker's claim from setUp conflicts too: the honest challenger deletes it at once.
        uint256 g0 = _honestChallenge(attacker.claimId(), address(attacker));
        bytes32 pos0 = game.position(g0);
        vm.prank(honest);
        game.proveStep(g0, pos0, _stepProof);
        assertEq(uint256(claims.getClaim(attacker.claimId()).status), uint256(Types.ClaimStatus.Deleted));

        SelfSlashAttacker slasher = new SelfSlashAttacker{ value: 100 ether }(claims, game);
        uint256 attackerStart = address(slasher).balance;
        slasher.proposeAndSelfChallenge(0, acc);
        uint256 cutShort;
        while (!claims.isFinalizable(h)) {
            _cycle(slasher, acc);
            cutShort++;
            assertLt(block.timestamp, deadline + cfg.challengePeriod + 2 * cfg.gameClock, "within the bound");
        }
        assertGe(claims.getClaim(slasher.claimId()).proposedAt, deadline, "only a late claim is left pending");
        claims.finalizeClaim(h);
        (uint256 a, bytes32 anchorRoot) = claims.anchor();
        assertEq(a, 1);
        assertEq(anchorRoot, trueRoot);

        vm.prank(honest);
        game.withdraw();
        uint256 burn = cfg.proposerBond * cfg.bondBurnBps / 10_000;
        uint256 share = (cfg.proposerBond - burn) / 2;
        // Bonds back and half a prize per game: the issue-11 attacker's self-game was open beside the
        // honest one when it was slashed, and so was the slasher's in every cut-short game.
        assertEq(honest.balance - honestStart, (cutShort + 1) * share);
        slasher.collect();
        // Every deleted wrong claim cost the attacker its whole deposit, the burn and the honest share;
        // the last one is still pending (its stake, deposit and own challenge bond locked).
        uint256 deleted = slasher.proposals() - 1;
        assertGe(deleted, 2);
        assertEq(
            attackerStart - address(slasher).balance,
            deleted * (cfg.proposerBond + burn + share) + 2 * cfg.proposerBond + cfg.challengerBond
        );
        assertEq(address(portal).balance, DEPOSIT, "the Portal paid nothing");
    }

    /// @dev Six hours on, the honest challenger opens its game against the newest wrong claim; the
    ///      attacker's own real proof lands first (same block), cutting it short, and it proposes again;
    ///      the honest proof then reverts and the honest challenger ends its game with `voidGame`.
    function _cycle(SelfSlashAttacker _slasher, bytes32 _acc) internal {
        vm.warp(block.timestamp + 6 hours);
        uint256 g = _honestChallenge(_slasher.claimId(), address(_slasher));
        _slasher.selfSlashByProofAndRepropose(0, _acc, _stepProof);
        assertTrue(game.isVoid(g));
        bytes32 pos = game.position(g);
        vm.prank(honest);
        vm.expectRevert(abi.encodeWithSelector(GameVoid.selector, g));
        game.proveStep(g, pos, _stepProof);
        game.voidGame(g, pos);
    }

    function _honestChallenge(uint256 _claimId, address _staker) internal returns (uint256 gameId_) {
        bytes32 hash = claims.getClaim(_claimId).claimHash;
        vm.prank(honest);
        gameId_ = game.challenge{ value: cfg.challengerBond }(_claimId, hash, _staker);
    }
}
