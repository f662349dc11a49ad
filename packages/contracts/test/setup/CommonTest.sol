// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Test } from "../base/Test.sol";
import { Portal } from "../../src/L1/Portal.sol";
import { SequencerInbox } from "../../src/L1/SequencerInbox.sol";
import { ClaimManager } from "../../src/dispute/ClaimManager.sol";
import { DisputeGame } from "../../src/dispute/DisputeGame.sol";
import { IClaimManager } from "../../src/interfaces/IClaimManager.sol";
import { IOneStepProver } from "../../src/interfaces/IOneStepProver.sol";
import { IPortal } from "../../src/interfaces/IPortal.sol";
import { ISequencerInbox } from "../../src/interfaces/ISequencerInbox.sol";
import { Types } from "../../src/libraries/Types.sol";
import { Constants } from "../../src/libraries/Constants.sol";
import { MockOneStepProver } from "./MockOneStepProver.sol";

/// @title CommonTest
/// @notice Deploys a whole Sluice L1 set (Portal, SequencerInbox, ClaimManager, DisputeGame and a mock
///         one-step prover) from one config, with the circular addresses precomputed from the nonce.
abstract contract CommonTest is Test {
    Types.RollupConfig internal cfg;
    Portal internal portal;
    SequencerInbox internal inbox;
    ClaimManager internal claims;
    DisputeGame internal game;
    MockOneStepProver internal prover;
    address internal sequencer;

    function setUp() public virtual {
        sequencer = makeAddr("sequencer");
        prover = new MockOneStepProver();
        cfg = Types.RollupConfig({
            chainId: 424242,
            sequencer: sequencer,
            feeVault: makeAddr("feeVault"),
            baseFeePerGas: 1 gwei,
            l2BlockGasLimit: 30_000_000,
            l2GenesisTimestamp: 1_700_000_000,
            genesisStateRoot: trueRoot(0),
            minDeposit: 0.001 ether,
            maxForcedTxBytes: 1024,
            maxBatchBytes: 90_000,
            maxSequencerDrift: 600,
            forceInclusionDelay: 1 days,
            l1Confirmations: 6,
            proposerBond: 1 ether,
            challengerBond: 0.5 ether,
            challengePeriod: 7 days,
            gameClock: 1 days,
            bondBurnBps: 1000
        });
        vm.warp(1_700_000_000);
        deploySet(cfg, IOneStepProver(address(prover)));
    }

    /// @notice Deploys Portal, SequencerInbox, ClaimManager, DisputeGame from `_cfg` in that order.
    function deploySet(Types.RollupConfig memory _cfg, IOneStepProver _prover) internal {
        uint256 nonce = vm.getNonce(address(this));
        address portalAddr = createAddress(address(this), nonce);
        address inboxAddr = createAddress(address(this), nonce + 1);
        address claimsAddr = createAddress(address(this), nonce + 2);
        address gameAddr = createAddress(address(this), nonce + 3);
        portal = new Portal(_cfg, IClaimManager(claimsAddr));
        inbox = new SequencerInbox(_cfg, IPortal(portalAddr));
        claims = new ClaimManager(_cfg, ISequencerInbox(inboxAddr), gameAddr);
        game = new DisputeGame(_cfg, IClaimManager(claimsAddr), _prover);
        assertEq(address(portal), portalAddr);
        assertEq(address(inbox), inboxAddr);
        assertEq(address(claims), claimsAddr);
        assertEq(address(game), gameAddr);
    }

    /// @notice The mock prover's true root after `_i` messages (computed here, so that using it as an
    ///         argument does not consume a `vm.prank`).
    function trueRoot(uint256 _i) internal pure returns (bytes32) {
        return _i == 0 ? Constants.GENESIS_STATE_ROOT : keccak256(abi.encode("sluice.mock.root", _i));
    }

    /// @notice The CREATE address of `_deployer` at `_nonce` (nonces below 2^16).
    function createAddress(address _deployer, uint256 _nonce) internal pure returns (address) {
        bytes memory data;
        if (_nonce == 0) data = abi.encodePacked(bytes1(0xd6), bytes1(0x94), _deployer, bytes1(0x80));
        else if (_nonce < 0x80) data = abi.encodePacked(bytes1(0xd6), bytes1(0x94), _deployer, uint8(_nonce));
        else if (_nonce < 0x100) {
            data = abi.encodePacked(bytes1(0xd7), bytes1(0x94), _deployer, bytes1(0x81), uint8(_nonce));
        } else {
            data = abi.encodePacked(bytes1(0xd8), bytes1(0x94), _deployer, bytes1(0x82), uint16(_nonce));
        }
        return address(uint160(uint256(keccak256(data))));
    }

    /// @notice A batch: header `(_version, _delayedAfter, _slotCount)` followed by `_bodyLength` bytes.
    function makeBatch(uint8 _version, uint64 _delayedAfter, uint32 _slotCount, uint256 _bodyLength)
        internal
        pure
        returns (bytes memory batch_)
    {
        batch_ = bytes.concat(abi.encodePacked(_version, _delayedAfter, _slotCount), new bytes(_bodyLength));
    }

    /// @notice Appends a sequencer batch of `_slotCount` slots taking delayed messages up to `_delayedAfter`.
    function appendBatch(uint64 _delayedAfter, uint32 _slotCount) internal returns (uint256 index_) {
        index_ = inbox.batchCount();
        bytes memory batch = makeBatch(1, _delayedAfter, _slotCount, uint256(_slotCount) * Constants.MIN_SLOT_BYTES);
        vm.prank(sequencer, sequencer);
        inbox.appendBatch(batch, index_);
    }

    /// @notice Makes `_count` deposits from a fresh depositor.
    function deposit(uint256 _count) internal {
        address depositor = makeAddr("depositor");
        vm.deal(depositor, _count * cfg.minDeposit);
        for (uint256 i; i < _count; ++i) {
            vm.prank(depositor);
            portal.depositETH{ value: cfg.minDeposit }(depositor);
        }
    }

    /// @notice Proposes `_root` at batch `_batchIndex` from `_proposer` (funded here with its stake and
    ///         the claim's deposit).
    function propose(address _proposer, uint256 _batchIndex, bytes32 _root) internal returns (uint256 claimId_) {
        vm.deal(_proposer, _proposer.balance + 2 * cfg.proposerBond);
        bytes32 acc = inbox.accumulator(_batchIndex);
        vm.prank(_proposer);
        claimId_ = claims.propose{ value: 2 * cfg.proposerBond }(_batchIndex, acc, _root);
    }

    /// @notice The hash naming claim `_claimId` as it stands (what an agent reads before acting).
    function claimHash(uint256 _claimId) internal view returns (bytes32) {
        return claims.getClaim(_claimId).claimHash;
    }

    /// @notice Stakes on `_claimId` from `_staker` (funded here).
    function stakeOn(address _staker, uint256 _claimId) internal {
        vm.deal(_staker, _staker.balance + cfg.proposerBond);
        bytes32 h = claimHash(_claimId);
        vm.prank(_staker);
        claims.stake{ value: cfg.proposerBond }(_claimId, h);
    }

    /// @notice Opens a game by `_challenger` against `_staker` of `_claimId` (funded here).
    function challenge(address _challenger, uint256 _claimId, address _staker) internal returns (uint256 gameId_) {
        vm.deal(_challenger, _challenger.balance + cfg.challengerBond);
        bytes32 h = claimHash(_claimId);
        vm.prank(_challenger);
        gameId_ = game.challenge{ value: cfg.challengerBond }(_claimId, h, _staker);
    }

    /// @notice The position `DisputeGame.position` gives a game in this state (protocol.md §8.5).
    function positionOf(
        uint256 _claimId,
        address _staker,
        address _challenger,
        uint256 _lo,
        uint256 _hi,
        bytes32 _rootLo,
        bytes32 _rootHi,
        bytes32 _midRoot,
        Types.Turn _turn
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(_claimId, _staker, _challenger, _lo, _hi, _rootLo, _rootHi, _midRoot, _turn));
    }

    /// @notice `_mover` bisects game `_gameId` at its current position.
    function bisectAs(address _mover, uint256 _gameId, bytes32 _midRoot) internal {
        bytes32 p = game.position(_gameId);
        vm.prank(_mover);
        game.bisect(_gameId, p, _midRoot);
    }

    /// @notice `_mover` agrees (or disagrees) in game `_gameId` at its current position.
    function respondAs(address _mover, uint256 _gameId, bool _agree) internal {
        bytes32 p = game.position(_gameId);
        vm.prank(_mover);
        if (_agree) game.agree(_gameId, p);
        else game.disagree(_gameId, p);
    }

    /// @notice `_mover` proves the last step of game `_gameId` at its current position.
    function proveAs(address _mover, uint256 _gameId, bytes memory _proof) internal {
        bytes32 p = game.position(_gameId);
        vm.prank(_mover);
        game.proveStep(_gameId, p, _proof);
    }

    /// @notice Times out game `_gameId` at its current position (anyone may).
    function timeoutGame(uint256 _gameId) internal {
        game.timeout(_gameId, game.position(_gameId));
    }
}
