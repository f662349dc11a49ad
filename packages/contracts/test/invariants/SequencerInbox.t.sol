// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { ValidConfig } from "../setup/ValidConfig.sol";
import { Test, Vm } from "../base/Test.sol";
import { Portal } from "../../src/L1/Portal.sol";
import { SequencerInbox } from "../../src/L1/SequencerInbox.sol";
import { IClaimManager } from "../../src/interfaces/IClaimManager.sol";
import { IPortal } from "../../src/interfaces/IPortal.sol";
import { Types } from "../../src/libraries/Types.sol";

/// @notice Actor: the sequencer and strangers append batches, users send delayed messages, anyone
///         forces inclusion, time passes.
contract InboxActor {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    Portal public portal;
    SequencerInbox public inbox;
    address public sequencer;
    uint256 public sequencerAppends;
    uint256 public forcedAppends;
    uint256 public strangerAppends;
    /// @notice The indices of the blob batches the sequencer appended.
    uint256[] public blobBatches;

    constructor(Portal _portal, SequencerInbox _inbox, address _sequencer) {
        portal = _portal;
        inbox = _inbox;
        sequencer = _sequencer;
    }

    function deposit(uint256 _amount) external {
        _amount = 0.01 ether + (_amount % 1 ether);
        vm.deal(address(this), _amount);
        portal.depositETH{ value: _amount }(address(this));
    }

    function forceTx(uint8 _len) external {
        portal.forceTransaction(new bytes(1 + (_len % 100)));
    }

    function warp(uint32 _seconds) external {
        vm.warp(block.timestamp + (_seconds % 2 days));
    }

    function _batch(uint256 _delayedSeed, uint32 _slots) internal view returns (bytes memory, uint256) {
        uint256 count = inbox.batchCount();
        uint256 prev = count == 0 ? 0 : inbox.delayedCount(count - 1);
        uint256 portalCount = portal.delayedMessageCount();
        uint256 delayedAfter = prev + _delayedSeed % (portalCount - prev + 1);
        uint32 slots = _slots % 64;
        return (bytes.concat(abi.encodePacked(uint8(1), uint64(delayedAfter), slots), new bytes(slots)), count);
    }

    function sequencerAppend(uint256 _delayedSeed, uint32 _slots) external {
        (bytes memory batch, uint256 count) = _batch(_delayedSeed, _slots);
        vm.prank(sequencer, sequencer);
        inbox.appendBatch(batch, count);
        sequencerAppends++;
    }

    function strangerAppend(address _who, uint256 _delayedSeed, uint32 _slots) external {
        if (_who == sequencer) return;
        (bytes memory batch, uint256 count) = _batch(_delayedSeed, _slots);
        vm.prank(_who, _who);
        try inbox.appendBatch(batch, count) {
            strangerAppends++;
        } catch { }
    }

    /// @dev 1–6 distinct versioned hashes for a blob transaction (the BLOBHASH values of its blobs).
    function _blobs(uint8 _count, uint256 _seed) internal returns (bytes32[] memory hashes_) {
        hashes_ = new bytes32[](1 + _count % 6);
        for (uint256 i; i < hashes_.length; ++i) {
            hashes_[i] = bytes32((uint256(1) << 248) | (uint256(keccak256(abi.encode(_seed, i))) >> 8));
        }
        vm.blobhashes(hashes_);
    }

    function sequencerAppendBlob(uint256 _delayedSeed, uint32 _slots, uint8 _blobs_) external {
        (, uint256 count) = _batch(_delayedSeed, 0);
        uint256 prev = count == 0 ? 0 : inbox.delayedCount(count - 1);
        uint256 delayedAfter = prev + _delayedSeed % (portal.delayedMessageCount() - prev + 1);
        bytes32[] memory hashes = _blobs(_blobs_, _delayedSeed);
        uint32 slots = uint32(_slots % (hashes.length * 126_976 / 64 + 1));
        vm.prank(sequencer, sequencer);
        inbox.appendBlobBatch(count, uint64(delayedAfter), slots, "");
        blobBatches.push(count);
        sequencerAppends++;
    }

    function strangerAppendBlob(address _who, uint8 _blobs_) external {
        if (_who == sequencer) return;
        _blobs(_blobs_, uint160(_who));
        vm.prank(_who, _who);
        try inbox.appendBlobBatch(inbox.batchCount(), 0, 0, "") {
            strangerAppends++;
        } catch { }
    }

    function blobBatchCount() external view returns (uint256) {
        return blobBatches.length;
    }

    function forceInclude(uint256 _upTo) external {
        uint256 portalCount = portal.delayedMessageCount();
        if (portalCount == 0) return;
        try inbox.forceInclude(1 + _upTo % portalCount) {
            forcedAppends++;
        } catch { }
    }
}

contract SequencerInbox_Invariant is Test {
    Portal internal portal;
    SequencerInbox internal inbox;
    InboxActor internal actor;
    Types.RollupConfig internal cfg;

    function setUp() public {
        cfg = ValidConfig.get();
        cfg.sequencer = makeAddr("sequencer");
        cfg.minDeposit = 0.01 ether;
        cfg.maxForcedTxBytes = 256; // the smallest a config may set (protocol.md §2)
        cfg.maxBatchBytes = 1000;
        cfg.forceInclusionDelay = 1 days;
        vm.warp(1_700_000_000);
        uint256 nonce = vm.getNonce(address(this));
        address portalAddr = address(
            uint160(uint256(keccak256(abi.encodePacked(bytes1(0xd6), bytes1(0x94), address(this), uint8(nonce)))))
        );
        portal = new Portal(cfg, IClaimManager(address(0)));
        assertEq(address(portal), portalAddr);
        inbox = new SequencerInbox(cfg, IPortal(portalAddr));
        actor = new InboxActor(portal, inbox, cfg.sequencer);
        targetContract(address(actor));
    }

    /// @custom:invariant Only the sequencer appends: every batch is a sequencer batch or a forced one.
    function invariant_onlySequencerAppends() public view {
        assertEq(actor.strangerAppends(), 0, "a stranger appended");
        assertEq(inbox.batchCount(), actor.sequencerAppends() + actor.forcedAppends());
    }

    /// @custom:invariant Counts never decrease and never pass the Portal's delayed count.
    function invariant_countsMonotonic() public view {
        uint256 n = inbox.batchCount();
        uint256 prevDelayed;
        uint256 prevMessages;
        for (uint256 i; i < n; ++i) {
            assertGe(inbox.delayedCount(i), prevDelayed);
            assertGe(inbox.messageCount(i), prevMessages + inbox.delayedCount(i) - prevDelayed);
            prevDelayed = inbox.delayedCount(i);
            prevMessages = inbox.messageCount(i);
        }
        assertLe(prevDelayed, portal.delayedMessageCount());
    }

    /// @custom:invariant Exactly the blob batches have versioned hashes, and each one's hash commits to
    ///                   them and to its counts: `keccak256(2 ‖ delayedCountAfter ‖ slotCount ‖ hashes)`.
    function invariant_blobBatchesCommitToTheirBlobs() public view {
        uint256 blobs;
        for (uint256 i; i < inbox.batchCount(); ++i) {
            bytes32[] memory hashes = inbox.batchBlobHashes(i);
            if (hashes.length == 0) continue;
            assertEq(actor.blobBatches(blobs++), i, "a blob batch the sequencer appended");
            uint256 prevDelayed = i == 0 ? 0 : inbox.delayedCount(i - 1);
            uint256 prevMessages = i == 0 ? 0 : inbox.messageCount(i - 1);
            uint256 slots = inbox.messageCount(i) - prevMessages - (inbox.delayedCount(i) - prevDelayed);
            assertLe(slots * 64, hashes.length * 126_976, "the slot bound");
            assertEq(
                inbox.batchHash(i),
                keccak256(abi.encodePacked(uint8(2), uint64(inbox.delayedCount(i)), uint32(slots), hashes))
            );
        }
        assertEq(blobs, actor.blobBatchCount());
    }

    /// @custom:invariant A delayed message can always be forced in after the delay: once the newest
    ///                   delayed message is `forceInclusionDelay` old, `forceInclude(portalCount)` succeeds
    ///                   (tried on a snapshot, so the run continues from the same state).
    function invariant_delayedMessagesForceable() public {
        uint256 count = portal.delayedMessageCount();
        uint256 batches = inbox.batchCount();
        uint256 included = batches == 0 ? 0 : inbox.delayedCount(batches - 1);
        if (count == included) return;
        uint256 snap = vm.snapshotState();
        uint256 availableAt = uint256(portal.delayedMessageTimestamp(count - 1)) + cfg.forceInclusionDelay;
        if (block.timestamp < availableAt) vm.warp(availableAt);
        inbox.forceInclude(count);
        assertEq(inbox.delayedCount(batches), count);
        vm.revertToState(snap);
    }
}
