// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {RLPItem, RLPReader} from "../rlp/RLPReader.sol";
import {RLPWriter} from "../rlp/RLPWriter.sol";
import {SecureMerkleTrie} from "../trie/SecureMerkleTrie.sol";
import {BatchWalker, LocatedMessage, Prelude} from "../batch/BatchWalker.sol";
import {SlotDecoder} from "../batch/SlotDecoder.sol";
import {ForcedTransaction} from "./ForcedTransaction.sol";
import {Reason} from "./Reason.sol";
import {Transaction} from "./Transaction.sol";
import {TransactionRules} from "./TransactionRules.sol";

/// @notice The config values the state transition reads (protocol.md §2, fields 1, 3, 4).
struct StfConfig {
    uint256 chainId;
    uint256 baseFeePerGas;
    address feeVault;
}

/// @notice A delayed message as the Portal recorded it (§4.1).
struct DelayedMessage {
    /// @notice 0 deposit, 1 forced transaction.
    uint8 kind;
    address l1Sender;
    uint64 l1Timestamp;
    bytes payload;
}

/// @notice The proofs of §7.4: the account proofs in the order of the table (each the RLP nodes from
///         the running root down), and the message passer's storage proof (withdrawals only).
struct StateProofs {
    bytes[][] accountProofs;
    bytes[] storageProof;
}

/// @notice An account of the state trie (§3.1).
struct Account {
    uint256 nonce;
    uint256 balance;
    bytes32 storageRoot;
    bytes32 codeHash;
}

/// @title StateTransition
/// @notice The Sluice state transition of one message (protocol.md §7) on a state given by its root,
///         through Merkle-Patricia proofs: deposits (§7.2), batch slots and forced transactions (§7.3),
///         with the touched accounts of §7.4 read and written one after another against the running
///         root.
/// @dev    Reverts only on bad proofs (a node that does not hash to the running root, too few proofs,
///         a malformed account in the state); any message content gives a root.
library StateTransition {
    /// @notice The message passer (§1).
    address internal constant MESSAGE_PASSER = TransactionRules.MESSAGE_PASSER;
    /// @notice The root of the empty trie (§1).
    bytes32 internal constant EMPTY_TRIE_ROOT = 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421;
    /// @notice keccak256 of empty code (§1).
    bytes32 internal constant EMPTY_CODE_HASH = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470;
    /// @notice Delayed message kinds (§4.1).
    uint8 internal constant KIND_DEPOSIT = 0;
    uint8 internal constant KIND_FORCED_TRANSACTION = 1;
    /// @notice Length of a deposit payload: `abi.encodePacked(address l2Recipient, uint256 amount)`.
    uint256 internal constant DEPOSIT_PAYLOAD_LENGTH = 52;

    /// @notice Fewer account proofs were given than the message touches accounts (§7.4).
    error MissingAccountProof(uint256 index);

    /// @dev The running state of one message: root and the next account proof to use.
    struct Cursor {
        bytes32 root;
        uint256 next;
    }

    /// @notice Applies message `_j` of a batch (§5.6 locates it) to `_preRoot`.
    /// @param _batch The batch bytes.
    /// @param _j The message's index within the batch (0 ≤ `_j` < D_b + S_b).
    /// @param _delayedBefore delayedCount[b−1].
    /// @param _delayedCount D_b.
    /// @param _slotCount S_b.
    /// @param _delayed The delayed message, used only when message `_j` is one (the caller checks it
    ///        against the Portal).
    /// @return postRoot_ The state root after the message.
    /// @return reason_ `Reason.APPLIED` or the no-op reason.
    /// @return loc_ Where the message came from.
    function applyBatchMessage(
        StfConfig memory _config,
        bytes32 _preRoot,
        bytes memory _batch,
        uint256 _j,
        uint256 _delayedBefore,
        uint256 _delayedCount,
        uint256 _slotCount,
        DelayedMessage memory _delayed,
        StateProofs memory _proofs
    ) internal pure returns (bytes32 postRoot_, uint8 reason_, LocatedMessage memory loc_) {
        loc_ = BatchWalker.locate(_batch, _j, _delayedBefore, _delayedCount, _slotCount);
        (postRoot_, reason_) = applyLocated(_config, _preRoot, _batch, loc_, _delayed, _proofs);
    }

    /// @notice Applies the message `_loc` that BatchWalker.locate found in `_batch`: the delayed
    ///         message `_delayed`, an empty slot (no-op `slotDecode`), or the slot's transaction.
    function applyLocated(
        StfConfig memory _config,
        bytes32 _preRoot,
        bytes memory _batch,
        LocatedMessage memory _loc,
        DelayedMessage memory _delayed,
        StateProofs memory _proofs
    ) internal pure returns (bytes32, uint8) {
        if (_loc.isDelayed) return applyDelayed(_config, _preRoot, _delayed, _proofs);
        if (!_loc.slotPresent) return (_preRoot, Reason.SLOT_DECODE);
        return applySlot(
            _config, _preRoot, _batch, BatchWalker.readPrelude(_batch), _loc.slotOffset, _loc.slotLength, _proofs
        );
    }

    /// @notice Applies message `_loc` of a batch as the prover's `BatchMessageReader` read it: the
    ///         delayed message `_delayed`, an absent slot or one that does not decode (no-op
    ///         `slotDecode`), or the slot's transaction `_tx`.
    function applyRead(
        StfConfig memory _config,
        bytes32 _preRoot,
        LocatedMessage memory _loc,
        bool _decoded,
        Transaction memory _tx,
        DelayedMessage memory _delayed,
        StateProofs memory _proofs
    ) internal pure returns (bytes32, uint8) {
        if (_loc.isDelayed) return applyDelayed(_config, _preRoot, _delayed, _proofs);
        if (!_decoded) return (_preRoot, Reason.SLOT_DECODE);
        return applyTransaction(_config, _preRoot, _tx, _proofs);
    }

    /// @notice Applies the slot of `_length` bytes at `_offset` of `_batch` (§5.5, §7.3).
    function applySlot(
        StfConfig memory _config,
        bytes32 _preRoot,
        bytes memory _batch,
        Prelude memory _prelude,
        uint256 _offset,
        uint256 _length,
        StateProofs memory _proofs
    ) internal pure returns (bytes32, uint8) {
        (bool ok, Transaction memory t) = SlotDecoder.decode(_batch, _prelude, _offset, _length, _config.chainId);
        if (!ok) return (_preRoot, Reason.SLOT_DECODE);
        return applyTransaction(_config, _preRoot, t, _proofs);
    }

    /// @notice Applies a delayed message (§7.2 deposit, §7.3 forced transaction).
    /// @dev    Kind 0 is a deposit; every other kind is read as a forced transaction (the Portal only
    ///         records kinds 0 and 1; this matches the TypeScript STF for the others). A deposit
    ///         payload that is not 52 bytes (which the Portal never records) is the no-op
    ///         `depositMalformed`, so that this function stays total.
    function applyDelayed(
        StfConfig memory _config,
        bytes32 _preRoot,
        DelayedMessage memory _message,
        StateProofs memory _proofs
    ) internal pure returns (bytes32, uint8) {
        if (_message.kind == KIND_DEPOSIT) {
            bytes memory payload = _message.payload;
            if (payload.length != DEPOSIT_PAYLOAD_LENGTH) return (_preRoot, Reason.DEPOSIT_MALFORMED);
            address recipient;
            uint256 amount;
            assembly ("memory-safe") {
                recipient := shr(96, mload(add(payload, 0x20)))
                amount := mload(add(payload, 0x34))
            }
            return (applyDeposit(_preRoot, recipient, amount, _proofs), Reason.APPLIED);
        }
        (uint8 reason, Transaction memory t) = ForcedTransaction.decode(_message.payload, _config.chainId);
        if (reason != Reason.APPLIED) return (_preRoot, reason);
        return applyTransaction(_config, _preRoot, t, _proofs);
    }

    /// @notice A deposit (§7.2): `recipient.balance += amount`, saturating at 2^256 − 1 (a deposit L1
    ///         cannot fund, defined so that both implementations agree), one account proof.
    function applyDeposit(bytes32 _preRoot, address _recipient, uint256 _amount, StateProofs memory _proofs)
        internal
        pure
        returns (bytes32)
    {
        Cursor memory c = Cursor({root: _preRoot, next: 0});
        (Account memory a, bytes[] memory proof) = _read(c, _recipient, _proofs);
        a.balance = _saturatingCredit(a.balance, _amount);
        _write(c, _recipient, a, proof);
        return c.root;
    }

    /// @dev `min(_balance + _amount, 2^256 − 1)`: every credit saturates (§7.2 deposits, §7.3 recipient and
    ///      fee vault), so that no state makes the two implementations disagree.
    function _saturatingCredit(uint256 _balance, uint256 _amount) private pure returns (uint256) {
        unchecked {
            uint256 credited = _balance + _amount;
            return credited < _balance ? type(uint256).max : credited;
        }
    }

    /// @notice A decoded transaction (§7.3): rules 1–17, then the updates in their fixed order.
    function applyTransaction(
        StfConfig memory _config,
        bytes32 _preRoot,
        Transaction memory _tx,
        StateProofs memory _proofs
    ) internal pure returns (bytes32, uint8) {
        (uint8 reason, address sender, uint256 gasUsed) =
            TransactionRules.check(_tx, _config.chainId, _config.baseFeePerGas);
        if (reason != Reason.APPLIED) return (_preRoot, reason);

        Cursor memory c = Cursor({root: _preRoot, next: 0});
        // 1. sender (rules 16–17 read it)
        (Account memory a, bytes[] memory proof) = _read(c, sender, _proofs);
        if (_tx.nonce != a.nonce) return (_preRoot, Reason.NONCE_MISMATCH);
        if (!TransactionRules.canPay(a.balance, _tx)) return (_preRoot, Reason.INSUFFICIENT_BALANCE);
        uint256 fee = gasUsed * TransactionRules.effectiveGasPrice(_tx, _config.baseFeePerGas);
        a.nonce += 1;
        a.balance -= _tx.value + fee;
        _write(c, sender, a, proof);

        bool withdrawal = _tx.to == MESSAGE_PASSER;
        // 2. recipient
        if (!withdrawal) {
            (a, proof) = _read(c, _tx.to, _proofs);
            a.balance = _saturatingCredit(a.balance, _tx.value);
            _write(c, _tx.to, a, proof);
        }
        // 3. fee vault (even when the fee is 0)
        (a, proof) = _read(c, _config.feeVault, _proofs);
        a.balance = _saturatingCredit(a.balance, fee);
        _write(c, _config.feeVault, a, proof);
        // 4. message passer
        if (withdrawal) _withdraw(c, sender, _tx, _proofs);
        return (c.root, Reason.APPLIED);
    }

    /// @dev §7.3 update 4: record the withdrawal in the passer's storage, then bump its nonce.
    function _withdraw(Cursor memory _c, address _sender, Transaction memory _tx, StateProofs memory _proofs)
        private
        pure
    {
        address l1Recipient = _tx.data.length == 0 ? _sender : address(uint160(uint256(bytes32(_tx.data))));
        (Account memory a, bytes[] memory proof) = _read(_c, MESSAGE_PASSER, _proofs);
        bytes32 withdrawalHash = keccak256(abi.encode(a.nonce, _sender, l1Recipient, _tx.value));
        a.storageRoot = SecureMerkleTrie.update(
            abi.encodePacked(withdrawalHash),
            RLPWriter.writeUint(uint256(withdrawalHash)),
            _proofs.storageProof,
            a.storageRoot
        );
        a.nonce += 1;
        _write(_c, MESSAGE_PASSER, a, proof);
    }

    /// @notice The account RLP `[nonce, balance, storageRoot, codeHash]` (§3.1).
    function encodeAccount(Account memory _a) internal pure returns (bytes memory) {
        bytes[] memory items = new bytes[](4);
        items[0] = RLPWriter.writeUint(_a.nonce);
        items[1] = RLPWriter.writeUint(_a.balance);
        items[2] = RLPWriter.writeBytes(abi.encodePacked(_a.storageRoot));
        items[3] = RLPWriter.writeBytes(abi.encodePacked(_a.codeHash));
        return RLPWriter.writeList(items);
    }

    /// @notice Decodes an account RLP (reverts when malformed: only a bad state can hold one).
    function decodeAccount(bytes memory _value) internal pure returns (Account memory a_) {
        RLPItem[] memory items = RLPReader.readList(_value);
        if (items.length != 4) revert RLPReader.RLPLengthMismatch();
        a_.nonce = RLPReader.readUint256(items[0]);
        a_.balance = RLPReader.readUint256(items[1]);
        a_.storageRoot = RLPReader.readBytes32(items[2]);
        a_.codeHash = RLPReader.readBytes32(items[3]);
    }

    /// @dev Reads `_who` with the next account proof against the running root (absent: empty account).
    function _read(Cursor memory _c, address _who, StateProofs memory _proofs)
        private
        pure
        returns (Account memory a_, bytes[] memory proof_)
    {
        if (_c.next >= _proofs.accountProofs.length) revert MissingAccountProof(_c.next);
        proof_ = _proofs.accountProofs[_c.next++];
        (bool exists, bytes memory value) = SecureMerkleTrie.get(abi.encodePacked(_who), proof_, _c.root);
        if (exists) {
            a_ = decodeAccount(value);
        } else {
            a_ = Account({nonce: 0, balance: 0, storageRoot: EMPTY_TRIE_ROOT, codeHash: EMPTY_CODE_HASH});
        }
    }

    /// @dev Writes `_a` at `_who` through the same proof (it is valid against the same root).
    function _write(Cursor memory _c, address _who, Account memory _a, bytes[] memory _proof) private pure {
        _c.root = SecureMerkleTrie.update(abi.encodePacked(_who), encodeAccount(_a), _proof, _c.root);
    }
}
