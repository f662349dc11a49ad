// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {OneStepProver} from "../../src/L1/OneStepProver.sol";
import {IPortal} from "../../src/interfaces/IPortal.sol";
import {ISequencerInbox} from "../../src/interfaces/ISequencerInbox.sol";
import {LocatedMessage} from "../../src/libraries/batch/BatchWalker.sol";
import {BlobOpening} from "../../src/libraries/batch/BlobBody.sol";
import {Types} from "../../src/libraries/Types.sol";
import {Transaction} from "../../src/libraries/stf/Transaction.sol";
import {DelayedMessage, StateProofs, StateTransition} from "../../src/libraries/stf/StateTransition.sol";

/// @title OneStepProverHarness
/// @notice The `OneStepProver` with entries that apply a batch's message without the inbox and Portal
///         checks, for the vector replays and tests. They live here, not in the prover, because the
///         deployed prover must stay under EIP-170's 24,576-byte code limit.
contract OneStepProverHarness is OneStepProver {
    constructor(ISequencerInbox _inbox, IPortal _portal, Types.RollupConfig memory _config)
        OneStepProver(_inbox, _portal, _config)
    {}

    /// @notice A message of a batch, located by its index within the batch (for `applyBatchMessage`).
    struct BatchMessage {
        /// @notice The batch bytes.
        bytes batch;
        /// @notice The message's index within the batch (0 ≤ j < D_b + S_b).
        uint256 j;
        /// @notice delayedCount[b−1].
        uint256 delayedBefore;
        /// @notice D_b.
        uint256 delayedCount;
        /// @notice S_b.
        uint256 slotCount;
    }

    /// @notice The state transition of message `_m.j` of a batch without the inbox and Portal checks
    ///         (for tests and tools replaying vectors); `_delayed` is used when that message is delayed.
    function applyBatchMessage(
        bytes32 _preStateRoot,
        BatchMessage memory _m,
        DelayedMessage memory _delayed,
        StateProofs memory _proofs
    ) external view returns (bytes32 postStateRoot_, uint8 reason_, LocatedMessage memory location_) {
        return StateTransition.applyBatchMessage(
            config(), _preStateRoot, _m.batch, _m.j, _m.delayedBefore, _m.delayedCount, _m.slotCount, _delayed, _proofs
        );
    }

    /// @notice The state transition of a delayed message without the Portal check (tests and tools).
    function applyDelayedMessage(bytes32 _preStateRoot, DelayedMessage memory _delayed, StateProofs memory _proofs)
        external
        view
        returns (bytes32 postStateRoot_, uint8 reason_)
    {
        return StateTransition.applyDelayed(config(), _preStateRoot, _delayed, _proofs);
    }

    /// @notice A message of a blob batch, located by its index within the batch (for
    ///         `applyBlobBatchMessage`): the batch's versioned hashes stand in for the inbox.
    struct BlobBatchMessage {
        /// @notice The versioned hashes of the batch's blobs, in order.
        bytes32[] versionedHashes;
        /// @notice The openings (as in `OneStepProof`).
        BlobOpening[] openings;
        /// @notice The message's index within the batch (0 ≤ j < D_b + S_b).
        uint256 j;
        /// @notice delayedCount[b−1].
        uint256 delayedBefore;
        /// @notice D_b.
        uint256 delayedCount;
        /// @notice S_b.
        uint256 slotCount;
    }

    /// @notice The state transition of message `_m.j` of a blob batch without the inbox and Portal
    ///         checks (for tests and tools replaying vectors): the openings are checked with the real
    ///         point-evaluation precompile against `_m.versionedHashes`.
    function applyBlobBatchMessage(
        bytes32 _preStateRoot,
        BlobBatchMessage memory _m,
        DelayedMessage memory _delayed,
        StateProofs memory _proofs
    ) external view returns (bytes32 postStateRoot_, uint8 reason_, LocatedMessage memory location_) {
        bool decoded;
        Transaction memory transaction;
        (location_, decoded, transaction) = READER.readBlob(
            _m.versionedHashes, _m.openings, _m.j, _m.delayedBefore, _m.delayedCount, _m.slotCount, CHAIN_ID
        );
        (postStateRoot_, reason_) =
            StateTransition.applyRead(config(), _preStateRoot, location_, decoded, transaction, _delayed, _proofs);
    }
}
