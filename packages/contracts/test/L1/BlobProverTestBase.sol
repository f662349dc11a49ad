// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {OneStepProver} from "../../src/L1/OneStepProver.sol";
import {BlobOpening} from "../../src/libraries/batch/BlobBody.sol";
import {DelayedMessage} from "../../src/libraries/stf/StateTransition.sol";
import {OneStepProverTestBase} from "./OneStepProverTestBase.sol";

/// @title BlobProverTestBase
/// @notice Blob batches for the prover's tests: a version-2 body encoder written from protocol.md
///         §5.7, real blobs and KZG openings from scripts/kzg-openings.ts (through `vm.ffi`), and the
///         set of elements §8.3 says a slot needs, computed here from the spec's byte ranges (an
///         oracle independent of BlobBody.sol).
abstract contract BlobProverTestBase is OneStepProverTestBase {
    uint256 internal constant PAYLOAD_BYTES_PER_BLOB = 126_976;
    uint256 internal constant ELEMENTS_PER_BLOB = 4096;

    /// @notice A version-2 body laid out as `head` at 0 (prelude, lengths, groups) and `tail` at
    ///         `tailAt` (slots, blocks); the bytes between are zero. `length` is the prefix's value.
    struct Body2 {
        bytes head;
        uint256 tailAt;
        bytes tail;
        uint256 length;
        // Where things are, for the expected openings.
        uint256 preludeEnd; // P
        uint256 feeCountAt;
        uint256 feesAt;
        uint256 addressesAt;
        uint256 slotCount;
        uint256[] slotStarts;
        uint256[] slotLengths;
    }

    /// @notice Encodes body v2 (§5.7) with the slots' bytes placed `_gap` bytes after `slotsStart`
    ///         (groups[g] = `_gap` + the lengths before slot 32g) and `_blocks` after the slots.
    function _body2(
        address[] memory _dict,
        Fee[] memory _fees,
        bytes[] memory _slots,
        uint256 _gap,
        bytes memory _blocks
    ) internal pure returns (Body2 memory b_) {
        bytes memory prelude = _prelude(1_700_000_000, _dict, _fees);
        uint256 s = _slots.length;
        uint256 groupCount = (s + 31) / 32;
        bytes memory lengths = new bytes(s);
        bytes memory groups = new bytes(4 * groupCount);
        b_.slotStarts = new uint256[](s);
        b_.slotLengths = new uint256[](s);
        uint256 slotsStart = prelude.length + s + 4 * groupCount;
        uint256 offset = _gap;
        bytes memory slotBytes;
        for (uint256 k; k < s; ++k) {
            require(_slots[k].length < 256, "slot too long");
            lengths[k] = bytes1(uint8(_slots[k].length));
            if (k % 32 == 0) {
                bytes4 g = bytes4(uint32(offset));
                for (uint256 m; m < 4; ++m) {
                    groups[4 * (k / 32) + m] = g[m];
                }
            }
            b_.slotStarts[k] = slotsStart + offset;
            b_.slotLengths[k] = _slots[k].length;
            offset += _slots[k].length;
            slotBytes = bytes.concat(slotBytes, _slots[k]);
        }
        b_.head = bytes.concat(prelude, lengths, groups);
        b_.tailAt = slotsStart + _gap;
        b_.tail = bytes.concat(slotBytes, _blocks);
        b_.length = b_.tailAt + b_.tail.length;
        b_.preludeEnd = prelude.length;
        b_.addressesAt = 10;
        b_.feeCountAt = 10 + 20 * _dict.length;
        b_.feesAt = b_.feeCountAt + 1;
        b_.slotCount = s;
    }

    // ------------------------------------------------------------------ the openings §8.3 requires

    /// @dev A sorted set of global element indices.
    struct ElementSet {
        uint256[] items;
        uint256 count;
    }

    function _newSet() internal pure returns (ElementSet memory set_) {
        set_.items = new uint256[](256);
    }

    /// @notice Adds the elements holding body bytes `[_at, _at + _length)`.
    function _addBytes(ElementSet memory _set, uint256 _at, uint256 _length) internal pure {
        for (uint256 e = (_at + 4) / 31; e <= (_at + _length - 1 + 4) / 31; ++e) {
            _addElement(_set, e);
        }
    }

    function _addElement(ElementSet memory _set, uint256 _e) internal pure {
        uint256 i;
        while (i < _set.count && _set.items[i] < _e) ++i;
        if (i < _set.count && _set.items[i] == _e) return;
        for (uint256 m = _set.count; m > i; --m) {
            _set.items[m] = _set.items[m - 1];
        }
        _set.items[i] = _e;
        ++_set.count;
    }

    /// @notice What §8.3 requires for present slot `_k` of `_b` that decodes and uses fee entry
    ///         `_feeIndex` and, when `_dictIndex` is not max, dictionary address `_dictIndex`.
    function _slotNeeds(Body2 memory _b, uint256 _k, uint256 _feeIndex, uint256 _dictIndex)
        internal
        pure
        returns (ElementSet memory set_)
    {
        set_ = _locateNeeds(_b, _k);
        if (_b.slotLengths[_k] > 0) _addBytes(set_, _b.slotStarts[_k], _b.slotLengths[_k]);
        _addBytes(set_, _b.feesAt + 40 * _feeIndex, 40);
        if (_dictIndex != type(uint256).max) _addBytes(set_, _b.addressesAt + 20 * _dictIndex, 20);
    }

    /// @notice Element 0, feeCount, lengths[32g..k], groups[g] (a complete prelude, groups[g] inside).
    function _locateNeeds(Body2 memory _b, uint256 _k) internal pure returns (ElementSet memory set_) {
        set_ = _newSet();
        _addElement(set_, 0);
        _addBytes(set_, _b.feeCountAt, 1);
        uint256 g = _k / 32;
        _addBytes(set_, _b.preludeEnd + 32 * g, _k - 32 * g + 1);
        _addBytes(set_, _b.preludeEnd + _b.slotCount + 4 * g, 4);
    }

    // ------------------------------------------------------------------ real blobs (ffi)

    /// @notice The blobs of `_b` (prefix = `_b.length`) and openings of the elements in `_set`.
    function _openBlobs(uint256 _blobCount, Body2 memory _b, ElementSet memory _set)
        internal
        returns (bytes32[] memory hashes_, BlobOpening[] memory openings_)
    {
        string memory list;
        for (uint256 i; i < _set.count; ++i) {
            list = string.concat(list, i == 0 ? "" : ",", vm.toString(_set.items[i]));
        }
        return _ffiOpen(_blobCount, _b.length, list, _b);
    }

    function _ffiOpen(uint256 _blobCount, uint256 _length, string memory _elements, Body2 memory _b)
        internal
        returns (bytes32[] memory hashes_, BlobOpening[] memory openings_)
    {
        string[] memory cmd = new string[](7);
        cmd[0] = string.concat(vm.projectRoot(), "/../../node_modules/.bin/node");
        cmd[1] = string.concat(vm.projectRoot(), "/scripts/kzg-openings.ts");
        cmd[2] = vm.toString(_blobCount);
        cmd[3] = vm.toString(_length);
        cmd[4] = bytes(_elements).length == 0 ? "none" : _elements;
        cmd[5] = string.concat("0:", vm.toString(_b.head));
        cmd[6] = string.concat(vm.toString(_b.tailAt), ":", vm.toString(_b.tail));
        (hashes_, openings_) = abi.decode(vm.ffi(cmd), (bytes32[], BlobOpening[]));
    }

    /// @notice `_openings` without entry `_skip`.
    function _without(BlobOpening[] memory _openings, uint256 _skip) internal pure returns (BlobOpening[] memory out_) {
        out_ = new BlobOpening[](_openings.length - 1);
        uint256 n;
        for (uint256 i; i < _openings.length; ++i) {
            if (i != _skip) out_[n++] = _openings[i];
        }
    }

    function _encodeBlobProof(
        uint256 _batchIndex,
        BlobOpening[] memory _openings,
        DelayedMessage memory _delayed,
        bytes[][] memory _accountProofs,
        bytes[] memory _storageProof
    ) internal pure returns (bytes memory) {
        return abi.encode(
            OneStepProver.OneStepProof(_batchIndex, "", _openings, _delayed, _accountProofs, _storageProof)
        );
    }
}
