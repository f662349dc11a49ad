// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BatchWalker, LocatedMessage, Prelude} from "../libraries/batch/BatchWalker.sol";
import {BlobBody, BlobOpening, OpenedBody} from "../libraries/batch/BlobBody.sol";
import {SlotDecoder} from "../libraries/batch/SlotDecoder.sol";
import {Transaction} from "../libraries/stf/Transaction.sol";

/// @title BatchMessageReader
/// @notice Reads message `j` of a batch for the one-step prover: locates it (protocol.md §5.6 for a
///         calldata batch, §5.7 for a blob batch) and decodes a present slot (§5.5). A blob batch is read
///         through KZG openings (§8.3): every opening is checked with the point-evaluation precompile,
///         and every byte read — the slot's, and the dictionary entries a decoded slot uses — must lie
///         in an opened element.
/// @dev    A contract of its own, created by the `OneStepProver`'s constructor, so that the prover stays
///         well under EIP-170's 24,576-byte code limit (with both readers inside it was 27,231 bytes).
///         It applies nothing: the prover applies what it returns with one state transition for both
///         kinds of batch. Its reverts (`BlobBody.BadOpening`, `BlobBody.MissingOpening`) reach the
///         prover's caller unchanged. Only proof data makes it revert; any batch contents give an answer.
contract BatchMessageReader {
    /// @notice Message `_j` of the calldata batch `_batch` (already checked against the inbox's hash).
    /// @param _batch The batch bytes.
    /// @param _j The message's index within the batch (0 ≤ j < D_b + S_b).
    /// @param _delayedBefore delayedCount[b−1].
    /// @param _delayedCount D_b.
    /// @param _slotCount S_b.
    /// @param _chainId The L2 chain id the slot's transaction is rebuilt with (§5.5).
    /// @return location_ Where the message lies (a delayed message, or slot `k` and whether it is present).
    /// @return decoded_ True when the message is a present slot that decodes; `transaction_` is then it.
    /// @return transaction_ The slot's transaction (when `decoded_`).
    function readCalldata(
        bytes memory _batch,
        uint256 _j,
        uint256 _delayedBefore,
        uint256 _delayedCount,
        uint256 _slotCount,
        uint256 _chainId
    ) external pure returns (LocatedMessage memory location_, bool decoded_, Transaction memory transaction_) {
        location_ = BatchWalker.locate(_batch, _j, _delayedBefore, _delayedCount, _slotCount);
        if (location_.isDelayed || !location_.slotPresent) return (location_, false, transaction_);
        (decoded_, transaction_) = SlotDecoder.decode(
            _batch, BatchWalker.readPrelude(_batch), location_.slotOffset, location_.slotLength, _chainId
        );
    }

    /// @notice Message `_j` of the blob batch whose blobs have `_versionedHashes`, read from `_openings`.
    /// @param _versionedHashes The batch's blobs, in the inbox's order.
    /// @param _openings The openings of the proof (§8.3).
    /// @param _j, _delayedBefore, _delayedCount, _slotCount, _chainId As `readCalldata`.
    /// @return location_ As `readCalldata`.
    /// @return decoded_ As `readCalldata`.
    /// @return transaction_ As `readCalldata`.
    function readBlob(
        bytes32[] memory _versionedHashes,
        BlobOpening[] memory _openings,
        uint256 _j,
        uint256 _delayedBefore,
        uint256 _delayedCount,
        uint256 _slotCount,
        uint256 _chainId
    ) external view returns (LocatedMessage memory location_, bool decoded_, Transaction memory transaction_) {
        OpenedBody memory body = BlobBody.open(_versionedHashes, _openings);
        Prelude memory prelude;
        (location_, prelude) = BlobBody.locate(body, _j, _delayedBefore, _delayedCount, _slotCount);
        if (location_.isDelayed || !location_.slotPresent) return (location_, false, transaction_);
        uint256 feeEntryAt;
        uint256 addressAt;
        (decoded_, transaction_, feeEntryAt, addressAt) = SlotDecoder.decodeWithDictionary(
            body.data, prelude, location_.slotOffset, location_.slotLength, _chainId
        );
        if (!decoded_) return (location_, false, transaction_);
        // Decoding never looks at the dictionary's contents, so it may read them unopened first.
        BlobBody.requireBytes(body, feeEntryAt, 40);
        if (addressAt != SlotDecoder.NO_ENTRY) BlobBody.requireBytes(body, addressAt, 20);
    }
}
