// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Test } from "../../base/Test.sol";
import { MerkleTrie } from "../../../src/libraries/trie/MerkleTrie.sol";
import { SecureMerkleTrie } from "../../../src/libraries/trie/SecureMerkleTrie.sol";

/// @notice Measures the library calls alone (excluding ABI decoding of the proof).
contract SecureTrieGasMeter {
    function get(bytes memory key, bytes[] memory proof, bytes32 root)
        external
        view
        returns (uint256 gasUsed, bool exists, bytes memory value)
    {
        uint256 start = gasleft();
        (exists, value) = SecureMerkleTrie.get(key, proof, root);
        gasUsed = start - gasleft();
    }

    function readWrite(bytes memory key, bytes memory value, bytes[] memory proof, bytes32 root)
        external
        view
        returns (uint256 gasUsed, bytes32 newRoot)
    {
        uint256 start = gasleft();
        (,, MerkleTrie.Path memory path) = SecureMerkleTrie.read(key, proof, root);
        newRoot = SecureMerkleTrie.write(path, value);
        gasUsed = start - gasleft();
    }

    function update(bytes memory key, bytes memory value, bytes[] memory proof, bytes32 root)
        external
        view
        returns (uint256 gasUsed, bytes32 newRoot)
    {
        uint256 start = gasleft();
        newRoot = SecureMerkleTrie.update(key, value, proof, root);
        gasUsed = start - gasleft();
    }
}

/// @notice Gas of `get` and `update` on account proofs of realistic depth (vectors in gas.json):
///         synthetic proofs of 5 and 6 full branches (the shape of a secure trie of ~1M and ~16M
///         accounts) and a real 100,000-account trie built with ethereumjs. Run with -vv to see them.
contract SecureMerkleTrie_Gas_Test is Test {
    SecureTrieGasMeter internal meter;
    string internal json;

    function setUp() public {
        meter = new SecureTrieGasMeter();
        json = vm.readFile("test/vectors/mpt/gas.json");
    }

    struct Proof {
        bytes32 root;
        bytes key;
        bytes[] proof;
        bytes value;
        bytes newValue;
        bytes32 newRoot;
    }

    function _load(string memory name) internal view returns (Proof memory c) {
        string memory p = string.concat(".", name);
        c.root = vm.parseJsonBytes32(json, string.concat(p, ".root"));
        c.key = vm.parseJsonBytes(json, string.concat(p, ".key"));
        c.proof = vm.parseJsonBytesArray(json, string.concat(p, ".proof"));
        c.value = vm.parseJsonBytes(json, string.concat(p, ".value"));
        c.newValue = vm.parseJsonBytes(json, string.concat(p, ".newValue"));
        c.newRoot = vm.parseJsonBytes32(json, string.concat(p, ".newRoot"));
    }

    function _measure(string memory name) internal {
        Proof memory c = _load(name);
        uint256 proofBytes;
        for (uint256 i; i < c.proof.length; ++i) {
            proofBytes += c.proof[i].length;
        }
        (uint256 getGas, bool exists, bytes memory got) = meter.get(c.key, c.proof, c.root);
        assertTrue(exists);
        assertEq(got, c.value);
        (uint256 updateGas, bytes32 computed) = meter.update(c.key, c.newValue, c.proof, c.root);
        assertEq(computed, c.newRoot);
        (uint256 readWriteGas, bytes32 computed2) = meter.readWrite(c.key, c.newValue, c.proof, c.root);
        assertEq(computed2, c.newRoot);

        emit log_named_string("proof", name);
        emit log_named_uint("  nodes", c.proof.length);
        emit log_named_uint("  bytes", proofBytes);
        emit log_named_uint("  get gas", getGas);
        emit log_named_uint("  update gas", updateGas);
        emit log_named_uint("  read+write gas (one walk)", readWriteGas);
    }

    function test_gas_synthetic1M_get_update() public {
        _measure("synthetic5");
    }

    function test_gas_synthetic16M_get_update() public {
        _measure("synthetic6");
    }

    function test_gas_real100k_get_update() public {
        _measure("real100k");
    }

    function test_gas_real100k_insert() public {
        bytes32 root = vm.parseJsonBytes32(json, ".real100k.root");
        bytes memory key = vm.parseJsonBytes(json, ".real100k.insertKey");
        bytes[] memory proof = vm.parseJsonBytesArray(json, ".real100k.insertProof");
        bytes memory value = vm.parseJsonBytes(json, ".real100k.insertValue");
        bytes32 expected = vm.parseJsonBytes32(json, ".real100k.insertNewRoot");
        (uint256 getGas, bool exists,) = meter.get(key, proof, root);
        assertFalse(exists);
        (uint256 insertGas, bytes32 newRoot) = meter.update(key, value, proof, root);
        assertEq(newRoot, expected);
        emit log_named_uint("real100k exclusion get gas", getGas);
        emit log_named_uint("real100k insert gas", insertGas);
        emit log_named_uint("  nodes", proof.length);
    }
}
