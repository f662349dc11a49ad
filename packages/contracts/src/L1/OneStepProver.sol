// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IOneStepProver} from "../interfaces/IOneStepProver.sol";
import {IPortal} from "../interfaces/IPortal.sol";
import {ISequencerInbox} from "../interfaces/ISequencerInbox.sol";
import {LocatedMessage} from "../libraries/batch/BatchWalker.sol";
import {BlobOpening} from "../libraries/batch/BlobBody.sol";
import {Transaction} from "../libraries/stf/Transaction.sol";
import {BatchMessageReader} from "./BatchMessageReader.sol";
import {RollupConfig} from "../libraries/RollupConfig.sol";
import {Types} from "../libraries/Types.sol";
import {DelayedMessage, StateProofs, StateTransition, StfConfig} from "../libraries/stf/StateTransition.sol";

/// @title OneStepProver
/// @notice Applies one message of the canonical message list to a state root on L1, from L1 data and
///         Merkle-Patricia proofs alone (protocol.md §8.3): the batch (checked against the inbox), the
///         walk of §5.6, the slot (§5.5) or delayed message (checked against the Portal), the rules of
///         §7.3 with `ecrecover`, and the updates of §7.3 through the proofs of §7.4.
/// @dev    The `proof` argument of `proveMessage` is `abi.encode(OneStepProof)`, i.e. the ABI encoding
///         of ONE tuple parameter (a leading 0x20 offset word, then the tuple):
///         ```
///         (uint256 batchIndex,                       // b: the batch holding message i
///          bytes   batch,                            // a calldata batch: its bytes; keccak256 must
///                                                    // equal batchHash(b). A blob batch: empty
///          (uint256 blobIndex, uint256 element, bytes32 y, bytes commitment, bytes proof)[] openings,
///                                                    // a blob batch: KZG openings of the elements
///                                                    // the message needs (§8.3; extra and repeated
///                                                    // ones allowed). A calldata batch: empty
///          (uint8 kind, address l1Sender, uint64 l1Timestamp, bytes payload) delayed,
///                                                    // the delayed message when message i is one
///                                                    // (checked against delayedMessageHash(d)),
///                                                    // otherwise ignored (pass zeros and empty bytes)
///          bytes[][] accountProofs,                  // §7.4 order: deposit [recipient];
///                                                    // transfer [sender, recipient, feeVault];
///                                                    // withdrawal [sender, feeVault, passer];
///                                                    // no-op by rules 16–17 [sender]; other no-ops [];
///                                                    // each the RLP nodes from the running root down
///          bytes[]  storageProof)                    // withdrawal: passer storage trie, key
///                                                    // keccak256(withdrawalHash), against the passer's
///                                                    // storage root; otherwise []
///         ```
///         viem: `encodeAbiParameters([{ type: 'tuple', components: [...] }], [proof])`.
///         A batch is a blob batch when the inbox's `batchBlobHashes(b)` is not empty (§5.7).
///         Reverts only when the proof data is wrong (batch hint, batch bytes, openings, delayed
///         message, trie proofs); batch, blob and message contents never make it revert.
contract OneStepProver is IOneStepProver {
    /// @notice The proof argument of `proveMessage` (see the contract's NatSpec for the layout).
    struct OneStepProof {
        uint256 batchIndex;
        bytes batch;
        BlobOpening[] openings;
        DelayedMessage delayed;
        bytes[][] accountProofs;
        bytes[] storageProof;
    }

    /// @notice keccak256 of the ABI-encoded rollup config (protocol.md §2), as every contract stores it.
    bytes32 public immutable configHash;
    /// @notice The inbox whose batches define the message list.
    ISequencerInbox public immutable INBOX;
    /// @notice The Portal that records delayed messages.
    IPortal public immutable PORTAL;
    /// @notice The L2 chain id (config field 1).
    uint256 public immutable CHAIN_ID;
    /// @notice The L2 base fee (config field 4).
    uint256 public immutable BASE_FEE_PER_GAS;
    /// @notice The fee vault (config field 3).
    address public immutable FEE_VAULT;
    /// @notice Locates and decodes a batch's message, through openings for a blob batch (created here;
    ///         a contract of its own so that the prover stays under EIP-170's code size limit).
    BatchMessageReader public immutable READER;

    /// @notice The batch hint does not name an appended batch.
    error UnknownBatch(uint256 batchIndex, uint256 batchCount);
    /// @notice Message `messageIndex` is not in batch `batchIndex` (messageCount[b−1] ≤ i < messageCount[b]).
    error MessageNotInBatch(uint256 messageIndex, uint256 batchIndex);
    /// @notice The batch bytes do not hash to the inbox's `batchHash(b)`.
    error BatchHashMismatch(uint256 batchIndex);
    /// @notice The delayed message does not hash to the Portal's `delayedMessageHash(d)`.
    error DelayedMessageMismatch(uint256 delayedIndex);
    /// @notice The proof of a blob batch's message carries batch bytes (its `batch` must be empty).
    error UnexpectedBatchBytes(uint256 batchIndex);
    /// @notice The proof of a calldata batch's message carries openings (its `openings` must be empty).
    error UnexpectedOpenings(uint256 batchIndex);

    /// @notice Binds the prover to its inbox and Portal and to the rollup config every other contract
    ///         of the deployment stores the hash of; reverts with `InvalidRollupConfig` on a config that
    ///         breaks a rule of protocol.md §2.
    /// @param _inbox The SequencerInbox (batch hashes and message counts).
    /// @param _portal The Portal (delayed message hashes).
    /// @param _config The rollup config (protocol.md §2); the prover keeps its hash and the values the
    ///        state transition reads (chain id, base fee, fee vault).
    constructor(ISequencerInbox _inbox, IPortal _portal, Types.RollupConfig memory _config) {
        INBOX = _inbox;
        PORTAL = _portal;
        RollupConfig.validate(_config);
        configHash = RollupConfig.hash(_config);
        CHAIN_ID = _config.chainId;
        BASE_FEE_PER_GAS = _config.baseFeePerGas;
        FEE_VAULT = _config.feeVault;
        READER = new BatchMessageReader();
    }

    /// @inheritdoc IOneStepProver
    function proveMessage(uint256 messageIndex, bytes32 preStateRoot, bytes calldata proof)
        external
        view
        returns (bytes32 postStateRoot)
    {
        (postStateRoot,) = _prove(messageIndex, preStateRoot, proof);
    }

    /// @notice `proveMessage` that also returns why the message was a no-op (`Reason`, 0 = applied).
    function proveMessageWithReason(uint256 _messageIndex, bytes32 _preStateRoot, bytes calldata _proof)
        external
        view
        returns (bytes32 postStateRoot_, uint8 reason_)
    {
        return _prove(_messageIndex, _preStateRoot, _proof);
    }

    /// @notice The config values the state transition uses.
    function config() public view returns (StfConfig memory) {
        return StfConfig({chainId: CHAIN_ID, baseFeePerGas: BASE_FEE_PER_GAS, feeVault: FEE_VAULT});
    }

    /// @notice `keccak256(abi.encode(kind, index, l1Sender, l1Timestamp, keccak256(payload)))` (§4.1).
    function delayedMessageHash(uint256 _index, DelayedMessage memory _m) public pure returns (bytes32) {
        return keccak256(abi.encode(_m.kind, _index, _m.l1Sender, _m.l1Timestamp, keccak256(_m.payload)));
    }

    /// @dev Where message i lies: its index within batch b, delayedCount[b−1], D_b and S_b.
    struct Position {
        uint256 j;
        uint256 delayedBefore;
        uint256 delayedCount;
        uint256 slotCount;
    }

    function _prove(uint256 _i, bytes32 _preRoot, bytes calldata _proof) private view returns (bytes32, uint8) {
        OneStepProof memory p = abi.decode(_proof, (OneStepProof));
        Position memory at = _inBatch(_i, p.batchIndex);
        StateProofs memory proofs = StateProofs({accountProofs: p.accountProofs, storageProof: p.storageProof});
        bytes32[] memory versionedHashes = INBOX.batchBlobHashes(p.batchIndex);
        LocatedMessage memory location;
        bool decoded;
        Transaction memory transaction;
        if (versionedHashes.length == 0) {
            if (p.openings.length != 0) revert UnexpectedOpenings(p.batchIndex);
            if (keccak256(p.batch) != INBOX.batchHash(p.batchIndex)) revert BatchHashMismatch(p.batchIndex);
            (location, decoded, transaction) =
                READER.readCalldata(p.batch, at.j, at.delayedBefore, at.delayedCount, at.slotCount, CHAIN_ID);
        } else {
            if (p.batch.length != 0) revert UnexpectedBatchBytes(p.batchIndex);
            (location, decoded, transaction) = READER.readBlob(
                versionedHashes, p.openings, at.j, at.delayedBefore, at.delayedCount, at.slotCount, CHAIN_ID
            );
        }
        _checkDelayed(location, p.delayed);
        return StateTransition.applyRead(config(), _preRoot, location, decoded, transaction, p.delayed, proofs);
    }

    /// @dev The delayed message given must be the Portal's when message `_loc` is one.
    function _checkDelayed(LocatedMessage memory _loc, DelayedMessage memory _delayed) private view {
        if (!_loc.isDelayed) return;
        if (delayedMessageHash(_loc.delayedIndex, _delayed) != PORTAL.delayedMessageHash(_loc.delayedIndex)) {
            revert DelayedMessageMismatch(_loc.delayedIndex);
        }
    }

    /// @dev Checks the batch hint against the inbox; returns where message `_i` lies in batch `_b`.
    function _inBatch(uint256 _i, uint256 _b) private view returns (Position memory at_) {
        uint256 batchCount = INBOX.batchCount();
        if (_b >= batchCount) revert UnknownBatch(_b, batchCount);
        uint256 countBefore;
        if (_b > 0) {
            countBefore = INBOX.messageCount(_b - 1);
            at_.delayedBefore = INBOX.delayedCount(_b - 1);
        }
        uint256 countAfter = INBOX.messageCount(_b);
        if (_i < countBefore || _i >= countAfter) revert MessageNotInBatch(_i, _b);
        at_.j = _i - countBefore;
        at_.delayedCount = INBOX.delayedCount(_b) - at_.delayedBefore;
        at_.slotCount = countAfter - countBefore - at_.delayedCount;
    }
}
