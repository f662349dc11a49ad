// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { IOneStepProver } from "../../src/interfaces/IOneStepProver.sol";
import { Constants } from "../../src/libraries/Constants.sol";

/// @title MockOneStepProver
/// @notice A stand-in for the real prover with a known "true" history: `root_i = trueRoot(i)`. From the
///         true `root_i` message `i` leads to `trueRoot(i + 1)`; from any other root it leads to a root
///         derived from that root (so a wrong pre-state never yields the true post-state). A proof whose
///         first byte is 0xff is rejected (reverts), like a malformed proof to the real prover.
contract MockOneStepProver is IOneStepProver {
    /// @notice The mock rejects the proof.
    error MockProofRejected();

    /// @notice The true state root after `_i` messages (`root_0` is the real genesis root, which every
    ///         config must name).
    function trueRoot(uint256 _i) public pure returns (bytes32 root_) {
        root_ = _i == 0 ? Constants.GENESIS_STATE_ROOT : keccak256(abi.encode("sluice.mock.root", _i));
    }

    /// @inheritdoc IOneStepProver
    function proveMessage(uint256 messageIndex, bytes32 preStateRoot, bytes calldata proof)
        external
        pure
        returns (bytes32 postStateRoot)
    {
        if (proof.length > 0 && proof[0] == 0xff) revert MockProofRejected();
        if (preStateRoot == trueRoot(messageIndex)) return trueRoot(messageIndex + 1);
        return keccak256(abi.encode("sluice.mock.wrong", preStateRoot, messageIndex));
    }
}
