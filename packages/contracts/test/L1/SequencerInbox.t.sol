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

    function appendBlob(address _inbox, uint256 _index, uint64 _delayedAfter, uint32 _slots) external {
        (bool ok, bytes memory ret) = _inbox.call(
            abi.encodeWithSignature("appendBlobBatch(uint256,uint64,uint32,bytes)", _index, _delayedAfter, _slots, "")
        );
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
    event BlobBatchAppended(uint256 indexed index, bytes32[] blobHashes);

    /// @dev Versioned hashes as an L1 transaction carries them (version byte 0x01).
    bytes32 internal constant BLOB_0 = 0x0111111111111111111111111111111111111111111111111111111111111111;
    bytes32 internal constant BLOB_1 = 0x0122222222222222222222222222222222222222222222222222222222222222;

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

    // ------------------------------------------------------------------ appendBlobBatch

    /// @dev `_count` distinct versioned hashes.
    function _blobHashes(uint256 _count) internal pure returns (bytes32[] memory hashes_) {
        hashes_ = new bytes32[](_count);
        for (uint256 i; i < _count; ++i) {
            hashes_[i] = bytes32((uint256(0x01) << 248) | uint256(keccak256(abi.encode("blob", i))) >> 8);
        }
    }

    function _appendBlob(bytes32[] memory _hashes, uint256 _index, uint64 _delayedAfter, uint32 _slots) internal {
        vm.blobhashes(_hashes);
        vm.prank(sequencer, sequencer);
        inbox.appendBlobBatch(_index, _delayedAfter, _slots, "");
    }

    function _expectRevertAppendBlob(
        bytes32[] memory _hashes,
        uint256 _index,
        uint64 _delayedAfter,
        uint32 _slots,
        bytes memory _err
    ) internal {
        vm.blobhashes(_hashes);
        vm.prank(sequencer, sequencer);
        vm.expectRevert(_err);
        inbox.appendBlobBatch(_index, _delayedAfter, _slots, "");
    }

    function test_appendBlobBatch_twoBlobs_succeeds() public {
        deposit(5);
        bytes32[] memory hashes = new bytes32[](2);
        (hashes[0], hashes[1]) = (BLOB_0, BLOB_1);
        // keccak256(encodePacked(uint8 2, uint64 5, uint32 7, BLOB_0, BLOB_1)), computed with viem's
        // encodePacked outside this repository's code (spec §5.7).
        bytes32 h = 0xc43d4abf6c9b346f9911b8061947531379670f611698c5b3126c50826d73b90a;
        assertEq(h, keccak256(abi.encodePacked(uint8(2), uint64(5), uint32(7), BLOB_0, BLOB_1)));
        bytes32 acc = keccak256(abi.encode(bytes32(0), h, uint256(5), uint256(12)));
        vm.expectEmit(address(inbox));
        emit BatchAppended(0, h, acc, 12, 5);
        vm.expectEmit(address(inbox));
        emit BlobBatchAppended(0, hashes);
        _appendBlob(hashes, 0, 5, 7);
        assertEq(inbox.batchCount(), 1);
        assertEq(inbox.batchHash(0), h);
        assertEq(inbox.delayedCount(0), 5);
        assertEq(inbox.messageCount(0), 12);
        assertEq(inbox.accumulator(0), acc);
        bytes32[] memory stored = inbox.batchBlobHashes(0);
        assertEq(stored.length, 2);
        assertEq(stored[0], BLOB_0);
        assertEq(stored[1], BLOB_1);
    }

    function test_appendBlobBatch_oneBlobNoMessages_succeeds() public {
        bytes32[] memory hashes = new bytes32[](1);
        hashes[0] = BLOB_0;
        _appendBlob(hashes, 0, 0, 0);
        // keccak256(encodePacked(uint8 2, uint64 0, uint32 0, BLOB_0)), computed with viem.
        assertEq(inbox.batchHash(0), 0x420fece46f03f6864cab69511f300148e1032ab892ff488bd3741239f5377321);
        assertEq(inbox.messageCount(0), 0);
    }

    /// @dev The KZG hints are neither checked nor hashed: whatever bytes the sequencer passes, the batch
    ///      hash, the counts and the accumulator are those §5.7.1 gives without them.
    function testFuzz_appendBlobBatch_kzgHintsChangeNothing_succeeds(bytes calldata _hints) public {
        deposit(5);
        bytes32[] memory hashes = new bytes32[](2);
        (hashes[0], hashes[1]) = (BLOB_0, BLOB_1);
        bytes32 h = keccak256(abi.encodePacked(uint8(2), uint64(5), uint32(7), BLOB_0, BLOB_1));
        vm.blobhashes(hashes);
        vm.prank(sequencer, sequencer);
        inbox.appendBlobBatch(0, 5, 7, _hints);
        assertEq(inbox.batchHash(0), h);
        assertEq(inbox.accumulator(0), keccak256(abi.encode(bytes32(0), h, uint256(5), uint256(12))));
        assertEq(inbox.messageCount(0), 12);
        assertEq(inbox.batchBlobHashes(0).length, 2);
    }

    function test_appendBlobBatch_afterCalldataBatch_chainsAccumulator_succeeds() public {
        deposit(3);
        _append(makeBatch(1, 1, 4, 4 * 64), 0);
        bytes32[] memory hashes = _blobHashes(3);
        _appendBlob(hashes, 1, 3, 100);
        bytes32 h = keccak256(abi.encodePacked(uint8(2), uint64(3), uint32(100), hashes[0], hashes[1], hashes[2]));
        assertEq(inbox.batchHash(1), h);
        // messageCount[1] = 5 + (3 - 1) + 100
        assertEq(inbox.messageCount(1), 107);
        assertEq(inbox.accumulator(1), keccak256(abi.encode(inbox.accumulator(0), h, uint256(3), uint256(107))));
        assertEq(inbox.batchBlobHashes(0).length, 0);
        assertEq(inbox.batchBlobHashes(1).length, 3);
        // The sequencer goes on with calldata after it.
        _append(makeBatch(1, 3, 1, 64), 2);
        assertEq(inbox.messageCount(2), 108);
        assertEq(inbox.batchBlobHashes(2).length, 0);
    }

    function test_appendBlobBatch_maxBlobs_succeeds() public {
        bytes32[] memory hashes = _blobHashes(6);
        _appendBlob(hashes, 0, 0, 1);
        bytes32[] memory stored = inbox.batchBlobHashes(0);
        assertEq(stored.length, 6);
        for (uint256 i; i < 6; ++i) assertEq(stored[i], hashes[i]);
    }

    function test_appendBlobBatch_noBlobs_reverts() public {
        _expectRevertAppendBlob(new bytes32[](0), 0, 0, 0, abi.encodeWithSelector(NoBlobs.selector));
    }

    function test_appendBlobBatch_sevenBlobs_reverts() public {
        _expectRevertAppendBlob(_blobHashes(7), 0, 0, 0, abi.encodeWithSelector(TooManyBlobs.selector));
    }

    function test_appendBlobBatch_slotBound_succeeds() public {
        // One slot per 64 bytes of the blobs' payload capacity (126,976 bytes per blob): 1,984 per blob.
        _appendBlob(_blobHashes(1), 0, 0, 1984);
        _appendBlob(_blobHashes(6), 1, 0, 6 * 1984);
        assertEq(inbox.messageCount(1), 7 * 1984);
    }

    function test_appendBlobBatch_oneSlotAboveBound_reverts() public {
        _expectRevertAppendBlob(
            _blobHashes(1), 0, 0, 1985, abi.encodeWithSelector(TooManySlots.selector, 1985, 126_976)
        );
        _expectRevertAppendBlob(
            _blobHashes(6), 0, 0, 6 * 1984 + 1, abi.encodeWithSelector(TooManySlots.selector, 6 * 1984 + 1, 6 * 126_976)
        );
    }

    function testFuzz_appendBlobBatch_slotBoundIsExact(uint8 _blobs, uint32 _slots) public {
        uint256 blobs = bound(_blobs, 1, 6);
        bytes32[] memory hashes = _blobHashes(blobs);
        uint256 capacity = blobs * 126_976;
        vm.blobhashes(hashes);
        vm.prank(sequencer, sequencer);
        if (uint256(_slots) * 64 > capacity) {
            vm.expectRevert(abi.encodeWithSelector(TooManySlots.selector, _slots, capacity));
            inbox.appendBlobBatch(0, 0, _slots, "");
        } else {
            inbox.appendBlobBatch(0, 0, _slots, "");
            assertEq(inbox.messageCount(0), _slots);
        }
    }

    function test_appendBlobBatch_wrongExpectedIndex_reverts() public {
        _expectRevertAppendBlob(
            _blobHashes(1), 1, 0, 0, abi.encodeWithSelector(UnexpectedBatchIndex.selector, 1, 0)
        );
        _appendBlob(_blobHashes(1), 0, 0, 0);
        // A re-post of the same index lands once.
        _expectRevertAppendBlob(
            _blobHashes(1), 0, 0, 0, abi.encodeWithSelector(UnexpectedBatchIndex.selector, 0, 1)
        );
    }

    function test_appendBlobBatch_notSequencer_reverts() public {
        address eve = makeAddr("eve");
        vm.blobhashes(_blobHashes(1));
        vm.prank(eve, eve);
        vm.expectRevert(NotSequencer.selector);
        inbox.appendBlobBatch(0, 0, 0, "");
    }

    function test_appendBlobBatch_notTopLevel_reverts() public {
        vm.blobhashes(_blobHashes(1));
        vm.prank(sequencer, makeAddr("origin"));
        vm.expectRevert(NotTopLevelEOA.selector);
        inbox.appendBlobBatch(0, 0, 0, "");
    }

    function test_appendBlobBatch_senderHasCode_reverts() public {
        vm.etch(sequencer, hex"00");
        _expectRevertAppendBlob(_blobHashes(1), 0, 0, 0, abi.encodeWithSelector(NotTopLevelEOA.selector));
    }

    function test_appendBlobBatch_viaContract_reverts() public {
        ContractSequencer c = new ContractSequencer();
        vm.blobhashes(_blobHashes(1));
        vm.prank(sequencer, sequencer);
        vm.expectRevert(NotSequencer.selector);
        c.appendBlob(address(inbox), 0, 0, 0);
    }

    function test_appendBlobBatch_delayedCountDecreases_reverts() public {
        deposit(2);
        _appendBlob(_blobHashes(1), 0, 2, 0);
        _expectRevertAppendBlob(
            _blobHashes(1), 1, 1, 0, abi.encodeWithSelector(DelayedCountDecreases.selector, 1, 2)
        );
    }

    function test_appendBlobBatch_delayedCountAbovePortal_reverts() public {
        deposit(1);
        _expectRevertAppendBlob(
            _blobHashes(1), 0, 2, 0, abi.encodeWithSelector(DelayedCountAbovePortal.selector, 2, 1)
        );
    }

    function test_appendBlobBatch_forcedAfter_succeeds() public {
        deposit(2);
        _appendBlob(_blobHashes(2), 0, 1, 3);
        vm.warp(block.timestamp + cfg.forceInclusionDelay);
        inbox.forceInclude(2);
        assertEq(inbox.messageCount(1), 5);
        assertEq(inbox.batchBlobHashes(1).length, 0);
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
        vm.expectRevert(abi.encodeWithSelector(BatchNotFound.selector, 0));
        inbox.batchBlobHashes(0);
    }
}
