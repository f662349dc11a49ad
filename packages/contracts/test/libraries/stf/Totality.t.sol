// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BatchWalker, LocatedMessage, Prelude} from "../../../src/libraries/batch/BatchWalker.sol";
import {SlotDecoder} from "../../../src/libraries/batch/SlotDecoder.sol";
import {ForcedTransaction} from "../../../src/libraries/stf/ForcedTransaction.sol";
import {Reason} from "../../../src/libraries/stf/Reason.sol";
import {StateProofs, StateTransition, StfConfig} from "../../../src/libraries/stf/StateTransition.sol";
import {Transaction} from "../../../src/libraries/stf/Transaction.sol";
import {TransactionRules} from "../../../src/libraries/stf/TransactionRules.sol";
import {StfTestBase} from "./StfTestBase.sol";

/// @title Totality_Test
/// @notice protocol.md §6.5: any batch bytes and any forced transaction give a result — the decoders
///         and the stateless rules never revert, whatever the input.
contract Totality_Test is StfTestBase {
    function _config() internal pure returns (StfConfig memory) {
        return StfConfig({chainId: CHAIN_ID, baseFeePerGas: BASE_FEE, feeVault: FEE_VAULT});
    }

    /// @notice Random forced payloads: decoding and rules 1–15 never revert, and a payload that is
    ///         not a transaction leaves the root (no proof is needed to reach a no-op).
    function testFuzz_forcedTransaction_anyBytes_neverReverts(bytes memory _raw) public pure {
        (uint8 reason, Transaction memory t) = ForcedTransaction.decode(_raw, CHAIN_ID);
        if (reason == Reason.APPLIED) TransactionRules.check(t, CHAIN_ID, BASE_FEE);
    }

    /// @notice Typed envelopes around random RLP-ish lists (more likely to get past the first byte).
    function testFuzz_forcedTransaction_typedEnvelope_neverReverts(bytes memory _body, uint8 _type) public pure {
        bytes memory raw = bytes.concat(bytes1(uint8(_type % 3)), bytes1(uint8(0xc0 + (_body.length % 56))), _body);
        (uint8 reason, Transaction memory t) = ForcedTransaction.decode(raw, CHAIN_ID);
        if (reason == Reason.APPLIED) TransactionRules.check(t, CHAIN_ID, BASE_FEE);
    }

    /// @notice Random slot bytes after a valid prelude: decoding and the stateless rules never revert;
    ///         any no-op found without state returns the pre-state root with no proof at all.
    function testFuzz_slot_anyBytes_neverReverts(bytes memory _slotData, bytes32 _root) public pure {
        vm.assume(_slotData.length < 256);
        address[] memory dict = new address[](2);
        dict[1] = address(0xBEEF);
        bytes memory batch = bytes.concat(_header(1, 0, 1), _prelude(0, dict, _defaultFees()), _blockHeader(0, 0, 1));
        batch = bytes.concat(batch, _slot(_slotData));
        Prelude memory p = BatchWalker.readPrelude(batch);
        LocatedMessage memory l = BatchWalker.locate(batch, 0, 0, 0, 1);
        assertTrue(l.slotPresent);
        (bool ok, Transaction memory t) = SlotDecoder.decode(batch, p, l.slotOffset, l.slotLength, CHAIN_ID);
        if (!ok) return;
        (uint8 reason,,) = TransactionRules.check(t, CHAIN_ID, BASE_FEE);
        if (reason != Reason.APPLIED) {
            (bytes32 root, uint8 r2) =
                StateTransition.applySlot(_config(), _root, batch, p, l.slotOffset, l.slotLength, _noProofs());
            assertEq(root, _root, "a stateless no-op leaves the root");
            assertEq(r2, reason);
        }
    }

    /// @notice A slot whose flags name type 3 never decodes, whatever follows.
    function testFuzz_slot_type3_failsToDecode(bytes memory _rest, uint8 _flags) public pure {
        vm.assume(_rest.length < 200);
        bytes memory slot = bytes.concat(bytes1(_flags | 0x06), _rest);
        bytes memory batch = bytes.concat(_header(1, 0, 1), _prelude(0, new address[](0), _defaultFees()));
        batch = bytes.concat(batch, _blockHeader(0, 0, 1), _slot(slot));
        Prelude memory p = BatchWalker.readPrelude(batch);
        LocatedMessage memory l = BatchWalker.locate(batch, 0, 0, 0, 1);
        (bool ok,) = SlotDecoder.decode(batch, p, l.slotOffset, l.slotLength, CHAIN_ID);
        assertFalse(ok);
    }

    function _noProofs() internal pure returns (StateProofs memory p_) {
        p_.accountProofs = new bytes[][](0);
        p_.storageProof = new bytes[](0);
    }
}
