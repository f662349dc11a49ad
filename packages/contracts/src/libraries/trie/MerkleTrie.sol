// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { RLPItem, RLPReader } from "../rlp/RLPReader.sol";
import { RLPWriter } from "../rlp/RLPWriter.sol";

/// @title MerkleTrie
/// @notice Verifies Merkle-Patricia-trie proofs (Ethereum's hexary trie, as returned by
///         `eth_getProof`) and computes the root after setting one key, from a proof for that key.
/// @dev    A proof is the list of RLP-encoded nodes on the path from the root towards the key: the
///         first node hashes to the root, every later node is referenced from the one before it. A
///         node whose encoding is shorter than 32 bytes is embedded in its parent instead of being
///         hashed; such a node may be omitted from the proof (geth) or repeated in it (ethereumjs).
///
///         A proof either reaches the key (an inclusion proof) or shows that the key is absent: it
///         ends at a branch whose slot for the key's next nibble is empty, at a leaf for another key,
///         or at an extension whose path diverges from the key. A proof that is not one of these
///         (a node whose hash does not match, a missing node, an unused trailing node, a malformed
///         node) reverts; `get` returns `exists = false` only for a valid exclusion proof.
///
///         `update` never deletes: the value must be non-empty (Sluice never deletes accounts).
library MerkleTrie {
    /// @notice The root of the empty trie: keccak256 of the RLP empty string (0x80).
    bytes32 internal constant EMPTY_ROOT = 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421;

    /// @notice `update` was given an empty value (that would be a deletion, which is not supported).
    error MerkleTrieEmptyValue();
    /// @notice The proof ends before the walk towards the key is finished.
    error MerkleTrieProofTooShort();
    /// @notice The node at `depth` on the path does not hash to the reference its parent holds.
    error MerkleTrieInvalidNodeHash(uint256 depth);
    /// @notice The node at `depth` is malformed: not a 2- or 17-item list, a bad path encoding, a bad
    ///         child reference, or an embedded node of 32 bytes or more (or a hashed one below 32).
    error MerkleTrieInvalidNode(uint256 depth);
    /// @notice The proof has nodes after the one where the walk ended.
    error MerkleTrieUnusedProofNodes();

    uint256 private constant BRANCH = 0;
    uint256 private constant EXTENSION = 1;
    uint256 private constant LEAF = 2;

    // How a walk ends.
    uint256 private constant FOUND = 0; // at the key's leaf, or at a branch with no key nibbles left
    uint256 private constant EMPTY_SLOT = 1; // at a branch whose slot for the next nibble is empty
    uint256 private constant DIVERGES = 2; // at a leaf or extension whose path diverges from the key
    uint256 private constant EMPTY_TRIE = 3; // the root is EMPTY_ROOT

    /// @dev A node on the walk: its kind, its decoded items, the index of the first key nibble it
    ///      consumes, and (for leaves and extensions) its path as nibbles.
    struct Node {
        uint256 kind;
        RLPItem[] items;
        uint256 keyIndex;
        bytes path;
    }

    /// @notice A proof for one key, verified against a root by `read`, which `write` turns into the
    ///         new root. Lets a caller read a value and then write it with a single proof walk.
    struct Path {
        bytes nibbles;
        Node[] nodes;
        uint256 depth;
        uint256 stop;
    }

    /// @notice Reads `key` from the trie with root `root` using `proof`.
    /// @param key The key (the raw path, not hashed; see SecureMerkleTrie for hashed keys).
    /// @param proof The RLP-encoded nodes from the root towards `key`.
    /// @param root The trie's root hash.
    /// @return exists Whether the key is in the trie (false for a valid exclusion proof).
    /// @return value The value stored at `key` (empty when it does not exist).
    function get(bytes memory key, bytes[] memory proof, bytes32 root)
        internal
        pure
        returns (bool exists, bytes memory value)
    {
        (exists, value,) = read(key, proof, root);
    }

    /// @notice The root of the trie after setting `key` to `value`, given a proof for `key` against
    ///         `root` (inclusion to update an existing key, exclusion to insert a new one).
    /// @param key The key (the raw path).
    /// @param value The new value; must not be empty.
    /// @param proof The RLP-encoded nodes from the root towards `key`.
    /// @param root The trie's current root hash.
    /// @return The new root hash.
    function update(bytes memory key, bytes memory value, bytes[] memory proof, bytes32 root)
        internal
        pure
        returns (bytes32)
    {
        if (value.length == 0) revert MerkleTrieEmptyValue();
        (,, Path memory path) = read(key, proof, root);
        return write(path, value);
    }

    /// @notice `get`, also returning the verified path so that `write` can set the key afterwards
    ///         without walking the proof again (a read-modify-write costs one walk, not two).
    function read(bytes memory key, bytes[] memory proof, bytes32 root)
        internal
        pure
        returns (bool exists, bytes memory value, Path memory path)
    {
        path.nibbles = _nibbles(key);
        (path.nodes, path.depth, path.stop) = _walk(path.nibbles, proof, root);
        if (path.stop != FOUND) return (false, "", path);
        Node memory last = path.nodes[path.depth - 1];
        value = RLPReader.readBytes(last.kind == LEAF ? last.items[1] : last.items[16]);
        exists = value.length != 0;
    }

    /// @notice The root after setting the key of `path` (from `read`) to the non-empty `value`.
    /// @dev `path` points into the proof that `read` checked: the proof must not be modified between
    ///      the two calls.
    function write(Path memory path, bytes memory value) internal pure returns (bytes32) {
        if (value.length == 0) revert MerkleTrieEmptyValue();
        bytes memory nibbles = path.nibbles;
        Node[] memory nodes = path.nodes;
        uint256 depth = path.depth;
        uint256 stop = path.stop;
        bytes memory encodedValue = RLPWriter.writeBytes(value);
        if (stop == EMPTY_TRIE) return keccak256(_leaf(nibbles, 0, encodedValue));

        // Rewrite the node where the walk ended, then every ancestor with its new child reference.
        Node memory last = nodes[depth - 1];
        bytes memory current;
        if (stop == FOUND) {
            current = _replace(last.items, last.kind == LEAF ? 1 : 16, encodedValue);
        } else if (stop == EMPTY_SLOT) {
            uint256 slot = uint8(nibbles[last.keyIndex]);
            current = _replace(last.items, slot, _ref(_leaf(nibbles, last.keyIndex + 1, encodedValue)));
        } else {
            current = _split(last, nibbles, encodedValue);
        }
        for (uint256 i = depth - 1; i > 0; --i) {
            Node memory parent = nodes[i - 1];
            uint256 slot = parent.kind == BRANCH ? uint8(nibbles[parent.keyIndex]) : 1;
            current = _replace(parent.items, slot, _ref(current));
        }
        return keccak256(current);
    }

    // ------------------------------------------------------------------ walking

    /// @dev Follows `proof` from `root` along `nibbles`, checking every reference. Returns the nodes
    ///      visited (the first `depth` entries of `nodes`) and how the walk ended.
    function _walk(bytes memory nibbles, bytes[] memory proof, bytes32 root)
        private
        pure
        returns (Node[] memory nodes, uint256 depth, uint256 stop)
    {
        // Every node consumes at least one nibble except the last, so the walk has at most
        // nibbles.length + 1 nodes.
        nodes = _allocateNodes(nibbles.length + 1);
        if (root == EMPTY_ROOT) {
            // The empty trie's root node is the empty string, which a proof may carry or omit.
            if (proof.length > 1 || (proof.length == 1 && keccak256(proof[0]) != EMPTY_ROOT)) {
                revert MerkleTrieUnusedProofNodes();
            }
            return (nodes, 0, EMPTY_TRIE);
        }
        if (proof.length == 0) revert MerkleTrieProofTooShort();
        if (keccak256(proof[0]) != root) revert MerkleTrieInvalidNodeHash(0);
        RLPItem memory node = RLPReader.toRLPItem(proof[0]);
        uint256 next = 1;
        uint256 k;
        while (true) {
            RLPItem[] memory items = RLPReader.readList(node);
            bool empty;
            if (items.length == 17) {
                nodes[depth] = Node({ kind: BRANCH, items: items, keyIndex: k, path: "" });
                ++depth;
                if (k == nibbles.length) {
                    stop = FOUND;
                    break;
                }
                (empty, node, next) = _child(items[uint8(nibbles[k])], proof, next, depth);
                ++k;
                if (empty) {
                    stop = EMPTY_SLOT;
                    break;
                }
            } else if (items.length == 2) {
                (bytes memory path, bool leaf) = _decodePath(items[0], depth);
                nodes[depth] = Node({ kind: leaf ? LEAF : EXTENSION, items: items, keyIndex: k, path: path });
                ++depth;
                uint256 shared = _sharedPrefix(path, nibbles, k);
                if (leaf) {
                    stop = shared == path.length && k + shared == nibbles.length ? FOUND : DIVERGES;
                    break;
                }
                if (shared < path.length) {
                    stop = DIVERGES;
                    break;
                }
                k += shared;
                (empty, node, next) = _child(items[1], proof, next, depth);
                if (empty) revert MerkleTrieInvalidNode(depth - 1);
            } else {
                revert MerkleTrieInvalidNode(depth);
            }
        }
        if (next != proof.length) revert MerkleTrieUnusedProofNodes();
    }

    /// @dev Resolves the child reference `ref` (of the node at depth - 1) to the node it names: an
    ///      embedded node is read in place (and skipped in the proof if the proof repeats it), a hash
    ///      is matched against the next proof node. `empty` is true for the empty reference (0x80).
    function _child(RLPItem memory ref, bytes[] memory proof, uint256 next, uint256 depth)
        private
        pure
        returns (bool empty, RLPItem memory node, uint256 nextAfter)
    {
        uint256 first = _firstByte(ref);
        if (first >= 0xc0) {
            // An embedded node: canonical only if its encoding is shorter than 32 bytes.
            if (ref.length >= 32) revert MerkleTrieInvalidNode(depth - 1);
            if (next < proof.length && proof[next].length == ref.length && keccak256(proof[next]) == _hash(ref)) {
                ++next;
            }
            return (false, ref, next);
        }
        if (ref.length == 1 && first == 0x80) return (true, ref, next);
        if (ref.length != 33 || first != 0xa0) revert MerkleTrieInvalidNode(depth - 1);
        if (next >= proof.length) revert MerkleTrieProofTooShort();
        bytes memory encoded = proof[next];
        if (keccak256(encoded) != _word(ref.ptr + 1)) revert MerkleTrieInvalidNodeHash(depth);
        // A node shorter than 32 bytes is always embedded, never referenced by hash.
        if (encoded.length < 32) revert MerkleTrieInvalidNode(depth);
        return (false, RLPReader.toRLPItem(encoded), next + 1);
    }

    /// @dev Decodes a hex-prefix encoded path into nibbles and its leaf flag.
    function _decodePath(RLPItem memory item, uint256 depth) private pure returns (bytes memory path, bool leaf) {
        bytes memory hp = RLPReader.readBytes(item);
        if (hp.length == 0) revert MerkleTrieInvalidNode(depth);
        uint256 prefix = uint8(hp[0]);
        uint256 flag = prefix >> 4;
        if (flag > 3) revert MerkleTrieInvalidNode(depth);
        leaf = flag >= 2;
        bool odd = flag & 1 == 1;
        if (!odd && prefix & 0x0f != 0) revert MerkleTrieInvalidNode(depth);
        uint256 n = 2 * (hp.length - 1) + (odd ? 1 : 0);
        // An extension with an empty path is not canonical.
        if (!leaf && n == 0) revert MerkleTrieInvalidNode(depth);
        path = new bytes(n);
        assembly ("memory-safe") {
            let dst := add(path, 0x20)
            if odd {
                mstore8(dst, and(prefix, 0x0f))
                dst := add(dst, 1)
            }
            let src := add(hp, 0x20)
            for { let i := 1 } lt(i, mload(hp)) { i := add(i, 1) } {
                let b := byte(0, mload(add(src, i)))
                mstore8(dst, shr(4, b))
                mstore8(add(dst, 1), and(b, 0x0f))
                dst := add(dst, 2)
            }
        }
    }

    // ------------------------------------------------------------------ building

    /// @dev The subtree that replaces a leaf or extension whose path diverges from the key: a branch
    ///      holding the old node's remainder and a new leaf, under an extension for the shared part.
    function _split(Node memory last, bytes memory nibbles, bytes memory encodedValue)
        private
        pure
        returns (bytes memory)
    {
        bytes memory path = last.path;
        uint256 k = last.keyIndex;
        uint256 shared = _sharedPrefix(path, nibbles, k);
        bytes[] memory slots = new bytes[](17);
        bytes memory emptySlot = hex"80";
        for (uint256 i; i < 17; ++i) {
            slots[i] = emptySlot;
        }
        // The old node's item 1: a leaf's encoded value or an extension's child reference.
        bytes memory oldItem = RLPReader.readRawBytes(last.items[1]);
        if (shared == path.length) {
            // Only a leaf gets here: its key is a proper prefix of ours, so its value moves into the branch.
            slots[16] = oldItem;
        } else if (last.kind == LEAF) {
            slots[uint8(path[shared])] = _ref(_leaf(path, shared + 1, oldItem));
        } else if (shared + 1 == path.length) {
            slots[uint8(path[shared])] = oldItem;
        } else {
            slots[uint8(path[shared])] = _ref(_extension(path, shared + 1, path.length, oldItem));
        }
        if (k + shared == nibbles.length) {
            slots[16] = encodedValue;
        } else {
            slots[uint8(nibbles[k + shared])] = _ref(_leaf(nibbles, k + shared + 1, encodedValue));
        }
        bytes memory branch = RLPWriter.writeList(slots);
        if (shared == 0) return branch;
        return _extension(nibbles, k, k + shared, _ref(branch));
    }

    /// @dev A leaf for the nibbles from `start` to the end, holding the already-encoded value.
    function _leaf(bytes memory nibbles, uint256 start, bytes memory encodedValue)
        private
        pure
        returns (bytes memory)
    {
        bytes[] memory items = new bytes[](2);
        items[0] = RLPWriter.writeBytes(_hexPrefix(nibbles, start, nibbles.length, true));
        items[1] = encodedValue;
        return RLPWriter.writeList(items);
    }

    /// @dev An extension for nibbles[start:end] pointing at the child reference `childRef`.
    function _extension(bytes memory nibbles, uint256 start, uint256 end, bytes memory childRef)
        private
        pure
        returns (bytes memory)
    {
        bytes[] memory items = new bytes[](2);
        items[0] = RLPWriter.writeBytes(_hexPrefix(nibbles, start, end, false));
        items[1] = childRef;
        return RLPWriter.writeList(items);
    }

    /// @dev How a parent refers to `node`: embedded when shorter than 32 bytes, by hash otherwise.
    function _ref(bytes memory node) private pure returns (bytes memory) {
        if (node.length < 32) return node;
        return abi.encodePacked(bytes1(0xa0), keccak256(node));
    }

    /// @dev The list `items` re-encoded with item `slot` replaced by the encoded item `item`.
    function _replace(RLPItem[] memory items, uint256 slot, bytes memory item) private pure returns (bytes memory out) {
        uint256 payloadLength;
        assembly ("memory-safe") {
            payloadLength := mload(item)
            let n := mload(items)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                // items[i] is a pointer to an RLPItem struct; its first word is the length.
                if iszero(eq(i, slot)) { payloadLength := add(payloadLength, mload(mload(add(items, shl(5, add(i, 1)))))) }
            }
        }
        bytes memory header = RLPWriter.writeListHeader(payloadLength);
        out = new bytes(header.length + payloadLength);
        assembly ("memory-safe") {
            let dst := add(out, 0x20)
            mcopy(dst, add(header, 0x20), mload(header))
            dst := add(dst, mload(header))
            let n := mload(items)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                switch eq(i, slot)
                case 1 {
                    mcopy(dst, add(item, 0x20), mload(item))
                    dst := add(dst, mload(item))
                }
                default {
                    let element := mload(add(items, shl(5, add(i, 1))))
                    let len := mload(element)
                    mcopy(dst, mload(add(element, 0x20)), len)
                    dst := add(dst, len)
                }
            }
        }
    }

    // ------------------------------------------------------------------ nibbles

    /// @dev The nibbles of `key`, high nibble first, one per byte.
    function _nibbles(bytes memory key) private pure returns (bytes memory out) {
        out = new bytes(key.length * 2);
        assembly ("memory-safe") {
            let src := add(key, 0x20)
            let dst := add(out, 0x20)
            for { let i := 0 } lt(i, mload(key)) { i := add(i, 1) } {
                let b := byte(0, mload(add(src, i)))
                mstore8(add(dst, shl(1, i)), shr(4, b))
                mstore8(add(dst, add(shl(1, i), 1)), and(b, 0x0f))
            }
        }
    }

    /// @dev The hex-prefix encoding of nibbles[start:end] with the leaf flag.
    function _hexPrefix(bytes memory nibbles, uint256 start, uint256 end, bool leaf)
        private
        pure
        returns (bytes memory out)
    {
        uint256 n = end - start;
        uint256 odd = n & 1;
        out = new bytes(n / 2 + 1);
        uint256 flag = (leaf ? 2 : 0) + odd;
        assembly ("memory-safe") {
            let src := add(add(nibbles, 0x20), start)
            let dst := add(out, 0x20)
            switch odd
            case 1 {
                mstore8(dst, or(shl(4, flag), byte(0, mload(src))))
                src := add(src, 1)
            }
            default { mstore8(dst, shl(4, flag)) }
            for { let i := 1 } lt(i, mload(out)) { i := add(i, 1) } {
                let pair := mload(src)
                mstore8(add(dst, i), or(shl(4, byte(0, pair)), byte(1, pair)))
                src := add(src, 2)
            }
        }
    }

    /// @dev How many nibbles `path` shares with nibbles[k:], from the start.
    function _sharedPrefix(bytes memory path, bytes memory nibbles, uint256 k) private pure returns (uint256 n) {
        assembly ("memory-safe") {
            let max := mload(path)
            let left := sub(mload(nibbles), k) // k <= nibbles.length always holds in _walk
            if lt(left, max) { max := left }
            let a := add(path, 0x20)
            let b := add(add(nibbles, 0x20), k)
            for { } and(lt(n, max), eq(byte(0, mload(add(a, n))), byte(0, mload(add(b, n))))) { } { n := add(n, 1) }
        }
    }

    // ------------------------------------------------------------------ memory

    /// @dev An array of `n` node slots, not initialised (cheaper than `new Node[](n)`, which
    ///      allocates a zeroed struct per slot); `_walk` assigns every slot before it is read.
    function _allocateNodes(uint256 n) private pure returns (Node[] memory nodes) {
        assembly ("memory-safe") {
            nodes := mload(0x40)
            mstore(nodes, n)
            mstore(0x40, add(nodes, shl(5, add(n, 1))))
        }
    }

    function _firstByte(RLPItem memory item) private pure returns (uint256 b) {
        uint256 ptr = item.ptr;
        assembly ("memory-safe") {
            b := byte(0, mload(ptr))
        }
    }

    function _word(uint256 ptr) private pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := mload(ptr)
        }
    }

    function _hash(RLPItem memory item) private pure returns (bytes32 h) {
        uint256 ptr = item.ptr;
        uint256 len = item.length;
        assembly ("memory-safe") {
            h := keccak256(ptr, len)
        }
    }
}
