// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {RLPWriter} from "../../../src/libraries/rlp/RLPWriter.sol";

/// @title TrieBuilder
/// @notice Test helper: builds a secure Merkle-Patricia trie from scratch (Yellow Paper appendix D)
///         from its (hashed path, value) entries and returns the root and the proof (root first) for a
///         target path — an inclusion or an exclusion proof. It shares no code with MerkleTrie, so it
///         is an independent model of the roots the prover must compute.
/// @dev    `fillDepth` > 0 emulates a large trie: every branch above that depth is full, the slots no
///         entry (nor `reserved` path) uses holding deterministic filler hashes, so proofs have
///         `fillDepth` full branch nodes (532 bytes each) above the real ones.
library TrieBuilder {
    bytes32 internal constant EMPTY_ROOT = 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421;

    struct Entry {
        bytes32 path;
        bytes value;
    }

    struct Ctx {
        Entry[] entries;
        bytes32[] reserved;
        uint256 fillDepth;
        bytes32 target;
        bytes[] proof;
        uint256 proofLength;
    }

    /// @notice The root of the trie holding `_entries` and the proof for `_target`.
    function build(Entry[] memory _entries, bytes32[] memory _reserved, uint256 _fillDepth, bytes32 _target)
        internal
        pure
        returns (bytes32 root_, bytes[] memory proof_)
    {
        if (_entries.length == 0 && _fillDepth == 0) return (EMPTY_ROOT, new bytes[](0));
        Ctx memory c = Ctx({
            entries: _entries,
            reserved: _reserved,
            fillDepth: _fillDepth,
            target: _target,
            proof: new bytes[](80),
            proofLength: 0
        });
        uint256[] memory all = new uint256[](_entries.length);
        for (uint256 i; i < all.length; ++i) {
            all[i] = i;
        }
        bytes memory rootNode = _node(c, all, 0, true, _target);
        root_ = keccak256(rootNode);
        proof_ = new bytes[](c.proofLength);
        for (uint256 i; i < c.proofLength; ++i) {
            proof_[i] = c.proof[i];
        }
    }

    function nibble(bytes32 _path, uint256 _depth) internal pure returns (uint256) {
        return (uint256(_path) >> (4 * (63 - _depth))) & 0xf;
    }

    /// @dev The node for the entries `_idx`, all under the nibble prefix of `_prefixPath` up to `_depth`.
    function _node(Ctx memory _c, uint256[] memory _idx, uint256 _depth, bool _onPath, bytes32 _prefixPath)
        private
        pure
        returns (bytes memory node_)
    {
        uint256 slot = _onPath ? _c.proofLength++ : type(uint256).max;
        if (_depth >= _c.fillDepth && _idx.length == 1) {
            Entry memory e = _c.entries[_idx[0]];
            bytes[] memory items = new bytes[](2);
            items[0] = RLPWriter.writeBytes(_hexPrefix(e.path, _depth, 64, true));
            items[1] = RLPWriter.writeBytes(e.value);
            node_ = RLPWriter.writeList(items);
        } else if (_depth >= _c.fillDepth && _commonPrefix(_c, _idx, _depth) > _depth) {
            uint256 end = _commonPrefix(_c, _idx, _depth);
            bytes32 p = _c.entries[_idx[0]].path;
            bool childOnPath = _onPath;
            for (uint256 d = _depth; d < end; ++d) {
                if (nibble(_c.target, d) != nibble(p, d)) childOnPath = false;
            }
            bytes[] memory items = new bytes[](2);
            items[0] = RLPWriter.writeBytes(_hexPrefix(p, _depth, end, false));
            items[1] = _ref(_node(_c, _idx, end, childOnPath, p));
            node_ = RLPWriter.writeList(items);
        } else {
            bytes[] memory items = new bytes[](17);
            for (uint256 n; n < 16; ++n) {
                items[n] = _branchSlot(_c, _idx, _depth, _onPath, _prefixPath, n);
            }
            items[16] = RLPWriter.writeBytes("");
            node_ = RLPWriter.writeList(items);
        }
        if (_onPath) _c.proof[slot] = node_;
    }

    function _branchSlot(
        Ctx memory _c,
        uint256[] memory _idx,
        uint256 _depth,
        bool _onPath,
        bytes32 _prefixPath,
        uint256 _n
    ) private pure returns (bytes memory) {
        bool childOnPath = _onPath && nibble(_c.target, _depth) == _n;
        uint256[] memory sub = _subset(_c, _idx, _depth, _n);
        if (sub.length > 0) {
            return _ref(_node(_c, sub, _depth + 1, childOnPath, _c.entries[sub[0]].path));
        }
        if (_depth >= _c.fillDepth) return RLPWriter.writeBytes("");
        (bool reserved, bytes32 r) = _reservedUnder(_c, _prefixPath, _depth, _n);
        if (reserved) {
            // A reserved path stays free: a full branch above fillDepth − 1, an empty slot at it.
            if (_depth + 1 >= _c.fillDepth) return RLPWriter.writeBytes("");
            return _ref(_node(_c, new uint256[](0), _depth + 1, childOnPath, r));
        }
        return RLPWriter.writeBytes(
            abi.encodePacked(keccak256(abi.encode("filler", _prefixOf(_prefixPath, _depth), _depth, _n)))
        );
    }

    function _ref(bytes memory _child) private pure returns (bytes memory) {
        if (_child.length < 32) return _child;
        return RLPWriter.writeBytes(abi.encodePacked(keccak256(_child)));
    }

    function _prefixOf(bytes32 _path, uint256 _depth) private pure returns (bytes32) {
        if (_depth == 0) return bytes32(0);
        return bytes32(uint256(_path) >> (4 * (64 - _depth)) << (4 * (64 - _depth)));
    }

    function _subset(Ctx memory _c, uint256[] memory _idx, uint256 _depth, uint256 _n)
        private
        pure
        returns (uint256[] memory out_)
    {
        uint256 count;
        for (uint256 i; i < _idx.length; ++i) {
            if (nibble(_c.entries[_idx[i]].path, _depth) == _n) ++count;
        }
        out_ = new uint256[](count);
        count = 0;
        for (uint256 i; i < _idx.length; ++i) {
            if (nibble(_c.entries[_idx[i]].path, _depth) == _n) out_[count++] = _idx[i];
        }
    }

    /// @dev Whether a reserved path runs through slot `_n` of the branch at `_depth` under `_prefixPath`.
    function _reservedUnder(Ctx memory _c, bytes32 _prefixPath, uint256 _depth, uint256 _n)
        private
        pure
        returns (bool, bytes32)
    {
        for (uint256 i; i < _c.reserved.length; ++i) {
            bytes32 r = _c.reserved[i];
            if (_prefixOf(r, _depth) == _prefixOf(_prefixPath, _depth) && nibble(r, _depth) == _n) return (true, r);
        }
        return (false, bytes32(0));
    }

    /// @dev The depth up to which every entry of `_idx` shares its nibbles (≥ `_depth`).
    function _commonPrefix(Ctx memory _c, uint256[] memory _idx, uint256 _depth) private pure returns (uint256 d_) {
        bytes32 p = _c.entries[_idx[0]].path;
        for (d_ = _depth; d_ < 64; ++d_) {
            uint256 n = nibble(p, d_);
            for (uint256 i = 1; i < _idx.length; ++i) {
                if (nibble(_c.entries[_idx[i]].path, d_) != n) return d_;
            }
        }
    }

    /// @dev Hex-prefix encoding of nibbles `_from`…`_to` of `_path`.
    function _hexPrefix(bytes32 _path, uint256 _from, uint256 _to, bool _leaf)
        private
        pure
        returns (bytes memory out_)
    {
        uint256 len = _to - _from;
        bool odd = len % 2 == 1;
        out_ = new bytes(len / 2 + 1);
        uint256 flag = (_leaf ? 2 : 0) + (odd ? 1 : 0);
        uint256 k = _from;
        if (odd) {
            out_[0] = bytes1(uint8(flag << 4 | nibble(_path, k++)));
        } else {
            out_[0] = bytes1(uint8(flag << 4));
        }
        for (uint256 i = 1; i < out_.length; ++i) {
            out_[i] = bytes1(uint8(nibble(_path, k) << 4 | nibble(_path, k + 1)));
            k += 2;
        }
    }
}
