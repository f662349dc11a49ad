// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {RLPWriter} from "../rlp/RLPWriter.sol";
import {Transaction} from "../stf/Transaction.sol";
import {BatchWalker, Prelude} from "./BatchWalker.sol";

/// @title SlotDecoder
/// @notice Decodes one transaction slot of a batch (protocol.md §5.5) into the signed transaction it
///         stands for, and rebuilds its signing payload byte for byte. Total: any bytes give either
///         `ok = false` (the no-op `slotDecode`) or a transaction; nothing reverts on slot content.
library SlotDecoder {
    /// @notice flags bit 0: yParity.
    uint256 internal constant FLAG_Y_PARITY = 0x01;
    /// @notice flags bit 3: the recipient is inline (20 bytes); clear: a dictionary index varint.
    uint256 internal constant FLAG_INLINE_RECIPIENT = 0x08;
    /// @notice flags bit 4: data is one word `0x00 × 12 ‖ withdrawalTail`.
    uint256 internal constant FLAG_WITHDRAWAL_TAIL = 0x10;
    /// @notice `addressAt` of `decodeWithDictionary` when the recipient is inline.
    uint256 internal constant NO_ENTRY = type(uint256).max;
    /// @notice Largest decimal exponent of a value.
    uint256 internal constant MAX_EXPONENT = 77;

    /// @notice Decodes the `_length` slot bytes at `_offset` of `_batch`, whose prelude is `_prelude`
    ///         (complete), for the L2 chain `_chainId`.
    /// @return ok_ False when the slot fails to decode (§5.5): empty, type 3, a non-canonical varint,
    ///         a dictionary index out of range, exponent > 77 or value ≥ 2^256, too short, or bytes
    ///         left over after `s`.
    /// @return tx_ The transaction, with `signingHash` set.
    function decode(bytes memory _batch, Prelude memory _prelude, uint256 _offset, uint256 _length, uint256 _chainId)
        internal
        pure
        returns (bool ok_, Transaction memory tx_)
    {
        (ok_, tx_,,) = decodeWithDictionary(_batch, _prelude, _offset, _length, _chainId);
    }

    /// @notice `decode`, also reporting where the dictionary entries the transaction uses lie: the
    ///         one-step prover over blobs requires those bytes to be opened (protocol.md §8.3).
    /// @return ok_ As `decode`.
    /// @return tx_ As `decode`.
    /// @return feeEntryAt_ Offset of the 40-byte fee entry the transaction uses (meaningful when `ok_`).
    /// @return addressAt_ Offset of the 20-byte dictionary address of its recipient, or `NO_ENTRY` when
    ///         the recipient is inline (meaningful when `ok_`).
    function decodeWithDictionary(
        bytes memory _batch,
        Prelude memory _prelude,
        uint256 _offset,
        uint256 _length,
        uint256 _chainId
    ) internal pure returns (bool ok_, Transaction memory tx_, uint256 feeEntryAt_, uint256 addressAt_) {
        addressAt_ = NO_ENTRY;
        uint256 end = _offset + _length;
        if (_length == 0 || end > _batch.length || !_prelude.complete) return (false, tx_, 0, addressAt_);
        uint256 flags = uint8(_batch[_offset]);
        if ((flags >> 1) & 3 == 3) return (false, tx_, 0, addressAt_);
        tx_.txType = uint8((flags >> 1) & 3);
        uint256 p;
        bool ok;
        (ok, tx_.nonce, p) = BatchWalker.readVarint(_batch, _offset + 1, end);
        if (!ok) return (false, tx_, 0, addressAt_);
        // Fee entry index: in the flags, or a varint after the nonce when the flags say 7.
        uint256 index = flags >> 5;
        if (index == 7) {
            (ok, index, p) = BatchWalker.readVarint(_batch, p, end);
            if (!ok) return (false, tx_, 0, addressAt_);
        }
        if (index >= _prelude.feeCount) return (false, tx_, 0, addressAt_);
        feeEntryAt_ = _prelude.feesOffset + 40 * index;
        _readFeeEntry(_batch, feeEntryAt_, tx_);

        // Recipient: inline, or an index into the address dictionary.
        if (flags & FLAG_INLINE_RECIPIENT != 0) {
            if (p + 20 > end) return (false, tx_, 0, addressAt_);
            tx_.to = _address(_batch, p);
            p += 20;
        } else {
            (ok, index, p) = BatchWalker.readVarint(_batch, p, end);
            if (!ok || index >= _prelude.addressCount) return (false, tx_, 0, addressAt_);
            addressAt_ = _prelude.addressesOffset + 20 * index;
            tx_.to = _address(_batch, addressAt_);
        }
        tx_.hasTo = true;

        // Value = mantissa × 10^exponent (exponent:uint8 ‖ mantissa:wide varint).
        (ok, tx_.value, p) = _readValue(_batch, p, end);
        if (!ok) return (false, tx_, 0, addressAt_);

        // Data: empty, or one word 0x00 × 12 ‖ withdrawalTail.
        if (flags & FLAG_WITHDRAWAL_TAIL != 0) {
            if (p + 20 > end) return (false, tx_, 0, addressAt_);
            tx_.data = abi.encode(_address(_batch, p));
            p += 20;
        }

        // Signature: exactly 64 bytes must remain.
        if (p + 64 != end) return (false, tx_, 0, addressAt_);
        tx_.r = _word(_batch, p);
        tx_.s = _word(_batch, p + 32);
        tx_.chainId = _chainId;
        tx_.accessListEmpty = true;
        tx_.v = tx_.txType == 0 ? 2 * _chainId + 35 + (flags & FLAG_Y_PARITY) : (flags & FLAG_Y_PARITY);
        tx_.signingHash = signingHash(tx_);
        ok_ = true;
    }

    /// @dev Reads `exponent:uint8 ‖ mantissa:wide varint` at `_p`; fails when the exponent is above 77,
    ///      the mantissa's wide varint fails (37 bytes, < 2^256, canonical), or the value is ≥ 2^256.
    function _readValue(bytes memory _batch, uint256 _p, uint256 _end)
        private
        pure
        returns (bool ok_, uint256 value_, uint256 next_)
    {
        if (_p >= _end) return (false, 0, _p);
        uint256 exponent = uint8(_batch[_p]);
        uint256 mantissa;
        (ok_, mantissa, next_) = BatchWalker.readWideVarint(_batch, _p + 1, _end);
        if (!ok_ || exponent > MAX_EXPONENT) return (false, 0, next_);
        uint256 scale = 10 ** exponent; // ≤ 10^77 < 2^256
        if (mantissa != 0 && mantissa > type(uint256).max / scale) return (false, 0, next_);
        value_ = mantissa * scale;
    }

    /// @dev Fee entry at `_at`: maxFeePerGas:uint128 ‖ maxPriorityFeePerGas:uint128 ‖ gasLimit:uint64.
    ///      Types 0 and 1 use maxFeePerGas as the gas price and ignore the entry's priority fee.
    function _readFeeEntry(bytes memory _batch, uint256 _at, Transaction memory _tx) private pure {
        uint256 w0;
        uint256 w1;
        assembly ("memory-safe") {
            let ptr := add(add(_batch, 0x20), _at)
            w0 := mload(ptr)
            w1 := mload(add(ptr, 0x20))
        }
        _tx.maxFeePerGas = w0 >> 128;
        _tx.maxPriorityFeePerGas = _tx.txType == 2 ? w0 & type(uint128).max : w0 >> 128;
        _tx.gasLimit = w1 >> 192;
    }

    /// @notice keccak256 of the signing payload of a slot transaction (§5.5): type 0
    ///         `rlp([nonce, gasPrice, gasLimit, to, value, data, chainId, 0, 0])`; type 1
    ///         `0x01 ‖ rlp([chainId, nonce, gasPrice, gasLimit, to, value, data, []])`; type 2
    ///         `0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, []])`.
    function signingHash(Transaction memory _tx) internal pure returns (bytes32) {
        if (_tx.txType == 0) {
            bytes[] memory items = new bytes[](9);
            items[0] = RLPWriter.writeUint(_tx.nonce);
            items[1] = RLPWriter.writeUint(_tx.maxFeePerGas);
            items[2] = RLPWriter.writeUint(_tx.gasLimit);
            items[3] = RLPWriter.writeAddress(_tx.to);
            items[4] = RLPWriter.writeUint(_tx.value);
            items[5] = RLPWriter.writeBytes(_tx.data);
            items[6] = RLPWriter.writeUint(_tx.chainId);
            items[7] = RLPWriter.writeUint(0);
            items[8] = RLPWriter.writeUint(0);
            return keccak256(RLPWriter.writeList(items));
        }
        bytes[] memory fields = new bytes[](_tx.txType == 1 ? 8 : 9);
        uint256 i;
        fields[i++] = RLPWriter.writeUint(_tx.chainId);
        fields[i++] = RLPWriter.writeUint(_tx.nonce);
        if (_tx.txType == 2) fields[i++] = RLPWriter.writeUint(_tx.maxPriorityFeePerGas);
        fields[i++] = RLPWriter.writeUint(_tx.maxFeePerGas);
        fields[i++] = RLPWriter.writeUint(_tx.gasLimit);
        fields[i++] = RLPWriter.writeAddress(_tx.to);
        fields[i++] = RLPWriter.writeUint(_tx.value);
        fields[i++] = RLPWriter.writeBytes(_tx.data);
        fields[i] = RLPWriter.writeList(new bytes[](0));
        return keccak256(abi.encodePacked(bytes1(_tx.txType), RLPWriter.writeList(fields)));
    }

    /// @dev The 32 bytes at `_at` of `_data` (bounds checked by the caller).
    function _word(bytes memory _data, uint256 _at) private pure returns (uint256 w_) {
        assembly ("memory-safe") {
            w_ := mload(add(add(_data, 0x20), _at))
        }
    }

    /// @dev The 20 bytes at `_at` of `_data` as an address (bounds checked by the caller).
    function _address(bytes memory _data, uint256 _at) private pure returns (address a_) {
        assembly ("memory-safe") {
            a_ := shr(96, mload(add(add(_data, 0x20), _at)))
        }
    }
}
