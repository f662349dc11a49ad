// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { IPortal } from "../interfaces/IPortal.sol";
import { ISequencerInbox } from "../interfaces/ISequencerInbox.sol";
import { Constants } from "../libraries/Constants.sol";
import "../libraries/InboxErrors.sol";
import { RollupConfig } from "../libraries/RollupConfig.sol";
import { Types } from "../libraries/Types.sol";

/// @title SequencerInbox
/// @notice The ordered list of batches (protocol.md §5.1–5.3, §5.7): the sequencer appends calldata
///         batches whose 13-byte header is checked on chain, or blob batches committed to by their
///         blobs' versioned hashes; anyone forces delayed messages in after
///         `forceInclusionDelay`. Per batch it stores the hash, the counts and the accumulator.
///         Immutable: no owner, no proxy, no pause.
contract SequencerInbox is ISequencerInbox {
    /// @notice Per-batch record: 3 storage slots.
    struct Batch {
        bytes32 hash;
        bytes32 accumulator;
        uint64 delayedCount;
        uint192 messageCount;
    }

    /// @notice The hash of the rollup config this inbox was deployed with.
    bytes32 public immutable configHash;
    /// @notice The only address that may call `appendBatch` and `appendBlobBatch`.
    address public immutable sequencer;
    /// @notice The largest batch, in bytes.
    uint256 public immutable maxBatchBytes;
    /// @notice Seconds after which anyone may force a delayed message in.
    uint256 public immutable forceInclusionDelay;
    /// @notice The Portal whose delayed messages batches take.
    IPortal public immutable portal;

    /// @dev Every batch, in order.
    Batch[] internal _batches;
    /// @dev The versioned hashes of each blob batch's blobs, by batch index (absent for other batches).
    mapping(uint256 => bytes32[]) internal _blobHashes;

    /// @notice A batch was appended (by the sequencer or forced).
    /// @param index The batch's number.
    /// @param batchHash `keccak256` of the batch bytes (see `batchHash` for a blob batch).
    /// @param accumulator The accumulator after this batch.
    /// @param messageCountAfter Messages up to and including this batch.
    /// @param delayedCountAfter Delayed messages taken up to and including this batch.
    event BatchAppended(
        uint256 indexed index,
        bytes32 batchHash,
        bytes32 accumulator,
        uint256 messageCountAfter,
        uint256 delayedCountAfter
    );

    /// @notice Batch `index` is a blob batch (emitted right after its `BatchAppended`).
    /// @param index The batch's number.
    /// @param blobHashes The versioned hashes of its blobs, in order (the payload's order, §5.7).
    event BlobBatchAppended(uint256 indexed index, bytes32[] blobHashes);

    /// @notice Batch `index` was appended by `forceInclude`: its bytes are the header
    ///         `(0, delayedCountAfter, 0)` and nothing else.
    /// @param index The batch's number.
    event BatchForced(uint256 indexed index);

    /// @notice Deploys the inbox for `_config`; reverts with `InvalidRollupConfig` on a config that breaks
    ///         a rule of protocol.md §2.
    /// @param _config The rollup config.
    /// @param _portal The Portal of the same deployment.
    constructor(Types.RollupConfig memory _config, IPortal _portal) {
        RollupConfig.validate(_config);
        configHash = RollupConfig.hash(_config);
        sequencer = _config.sequencer;
        maxBatchBytes = _config.maxBatchBytes;
        forceInclusionDelay = _config.forceInclusionDelay;
        portal = _portal;
    }

    /// @notice Appends a sequencer batch (protocol.md §5.1). Only the sequencer, only as the top-level
    ///         call of a plain account, so the batch is the calldata of an ordinary L1 transaction.
    /// @param _batch The batch: a 13-byte header (version 1, delayedCountAfter, slotCount) and a body.
    /// @param _expectedIndex The number of batches so far (a re-post after a reorg lands once or reverts).
    function appendBatch(bytes calldata _batch, uint256 _expectedIndex) external {
        uint256 index = _checkSequencerCall(_expectedIndex);
        if (_batch.length < Constants.BATCH_HEADER_BYTES || _batch.length > maxBatchBytes) {
            revert BatchLength(_batch.length);
        }
        uint8 version = uint8(_batch[0]);
        if (version != Constants.BATCH_VERSION_SEQUENCER) revert BadBatchVersion(version);
        uint256 delayedCountAfter = uint64(bytes8(_batch[1:9]));
        uint256 slotCount = uint32(bytes4(_batch[9:13]));
        (uint256 prevDelayed, uint256 prevMessages, bytes32 prevAccumulator) = _last(index);
        _checkDelayedCountAfter(delayedCountAfter, prevDelayed);
        uint256 bodyLength = _batch.length - Constants.BATCH_HEADER_BYTES;
        if (slotCount * Constants.MIN_SLOT_BYTES > bodyLength) revert TooManySlots(slotCount, bodyLength);

        _append(
            index,
            keccak256(_batch),
            delayedCountAfter,
            prevMessages + (delayedCountAfter - prevDelayed) + slotCount,
            prevAccumulator
        );
    }

    /// @notice Appends a sequencer batch whose body is in the blobs of this transaction (protocol.md
    ///         §5.7). Same caller, `_expectedIndex` and delayed-count rules as `appendBatch`; the header's
    ///         two fields are arguments, and the batch hash commits to them and to the blobs' versioned
    ///         hashes: `keccak256(uint8(2) ‖ uint64 delayedCountAfter ‖ uint32 slotCount ‖ blobhash(0) ‖ …)`.
    /// @param _expectedIndex The number of batches so far.
    /// @param _delayedCountAfter The delayed message count after this batch (D_b = it − the previous one).
    /// @param _slotCount The number of transaction slots (S_b), at most one per 64 bytes of blob payload.
    /// @param _kzgHints Each blob's KZG commitment and blob proof, `(commitment ‖ proof)` of 48 + 48 bytes
    ///        per blob. Not checked here and not part of the batch hash: the EVM cannot check them cheaply,
    ///        and nodes need no trust in them. A node checks a served blob by its hint's proof (~3 ms) when
    ///        the hint's commitment hashes to the blob's versioned hash and the proof holds, and computes
    ///        the commitment itself (~50 ms) otherwise, so a wrong or missing hint costs time, never data.
    function appendBlobBatch(
        uint256 _expectedIndex,
        uint64 _delayedCountAfter,
        uint32 _slotCount,
        bytes calldata _kzgHints
    )
        external
    {
        _kzgHints; // read by nodes from the calldata only
        uint256 index = _checkSequencerCall(_expectedIndex);
        bytes32[] memory hashes = _blobHashesOfThisTransaction();
        (uint256 prevDelayed, uint256 prevMessages, bytes32 prevAccumulator) = _last(index);
        _checkDelayedCountAfter(_delayedCountAfter, prevDelayed);
        uint256 capacity = hashes.length * Constants.PAYLOAD_BYTES_PER_BLOB;
        if (uint256(_slotCount) * Constants.MIN_SLOT_BYTES > capacity) revert TooManySlots(_slotCount, capacity);

        _append(
            index,
            keccak256(abi.encodePacked(Constants.BATCH_DA_BLOBS, _delayedCountAfter, _slotCount, hashes)),
            _delayedCountAfter,
            prevMessages + (_delayedCountAfter - prevDelayed) + _slotCount,
            prevAccumulator
        );
        _blobHashes[index] = hashes;
        emit BlobBatchAppended(index, hashes);
    }

    /// @notice Forces delayed messages `[last batch's delayed count, _upToDelayedCount)` in as a batch
    ///         with no body (protocol.md §5.3), once the last of them is `forceInclusionDelay` old.
    /// @param _upToDelayedCount The delayed message count the forced batch brings L2 up to.
    function forceInclude(uint256 _upToDelayedCount) external {
        uint256 index = _batches.length;
        (uint256 prevDelayed, uint256 prevMessages, bytes32 prevAccumulator) = _last(index);
        if (_upToDelayedCount <= prevDelayed) revert NothingToForce(_upToDelayedCount, prevDelayed);
        uint256 portalCount = portal.delayedMessageCount();
        if (_upToDelayedCount > portalCount) revert DelayedCountAbovePortal(_upToDelayedCount, portalCount);
        uint256 availableAt = uint256(portal.delayedMessageTimestamp(_upToDelayedCount - 1)) + forceInclusionDelay;
        if (availableAt > block.timestamp) revert ForceInclusionTooEarly(availableAt);

        bytes memory header =
            abi.encodePacked(Constants.BATCH_VERSION_FORCED, uint64(_upToDelayedCount), uint32(0));
        _append(
            index,
            keccak256(header),
            _upToDelayedCount,
            prevMessages + (_upToDelayedCount - prevDelayed),
            prevAccumulator
        );
        emit BatchForced(index);
    }

    /// @inheritdoc ISequencerInbox
    function batchBlobHashes(uint256 _index) external view returns (bytes32[] memory hashes_) {
        _batchAt(_index);
        hashes_ = _blobHashes[_index];
    }

    /// @inheritdoc ISequencerInbox
    function batchCount() external view returns (uint256 count_) {
        count_ = _batches.length;
    }

    /// @inheritdoc ISequencerInbox
    function batchHash(uint256 _index) external view returns (bytes32 hash_) {
        hash_ = _batchAt(_index).hash;
    }

    /// @inheritdoc ISequencerInbox
    function messageCount(uint256 _index) external view returns (uint256 count_) {
        count_ = _batchAt(_index).messageCount;
    }

    /// @inheritdoc ISequencerInbox
    function delayedCount(uint256 _index) external view returns (uint256 count_) {
        count_ = _batchAt(_index).delayedCount;
    }

    /// @inheritdoc ISequencerInbox
    function accumulator(uint256 _index) external view returns (bytes32 accumulator_) {
        accumulator_ = _batchAt(_index).accumulator;
    }

    /// @dev Batch `_index`, or a revert when it does not exist.
    function _batchAt(uint256 _index) internal view returns (Batch storage batch_) {
        if (_index >= _batches.length) revert BatchNotFound(_index);
        batch_ = _batches[_index];
    }

    /// @dev The caller rules of a sequencer batch (§5.1): the sequencer, as the top-level call of a plain
    ///      account, naming the next batch index. Returns that index.
    function _checkSequencerCall(uint256 _expectedIndex) internal view returns (uint256 index_) {
        if (msg.sender != sequencer) revert NotSequencer();
        if (msg.sender != tx.origin || msg.sender.code.length != 0) revert NotTopLevelEOA();
        index_ = _batches.length;
        if (_expectedIndex != index_) revert UnexpectedBatchIndex(_expectedIndex, index_);
    }

    /// @dev `delayedCountAfter` neither decreases nor passes the Portal's count (§5.1).
    function _checkDelayedCountAfter(uint256 _delayedCountAfter, uint256 _prevDelayed) internal view {
        if (_delayedCountAfter < _prevDelayed) revert DelayedCountDecreases(_delayedCountAfter, _prevDelayed);
        uint256 portalCount = portal.delayedMessageCount();
        if (_delayedCountAfter > portalCount) revert DelayedCountAbovePortal(_delayedCountAfter, portalCount);
    }

    /// @dev The versioned hashes of this transaction's blobs (the leading non-zero `blobhash(i)`):
    ///      at least one, at most `MAX_BLOBS_PER_BATCH` (§5.7).
    function _blobHashesOfThisTransaction() internal view returns (bytes32[] memory hashes_) {
        uint256 max = Constants.MAX_BLOBS_PER_BATCH;
        hashes_ = new bytes32[](max);
        uint256 count;
        while (count < max && blobhash(count) != bytes32(0)) {
            hashes_[count] = blobhash(count);
            ++count;
        }
        if (count == 0) revert NoBlobs();
        if (blobhash(max) != bytes32(0)) revert TooManyBlobs();
        assembly ("memory-safe") {
            mstore(hashes_, count)
        }
    }

    /// @dev The counts and accumulator after the batch before `_index` (all zero before the first).
    function _last(uint256 _index)
        internal
        view
        returns (uint256 delayed_, uint256 messages_, bytes32 accumulator_)
    {
        if (_index == 0) return (0, 0, bytes32(0));
        Batch storage prev = _batches[_index - 1];
        (delayed_, messages_, accumulator_) = (prev.delayedCount, prev.messageCount, prev.accumulator);
    }

    /// @dev Stores batch `_index` and emits `BatchAppended`.
    function _append(
        uint256 _index,
        bytes32 _hash,
        uint256 _delayedCount,
        uint256 _messageCount,
        bytes32 _prevAccumulator
    )
        internal
    {
        bytes32 acc = keccak256(abi.encode(_prevAccumulator, _hash, _delayedCount, _messageCount));
        _batches.push(
            Batch({
                hash: _hash,
                accumulator: acc,
                delayedCount: uint64(_delayedCount),
                messageCount: uint192(_messageCount)
            })
        );
        emit BatchAppended(_index, _hash, acc, _messageCount, _delayedCount);
    }
}
