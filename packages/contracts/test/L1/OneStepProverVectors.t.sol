// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Constants } from "../../src/libraries/Constants.sol";
import {OneStepProver} from "../../src/L1/OneStepProver.sol";
import {OneStepProverHarness} from "./OneStepProverHarness.sol";
import {DelayedMessage, StateProofs} from "../../src/libraries/stf/StateTransition.sol";
import {Reason} from "../../src/libraries/stf/Reason.sol";
import {VectorsTestBase} from "./VectorsTestBase.sol";

/// @title OneStepProverVectors_Test
/// @notice Replays every case of `test/vectors/stf.json` (written by `npm run vectors` from the
///         TypeScript state transition, protocol.md §11) through the Solidity prover's state
///         transition, and requires the same post-state root and the same no-op reason.
contract OneStepProverVectors_Test is VectorsTestBase {
    /// @dev The vectors are read into memory by each test: kept in storage, every cheatcode call
    ///      would copy the whole file out of storage.
    function _read() internal view returns (string memory) {
        return vm.readFile(string.concat(vm.projectRoot(), "/test/vectors/stf.json"));
    }

    function setUp() public {
        _deployProver(_read());
    }

    /// @notice §2 rule 7: the contracts' `GENESIS_STATE_ROOT`, which every config must name, is root_0 as
    ///         packages/core computes it from the genesis state of §3.3.
    function test_vectors_genesisStateRoot_matchesTypeScript() public view {
        assertEq(vm.parseJsonBytes32(_read(), ".config.genesisStateRoot"), Constants.GENESIS_STATE_ROOT);
    }

    function test_vectors_allCases_matchTypeScript() public view {
        string memory json = _read();
        uint256 count = _length(json, ".cases");
        assertGt(count, 0, "stf.json has cases");
        for (uint256 i; i < count; ++i) {
            // Each cheatcode call copies the whole file into fresh memory: release a case's memory
            // once it is checked, so memory (and its quadratic cost) does not grow with the file.
            uint256 freeMemory;
            assembly ("memory-safe") {
                freeMemory := mload(0x40)
            }
            _replay(json, string.concat(".cases[", vm.toString(i), "]"));
            assembly ("memory-safe") {
                mstore(0x40, freeMemory)
            }
        }
    }

    function test_vectors_coverEveryMessageKindAndReason() public view {
        string memory json = _read();
        uint256 count = _length(json, ".cases");
        bool[21] memory seen;
        bool slot;
        bool delayed;
        for (uint256 i; i < count; ++i) {
            string memory c = string.concat(".cases[", vm.toString(i), "]");
            seen[_reasonCode(vm.parseJsonString(json, string.concat(c, ".reason")))] = true;
            bytes32 kind = keccak256(bytes(vm.parseJsonString(json, string.concat(c, ".message.kind"))));
            if (kind == keccak256("slot")) slot = true;
            else delayed = true;
        }
        assertTrue(slot && delayed, "both message kinds");
        for (uint8 r; r <= Reason.INSUFFICIENT_BALANCE; ++r) {
            // Rule 1 cannot fail: a slot names types 0–2 or fails to decode, and a forced transaction
            // with another type byte fails to decode (forcedDecode), in both implementations.
            if (r == Reason.UNSUPPORTED_TYPE) continue;
            assertTrue(seen[r], string.concat("a case with reason code ", vm.toString(uint256(r))));
        }
    }

    function _replay(string memory json, string memory _c) internal view {
        string memory name = vm.parseJsonString(json, string.concat(_c, ".name"));
        bytes32 pre = vm.parseJsonBytes32(json, string.concat(_c, ".preRoot"));
        StateProofs memory proofs = _proofs(json, _c);
        string memory m = string.concat(_c, ".message");
        bytes32 post;
        uint8 reason;
        if (keccak256(bytes(vm.parseJsonString(json, string.concat(m, ".kind")))) == keccak256("slot")) {
            OneStepProverHarness.BatchMessage memory bm = OneStepProverHarness.BatchMessage({
                batch: vm.parseJsonBytes(json, string.concat(m, ".batch")),
                j: vm.parseJsonUint(json, string.concat(m, ".offset")),
                delayedBefore: vm.parseJsonUint(json, string.concat(m, ".delayedBefore")),
                delayedCount: vm.parseJsonUint(json, string.concat(m, ".delayedCount")),
                slotCount: vm.parseJsonUint(json, string.concat(m, ".slotCount"))
            });
            DelayedMessage memory none;
            (post, reason,) = prover.applyBatchMessage(pre, bm, none, proofs);
        } else {
            DelayedMessage memory d = DelayedMessage({
                kind: uint8(vm.parseJsonUint(json, string.concat(m, ".delayedKind"))),
                l1Sender: vm.parseJsonAddress(json, string.concat(m, ".l1Sender")),
                l1Timestamp: uint64(vm.parseJsonUint(json, string.concat(m, ".l1Timestamp"))),
                payload: vm.parseJsonBytes(json, string.concat(m, ".payload"))
            });
            (post, reason) = prover.applyDelayedMessage(pre, d, proofs);
        }
        string memory expectedReason = vm.parseJsonString(json, string.concat(_c, ".reason"));
        assertEq(post, vm.parseJsonBytes32(json, string.concat(_c, ".postRoot")), string.concat(name, ": post root"));
        assertEq(
            uint256(reason), uint256(_reasonCode(expectedReason)), string.concat(name, ": reason ", expectedReason)
        );
    }
}
