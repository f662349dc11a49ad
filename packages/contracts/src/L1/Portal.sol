// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { IClaimManager } from "../interfaces/IClaimManager.sol";
import { IPortal } from "../interfaces/IPortal.sol";
import { Constants } from "../libraries/Constants.sol";
import { ClaimHashMismatch } from "../libraries/DisputeErrors.sol";
import "../libraries/PortalErrors.sol";
import { RollupConfig } from "../libraries/RollupConfig.sol";
import { Types } from "../libraries/Types.sol";
import { RLPItem, RLPReader } from "../libraries/rlp/RLPReader.sol";
import { SecureMerkleTrie } from "../libraries/trie/SecureMerkleTrie.sol";

/// @title Portal
/// @notice Sluice's L1 entry and exit for ETH and messages: deposits and forced transactions become
///         numbered delayed messages (protocol.md §4.1); withdrawals proven against a finalized claim
///         are paid out (protocol.md §9). Immutable: no owner, no proxy, no pause.
contract Portal is IPortal {
    /// @notice The hash of the rollup config this Portal was deployed with.
    bytes32 public immutable configHash;
    /// @notice The smallest deposit, in wei.
    uint256 public immutable minDeposit;
    /// @notice The largest forced transaction, in bytes.
    uint256 public immutable maxForcedTxBytes;
    /// @notice The ClaimManager whose finalized claims withdrawals are proven against.
    IClaimManager public immutable claimManager;

    /// @notice Hash of delayed message `d` (protocol.md §4.1).
    bytes32[] internal _delayedMessageHashes;
    /// @notice L1 timestamp of delayed message `d`.
    uint64[] internal _delayedMessageTimestamps;
    /// @notice Whether a withdrawal (by its hash) was paid.
    mapping(bytes32 withdrawalHash => bool) public paid;

    /// @notice A delayed message was recorded (protocol.md §4.1).
    /// @param index The message's number.
    /// @param kind 0 deposit, 1 forced transaction.
    /// @param l1Sender `msg.sender` of the Portal call.
    /// @param l1Timestamp `block.timestamp` of the Portal call.
    /// @param payload The payload (`abi.encodePacked(l2Recipient, amount)` for a deposit; the signed transaction).
    event DelayedMessage(
        uint256 indexed index, uint8 indexed kind, address indexed l1Sender, uint64 l1Timestamp, bytes payload
    );

    /// @notice A withdrawal was paid on L1.
    /// @param withdrawalHash The withdrawal's hash.
    /// @param l1Recipient Who was paid.
    /// @param value The amount paid, in wei.
    /// @param claimId The finalized claim it was proven against.
    event WithdrawalFinalized(
        bytes32 indexed withdrawalHash, address indexed l1Recipient, uint256 value, uint256 indexed claimId
    );

    /// @notice Deploys the Portal for `_config`; reverts with `InvalidRollupConfig` on a config that
    ///         breaks a rule of protocol.md §2.
    /// @param _config The rollup config.
    /// @param _claimManager The ClaimManager of the same deployment.
    constructor(Types.RollupConfig memory _config, IClaimManager _claimManager) {
        RollupConfig.validate(_config);
        configHash = RollupConfig.hash(_config);
        minDeposit = _config.minDeposit;
        maxForcedTxBytes = _config.maxForcedTxBytes;
        claimManager = _claimManager;
    }

    /// @notice Deposits `msg.value` wei to `_l2Recipient` on L2 (a kind-0 delayed message).
    /// @param _l2Recipient The L2 account credited; never the message passer.
    /// @return index_ The delayed message's number.
    function depositETH(address _l2Recipient) external payable returns (uint256 index_) {
        if (msg.value < minDeposit) revert DepositTooSmall(msg.value, minDeposit);
        if (_l2Recipient == Constants.MESSAGE_PASSER) revert DepositToMessagePasser();
        index_ = _record(Constants.KIND_DEPOSIT, abi.encodePacked(_l2Recipient, msg.value));
    }

    /// @notice Submits a signed L2 transaction from L1 (a kind-1 delayed message). It is judged on L2
    ///         like any transaction; one that does not apply is a no-op.
    /// @param _signedTx The network-form signed transaction, 1 to `maxForcedTxBytes` bytes.
    /// @return index_ The delayed message's number.
    function forceTransaction(bytes calldata _signedTx) external returns (uint256 index_) {
        if (_signedTx.length == 0 || _signedTx.length > maxForcedTxBytes) {
            revert ForcedTxLength(_signedTx.length, maxForcedTxBytes);
        }
        index_ = _record(Constants.KIND_FORCED_TX, _signedTx);
    }

    /// @notice Pays a withdrawal that a finalized claim's state holds (protocol.md §9).
    /// @param _withdrawal The withdrawal as the message passer recorded it.
    /// @param _claimId A finalized claim.
    /// @param _claimHash The claim the caller means (`ClaimManager.hashClaim`); reverts on another, so
    ///        that after an L1 reorg the call cannot land on a different claim (protocol.md §8.5).
    /// @param _accountProof EIP-1186 account proof of the message passer in the claim's state root.
    /// @param _storageProof EIP-1186 storage proof of slot `withdrawalHash` in the passer's storage root.
    function finalizeWithdrawal(
        Types.Withdrawal calldata _withdrawal,
        uint256 _claimId,
        bytes32 _claimHash,
        bytes[] calldata _accountProof,
        bytes[] calldata _storageProof
    )
        external
    {
        Types.Claim memory claim = claimManager.getClaim(_claimId);
        if (claim.claimHash != _claimHash) revert ClaimHashMismatch(_claimId, _claimHash, claim.claimHash);
        if (claim.status != Types.ClaimStatus.Finalized) revert ClaimNotFinalized(_claimId);

        bytes32 withdrawalHash = hashWithdrawal(_withdrawal);
        if (paid[withdrawalHash]) revert WithdrawalAlreadyPaid(withdrawalHash);
        _verifyWithdrawal(withdrawalHash, claim.stateRoot, _accountProof, _storageProof);

        paid[withdrawalHash] = true;
        emit WithdrawalFinalized(withdrawalHash, _withdrawal.l1Recipient, _withdrawal.value, _claimId);
        (bool ok,) = _withdrawal.l1Recipient.call{ value: _withdrawal.value }("");
        if (!ok) revert WithdrawalPaymentFailed(withdrawalHash);
    }

    /// @dev Reverts unless the message passer's storage in `_stateRoot` holds `_withdrawalHash` at slot
    ///      `_withdrawalHash` (protocol.md §3.4).
    function _verifyWithdrawal(
        bytes32 _withdrawalHash,
        bytes32 _stateRoot,
        bytes[] calldata _accountProof,
        bytes[] calldata _storageProof
    )
        internal
        pure
    {
        (bool accountExists, bytes memory account) =
            SecureMerkleTrie.get(abi.encodePacked(Constants.MESSAGE_PASSER), _accountProof, _stateRoot);
        if (!accountExists) revert MessagePasserNotFound();
        RLPItem[] memory fields = RLPReader.readList(account);
        if (fields.length != 4) revert MessagePasserNotFound();
        bytes32 storageRoot = RLPReader.readBytes32(fields[2]);

        (bool slotExists, bytes memory slotValue) =
            SecureMerkleTrie.get(abi.encodePacked(_withdrawalHash), _storageProof, storageRoot);
        // The leaf value is rlp(withdrawalHash without leading zero bytes): a canonical RLP integer.
        if (!slotExists || RLPReader.readUint256(RLPReader.toRLPItem(slotValue)) != uint256(_withdrawalHash)) {
            revert WithdrawalNotFound(_withdrawalHash);
        }
    }

    /// @notice `keccak256(abi.encode(nonce, sender, l1Recipient, value))` (protocol.md §7.3).
    /// @param _withdrawal The withdrawal.
    /// @return hash_ Its hash, the message passer's storage slot and value.
    function hashWithdrawal(Types.Withdrawal calldata _withdrawal) public pure returns (bytes32 hash_) {
        hash_ = keccak256(abi.encode(_withdrawal.nonce, _withdrawal.sender, _withdrawal.l1Recipient, _withdrawal.value));
    }

    /// @inheritdoc IPortal
    function delayedMessageCount() external view returns (uint256 count_) {
        count_ = _delayedMessageHashes.length;
    }

    /// @inheritdoc IPortal
    function delayedMessageHash(uint256 _index) external view returns (bytes32 hash_) {
        if (_index >= _delayedMessageHashes.length) revert DelayedMessageNotFound(_index);
        hash_ = _delayedMessageHashes[_index];
    }

    /// @inheritdoc IPortal
    function delayedMessageTimestamp(uint256 _index) external view returns (uint64 timestamp_) {
        if (_index >= _delayedMessageTimestamps.length) revert DelayedMessageNotFound(_index);
        timestamp_ = _delayedMessageTimestamps[_index];
    }

    /// @dev Numbers, hashes and stores a delayed message and emits `DelayedMessage`.
    function _record(uint8 _kind, bytes memory _payload) internal returns (uint256 index_) {
        index_ = _delayedMessageHashes.length;
        uint64 timestamp = uint64(block.timestamp);
        _delayedMessageHashes.push(
            keccak256(abi.encode(_kind, index_, msg.sender, timestamp, keccak256(_payload)))
        );
        _delayedMessageTimestamps.push(timestamp);
        emit DelayedMessage(index_, _kind, msg.sender, timestamp, _payload);
    }
}
