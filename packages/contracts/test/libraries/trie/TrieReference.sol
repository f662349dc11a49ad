// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { RLPWriter } from "../../../src/libraries/rlp/RLPWriter.sol";

/// @title TrieReference
/// @notice A deliberately naive Merkle-Patricia-trie builder for tests: it builds the whole trie from
///         a set of keys and values from scratch (recursively, the textbook construction) and returns
///         the root and the proof nodes for one key. It shares no code with MerkleTrie.update, so it
///         is an independent reference (itself checked against the ethereumjs trie (ethereumjs mpt package) in MerkleTrie.t.sol).
library TrieReference {
    struct Built {
        bytes node;
        bytes[] path; // the nodes on the target's path, top first
    }

    /// @notice Root of the trie holding `keys[i] => values[i]` and the proof (all nodes on the path
    ///         towards `target`, embedded ones included).
    function build(bytes[] memory keys, bytes[] memory values, bytes memory target)
        internal
        pure
        returns (bytes32 root, bytes[] memory proof)
    {
        if (keys.length == 0) {
            proof = new bytes[](1);
            proof[0] = hex"80";
            return (keccak256(hex"80"), proof);
        }
        bytes[] memory nibbleKeys = new bytes[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            nibbleKeys[i] = _nibbles(keys[i]);
        }
        Built memory b = _build(nibbleKeys, values, 0, _nibbles(target), true);
        return (keccak256(b.node), b.path);
    }

    function _build(bytes[] memory keys, bytes[] memory values, uint256 d, bytes memory target, bool onPath)
        private
        pure
        returns (Built memory out)
    {
        bytes[] memory below;
        if (keys.length == 1) {
            out.node = _pair(_slice(keys[0], d, keys[0].length), true, RLPWriter.writeBytes(values[0]));
        } else {
            // Longest prefix (from d) shared by all keys.
            uint256 c;
            while (true) {
                bool same = true;
                for (uint256 i; i < keys.length; ++i) {
                    if (d + c >= keys[i].length || keys[i][d + c] != keys[0][d + c]) {
                        same = false;
                        break;
                    }
                }
                if (!same) break;
                ++c;
            }
            if (c > 0) {
                bool follows = onPath && _matches(target, keys[0], d, c);
                Built memory child = _branch(keys, values, d + c, target, follows);
                out.node = _pair(_slice(keys[0], d, d + c), false, _ref(child.node));
                below = child.path;
            } else {
                Built memory br = _branch(keys, values, d, target, onPath);
                out.node = br.node;
                // _branch already put the branch itself at the head of its path.
                out.path = br.path;
                return out;
            }
        }
        uint256 n = onPath ? 1 + below.length : 0;
        out.path = new bytes[](n);
        if (onPath) {
            out.path[0] = out.node;
            for (uint256 i; i < below.length; ++i) {
                out.path[i + 1] = below[i];
            }
        }
    }

    function _branch(bytes[] memory keys, bytes[] memory values, uint256 d, bytes memory target, bool onPath)
        private
        pure
        returns (Built memory out)
    {
        bytes[] memory slots = new bytes[](17);
        bytes[] memory below;
        for (uint256 s; s < 17; ++s) {
            slots[s] = hex"80";
        }
        for (uint256 nib; nib < 16; ++nib) {
            uint256 count;
            for (uint256 i; i < keys.length; ++i) {
                if (keys[i].length > d && uint8(keys[i][d]) == nib) ++count;
            }
            if (count == 0) continue;
            bytes[] memory subKeys = new bytes[](count);
            bytes[] memory subValues = new bytes[](count);
            uint256 j;
            for (uint256 i; i < keys.length; ++i) {
                if (keys[i].length > d && uint8(keys[i][d]) == nib) {
                    subKeys[j] = keys[i];
                    subValues[j++] = values[i];
                }
            }
            bool follows = onPath && target.length > d && uint8(target[d]) == nib;
            Built memory child = _build(subKeys, subValues, d + 1, target, follows);
            slots[nib] = _ref(child.node);
            if (follows) below = child.path;
        }
        for (uint256 i; i < keys.length; ++i) {
            if (keys[i].length == d) slots[16] = RLPWriter.writeBytes(values[i]);
        }
        out.node = RLPWriter.writeList(slots);
        uint256 n = onPath ? 1 + below.length : 0;
        out.path = new bytes[](n);
        if (onPath) {
            out.path[0] = out.node;
            for (uint256 i; i < below.length; ++i) {
                out.path[i + 1] = below[i];
            }
        }
    }

    function _matches(bytes memory target, bytes memory key, uint256 d, uint256 c) private pure returns (bool) {
        if (target.length < d + c) return false;
        for (uint256 i; i < c; ++i) {
            if (target[d + i] != key[d + i]) return false;
        }
        return true;
    }

    function _pair(bytes memory nibbles, bool leaf, bytes memory second) private pure returns (bytes memory) {
        bytes[] memory items = new bytes[](2);
        uint256 odd = nibbles.length % 2;
        bytes memory hp = new bytes(nibbles.length / 2 + 1);
        uint256 flag = (leaf ? 2 : 0) + odd;
        uint256 j;
        hp[0] = bytes1(uint8(flag << 4) | (odd == 1 ? uint8(nibbles[j++]) : 0));
        for (uint256 i = 1; i < hp.length; ++i) {
            hp[i] = bytes1(uint8(nibbles[j]) * 16 + uint8(nibbles[j + 1]));
            j += 2;
        }
        items[0] = RLPWriter.writeBytes(hp);
        items[1] = second;
        return RLPWriter.writeList(items);
    }

    function _ref(bytes memory node) private pure returns (bytes memory) {
        return node.length < 32 ? node : abi.encodePacked(bytes1(0xa0), keccak256(node));
    }

    function _slice(bytes memory b, uint256 start, uint256 end) private pure returns (bytes memory out) {
        out = new bytes(end - start);
        for (uint256 i; i < out.length; ++i) {
            out[i] = b[start + i];
        }
    }

    function _nibbles(bytes memory key) private pure returns (bytes memory out) {
        out = new bytes(key.length * 2);
        for (uint256 i; i < key.length; ++i) {
            out[2 * i] = bytes1(uint8(key[i]) >> 4);
            out[2 * i + 1] = bytes1(uint8(key[i]) & 0x0f);
        }
    }
}
