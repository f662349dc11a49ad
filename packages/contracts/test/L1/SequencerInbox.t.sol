// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { CommonTest } from "../setup/CommonTest.sol";
import "../../src/libraries/InboxErrors.sol";
import { RollupConfig } from "../../src/libraries/RollupConfig.sol";

/// @notice A contract caller, to test the plain-account rule.
contract ContractSequencer {
    function append(address _inbox, bytes calldata _batch, uint256 _index) external {
        (bool ok, bytes memory ret) =
            _inbox.call(abi.encodeWithSignature("appendBatch(bytes,uint256)", _batch, _index));
        if (!ok) {
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }
}

contract SequencerInbox_Test is CommonTest {
    event BatchAppended(
        uint256 indexed index,
        bytes32 batchHash,
        bytes32 accumulator,
        uint256 messageCountAfter,
        uint256 delayedCountAfter
    );
    event BatchForced(uint256 indexed index);

    function _append(bytes memory _batch, uint256 _index) internal {
        vm.prank(sequencer, sequencer);
        inbox.appendBatch(_batch, _index);
    }

    function _expectRevertAppend(bytes memory _batch, uint256 _index, bytes memory _err) internal {
        vm.prank(sequencer, sequencer);
        vm.expectRevert(_err);
        inbox.appendBatch(_batch, _index);
    }

    // ------------------------------------------------------------------ constructor

    function test_constructor_storesConfig_succeeds() public view {
        assertEq(inbox.configHash(), RollupConfig.hash(cfg));
        assertEq(inbox.sequencer(), sequencer);
        assertEq(inbox.maxBatchBytes(), cfg.maxBatchBytes);
        assertEq(inbox.forceInclusionDelay(), cfg.forceInclusionDelay);
        assertEq(address(inbox.portal()), address(portal));
        assertEq(inbox.batchCount(), 0);
    }

    // ------------------------------------------------------------------ appendBatch

    function test_appendBatch_firstBatch_succeeds() public {
        deposit(2);
        bytes memory batch = makeBatch(1, 2, 5, 5 * 64);
        bytes32 h = keccak256(batch);
        bytes32 acc = keccak256(abi.encode(bytes32(0), h, uint256(2), uint256(7)));
        vm.expectEmit(address(inbox));
        emit BatchAppended(0, h, acc, 7, 2);
        _append(batch, 0);
        assertEq(inbox.batchCount(), 1);
        assertEq(inbox.batchHash(0), h);
        assertEq(inbox.delayedCount(0), 2);
        assertEq(inbox.messageCount(0), 7);
        assertEq(inbox.accumulator(0), acc);
    }

    function test_appendBatch_chainsAccumulatorAndCounts_succeeds() public {
        deposit(3);
        _append(makeBatch(1, 1, 4, 4 * 64), 0);
        bytes memory second = makeBatch(1, 3, 10, 10 * 64);
        _append(second, 1);
        // messageCount[1] = 5 + (3 - 1) + 10
        assertEq(inbox.messageCount(1), 17);
        assertEq(inbox.delayedCount(1), 3);
        assertEq(
            inbox.accumulator(1),
            keccak256(abi.encode(inbox.accumulator(0), keccak256(second), uint256(3), uint256(17)))
        );
    }

    function test_appendBatch_headerOnly_succeeds() public {
        _append(makeBatch(1, 0, 0, 0), 0);
        assertEq(inbox.messageCount(0), 0);
    }

    function test_appendBatch_maxLength_succeeds() public {
        _append(makeBatch(1, 0, 0, cfg.maxBatchBytes - 13), 0);
        assertEq(inbox.batchCount(), 1);
    }

    function test_appendBatch_oneSlotPer64BodyBytes_succeeds() public {
        _append(makeBatch(1, 0, 9, 9 * 64), 0);
        assertEq(inbox.messageCount(0), 9);
    }

    function test_appendBatch_notSequencer_reverts() public {
        address eve = makeAddr("eve");
        vm.prank(eve, eve);
        vm.expectRevert(NotSequencer.selector);
        inbox.appendBatch(makeBatch(1, 0, 0, 0), 0);
    }

    function test_appendBatch_notTopLevel_reverts() public {
        // The sequencer as msg.sender but another tx.origin (called from within a contract's transaction).
        vm.prank(sequencer, makeAddr("origin"));
        vm.expectRevert(NotTopLevelEOA.selector);
        inbox.appendBatch(makeBatch(1, 0, 0, 0), 0);
    }

    function test_appendBatch_senderHasCode_reverts() public {
        vm.etch(sequencer, hex"00");
        vm.prank(sequencer, sequencer);
        vm.expectRevert(NotTopLevelEOA.selector);
        inbox.appendBatch(makeBatch(1, 0, 0, 0), 0);
    }

    function test_appendBatch_viaContract_reverts() public {
        ContractSequencer c = new ContractSequencer();
        vm.prank(sequencer, sequencer);
        vm.expectRevert(NotSequencer.selector);
        c.append(address(inbox), makeBatch(1, 0, 0, 0), 0);
    }

    function test_appendBatch_wrongExpectedIndex_reverts() public {
        _expectRevertAppend(makeBatch(1, 0, 0, 0), 1, abi.encodeWithSelector(UnexpectedBatchIndex.selector, 1, 0));
        _append(makeBatch(1, 0, 0, 0), 0);
        // A re-post of the same index lands once.
        _expectRevertAppend(makeBatch(1, 0, 0, 0), 0, abi.encodeWithSelector(UnexpectedBatchIndex.selector, 0, 1));
    }

    function test_appendBatch_tooShort_reverts() public {
        _expectRevertAppend(hex"010000000000000000000000", 0, abi.encodeWithSelector(BatchLength.selector, 12));
    }

    function test_appendBatch_empty_reverts() public {
        _expectRevertAppend("", 0, abi.encodeWithSelector(BatchLength.selector, 0));
    }

    function test_appendBatch_tooLong_reverts() public {
        _expectRevertAppend(
            makeBatch(1, 0, 0, cfg.maxBatchBytes - 12),
            0,
            abi.encodeWithSelector(BatchLength.selector, cfg.maxBatchBytes + 1)
        );
    }

    function test_appendBatch_forcedVersion_reverts() public {
        _expectRevertAppend(makeBatch(0, 0, 0, 0), 0, abi.encodeWithSelector(BadBatchVersion.selector, 0));
    }

    function test_appendBatch_unknownVersion_reverts() public {
        _expectRevertAppend(makeBatch(2, 0, 0, 0), 0, abi.encodeWithSelector(BadBatchVersion.selector, 2));
    }

    function test_appendBatch_delayedCountDecreases_reverts() public {
        deposit(2);
        _append(makeBatch(1, 2, 0, 0), 0);
        _expectRevertAppend(makeBatch(1, 1, 0, 0), 1, abi.encodeWithSelector(DelayedCountDecreases.selector, 1, 2));
    }

    function test_appendBatch_delayedCountAbovePortal_reverts() public {
        deposit(1);
        _expectRevertAppend(makeBatch(1, 2, 0, 0), 0, abi.encodeWithSelector(DelayedCountAbovePortal.selector, 2, 1));
    }

    function test_appendBatch_tooManySlots_reverts() public {
        _expectRevertAppend(makeBatch(1, 0, 11, 11 * 64 - 1), 0, abi.encodeWithSelector(TooManySlots.selector, 11, 11 * 64 - 1));
    }

    function testFuzz_appendBatch_countsFromHeaderOnly_succeeds(uint32 _slots, uint16 _extra, uint8 _delayed) public {
        // The most slots whose bodies (64 bytes each, plus up to 100 extra) fit in maxBatchBytes.
        uint32 slots = uint32(bound(_slots, 0, (cfg.maxBatchBytes - 13 - 100) / 64));
        uint256 body = uint256(slots) * 64 + bound(_extra, 0, 100);
        deposit(_delayed);
        bytes memory batch = makeBatch(1, _delayed, slots, body);
        for (uint256 i = 13; i < batch.length; ++i) batch[i] = bytes1(uint8(i * 7));
        _append(batch, 0);
        assertEq(inbox.messageCount(0), uint256(_delayed) + slots);
    }

    // ------------------------------------------------------------------ forceInclude

    function test_forceInclude_afterDelay_succeeds() public {
        deposit(3);
        vm.warp(block.timestamp + cfg.forceInclusionDelay);
        bytes memory header = abi.encodePacked(uint8(0), uint64(2), uint32(0));
        bytes32 h = keccak256(header);
        bytes32 acc = keccak256(abi.encode(bytes32(0), h, uint256(2), uint256(2)));
        vm.expectEmit(address(inbox));
        emit BatchAppended(0, h, acc, 2, 2);
        vm.expectEmit(address(inbox));
        emit BatchForced(0);
        vm.prank(makeAddr("anyone"));
        inbox.forceInclude(2);
        assertEq(inbox.batchHash(0), h);
        assertEq(inbox.messageCount(0), 2);
        assertEq(inbox.delayedCount(0), 2);
        assertEq(inbox.accumulator(0), acc);
    }

    function test_forceInclude_afterSequencerBatch_succeeds() public {
        deposit(4);
        _append(makeBatch(1, 1, 3, 3 * 64), 0);
        vm.warp(block.timestamp + cfg.forceInclusionDelay);
        inbox.forceInclude(4);
        assertEq(inbox.messageCount(1), 4 + 3);
        assertEq(inbox.delayedCount(1), 4);
        // The sequencer continues after it.
        _append(makeBatch(1, 4, 1, 1 * 64), 2);
        assertEq(inbox.messageCount(2), 8);
    }

    function test_forceInclude_tooEarly_reverts() public {
        deposit(1);
        uint256 availableAt = block.timestamp + cfg.forceInclusionDelay;
        vm.warp(availableAt - 1);
        vm.expectRevert(abi.encodeWithSelector(ForceInclusionTooEarly.selector, availableAt));
        inbox.forceInclude(1);
    }

    function test_forceInclude_usesLastTakenMessageTimestamp_reverts() public {
        deposit(1);
        vm.warp(block.timestamp + cfg.forceInclusionDelay);
        deposit(1); // a fresh message: forcing up to it is too early, up to the old one is not
        vm.expectRevert(
            abi.encodeWithSelector(ForceInclusionTooEarly.selector, block.timestamp + cfg.forceInclusionDelay)
        );
        inbox.forceInclude(2);
        inbox.forceInclude(1);
        assertEq(inbox.delayedCount(0), 1);
    }

    function test_forceInclude_nothingNew_reverts() public {
        deposit(1);
        _append(makeBatch(1, 1, 0, 0), 0);
        vm.warp(block.timestamp + cfg.forceInclusionDelay);
        vm.expectRevert(abi.encodeWithSelector(NothingToForce.selector, 1, 1));
        inbox.forceInclude(1);
        vm.expectRevert(abi.encodeWithSelector(NothingToForce.selector, 0, 1));
        inbox.forceInclude(0);
    }

    function test_forceInclude_zeroOnEmpty_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(NothingToForce.selector, 0, 0));
        inbox.forceInclude(0);
    }

    function test_forceInclude_abovePortal_reverts() public {
        deposit(1);
        vm.warp(block.timestamp + cfg.forceInclusionDelay);
        vm.expectRevert(abi.encodeWithSelector(DelayedCountAbovePortal.selector, 2, 1));
        inbox.forceInclude(2);
    }

    // ------------------------------------------------------------------ views

    function test_views_outOfRange_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(BatchNotFound.selector, 0));
        inbox.batchHash(0);
        vm.expectRevert(abi.encodeWithSelector(BatchNotFound.selector, 0));
        inbox.messageCount(0);
        vm.expectRevert(abi.encodeWithSelector(BatchNotFound.selector, 0));
        inbox.delayedCount(0);
        vm.expectRevert(abi.encodeWithSelector(BatchNotFound.selector, 0));
        inbox.accumulator(0);
    }
}
