// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {RLPWriter} from "../rlp/RLPWriter.sol";
import {Reason} from "./Reason.sol";
import {Transaction} from "./Transaction.sol";

/// @title ForcedTransaction
/// @notice Strict, total decoding of a forced transaction's payload (protocol.md §7.3): a network-form
///         signed transaction, typed envelope `0x01`/`0x02` or legacy RLP list; canonical RLP, nothing
///         after it, exact field counts, integers minimal and within width (nonce and gasLimit ≤ 8
///         bytes, others ≤ 32), `to` empty or 20 bytes, access-list entries `[20 bytes, [32 bytes…]]`.
///         The same acceptance as `decodeTransaction` in packages/core/src/tx/decode.ts.
/// @dev    Why not RLPReader: it reverts on malformed input, and catching that revert would need an
///         external self-call whose failure a caller can also provoke by starving it of gas (EIP-150
///         63/64), turning a valid forced transaction into a no-op on chain. This decoder returns a
///         failure instead of reverting, so its result does not depend on the gas given.
library ForcedTransaction {
    /// @dev The top-level fields of the transaction list: encoding start, payload start and length,
    ///      list flag; `end` is the end of the list's payload.
    struct Fields {
        uint256[12] at;
        uint256[12] ps;
        uint256[12] pl;
        bool[12] lists;
        uint256 end;
    }

    /// @notice Decodes `_raw`. Returns `Reason.APPLIED` (0) with the transaction on success, or
    ///         `Reason.FORCED_DECODE` on malformed bytes — including an envelope type byte other than
    ///         0x01/0x02 (as the TypeScript decoder, which refuses types 3, 4 and unknown ones).
    ///         `_chainId` (the config's) is used only to build the EIP-155 signing payload of a legacy
    ///         transaction.
    function decode(bytes memory _raw, uint256 _chainId) internal pure returns (uint8 reason_, Transaction memory tx_) {
        uint256 len = _raw.length;
        if (len == 0) return (Reason.FORCED_DECODE, tx_);
        uint256 first = uint8(_raw[0]);
        uint256 txType;
        uint256 count;
        if (first >= 0xc0) {
            count = 9;
        } else if (first == 1 || first == 2) {
            txType = first;
            count = first == 1 ? 11 : 12;
        } else {
            return (Reason.FORCED_DECODE, tx_);
        }
        (bool ok, Fields memory f) = _split(_raw, txType == 0 ? 0 : 1, count);
        if (!ok) return (Reason.FORCED_DECODE, tx_);
        tx_.txType = uint8(txType);
        if (!_fill(_raw, f, tx_)) return (Reason.FORCED_DECODE, tx_);
        tx_.signingHash = _signingHash(_raw, f, txType, count, _chainId);
        if (txType == 0) tx_.chainId = _chainId;
        reason_ = Reason.APPLIED;
    }

    /// @dev The list at `_start` must span the rest of `_raw` and hold exactly `_count` items.
    function _split(bytes memory _raw, uint256 _start, uint256 _count)
        private
        pure
        returns (bool ok_, Fields memory f_)
    {
        (bool ok, bool isList, uint256 ps, uint256 pl, uint256 next) = _item(_raw, _start, _raw.length);
        if (!ok || !isList || next != _raw.length) return (false, f_);
        f_.end = ps + pl;
        uint256 n;
        uint256 p = ps;
        while (p < f_.end) {
            if (n == _count) return (false, f_);
            f_.at[n] = p;
            (ok, f_.lists[n], f_.ps[n], f_.pl[n], p) = _item(_raw, p, f_.end);
            if (!ok) return (false, f_);
            ++n;
        }
        ok_ = n == _count;
    }

    /// @dev Reads the fields of `_tx` (its `txType` set) from `_f`. Field positions:
    ///      legacy [nonce, gasPrice, gasLimit, to, value, data, v, r, s];
    ///      1 [chainId, nonce, gasPrice, gasLimit, to, value, data, accessList, yParity, r, s];
    ///      2 [chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList, yParity, r, s].
    function _fill(bytes memory _raw, Fields memory _f, Transaction memory _tx) private pure returns (bool) {
        bool ok;
        uint256 i; // the next field
        if (_tx.txType != 0) {
            (ok, _tx.chainId) = _uint(_raw, _f, i++, 32);
            if (!ok) return false;
        }
        (ok, _tx.nonce) = _uint(_raw, _f, i++, 8);
        if (!ok) return false;
        if (_tx.txType == 2) {
            (ok, _tx.maxPriorityFeePerGas) = _uint(_raw, _f, i++, 32);
            if (!ok) return false;
        }
        (ok, _tx.maxFeePerGas) = _uint(_raw, _f, i++, 32);
        if (!ok) return false;
        if (_tx.txType != 2) _tx.maxPriorityFeePerGas = _tx.maxFeePerGas;
        (ok, _tx.gasLimit) = _uint(_raw, _f, i++, 8);
        if (!ok) return false;
        // to: empty (creation) or 20 bytes
        if (_f.lists[i] || (_f.pl[i] != 0 && _f.pl[i] != 20)) return false;
        if (_f.pl[i] == 20) {
            _tx.hasTo = true;
            _tx.to = address(uint160(_word(_raw, _f.ps[i]) >> 96));
        }
        ++i;
        (ok, _tx.value) = _uint(_raw, _f, i++, 32);
        if (!ok) return false;
        if (_f.lists[i]) return false;
        _tx.data = _copy(_raw, _f.ps[i], _f.pl[i]);
        ++i;
        _tx.accessListEmpty = true;
        if (_tx.txType != 0) {
            if (!_f.lists[i] || !_accessListValid(_raw, _f.ps[i], _f.pl[i])) return false;
            _tx.accessListEmpty = _f.pl[i] == 0;
            ++i;
        }
        (ok, _tx.v) = _uint(_raw, _f, i++, 32);
        if (!ok) return false;
        (ok, _tx.r) = _uint(_raw, _f, i++, 32);
        if (!ok) return false;
        (ok, _tx.s) = _uint(_raw, _f, i, 32);
        return ok;
    }

    /// @dev The signing hash from the fields' own bytes (canonical, so identical to a re-encoding):
    ///      typed `type ‖ rlp([fields but yParity, r, s])`; legacy
    ///      `rlp([nonce, gasPrice, gasLimit, to, value, data, chainId, 0, 0])` with the config's chain id.
    function _signingHash(bytes memory _raw, Fields memory _f, uint256 _txType, uint256 _count, uint256 _chainId)
        private
        pure
        returns (bytes32)
    {
        uint256 signed = _count - 3;
        bytes[] memory items = new bytes[](_txType == 0 ? 9 : signed);
        for (uint256 i; i < signed; ++i) {
            items[i] = _copy(_raw, _f.at[i], _f.at[i + 1] - _f.at[i]);
        }
        if (_txType == 0) {
            items[6] = RLPWriter.writeUint(_chainId);
            items[7] = RLPWriter.writeUint(0);
            items[8] = RLPWriter.writeUint(0);
            return keccak256(RLPWriter.writeList(items));
        }
        return keccak256(abi.encodePacked(bytes1(uint8(_txType)), RLPWriter.writeList(items)));
    }

    /// @dev Reads the canonical RLP item at `_pos` that must end by `_end`. Total.
    function _item(bytes memory _raw, uint256 _pos, uint256 _end)
        private
        pure
        returns (bool ok_, bool isList_, uint256 payloadStart_, uint256 payloadLength_, uint256 next_)
    {
        if (_pos >= _end) return (false, false, 0, 0, 0);
        uint256 b = uint8(_raw[_pos]);
        if (b < 0x80) return (true, false, _pos, 1, _pos + 1);
        isList_ = b >= 0xc0;
        uint256 short = isList_ ? b - 0xc0 : b - 0x80;
        if (short <= 55) {
            payloadStart_ = _pos + 1;
            payloadLength_ = short;
            // A one-byte string below 0x80 must encode itself.
            if (!isList_ && short == 1) {
                if (payloadStart_ >= _end || uint8(_raw[payloadStart_]) < 0x80) return (false, false, 0, 0, 0);
            }
        } else {
            uint256 lenOfLen = short - 55; // 1..8
            if (_pos + 1 + lenOfLen > _end) return (false, false, 0, 0, 0);
            if (uint8(_raw[_pos + 1]) == 0) return (false, false, 0, 0, 0);
            uint256 length;
            for (uint256 i; i < lenOfLen; ++i) {
                length = (length << 8) | uint8(_raw[_pos + 1 + i]);
            }
            if (length < 56) return (false, false, 0, 0, 0);
            payloadStart_ = _pos + 1 + lenOfLen;
            payloadLength_ = length;
        }
        if (payloadLength_ > _end - payloadStart_ || payloadStart_ > _end) return (false, false, 0, 0, 0);
        ok_ = true;
        next_ = payloadStart_ + payloadLength_;
    }

    /// @dev Field `_i` as a minimal big-endian integer of at most `_maxBytes` bytes (0 is empty).
    function _uint(bytes memory _raw, Fields memory _f, uint256 _i, uint256 _maxBytes)
        private
        pure
        returns (bool ok_, uint256 value_)
    {
        uint256 length = _f.pl[_i];
        if (_f.lists[_i] || length > _maxBytes) return (false, 0);
        if (length == 0) return (true, 0);
        if (uint8(_raw[_f.ps[_i]]) == 0) return (false, 0);
        value_ = _word(_raw, _f.ps[_i]) >> (8 * (32 - length));
        ok_ = true;
    }

    /// @dev `[[address(20), [key(32), …]], …]` with the payload of the outer list given.
    function _accessListValid(bytes memory _raw, uint256 _start, uint256 _length) private pure returns (bool) {
        uint256 end = _start + _length;
        uint256 p = _start;
        while (p < end) {
            (bool ok, bool isList, uint256 ps, uint256 pl, uint256 next) = _item(_raw, p, end);
            if (!ok || !isList || !_accessListEntryValid(_raw, ps, ps + pl)) return false;
            p = next;
        }
        return true;
    }

    /// @dev One access-list entry's payload `[address(20), [key(32), …]]` spanning `_start`…`_end`.
    function _accessListEntryValid(bytes memory _raw, uint256 _start, uint256 _end) private pure returns (bool) {
        (bool ok, bool isList,, uint256 len, uint256 q) = _item(_raw, _start, _end);
        if (!ok || isList || len != 20) return false;
        uint256 keys;
        (ok, isList, keys, len, q) = _item(_raw, q, _end);
        if (!ok || !isList || q != _end) return false;
        uint256 keysEnd = keys + len;
        while (keys < keysEnd) {
            (ok, isList,, len, keys) = _item(_raw, keys, keysEnd);
            if (!ok || isList || len != 32) return false;
        }
        return true;
    }

    function _word(bytes memory _raw, uint256 _at) private pure returns (uint256 w_) {
        assembly ("memory-safe") {
            w_ := mload(add(add(_raw, 0x20), _at))
        }
    }

    function _copy(bytes memory _raw, uint256 _at, uint256 _length) private pure returns (bytes memory out_) {
        out_ = new bytes(_length);
        assembly ("memory-safe") {
            mcopy(add(out_, 0x20), add(add(_raw, 0x20), _at), _length)
        }
    }
}
