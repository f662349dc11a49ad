// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { ValidConfig } from "../setup/ValidConfig.sol";
import {Test} from "../base/Test.sol";
import { Constants } from "../../src/libraries/Constants.sol";
import {Types} from "../../src/libraries/Types.sol";
import {OneStepProver} from "../../src/L1/OneStepProver.sol";
import {IPortal} from "../../src/interfaces/IPortal.sol";
import {ISequencerInbox} from "../../src/interfaces/ISequencerInbox.sol";
import {DelayedMessage, StateProofs} from "../../src/libraries/stf/StateTransition.sol";
import {Reason} from "../../src/libraries/stf/Reason.sol";

/// @title OneStepProverVectors_Test
/// @notice Replays every case of `test/vectors/stf.json` (written by `npm run vectors` from the
///         TypeScript state transition, protocol.md §11) through the Solidity prover's state
///         transition, and requires the same post-state root and the same no-op reason.
contract OneStepProverVectors_Test is Test {
    OneStepProver internal prover;

    /// @dev The vectors are read into memory by each test: kept in storage, every cheatcode call
    ///      would copy the whole file out of storage.
    function _read() internal view returns (string memory) {
        return vm.readFile(string.concat(vm.projectRoot(), "/test/vectors/stf.json"));
    }

    function setUp() public {
        string memory json = _read();
        Types.RollupConfig memory config = ValidConfig.get();
        config.chainId = uint64(vm.parseJsonUint(json, ".config.chainId"));
        config.baseFeePerGas = vm.parseJsonUint(json, ".config.baseFeePerGas");
        config.feeVault = vm.parseJsonAddress(json, ".config.feeVault");
        prover = new OneStepProver(ISequencerInbox(address(0)), IPortal(address(0)), config);
        assertEq(
            vm.parseJsonAddress(json, ".config.messagePasser"),
            0x5100000000000000000000000000000000000000,
            "the vectors use the protocol's message passer"
        );
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
            OneStepProver.BatchMessage memory bm = OneStepProver.BatchMessage({
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

    function _proofs(string memory json, string memory _c) internal view returns (StateProofs memory p_) {
        bytes[] memory nodes = _bytesArray(json, string.concat(_c, ".proofNodes"));
        uint256[] memory lengths = _uintArray(json, string.concat(_c, ".proofLengths"));
        p_.accountProofs = new bytes[][](lengths.length);
        uint256 k;
        for (uint256 a; a < lengths.length; ++a) {
            p_.accountProofs[a] = new bytes[](lengths[a]);
            for (uint256 n; n < lengths[a]; ++n) {
                p_.accountProofs[a][n] = nodes[k++];
            }
        }
        assertEq(k, nodes.length, "proofLengths add up to proofNodes");
        p_.storageProof = _bytesArray(json, string.concat(_c, ".storageProof"));
    }

    function _bytesArray(string memory json, string memory _key) internal view returns (bytes[] memory) {
        if (_length(json, _key) == 0) return new bytes[](0);
        return vm.parseJsonBytesArray(json, _key);
    }

    function _uintArray(string memory json, string memory _key) internal view returns (uint256[] memory) {
        if (_length(json, _key) == 0) return new uint256[](0);
        return vm.parseJsonUintArray(json, _key);
    }

    /// @dev The length of the JSON array at `_key` (forge's parseJsonKeys only reads objects).
    function _length(string memory json, string memory _key) internal view returns (uint256 n_) {
        while (vm.keyExistsJson(json, string.concat(_key, "[", vm.toString(n_), "]"))) {
            ++n_;
        }
    }

    function _reasonCode(string memory _name) internal pure returns (uint8) {
        bytes32 h = keccak256(bytes(_name));
        if (h == keccak256("applied")) return Reason.APPLIED;
        if (h == keccak256("slotDecode")) return Reason.SLOT_DECODE;
        if (h == keccak256("forcedDecode")) return Reason.FORCED_DECODE;
        if (h == keccak256("unsupportedType")) return Reason.UNSUPPORTED_TYPE;
        if (h == keccak256("preEip155")) return Reason.PRE_EIP155;
        if (h == keccak256("wrongChainId")) return Reason.WRONG_CHAIN_ID;
        if (h == keccak256("invalidYParity")) return Reason.INVALID_Y_PARITY;
        if (h == keccak256("rOutOfRange")) return Reason.R_OUT_OF_RANGE;
        if (h == keccak256("sOutOfRange")) return Reason.S_OUT_OF_RANGE;
        if (h == keccak256("highS")) return Reason.HIGH_S;
        if (h == keccak256("recoveryFailed")) return Reason.RECOVERY_FAILED;
        if (h == keccak256("contractCreation")) return Reason.CONTRACT_CREATION;
        if (h == keccak256("invalidData")) return Reason.INVALID_DATA;
        if (h == keccak256("accessListNotEmpty")) return Reason.ACCESS_LIST_NOT_EMPTY;
        if (h == keccak256("nonceMax")) return Reason.NONCE_MAX;
        if (h == keccak256("priorityFeeAboveMaxFee")) return Reason.PRIORITY_FEE_ABOVE_MAX_FEE;
        if (h == keccak256("maxFeeBelowBaseFee")) return Reason.MAX_FEE_BELOW_BASE_FEE;
        if (h == keccak256("intrinsicGasTooLow")) return Reason.INTRINSIC_GAS_TOO_LOW;
        if (h == keccak256("nonceMismatch")) return Reason.NONCE_MISMATCH;
        if (h == keccak256("insufficientBalance")) return Reason.INSUFFICIENT_BALANCE;
        if (h == keccak256("depositMalformed")) return Reason.DEPOSIT_MALFORMED;
        revert(string.concat("unknown reason in stf.json: ", _name));
    }
}
