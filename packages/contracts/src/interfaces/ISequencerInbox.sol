// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title ISequencerInbox
/// @notice The inbox's per-batch views (protocol.md §5.1).
interface ISequencerInbox {
    /// @notice The number of batches so far.
    function batchCount() external view returns (uint256 count_);

    /// @notice `keccak256` of batch `_index`'s bytes (a calldata batch), or of
    ///         `uint8(2) ‖ uint64 delayedCountAfter ‖ uint32 slotCount ‖ versioned hashes` (a blob batch).
    function batchHash(uint256 _index) external view returns (bytes32 hash_);

    /// @notice The number of messages up to and including batch `_index`.
    function messageCount(uint256 _index) external view returns (uint256 count_);

    /// @notice The number of delayed messages taken up to and including batch `_index`.
    function delayedCount(uint256 _index) external view returns (uint256 count_);

    /// @notice The accumulator after batch `_index`.
    function accumulator(uint256 _index) external view returns (bytes32 accumulator_);

    /// @notice The versioned hashes of blob batch `_index`'s blobs, in order; empty for a calldata or
    ///         forced batch (so a non-empty answer means the batch is a blob batch).
    function batchBlobHashes(uint256 _index) external view returns (bytes32[] memory hashes_);
}
