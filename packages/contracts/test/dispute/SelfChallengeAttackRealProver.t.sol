// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { StfTestBase } from "../libraries/stf/StfTestBase.sol";
import { ValidConfig } from "../setup/ValidConfig.sol";
import { SelfChallengeAttacker } from "./SelfChallengeAttack.t.sol";
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
        proof_ = abi.encode(OneStepProver.OneStepProof(0, batch, d, accountProofs, new bytes[](0)));
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
        vm.deal(proposer, cfg.proposerBond);
        bytes32 acc = inbox.accumulator(0);
        vm.prank(proposer);
        uint256 good = claims.propose{ value: cfg.proposerBond }(0, acc, trueRoot);
        vm.warp(block.timestamp + cfg.challengePeriod);
        claims.finalizeClaim(good);
        (uint256 a, bytes32 anchorRoot) = claims.anchor();
        assertEq(a, 1);
        assertEq(anchorRoot, trueRoot);
        vm.expectRevert(abi.encodeWithSelector(ClaimNotPending.selector, forged));
        attacker.cashOut();
        assertEq(address(portal).balance, funds, "the Portal paid nothing");
    }
}
