// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IOneStepProver
/// @notice The on-chain state transition of one message (protocol.md §8.3), as the DisputeGame calls it.
interface IOneStepProver {
    /// @notice Applies message `messageIndex` to `preStateRoot` and returns the post-state root.
    /// @param messageIndex The index of the message in the canonical message list.
    /// @param preStateRoot The agreed state root before the message.
    /// @param proof The ABI-encoded proof the prover defines (batch hint, batch or delayed message, MPT proofs).
    /// @return postStateRoot The state root after the message.
    function proveMessage(uint256 messageIndex, bytes32 preStateRoot, bytes calldata proof)
        external
        view
        returns (bytes32 postStateRoot);
}
