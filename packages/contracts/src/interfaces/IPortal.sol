// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IPortal
/// @notice The Portal's delayed-message views (protocol.md §4.1) that the inbox and the prover read.
interface IPortal {
    /// @notice The number of delayed messages so far.
    function delayedMessageCount() external view returns (uint256 count_);

    /// @notice `keccak256(abi.encode(kind, index, l1Sender, l1Timestamp, keccak256(payload)))` of message `_index`.
    function delayedMessageHash(uint256 _index) external view returns (bytes32 hash_);

    /// @notice The L1 timestamp of delayed message `_index`.
    function delayedMessageTimestamp(uint256 _index) external view returns (uint64 timestamp_);
}
