// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { ValidConfig } from "../setup/ValidConfig.sol";
import {Test} from "../base/Test.sol";
import {Types} from "../../src/libraries/Types.sol";
import {OneStepProver} from "../../src/L1/OneStepProver.sol";
import {OneStepProverHarness} from "./OneStepProverHarness.sol";
import {IPortal} from "../../src/interfaces/IPortal.sol";
import {ISequencerInbox} from "../../src/interfaces/ISequencerInbox.sol";
import {StateProofs} from "../../src/libraries/stf/StateTransition.sol";
import {Reason} from "../../src/libraries/stf/Reason.sol";

/// @title VectorsTestBase
/// @notice Reading the JSON vectors `npm run vectors` writes (protocol.md §11): the config, the
///         proofs of §7.4 and the no-op reasons, for the forge replays of stf.json and blob.json.
abstract contract VectorsTestBase is Test {
    OneStepProverHarness internal prover;

    /// @notice Deploys a prover with the vectors' config (no inbox or Portal: the replays apply
    ///         messages directly).
    function _deployProver(string memory json) internal {
        Types.RollupConfig memory config = ValidConfig.get();
        config.chainId = uint64(vm.parseJsonUint(json, ".config.chainId"));
        config.baseFeePerGas = vm.parseJsonUint(json, ".config.baseFeePerGas");
        config.feeVault = vm.parseJsonAddress(json, ".config.feeVault");
        prover = new OneStepProverHarness(ISequencerInbox(address(0)), IPortal(address(0)), config);
        assertEq(
            vm.parseJsonAddress(json, ".config.messagePasser"),
            0x5100000000000000000000000000000000000000,
            "the vectors use the protocol's message passer"
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
        revert(string.concat("unknown reason in the vectors: ", _name));
    }
}
