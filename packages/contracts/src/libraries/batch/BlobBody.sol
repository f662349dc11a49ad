// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Constants} from "../Constants.sol";
import {BatchWalker, LocatedMessage, Prelude} from "./BatchWalker.sol";

/// @notice One field element of one blob of a blob batch, opened with a KZG proof (protocol.md §8.3):
///         `y` is the element's value, checked by the point-evaluation precompile against the blob's
///         versioned hash at the element's point of EIP-4844's bit-reversed evaluation domain.
struct BlobOpening {
    /// @notice Which blob of the batch (its position in the inbox's `batchBlobHashes(b)`).
    uint256 blobIndex;
    /// @notice Which field element of the blob (0 ≤ element < 4,096).
    uint256 element;
    /// @notice The element (big-endian); its bytes 1..31 are payload bytes.
    bytes32 y;
    /// @notice The blob's KZG commitment (48 bytes); its versioned hash must be the inbox's.
    bytes commitment;
    /// @notice The KZG proof of `y` at the element's point (48 bytes).
    bytes proof;
}

/// @notice The body of a blob batch as far as the openings reveal it (protocol.md §5.7, §8.3).
struct OpenedBody {
    /// @notice The body: payload bytes `[4, 4 + L)` with L = min(bodyLength, capacity − 4); bytes of
    ///         elements that were not opened are zero. 32 writable bytes follow it in memory.
    bytes data;
    /// @notice Opened-element bitmap, by global element index (`blobIndex × 4096 + element`).
    uint256[] opened;
}

/// @title BlobBody
/// @notice Reads a blob batch's body through KZG openings (protocol.md §8.3): checks each opening with
///         the point-evaluation precompile, lays the opened elements' payload bytes out as the body
///         (so `SlotDecoder` and `StateTransition` read it as they read a calldata batch), and locates a
///         message of a version-2 body (§5.7) requiring every byte it reads to lie in an opened
///         element. Only proof data makes it revert (`BadOpening`, `MissingOpening`); any blob
///         contents give an answer.
library BlobBody {
    /// @notice Field elements per blob (EIP-4844).
    uint256 internal constant FIELD_ELEMENTS_PER_BLOB = 4096;
    /// @notice Payload bytes per element: bytes 1..31 (byte 0 is ignored, §5.7).
    uint256 internal constant PAYLOAD_BYTES_PER_ELEMENT = 31;
    /// @notice Payload bytes per blob.
    uint256 internal constant PAYLOAD_BYTES_PER_BLOB = Constants.PAYLOAD_BYTES_PER_BLOB;
    /// @notice The body-length prefix: payload bytes 0..3.
    uint256 internal constant LENGTH_PREFIX_BYTES = 4;
    /// @notice The BLS12-381 scalar field modulus r.
    uint256 internal constant BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001;
    /// @notice ω = 7^((r−1)/4096) mod r, the primitive 4,096th root of unity of EIP-4844's domain
    ///         (checked against that formula in BlobBody.t.sol).
    uint256 internal constant ROOT_OF_UNITY = 0x564c0a11a0f704f4fc3e8acfe0f8245f0ad1347b378fbf96e206da11a5d36306;
    /// @notice The point-evaluation precompile (EIP-4844).
    address internal constant POINT_EVALUATION = address(0x0a);
    /// @notice Slots per entry of a body's `groups` table (§5.7).
    uint256 internal constant SLOTS_PER_GROUP = 32;

    /// @notice Opening `index` is wrong: the precompile refused it, or its blob or element does not exist.
    error BadOpening(uint256 index);
    /// @notice The message needs a byte of element `element` of blob `blobIndex`, and no opening gives it.
    error MissingOpening(uint256 blobIndex, uint256 element);

    /// @notice Checks every opening against `_versionedHashes` (the batch's blobs, from the inbox) and
    ///         lays the opened elements out as the body. The body's length comes from the prefix in
    ///         element 0 of blob 0; without that opening the body is empty (a message that reads the
    ///         body then fails with `MissingOpening(0, 0)`).
    function open(bytes32[] memory _versionedHashes, BlobOpening[] memory _openings)
        internal
        view
        returns (OpenedBody memory body_)
    {
        uint256 blobCount = _versionedHashes.length;
        body_.opened = new uint256[](blobCount * FIELD_ELEMENTS_PER_BLOB / 256);
        uint256 bodyLength;
        for (uint256 i; i < _openings.length; ++i) {
            BlobOpening memory o = _openings[i];
            if (o.blobIndex >= blobCount || o.element >= FIELD_ELEMENTS_PER_BLOB) revert BadOpening(i);
            if (!_verify(_versionedHashes[o.blobIndex], o)) revert BadOpening(i);
            uint256 global = o.blobIndex * FIELD_ELEMENTS_PER_BLOB + o.element;
            body_.opened[global >> 8] |= 1 << (global & 0xff);
            // Payload bytes 0..3 (the element's bytes 1..4): the body length, uint32 big-endian.
            if (global == 0) bodyLength = uint32(uint256(o.y) >> 216);
        }
        uint256 capacity = blobCount * PAYLOAD_BYTES_PER_BLOB - LENGTH_PREFIX_BYTES;
        if (bodyLength > capacity) bodyLength = capacity;
        // 32 spare bytes: an element is written with one 32-byte store, which may pass the end.
        bytes memory data = new bytes(bodyLength + 32);
        assembly ("memory-safe") {
            mstore(data, bodyLength)
        }
        for (uint256 i; i < _openings.length; ++i) {
            _write(data, _openings[i]);
        }
        body_.data = data;
    }

    /// @notice Locates message `_j` of a blob batch with D_b = `_delayedCount` and S_b = `_slotCount`
    ///         (§5.7: delayed messages first, then slot k via `lengths` and `groups`), requiring the
    ///         bytes it reads. Returns the body's prelude too (for the slot decoder).
    function locate(OpenedBody memory _body, uint256 _j, uint256 _delayedBefore, uint256 _delayedCount, uint256 _slotCount)
        internal
        pure
        returns (LocatedMessage memory loc_, Prelude memory prelude_)
    {
        if (_j < _delayedCount) {
            loc_.isDelayed = true;
            loc_.delayedIndex = _delayedBefore + _j;
            return (loc_, prelude_);
        }
        uint256 k = _j - _delayedCount;
        loc_.slotNumber = k;
        bytes memory data = _body.data;
        uint256 len = data.length;
        // Element 0 of blob 0 holds the length prefix, baseTimestamp and addressCount.
        _requireElement(_body, 0);
        prelude_ = BatchWalker.readPreludeAt(data, 0);
        if (!prelude_.complete) {
            // The feeCount byte was read when it lies inside the body.
            if (len >= 10) {
                uint256 feeCountAt = 10 + 20 * ((uint256(uint8(data[8])) << 8) | uint256(uint8(data[9])));
                if (feeCountAt < len) requireBytes(_body, feeCountAt, 1);
            }
            return (loc_, prelude_);
        }
        requireBytes(_body, prelude_.feesOffset - 1, 1);
        (bool inside, uint256 start, uint256 length) = _slotBounds(_body, prelude_.blocksOffset, k, _slotCount);
        if (!inside || start + length > len) return (loc_, prelude_);
        if (length > 0) requireBytes(_body, start, length);
        loc_.slotPresent = true;
        loc_.slotOffset = start;
        loc_.slotLength = length;
    }

    /// @dev Slot `_k`'s start and length from `lengths` (at `_lengthsAt`) and `groups` (§5.7), requiring
    ///      the bytes read; `inside_` is false when `groups[g]` does not lie inside the body.
    function _slotBounds(OpenedBody memory _body, uint256 _lengthsAt, uint256 _k, uint256 _slotCount)
        private
        pure
        returns (bool inside_, uint256 start_, uint256 length_)
    {
        bytes memory data = _body.data;
        uint256 firstOfGroup = _k - _k % SLOTS_PER_GROUP;
        uint256 groupAt = _lengthsAt + _slotCount + 4 * (_k / SLOTS_PER_GROUP);
        if (groupAt + 4 > data.length) return (false, 0, 0);
        requireBytes(_body, _lengthsAt + firstOfGroup, _k - firstOfGroup + 1);
        requireBytes(_body, groupAt, 4);
        start_ = _lengthsAt + _slotCount + 4 * ((_slotCount + SLOTS_PER_GROUP - 1) / SLOTS_PER_GROUP)
            + uint32(bytes4(_word(data, groupAt)));
        for (uint256 i = firstOfGroup; i < _k; ++i) {
            start_ += uint8(data[_lengthsAt + i]);
        }
        length_ = uint8(data[_lengthsAt + _k]);
        inside_ = true;
    }

    /// @notice Reverts with `MissingOpening` unless every element holding body bytes
    ///         `[_at, _at + _length)` was opened (`_length` > 0).
    function requireBytes(OpenedBody memory _body, uint256 _at, uint256 _length) internal pure {
        uint256 last = (_at + _length - 1 + LENGTH_PREFIX_BYTES) / PAYLOAD_BYTES_PER_ELEMENT;
        for (uint256 e = (_at + LENGTH_PREFIX_BYTES) / PAYLOAD_BYTES_PER_ELEMENT; e <= last; ++e) {
            _requireElement(_body, e);
        }
    }

    /// @notice The point of EIP-4844's evaluation domain at which element `_element` of a blob is the
    ///         blob polynomial's value: ω^bitrev12(element) mod r.
    function evaluationPoint(uint256 _element) internal pure returns (uint256 z_) {
        uint256 e;
        for (uint256 i; i < 12; ++i) {
            e |= ((_element >> i) & 1) << (11 - i);
        }
        z_ = 1;
        uint256 base = ROOT_OF_UNITY;
        while (e != 0) {
            if (e & 1 != 0) z_ = mulmod(z_, base, BLS_MODULUS);
            base = mulmod(base, base, BLS_MODULUS);
            e >>= 1;
        }
    }

    /// @dev The precompile answers `FIELD_ELEMENTS_PER_BLOB ‖ BLS_MODULUS` for a valid opening and fails
    ///      otherwise (also when the commitment's versioned hash is not `_versionedHash`).
    function _verify(bytes32 _versionedHash, BlobOpening memory _o) private view returns (bool) {
        if (_o.commitment.length != 48 || _o.proof.length != 48) return false;
        (bool ok, bytes memory out) = POINT_EVALUATION.staticcall(
            abi.encodePacked(_versionedHash, evaluationPoint(_o.element), _o.y, _o.commitment, _o.proof)
        );
        if (!ok || out.length != 64) return false;
        (uint256 elements, uint256 modulus) = abi.decode(out, (uint256, uint256));
        return elements == FIELD_ELEMENTS_PER_BLOB && modulus == BLS_MODULUS;
    }

    /// @dev Writes the opened element's payload bytes at their body positions, keeping the bytes
    ///      around them (other elements, or nothing beyond the body).
    function _write(bytes memory _data, BlobOpening memory _o) private pure {
        uint256 payloadAt = (_o.blobIndex * FIELD_ELEMENTS_PER_BLOB + _o.element) * PAYLOAD_BYTES_PER_ELEMENT;
        uint256 value = uint256(_o.y) << 8; // bytes 1..31 first
        uint256 count = PAYLOAD_BYTES_PER_ELEMENT;
        uint256 at;
        if (payloadAt < LENGTH_PREFIX_BYTES) {
            // Element 0 of blob 0: its first 4 payload bytes are the prefix, not body.
            value <<= 8 * LENGTH_PREFIX_BYTES;
            count -= LENGTH_PREFIX_BYTES;
        } else {
            at = payloadAt - LENGTH_PREFIX_BYTES;
        }
        if (at >= _data.length) return;
        uint256 keep = type(uint256).max >> (8 * count); // the bytes after the element's
        assembly ("memory-safe") {
            let ptr := add(add(_data, 0x20), at)
            mstore(ptr, or(and(value, not(keep)), and(mload(ptr), keep)))
        }
    }

    function _requireElement(OpenedBody memory _body, uint256 _global) private pure {
        if (_body.opened.length <= _global >> 8 || _body.opened[_global >> 8] & (1 << (_global & 0xff)) == 0) {
            revert MissingOpening(_global / FIELD_ELEMENTS_PER_BLOB, _global % FIELD_ELEMENTS_PER_BLOB);
        }
    }

    /// @dev The 32 bytes at `_at` of `_data` (bounds checked by the caller).
    function _word(bytes memory _data, uint256 _at) private pure returns (bytes32 w_) {
        assembly ("memory-safe") {
            w_ := mload(add(add(_data, 0x20), _at))
        }
    }
}
