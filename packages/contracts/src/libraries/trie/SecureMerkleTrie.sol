// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { MerkleTrie } from "./MerkleTrie.sol";

/// @title SecureMerkleTrie
/// @notice MerkleTrie for "secure" tries, whose paths are keccak256 of the keys: Ethereum's state
///         trie (key = address) and storage tries (key = 32-byte slot).
library SecureMerkleTrie {
    /// @notice Reads `key` (hashed into its path) from the trie with root `root` using `proof`.
    /// @return exists Whether the key is in the trie (false for a valid exclusion proof).
    /// @return value The value stored at `key` (empty when it does not exist).
    function get(bytes memory key, bytes[] memory proof, bytes32 root)
        internal
        pure
        returns (bool exists, bytes memory value)
    {
        return MerkleTrie.get(trieKey(key), proof, root);
    }

    /// @notice The root after setting `key` (hashed into its path) to the non-empty `value`.
    function update(bytes memory key, bytes memory value, bytes[] memory proof, bytes32 root)
        internal
        pure
        returns (bytes32)
    {
        return MerkleTrie.update(trieKey(key), value, proof, root);
    }

    /// @notice `get`, also returning the verified path for `MerkleTrie.write` (one walk for a
    ///         read-modify-write of the same key).
    function read(bytes memory key, bytes[] memory proof, bytes32 root)
        internal
        pure
        returns (bool exists, bytes memory value, MerkleTrie.Path memory path)
    {
        return MerkleTrie.read(trieKey(key), proof, root);
    }

    /// @notice The root after setting the key of `path` (from `read`) to the non-empty `value`.
    function write(MerkleTrie.Path memory path, bytes memory value) internal pure returns (bytes32) {
        return MerkleTrie.write(path, value);
    }

    /// @notice The path of `key` in a secure trie: keccak256(key).
    function trieKey(bytes memory key) internal pure returns (bytes memory) {
        return abi.encodePacked(keccak256(key));
    }
}
