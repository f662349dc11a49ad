// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Test } from "../../base/Test.sol";
import { MerkleTrie } from "../../../src/libraries/trie/MerkleTrie.sol";
import { SecureMerkleTrie } from "../../../src/libraries/trie/SecureMerkleTrie.sol";
import { RLPReader } from "../../../src/libraries/rlp/RLPReader.sol";
import { RLPWriter } from "../../../src/libraries/rlp/RLPWriter.sol";
import { TrieReference } from "./TrieReference.sol";

/// @notice External entry points, so that tests can expect reverts and measure one call's gas.
contract MerkleTrieHarness {
    function get(bytes memory key, bytes[] memory proof, bytes32 root) external pure returns (bool, bytes memory) {
        return MerkleTrie.get(key, proof, root);
    }

    function update(bytes memory key, bytes memory value, bytes[] memory proof, bytes32 root)
        external
        pure
        returns (bytes32)
    {
        return MerkleTrie.update(key, value, proof, root);
    }

    /// @dev read then write with one walk: must equal get + update.
    function readWrite(bytes memory key, bytes memory value, bytes[] memory proof, bytes32 root)
        external
        pure
        returns (bool exists, bytes memory oldValue, bytes32 newRoot)
    {
        MerkleTrie.Path memory path;
        (exists, oldValue, path) = MerkleTrie.read(key, proof, root);
        newRoot = MerkleTrie.write(path, value);
    }

    function secureReadWrite(bytes memory key, bytes memory value, bytes[] memory proof, bytes32 root)
        external
        pure
        returns (bool exists, bytes memory oldValue, bytes32 newRoot)
    {
        MerkleTrie.Path memory path;
        (exists, oldValue, path) = SecureMerkleTrie.read(key, proof, root);
        newRoot = SecureMerkleTrie.write(path, value);
    }

    function secureGet(bytes memory key, bytes[] memory proof, bytes32 root)
        external
        pure
        returns (bool, bytes memory)
    {
        return SecureMerkleTrie.get(key, proof, root);
    }

    function secureUpdate(bytes memory key, bytes memory value, bytes[] memory proof, bytes32 root)
        external
        pure
        returns (bytes32)
    {
        return SecureMerkleTrie.update(key, value, proof, root);
    }
}

abstract contract MerkleTrieVectors is Test {
    struct GetCase {
        bytes32 root;
        bytes key;
        bytes[] proof;
        bytes value;
        bool exists;
        bool secure;
    }

    struct UpdateCase {
        bytes32 root;
        bytes key;
        bytes[] proof;
        bytes value;
        bytes32 newRoot;
        bool secure;
    }

    string internal constant GET_TYPE =
        "GetCase(bytes32 root,bytes key,bytes[] proof,bytes value,bool exists,bool secure)";
    string internal constant UPDATE_TYPE =
        "UpdateCase(bytes32 root,bytes key,bytes[] proof,bytes value,bytes32 newRoot,bool secure)";
    string internal constant DIR = "test/vectors/mpt/";

    MerkleTrieHarness internal trie;

    function setUp() public virtual {
        trie = new MerkleTrieHarness();
    }

    function _fileCount() internal view returns (uint256) {
        return vm.parseJsonUint(vm.readFile(string.concat(DIR, "index.json")), ".files");
    }

    function _file(uint256 i) internal view returns (string memory) {
        return vm.readFile(string.concat(DIR, vm.toString(i), ".json"));
    }

    function _getCases(string memory json) internal pure returns (GetCase[] memory) {
        return abi.decode(vm.parseJsonTypeArray(json, ".get", GET_TYPE), (GetCase[]));
    }

    function _updateCases(string memory json, string memory key) internal pure returns (UpdateCase[] memory) {
        return abi.decode(vm.parseJsonTypeArray(json, key, UPDATE_TYPE), (UpdateCase[]));
    }

    function _get(GetCase memory c) internal view returns (bool, bytes memory) {
        return c.secure ? trie.secureGet(c.key, c.proof, c.root) : trie.get(c.key, c.proof, c.root);
    }

    function _update(UpdateCase memory c) internal view returns (bytes32) {
        return c.secure ? trie.secureUpdate(c.key, c.value, c.proof, c.root) : trie.update(c.key, c.value, c.proof, c.root);
    }

    /// @dev A GetCase with a deeper-than-root inclusion proof from the vector files.
    function _deepInclusion() internal view returns (GetCase memory) {
        uint256 n = _fileCount();
        for (uint256 f = n; f > 0; --f) {
            GetCase[] memory cs = _getCases(_file(f - 1));
            for (uint256 i; i < cs.length; ++i) {
                if (cs[i].exists && cs[i].proof.length >= 3 && cs[i].proof[cs[i].proof.length - 1].length >= 32) {
                    return cs[i];
                }
            }
        }
        revert("no deep inclusion case in the vectors");
    }
}

/// @notice MerkleTrie and SecureMerkleTrie against the ethereumjs trie (ethereumjs mpt package) (vectors from scripts/mpt-vectors.ts).
contract MerkleTrie_Vectors_Test is MerkleTrieVectors {
    /// @dev Each file is checked in its own call so that memory does not accumulate across files.
    function checkGetFile(uint256 i) external view returns (uint256 checked) {
        string memory json = _file(i);
        string memory name = vm.parseJsonString(json, ".name");
        GetCase[] memory cs = _getCases(json);
        for (uint256 j; j < cs.length; ++j) {
            (bool exists, bytes memory value) = _get(cs[j]);
            assertEq(exists, cs[j].exists, string.concat(name, ": exists, case ", vm.toString(j)));
            assertEq(value, cs[j].value, string.concat(name, ": value, case ", vm.toString(j)));
        }
        return cs.length;
    }

    function checkUpdateFile(uint256 i) external view returns (uint256 checked) {
        string memory json = _file(i);
        string memory name = vm.parseJsonString(json, ".name");
        UpdateCase[] memory cs = _updateCases(json, ".update");
        for (uint256 j; j < cs.length; ++j) {
            UpdateCase memory c = cs[j];
            assertEq(_update(c), c.newRoot, string.concat(name, ": new root, case ", vm.toString(j)));
            // The one-walk read + write gives the same root and reads what get reads.
            (bool exists, bytes memory oldValue, bytes32 newRoot) = c.secure
                ? trie.secureReadWrite(c.key, c.value, c.proof, c.root)
                : trie.readWrite(c.key, c.value, c.proof, c.root);
            assertEq(newRoot, c.newRoot, string.concat(name, ": read/write root, case ", vm.toString(j)));
            (bool e2, bytes memory v2) =
                c.secure ? trie.secureGet(c.key, c.proof, c.root) : trie.get(c.key, c.proof, c.root);
            assertEq(exists, e2);
            assertEq(oldValue, v2);
        }
        return cs.length;
    }

    function test_get_vectors_matchEthereumjs() public {
        uint256 n = _fileCount();
        uint256 total;
        for (uint256 i; i < n; ++i) {
            total += this.checkGetFile(i);
        }
        assertGt(total, 500);
        emit log_named_uint("get cases checked", total);
    }

    function test_update_vectors_matchEthereumjs() public {
        uint256 n = _fileCount();
        uint256 total;
        for (uint256 i; i < n; ++i) {
            total += this.checkUpdateFile(i);
        }
        assertGt(total, 500);
        emit log_named_uint("update cases checked", total);
    }

    function checkSequence(string memory key) external view returns (uint256) {
        string memory json = vm.readFile(string.concat(DIR, "sequence.json"));
        UpdateCase[] memory cs = _updateCases(json, key);
        bytes32 root = MerkleTrie.EMPTY_ROOT;
        for (uint256 j; j < cs.length; ++j) {
            assertEq(cs[j].root, root, string.concat(key, ": chained root, step ", vm.toString(j)));
            root = _update(cs[j]);
            assertEq(root, cs[j].newRoot, string.concat(key, ": new root, step ", vm.toString(j)));
        }
        return cs.length;
    }

    function test_update_successiveInsertsFromEmpty_matchEthereumjs() public {
        uint256 total = this.checkSequence(".plainTiny") + this.checkSequence(".plainVar")
            + this.checkSequence(".secureAccount") + this.checkSequence(".secureTiny");
        assertEq(total, 570);
    }

    /// @dev The reference builder used by the fuzz tests must itself agree with ethereumjs.
    function checkReference(string memory key) external view {
        string memory json = vm.readFile(string.concat(DIR, "sequence.json"));
        UpdateCase[] memory cs = _updateCases(json, key);
        bytes[] memory keys = new bytes[](cs.length);
        bytes[] memory values = new bytes[](cs.length);
        uint256 n;
        for (uint256 j; j < cs.length; ++j) {
            bytes memory k = cs[j].secure ? SecureMerkleTrie.trieKey(cs[j].key) : cs[j].key;
            uint256 at = n;
            for (uint256 m; m < n; ++m) {
                if (keccak256(keys[m]) == keccak256(k)) at = m;
            }
            keys[at] = k;
            values[at] = cs[j].value;
            if (at == n) ++n;
        }
        assembly ("memory-safe") {
            mstore(keys, n)
            mstore(values, n)
        }
        (bytes32 root,) = TrieReference.build(keys, values, keys[0]);
        assertEq(root, cs[cs.length - 1].newRoot, key);
    }

    function test_reference_matchesEthereumjs() public view {
        this.checkReference(".plainTiny");
        this.checkReference(".plainVar");
        this.checkReference(".secureTiny");
    }
}

/// @notice Invalid proofs: they revert, or (for a wrong key) never prove the original value.
contract MerkleTrie_Tampered_Test is MerkleTrieVectors {
    function test_get_flippedByteInNode_reverts() public {
        GetCase memory c = _deepInclusion();
        uint256 last = c.proof.length - 1;
        c.proof[last][c.proof[last].length - 1] ^= 0x01;
        vm.expectRevert(abi.encodeWithSelector(MerkleTrie.MerkleTrieInvalidNodeHash.selector, last));
        _get(c);
    }

    function test_get_flippedByteInRoot_reverts() public {
        GetCase memory c = _deepInclusion();
        c.proof[0][5] ^= 0x80;
        vm.expectRevert(abi.encodeWithSelector(MerkleTrie.MerkleTrieInvalidNodeHash.selector, 0));
        _get(c);
    }

    function test_get_droppedLastNode_reverts() public {
        GetCase memory c = _deepInclusion();
        bytes[] memory proof = c.proof;
        assembly ("memory-safe") {
            mstore(proof, sub(mload(proof), 1))
        }
        vm.expectRevert(MerkleTrie.MerkleTrieProofTooShort.selector);
        _get(c);
    }

    function test_get_droppedMiddleNode_reverts() public {
        GetCase memory c = _deepInclusion();
        bytes[] memory proof = new bytes[](c.proof.length - 1);
        proof[0] = c.proof[0];
        for (uint256 i = 2; i < c.proof.length; ++i) {
            proof[i - 1] = c.proof[i];
        }
        c.proof = proof;
        vm.expectRevert(abi.encodeWithSelector(MerkleTrie.MerkleTrieInvalidNodeHash.selector, 1));
        _get(c);
    }

    function test_get_extraTrailingNode_reverts() public {
        GetCase memory c = _deepInclusion();
        bytes[] memory proof = new bytes[](c.proof.length + 1);
        for (uint256 i; i < c.proof.length; ++i) {
            proof[i] = c.proof[i];
        }
        proof[c.proof.length] = c.proof[0];
        c.proof = proof;
        vm.expectRevert(MerkleTrie.MerkleTrieUnusedProofNodes.selector);
        _get(c);
    }

    function test_update_flippedByteInNode_reverts() public {
        GetCase memory c = _deepInclusion();
        uint256 last = c.proof.length - 1;
        c.proof[last][c.proof[last].length - 1] ^= 0x01;
        vm.expectRevert(abi.encodeWithSelector(MerkleTrie.MerkleTrieInvalidNodeHash.selector, last));
        c.secure ? trie.secureUpdate(c.key, hex"01", c.proof, c.root) : trie.update(c.key, hex"01", c.proof, c.root);
    }

    function test_update_emptyValue_reverts() public {
        vm.expectRevert(MerkleTrie.MerkleTrieEmptyValue.selector);
        trie.update(hex"01", "", new bytes[](0), MerkleTrie.EMPTY_ROOT);
        vm.expectRevert(MerkleTrie.MerkleTrieEmptyValue.selector);
        trie.readWrite(hex"01", "", new bytes[](0), MerkleTrie.EMPTY_ROOT);
    }

    function test_get_wrongRoot_reverts() public {
        GetCase memory c = _deepInclusion();
        vm.expectRevert(abi.encodeWithSelector(MerkleTrie.MerkleTrieInvalidNodeHash.selector, 0));
        trie.get(c.key, c.proof, keccak256("another root"));
    }

    function test_get_emptyProofForNonEmptyRoot_reverts() public {
        vm.expectRevert(MerkleTrie.MerkleTrieProofTooShort.selector);
        trie.get(hex"01", new bytes[](0), keccak256("a root"));
    }

    /// @dev Every inclusion proof of the vectors, presented with another key: reverts or proves
    ///      absence (or another key's value, for a key sharing the path), never the original value
    ///      under a key that does not hold it.
    function checkWrongKeys(uint256 f) external view returns (uint256 tried) {
        GetCase[] memory cs = _getCases(_file(f));
        for (uint256 j; j < cs.length; ++j) {
            if (!cs[j].exists) continue;
            bytes memory key = bytes.concat(cs[j].key);
            key[key.length - 1] ^= 0x01;
            ++tried;
            try this.getFor(cs[j], key) returns (bool exists, bytes memory) {
                assertFalse(exists, "a flipped key must not be proven present by another key's proof");
            } catch { }
        }
    }

    function getFor(GetCase memory c, bytes memory key) external view returns (bool, bytes memory) {
        c.key = key;
        return _get(c);
    }

    function test_get_wrongKey_neverProvesPresence() public view {
        uint256 n = _fileCount();
        uint256 tried;
        for (uint256 f; f < n; ++f) {
            tried += this.checkWrongKeys(f);
        }
        assertGt(tried, 200);
    }
}

/// @notice Unit tests on hand-made tries.
contract MerkleTrie_Unit_Test is Test {
    MerkleTrieHarness internal trie;

    function setUp() public {
        trie = new MerkleTrieHarness();
    }

    function _proof(bytes[] memory keys, bytes[] memory values, bytes memory target)
        internal
        pure
        returns (bytes32 root, bytes[] memory proof)
    {
        return TrieReference.build(keys, values, target);
    }

    function _one(bytes memory a) internal pure returns (bytes[] memory out) {
        out = new bytes[](1);
        out[0] = a;
    }

    function _two(bytes memory a, bytes memory b) internal pure returns (bytes[] memory out) {
        out = new bytes[](2);
        out[0] = a;
        out[1] = b;
    }

    function test_get_emptyTrie_returnsFalse() public view {
        (bool exists, bytes memory value) = trie.get(hex"1234", new bytes[](0), MerkleTrie.EMPTY_ROOT);
        assertFalse(exists);
        assertEq(value.length, 0);
        (exists,) = trie.get(hex"1234", _one(hex"80"), MerkleTrie.EMPTY_ROOT);
        assertFalse(exists);
    }

    function test_get_singleLeaf_inclusion_succeeds() public view {
        // A single small leaf: the root node is shorter than 32 bytes but still hashed into the root.
        (bytes32 root, bytes[] memory proof) = _proof(_one(hex"01"), _one(hex"aa"), hex"01");
        assertLt(proof[0].length, 32);
        (bool exists, bytes memory value) = trie.get(hex"01", proof, root);
        assertTrue(exists);
        assertEq(value, hex"aa");
    }

    function test_update_emptyTrie_insertsLeaf() public view {
        bytes32 root = trie.update(hex"0102", hex"beef", new bytes[](0), MerkleTrie.EMPTY_ROOT);
        (bytes32 expected,) = _proof(_one(hex"0102"), _one(hex"beef"), hex"0102");
        assertEq(root, expected);
    }

    function test_update_splitsLeafIntoExtensionAndBranch() public view {
        // 0x1234 and 0x1256 share "12": the second insert turns the leaf into extension -> branch.
        (bytes32 root, bytes[] memory proof) = _proof(_one(hex"1234"), _one(hex"01"), hex"1256");
        bytes32 newRoot = trie.update(hex"1256", hex"02", proof, root);
        (bytes32 expected, bytes[] memory p2) = _proof(_two(hex"1234", hex"1256"), _two(hex"01", hex"02"), hex"1256");
        assertEq(newRoot, expected);
        (bool exists, bytes memory value) = trie.get(hex"1256", p2, newRoot);
        assertTrue(exists);
        assertEq(value, hex"02");
    }

    function test_update_splitsExtension_atFirstNibble() public view {
        (bytes32 root, bytes[] memory proof) =
            _proof(_two(hex"1234", hex"1256"), _two(hex"01", hex"02"), hex"5678");
        bytes32 newRoot = trie.update(hex"5678", hex"03", proof, root);
        bytes[] memory keys = new bytes[](3);
        bytes[] memory values = new bytes[](3);
        (keys[0], keys[1], keys[2]) = (hex"1234", hex"1256", hex"5678");
        (values[0], values[1], values[2]) = (hex"01", hex"02", hex"03");
        (bytes32 expected,) = _proof(keys, values, hex"5678");
        assertEq(newRoot, expected);
    }

    function test_update_keyIsPrefixOfLeaf_movesValueIntoBranch() public view {
        (bytes32 root, bytes[] memory proof) = _proof(_one(hex"123456"), _one(hex"01"), hex"12");
        bytes32 newRoot = trie.update(hex"12", hex"02", proof, root);
        (bytes32 expected, bytes[] memory p2) = _proof(_two(hex"123456", hex"12"), _two(hex"01", hex"02"), hex"12");
        assertEq(newRoot, expected);
        (bool exists, bytes memory value) = trie.get(hex"12", p2, newRoot);
        assertTrue(exists);
        assertEq(value, hex"02");
    }

    function test_update_nodeStopsBeingEmbedded() public view {
        // Tiny values keep the leaves embedded; a 40-byte value makes the leaf hashed.
        (bytes32 root, bytes[] memory proof) = _proof(_two(hex"10", hex"20"), _two(hex"01", hex"02"), hex"20");
        bytes memory big = new bytes(40);
        big[0] = 0xff;
        bytes32 newRoot = trie.update(hex"20", big, proof, root);
        (bytes32 expected, bytes[] memory p2) = _proof(_two(hex"10", hex"20"), _two(hex"01", big), hex"20");
        assertEq(newRoot, expected);
        assertGe(p2[p2.length - 1].length, 32);
        // And back: the node becomes embedded again.
        bytes32 back = trie.update(hex"20", hex"02", p2, newRoot);
        assertEq(back, root);
    }

    function test_get_geth_styleProofWithoutEmbeddedNodes_succeeds() public view {
        // Drop the embedded leaf from the proof: geth omits nodes embedded in their parent.
        (bytes32 root, bytes[] memory proof) = _proof(_two(hex"10", hex"20"), _two(hex"01", hex"02"), hex"20");
        assertEq(proof.length, 2);
        assertLt(proof[1].length, 32);
        (bool exists, bytes memory value) = trie.get(hex"20", _one(proof[0]), root);
        assertTrue(exists);
        assertEq(value, hex"02");
    }

    function test_get_hashedReferenceToShortNode_reverts() public {
        // A branch referring by hash to a node shorter than 32 bytes is not canonical.
        bytes memory leaf = hex"c3208102"; // [hp(""), 0x02]... short leaf
        bytes[] memory slots = new bytes[](17);
        for (uint256 i; i < 17; ++i) {
            slots[i] = hex"80";
        }
        slots[1] = abi.encodePacked(bytes1(0xa0), keccak256(leaf));
        slots[2] = abi.encodePacked(bytes1(0xa0), keccak256("x"));
        bytes memory branch = RLPWriter.writeList(slots);
        vm.expectRevert(abi.encodeWithSelector(MerkleTrie.MerkleTrieInvalidNode.selector, 1));
        trie.get(hex"10", _two(branch, leaf), keccak256(branch));
    }

    function test_secure_getAfterUpdate_returnsNewValue() public view {
        bytes memory key = hex"00000000000000000000000000000000000000aa";
        bytes32 root = trie.secureUpdate(key, hex"c0ffee", new bytes[](0), MerkleTrie.EMPTY_ROOT);
        (bytes32 expected, bytes[] memory proof) =
            _proof(_one(SecureMerkleTrie.trieKey(key)), _one(hex"c0ffee"), SecureMerkleTrie.trieKey(key));
        assertEq(root, expected);
        (bool exists, bytes memory value) = trie.secureGet(key, proof, root);
        assertTrue(exists);
        assertEq(value, hex"c0ffee");
    }
}

/// @notice Fuzz: successive updates from the empty root agree with the reference builder.
contract MerkleTrie_Fuzz_Test is Test {
    MerkleTrieHarness internal trie;

    function setUp() public {
        trie = new MerkleTrieHarness();
    }

    /// @dev Inserts `n` pseudo-random keys (short, to force shared prefixes and embedded nodes) with
    ///      each `update` proof taken from the reference trie, and checks every root and a `get`.
    function _run(uint256 seed, uint256 n, uint256 maxKeyLength, uint256 maxValueLength, bool secure) internal view {
        bytes[] memory keys = new bytes[](n);
        bytes[] memory values = new bytes[](n);
        uint256 count;
        bytes32 root = MerkleTrie.EMPTY_ROOT;
        for (uint256 i; i < n; ++i) {
            bytes32 h = keccak256(abi.encode(seed, i));
            bytes memory key = new bytes(1 + uint256(h) % maxKeyLength);
            for (uint256 b; b < key.length; ++b) {
                key[b] = h[1 + b];
            }
            if (secure) key = SecureMerkleTrie.trieKey(key);
            bytes memory value = new bytes(1 + (uint256(h) >> 8) % maxValueLength);
            for (uint256 b; b < value.length; ++b) {
                value[b] = h[31 - (b % 20)];
            }
            (, bytes[] memory proof) = _build(keys, values, count, key);
            root = trie.update(key, value, proof, root);
            uint256 at = count;
            for (uint256 m; m < count; ++m) {
                if (keccak256(keys[m]) == keccak256(key)) at = m;
            }
            keys[at] = key;
            values[at] = value;
            if (at == count) ++count;
            (bytes32 expected, bytes[] memory after_) = _build(keys, values, count, key);
            assertEq(root, expected, "root after update");
            (bool exists, bytes memory got) = trie.get(key, after_, root);
            assertTrue(exists, "get after update: exists");
            assertEq(got, value, "get after update: value");
        }
    }

    function _build(bytes[] memory keys, bytes[] memory values, uint256 count, bytes memory target)
        internal
        pure
        returns (bytes32, bytes[] memory)
    {
        bytes[] memory k = new bytes[](count);
        bytes[] memory v = new bytes[](count);
        for (uint256 i; i < count; ++i) {
            (k[i], v[i]) = (keys[i], values[i]);
        }
        return TrieReference.build(k, v, target);
    }

    function testFuzz_update_shortKeysTinyValues_matchesReference(uint256 seed, uint8 n) public view {
        _run(seed, bound(n, 1, 12), 2, 3, false);
    }

    function testFuzz_update_variableKeys_matchesReference(uint256 seed, uint8 n) public view {
        _run(seed, bound(n, 1, 10), 4, 40, false);
    }

    function testFuzz_update_secureKeys_matchesReference(uint256 seed, uint8 n) public view {
        _run(seed, bound(n, 1, 10), 20, 80, true);
    }
}
