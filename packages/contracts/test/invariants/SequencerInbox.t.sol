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
