// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice An RLP item in memory: `ptr` is the memory address of its first (header) byte and `length`
///         the number of bytes it may span (header and payload).
struct RLPItem {
    uint256 length;
    uint256 ptr;
}

/// @notice An RLP item in calldata: `offset` is the absolute calldata offset of its first byte.
struct RLPCalldataItem {
    uint256 length;
    uint256 offset;
}

/// @title RLPReader
/// @notice Strict decoding of Recursive Length Prefix (RLP) data from memory or calldata. Only the
///         canonical encoding is accepted: a single byte below 0x80 must encode itself, long forms are
///         only used for payloads of 56 bytes or more and their lengths have no leading zero, and an
///         item must span exactly the bytes it is read from (no trailing data). Anything else reverts.
/// @dev    Reading an item never copies the input; `readBytes`/`readRawBytes` on memory items copy
///         the payload out, while the calldata overloads return calldata slices.
library RLPReader {
    /// @notice The item has no bytes at all.
    error RLPEmptyItem();
    /// @notice The header announces more bytes than the input has.
    error RLPItemOutOfBounds();
    /// @notice The encoding is valid RLP but not the canonical (shortest) one.
    error RLPNonCanonical();
    /// @notice The item does not span exactly its input (trailing or missing bytes).
    error RLPLengthMismatch();
    /// @notice A list was expected but the item is a byte string.
    error RLPNotAList();
    /// @notice A byte string was expected but the item is a list.
    error RLPNotBytes();
    /// @notice An unsigned integer was expected: at most 32 bytes, no leading zero byte.
    error RLPInvalidUint();
    /// @notice An address was expected: exactly 20 bytes.
    error RLPInvalidAddress();

    // ------------------------------------------------------------------ memory

    /// @notice Wraps `data` (which must hold exactly one RLP item) without copying it.
    function toRLPItem(bytes memory data) internal pure returns (RLPItem memory item) {
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(data, 0x20)
        }
        item = RLPItem({ length: data.length, ptr: ptr });
    }

    /// @notice Whether `item` is a list (reverts if it is not well formed).
    function isList(RLPItem memory item) internal pure returns (bool) {
        (,, bool list) = _header(_mload(item.ptr), item.length);
        return list;
    }

    /// @notice Decodes `item` as a list and returns its elements (each pointing into the input).
    function readList(RLPItem memory item) internal pure returns (RLPItem[] memory items) {
        (uint256 headerLength, uint256 payloadLength, bool list) = _header(_mload(item.ptr), item.length);
        if (!list) revert RLPNotAList();
        if (headerLength + payloadLength != item.length) revert RLPLengthMismatch();
        uint256 err;
        assembly ("memory-safe") {
            // The same checks as _header, in Yul because this loop is the hot path of trie proofs:
            // returns the element's total length and an error code (2 = out of bounds, 3 = not
            // canonical).
            function element(w, available) -> len, e {
                let prefix := shr(248, w)
                let list_ := gt(prefix, 0xbf)
                let short := sub(prefix, add(0x80, shl(6, list_)))
                switch lt(prefix, 0x80)
                case 1 { len := 1 }
                default {
                    switch lt(short, 56)
                    case 1 { len := add(1, short) }
                    default {
                        let lengthOfLength := sub(short, 55)
                        switch gt(add(1, lengthOfLength), available)
                        case 1 { e := 2 }
                        default {
                            switch iszero(byte(1, w))
                            case 1 { e := 3 }
                            default {
                                let payload := shr(sub(256, shl(3, lengthOfLength)), shl(8, w))
                                if lt(payload, 56) { e := 3 }
                                len := add(add(1, lengthOfLength), payload)
                            }
                        }
                    }
                    if iszero(e) {
                        switch gt(len, available)
                        case 1 { e := 2 }
                        default {
                            // A single byte below 0x80 must be encoded as itself.
                            if and(and(iszero(list_), eq(short, 1)), lt(byte(1, w), 0x80)) { e := 3 }
                        }
                    }
                }
            }

            let ptr := add(mload(add(item, 0x20)), headerLength)
            let end := add(ptr, payloadLength)
            // The element structs go first (at the free memory pointer), the array of pointers to
            // them after, once their number is known.
            let structs := mload(0x40)
            let count := 0
            for { } lt(ptr, end) { } {
                let len, e := element(mload(ptr), sub(end, ptr))
                if e {
                    err := e
                    break
                }
                let s := add(structs, shl(6, count))
                mstore(s, len)
                mstore(add(s, 0x20), ptr)
                ptr := add(ptr, len)
                count := add(count, 1)
            }
            items := add(structs, shl(6, count))
            mstore(items, count)
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                mstore(add(items, shl(5, add(i, 1))), add(structs, shl(6, i)))
            }
            mstore(0x40, add(items, shl(5, add(count, 1))))
        }
        if (err == 2) revert RLPItemOutOfBounds();
        if (err == 3) revert RLPNonCanonical();
    }

    /// @notice Decodes `data` (exactly one RLP list) and returns its elements.
    function readList(bytes memory data) internal pure returns (RLPItem[] memory) {
        return readList(toRLPItem(data));
    }

    /// @notice Decodes `item` as a byte string and returns a copy of its payload.
    function readBytes(RLPItem memory item) internal pure returns (bytes memory out) {
        (uint256 headerLength, uint256 payloadLength, bool list) = _header(_mload(item.ptr), item.length);
        if (list) revert RLPNotBytes();
        if (headerLength + payloadLength != item.length) revert RLPLengthMismatch();
        out = _copy(item.ptr + headerLength, payloadLength);
    }

    /// @notice Decodes `data` (exactly one RLP byte string) and returns its payload.
    function readBytes(bytes memory data) internal pure returns (bytes memory) {
        return readBytes(toRLPItem(data));
    }

    /// @notice Returns a copy of the whole encoding of `item` (header and payload), after checking it.
    function readRawBytes(RLPItem memory item) internal pure returns (bytes memory out) {
        (uint256 headerLength, uint256 payloadLength,) = _header(_mload(item.ptr), item.length);
        if (headerLength + payloadLength != item.length) revert RLPLengthMismatch();
        out = _copy(item.ptr, item.length);
    }

    /// @notice Decodes `item` as a canonical unsigned integer (big-endian, no leading zero, 0 = 0x80).
    function readUint256(RLPItem memory item) internal pure returns (uint256 value) {
        (uint256 headerLength, uint256 payloadLength, bool list) = _header(_mload(item.ptr), item.length);
        if (list) revert RLPNotBytes();
        if (headerLength + payloadLength != item.length) revert RLPLengthMismatch();
        value = _uint(_mload(item.ptr + headerLength), payloadLength);
    }

    /// @notice Decodes `item` as a 20-byte address.
    function readAddress(RLPItem memory item) internal pure returns (address) {
        (uint256 headerLength, uint256 payloadLength, bool list) = _header(_mload(item.ptr), item.length);
        if (list) revert RLPNotBytes();
        if (headerLength + payloadLength != item.length) revert RLPLengthMismatch();
        if (payloadLength != 20) revert RLPInvalidAddress();
        return address(uint160(_mload(item.ptr + headerLength) >> 96));
    }

    /// @notice Decodes `item` as a 32-byte string (a hash).
    function readBytes32(RLPItem memory item) internal pure returns (bytes32) {
        (uint256 headerLength, uint256 payloadLength, bool list) = _header(_mload(item.ptr), item.length);
        if (list) revert RLPNotBytes();
        if (headerLength + payloadLength != item.length || payloadLength != 32) revert RLPLengthMismatch();
        return bytes32(_mload(item.ptr + headerLength));
    }

    // ------------------------------------------------------------------ calldata

    /// @notice Wraps `data` (a calldata byte array holding exactly one RLP item) without copying it.
    function toCalldataItem(bytes calldata data) internal pure returns (RLPCalldataItem memory) {
        return RLPCalldataItem({ length: data.length, offset: _offset(data) });
    }

    /// @notice Whether `item` is a list (reverts if it is not well formed).
    function isList(RLPCalldataItem memory item) internal pure returns (bool) {
        (,, bool list) = _header(_cload(item.offset), item.length);
        return list;
    }

    /// @notice Decodes `item` as a list and returns its elements (each pointing into calldata).
    function readList(RLPCalldataItem memory item) internal pure returns (RLPCalldataItem[] memory items) {
        (uint256 headerLength, uint256 payloadLength, bool list) = _header(_cload(item.offset), item.length);
        if (!list) revert RLPNotAList();
        if (headerLength + payloadLength != item.length) revert RLPLengthMismatch();
        uint256 off = item.offset + headerLength;
        uint256 end = off + payloadLength;
        uint256 count;
        while (off < end) {
            (uint256 h, uint256 p,) = _header(_cload(off), end - off);
            off += h + p;
            ++count;
        }
        items = _allocateCalldata(count);
        off = item.offset + headerLength;
        for (uint256 i; i < count; ++i) {
            (uint256 h, uint256 p,) = _header(_cload(off), end - off);
            RLPCalldataItem memory element = items[i];
            element.length = h + p;
            element.offset = off;
            off += h + p;
        }
    }

    /// @notice Decodes `data` (exactly one RLP list in calldata) and returns its elements.
    function readListCalldata(bytes calldata data) internal pure returns (RLPCalldataItem[] memory) {
        return readList(toCalldataItem(data));
    }

    /// @notice Decodes `item` as a byte string and returns its payload as a calldata slice.
    function readBytes(RLPCalldataItem memory item) internal pure returns (bytes calldata out) {
        (uint256 headerLength, uint256 payloadLength, bool list) = _header(_cload(item.offset), item.length);
        if (list) revert RLPNotBytes();
        if (headerLength + payloadLength != item.length) revert RLPLengthMismatch();
        out = _slice(item.offset + headerLength, payloadLength);
    }

    /// @notice Decodes `data` (exactly one RLP byte string in calldata) and returns its payload.
    function readBytesCalldata(bytes calldata data) internal pure returns (bytes calldata) {
        return readBytes(toCalldataItem(data));
    }

    /// @notice Returns the whole encoding of `item` (header and payload) as a calldata slice.
    function readRawBytes(RLPCalldataItem memory item) internal pure returns (bytes calldata out) {
        (uint256 headerLength, uint256 payloadLength,) = _header(_cload(item.offset), item.length);
        if (headerLength + payloadLength != item.length) revert RLPLengthMismatch();
        out = _slice(item.offset, item.length);
    }

    /// @notice Decodes `item` as a canonical unsigned integer.
    function readUint256(RLPCalldataItem memory item) internal pure returns (uint256) {
        (uint256 headerLength, uint256 payloadLength, bool list) = _header(_cload(item.offset), item.length);
        if (list) revert RLPNotBytes();
        if (headerLength + payloadLength != item.length) revert RLPLengthMismatch();
        return _uint(_cload(item.offset + headerLength), payloadLength);
    }

    /// @notice Decodes `item` as a 20-byte address.
    function readAddress(RLPCalldataItem memory item) internal pure returns (address) {
        (uint256 headerLength, uint256 payloadLength, bool list) = _header(_cload(item.offset), item.length);
        if (list) revert RLPNotBytes();
        if (headerLength + payloadLength != item.length) revert RLPLengthMismatch();
        if (payloadLength != 20) revert RLPInvalidAddress();
        return address(uint160(_cload(item.offset + headerLength) >> 96));
    }

    // ------------------------------------------------------------------ private

    /// @dev Decodes the header at the start of `word` (the first 32 bytes of an item), given that at
    ///      most `available` bytes belong to the item. Reverts unless the header is canonical and the
    ///      announced item fits.
    function _header(uint256 word, uint256 available)
        private
        pure
        returns (uint256 headerLength, uint256 payloadLength, bool list)
    {
        // err: 0 = well formed, 1 = empty, 2 = out of bounds, 3 = not canonical.
        uint256 err;
        assembly ("memory-safe") {
            switch iszero(available)
            case 1 { err := 1 }
            default {
                let prefix := shr(248, word)
                switch lt(prefix, 0x80)
                case 1 { payloadLength := 1 }
                default {
                    list := gt(prefix, 0xbf)
                    // 0..55: short form; 56..63: long form with (short - 55) length bytes.
                    let short := sub(prefix, add(0x80, shl(6, list)))
                    switch lt(short, 56)
                    case 1 {
                        headerLength := 1
                        payloadLength := short
                    }
                    default {
                        let lengthOfLength := sub(short, 55)
                        headerLength := add(1, lengthOfLength)
                        switch gt(headerLength, available)
                        case 1 { err := 2 }
                        default {
                            // A length with a leading zero byte, or one below 56, is not canonical.
                            switch iszero(byte(1, word))
                            case 1 { err := 3 }
                            default {
                                payloadLength := shr(sub(256, shl(3, lengthOfLength)), shl(8, word))
                                if lt(payloadLength, 56) { err := 3 }
                            }
                        }
                    }
                    if iszero(err) {
                        switch gt(add(headerLength, payloadLength), available)
                        case 1 { err := 2 }
                        default {
                            // A single byte below 0x80 must be encoded as itself.
                            if and(iszero(list), and(eq(payloadLength, 1), lt(byte(1, word), 0x80))) { err := 3 }
                        }
                    }
                }
            }
        }
        if (err != 0) {
            if (err == 1) revert RLPEmptyItem();
            if (err == 2) revert RLPItemOutOfBounds();
            revert RLPNonCanonical();
        }
    }

    /// @dev The big-endian integer in the first `length` bytes of `word`, canonical form enforced.
    function _uint(uint256 word, uint256 length) private pure returns (uint256) {
        if (length == 0) return 0;
        if (length > 32) revert RLPInvalidUint();
        if (word >> 248 == 0) revert RLPInvalidUint();
        return word >> (256 - 8 * length);
    }

    function _mload(uint256 ptr) private pure returns (uint256 word) {
        assembly ("memory-safe") {
            word := mload(ptr)
        }
    }

    function _cload(uint256 offset) private pure returns (uint256 word) {
        assembly ("memory-safe") {
            word := calldataload(offset)
        }
    }

    function _offset(bytes calldata data) private pure returns (uint256 offset) {
        assembly ("memory-safe") {
            offset := data.offset
        }
    }

    function _slice(uint256 offset, uint256 length) private pure returns (bytes calldata out) {
        assembly ("memory-safe") {
            out.offset := offset
            out.length := length
        }
    }

    /// @dev An array of `count` items whose structs are laid out right after it, in one allocation
    ///      (cheaper than `new RLPCalldataItem[](count)`, which zero-initialises a struct per element
    ///      that the caller then overwrites). The caller sets every field.
    function _allocateCalldata(uint256 count) private pure returns (RLPCalldataItem[] memory items) {
        assembly ("memory-safe") {
            items := mload(0x40)
            mstore(items, count)
            let structs := add(items, shl(5, add(count, 1)))
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                mstore(add(items, shl(5, add(i, 1))), add(structs, shl(6, i)))
            }
            mstore(0x40, add(structs, shl(6, count)))
        }
    }

    function _copy(uint256 src, uint256 length) private pure returns (bytes memory out) {
        out = new bytes(length);
        assembly ("memory-safe") {
            mcopy(add(out, 0x20), src, length)
        }
    }
}
