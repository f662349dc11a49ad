// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title RLPWriter
/// @notice Canonical Recursive Length Prefix (RLP) encoding of byte strings, integers, addresses and
///         lists of already-encoded items.
library RLPWriter {
    /// @notice The RLP encoding of the byte string `data`.
    function writeBytes(bytes memory data) internal pure returns (bytes memory out) {
        if (data.length == 1 && uint8(data[0]) < 0x80) {
            out = new bytes(1);
            out[0] = data[0];
            return out;
        }
        bytes memory header = _header(data.length, 0x80);
        out = new bytes(header.length + data.length);
        assembly ("memory-safe") {
            let dst := add(out, 0x20)
            mcopy(dst, add(header, 0x20), mload(header))
            mcopy(add(dst, mload(header)), add(data, 0x20), mload(data))
        }
    }

    /// @notice The RLP encoding of the unsigned integer `value` (big-endian, no leading zeros; 0 is 0x80).
    function writeUint(uint256 value) internal pure returns (bytes memory) {
        return writeBytes(_minimal(value));
    }

    /// @notice The RLP encoding of the 20 bytes of `value`.
    function writeAddress(address value) internal pure returns (bytes memory) {
        return writeBytes(abi.encodePacked(value));
    }

    /// @notice The RLP encoding of `value` as an integer (true = 0x01, false = 0x80).
    function writeBool(bool value) internal pure returns (bytes memory out) {
        out = new bytes(1);
        out[0] = value ? bytes1(0x01) : bytes1(0x80);
    }

    /// @notice The RLP encoding of a list whose elements are the already-encoded `items`.
    function writeList(bytes[] memory items) internal pure returns (bytes memory out) {
        uint256 payloadLength;
        for (uint256 i; i < items.length; ++i) {
            payloadLength += items[i].length;
        }
        bytes memory header = _header(payloadLength, 0xc0);
        out = new bytes(header.length + payloadLength);
        uint256 dst;
        assembly ("memory-safe") {
            dst := add(out, 0x20)
            mcopy(dst, add(header, 0x20), mload(header))
            dst := add(dst, mload(header))
        }
        for (uint256 i; i < items.length; ++i) {
            bytes memory item = items[i];
            assembly ("memory-safe") {
                mcopy(dst, add(item, 0x20), mload(item))
                dst := add(dst, mload(item))
            }
        }
    }

    /// @notice The header of a list whose payload (the concatenated encoded items) is `payloadLength`
    ///         bytes long, for callers that write the payload themselves.
    function writeListHeader(uint256 payloadLength) internal pure returns (bytes memory) {
        return _header(payloadLength, 0xc0);
    }

    /// @dev The header of a string (offset 0x80) or list (offset 0xc0) with `length` payload bytes.
    function _header(uint256 length, uint256 offset) private pure returns (bytes memory header) {
        if (length < 56) {
            header = new bytes(1);
            header[0] = bytes1(uint8(offset + length));
        } else {
            bytes memory len = _minimal(length);
            header = abi.encodePacked(bytes1(uint8(offset + 55 + len.length)), len);
        }
    }

    /// @dev `value` big-endian without leading zero bytes (empty for zero).
    function _minimal(uint256 value) private pure returns (bytes memory out) {
        uint256 n;
        for (uint256 v = value; v != 0; v >>= 8) {
            ++n;
        }
        out = new bytes(n);
        assembly ("memory-safe") {
            if n { mstore(add(out, 0x20), shl(mul(8, sub(32, n)), value)) }
        }
    }
}
