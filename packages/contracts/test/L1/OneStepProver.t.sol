// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {OneStepProver} from "../../src/L1/OneStepProver.sol";
import {OneStepProverHarness} from "./OneStepProverHarness.sol";
import {DelayedMessage, StateProofs} from "../../src/libraries/stf/StateTransition.sol";
import {Reason} from "../../src/libraries/stf/Reason.sol";
import {OneStepProverTestBase} from "./OneStepProverTestBase.sol";
import {ValidConfig} from "../setup/ValidConfig.sol";

/// @title OneStepProver_Test
/// @notice Hand-made vectors for every message kind and every no-op reason (protocol.md §7), run
///         through `proveMessage` against the inbox and Portal; expected roots come from the test's
///         own state model (TrieBuilder), not from the prover's trie code.
contract OneStepProver_Test is OneStepProverTestBase {
    uint256 internal aliceKey = 0xA11CE;
    uint256 internal bobKey = 0xB0B;
    address internal alice;
    address internal bob;
    address internal carol = address(0xCA201);

    function setUp() public override {
        super.setUp();
        alice = vm.addr(aliceKey);
        bob = vm.addr(bobKey);
        _set(alice, 3, 10 ether);
        _set(bob, 0, 1 ether);
    }

    /// @notice The deployed prover and the reader it creates fit EIP-170's code limit, which a real L1
    ///         (and anvil) enforce at deployment: the blob path once put the prover over it.
    function test_deployedCode_withinEip170Limit() public {
        OneStepProver real = new OneStepProver(inbox, portal, ValidConfig.get());
        assertLe(address(real).code.length, 24_576, "prover code");
        assertLe(address(real.READER()).code.length, 24_576, "reader code");
    }

    // ------------------------------------------------------------------ helpers

    function _tx(uint8 _type, uint256 _nonce, address _to, uint256 _mantissa, uint8 _exponent)
        internal
        view
        returns (SlotTx memory t_)
    {
        Fee[] memory fees = _defaultFees();
        t_.txType = _type;
        t_.nonce = _nonce;
        t_.feeIndex = _type == 2 ? 0 : 1;
        t_.fee = fees[t_.feeIndex];
        t_.inline_ = true;
        t_.to = _to;
        t_.mantissa = _mantissa;
        t_.exponent = _exponent;
        t_.key = aliceKey;
    }

    /// @dev Appends a one-slot batch (no delayed messages) and returns the message index of the slot.
    function _postSlot(bytes memory _slotBytes) internal returns (uint256 i_, bytes memory batch_) {
        bytes[] memory slots = new bytes[](1);
        slots[0] = _slotBytes;
        uint256 delayedBefore = portal.delayedMessageCount();
        batch_ = _oneBlockBatch(uint64(delayedBefore), 0, new address[](0), _defaultFees(), slots);
        i_ = _messageCountSoFar();
        inbox.push(batch_, delayedBefore, 1);
    }

    function _messageCountSoFar() internal view returns (uint256) {
        uint256 b = inbox.batchCount();
        return b == 0 ? 0 : inbox.messageCount(b - 1);
    }

    function _prove(
        uint256 _i,
        bytes memory _batch,
        DelayedMessage memory _d,
        bytes[][] memory _proofs,
        bytes[] memory _sp
    ) internal view returns (bytes32 root_, uint8 reason_) {
        bytes memory proof = _encodeProof(inbox.batchCount() - 1, _batch, _d, _proofs, _sp);
        (root_, reason_) = prover.proveMessageWithReason(_i, _root0, proof);
        assertEq(prover.proveMessage(_i, _root0, proof), root_, "proveMessage = proveMessageWithReason");
    }

    bytes32 internal _root0;

    function _assertNoOp(bytes memory _slotBytes, uint8 _reason, bool _needsSender) internal {
        _root0 = _root();
        (uint256 i, bytes memory batch) = _postSlot(_slotBytes);
        bytes[][] memory proofs = new bytes[][](_needsSender ? 1 : 0);
        if (_needsSender) proofs[0] = _proof(alice);
        (bytes32 root, uint8 reason) = _prove(i, batch, _noDelayed(), proofs, new bytes[](0));
        assertEq(reason, _reason, "reason");
        assertEq(root, _root0, "a no-op leaves the root");
    }

    // ------------------------------------------------------------------ applied messages

    function test_proveMessage_transferType2_applies() public {
        _root0 = _root();
        SlotTx memory t = _tx(2, 3, bob, 5, 16); // 0.05 ether
        (uint256 i, bytes memory batch) = _postSlot(_slotBytes(t));
        uint256 fee = 21_000 * 2 gwei; // min(2 gwei, 1 gwei + 1 gwei)
        bytes[][] memory p = _modelTransfer(alice, bob, 0.05 ether, fee);
        (bytes32 root, uint8 reason) = _prove(i, batch, _noDelayed(), p, new bytes[](0));
        assertEq(reason, Reason.APPLIED);
        assertEq(root, _root());
    }

    function test_proveMessage_legacyAndEip2930_apply() public {
        for (uint8 ty; ty < 2; ++ty) {
            _root0 = _root();
            SlotTx memory t = _tx(ty, _nonce[alice], carol, 7, 15);
            (uint256 i, bytes memory batch) = _postSlot(_slotBytes(t));
            bytes[][] memory p = _modelTransfer(alice, carol, 7e15, 21_000 * 3 gwei);
            (bytes32 root, uint8 reason) = _prove(i, batch, _noDelayed(), p, new bytes[](0));
            assertEq(reason, Reason.APPLIED);
            assertEq(root, _root());
        }
    }

    function test_proveMessage_dictionaryRecipientAndFeeIndexVarint_applies() public {
        _root0 = _root();
        address[] memory dict = new address[](2);
        dict[1] = carol;
        Fee[] memory fees = new Fee[](9);
        for (uint256 k; k < 9; ++k) {
            fees[k] = Fee({maxFeePerGas: uint128(1 gwei + k), maxPriorityFeePerGas: 0, gasLimit: 50_000});
        }
        SlotTx memory t = _tx(2, 3, carol, 1, 0);
        t.inline_ = false;
        t.toIndex = 1;
        t.feeIndex = 8;
        t.fee = fees[8];
        bytes[] memory slots = new bytes[](1);
        slots[0] = _slotBytes(t);
        bytes memory batch = _oneBlockBatch(0, 0, dict, fees, slots);
        inbox.push(batch, 0, 1);
        bytes[][] memory p = _modelTransfer(alice, carol, 1, 21_000 * 1 gwei); // min(1 gwei + 8, 1 gwei + 0)
        (bytes32 root, uint8 reason) = _prove(0, batch, _noDelayed(), p, new bytes[](0));
        assertEq(reason, Reason.APPLIED);
        assertEq(root, _root());
    }

    function test_proveMessage_selfTransferAndRecipientIsFeeVault_apply() public {
        _root0 = _root();
        (uint256 i, bytes memory batch) = _postSlot(_slotBytes(_tx(2, 3, alice, 1, 18)));
        bytes[][] memory p = _modelTransfer(alice, alice, 1 ether, 21_000 * 2 gwei);
        (bytes32 root,) = _prove(i, batch, _noDelayed(), p, new bytes[](0));
        assertEq(root, _root());

        _root0 = _root();
        (i, batch) = _postSlot(_slotBytes(_tx(2, 4, FEE_VAULT, 2, 0)));
        p = _modelTransfer(alice, FEE_VAULT, 2, 21_000 * 2 gwei);
        (root,) = _prove(i, batch, _noDelayed(), p, new bytes[](0));
        assertEq(root, _root());
    }

    function test_proveMessage_zeroValueToNewAccount_createsIt() public {
        _root0 = _root();
        address fresh = address(0xF4E54);
        (uint256 i, bytes memory batch) = _postSlot(_slotBytes(_tx(2, 3, fresh, 0, 0)));
        bytes[][] memory p = _modelTransfer(alice, fresh, 0, 21_000 * 2 gwei);
        (bytes32 root,) = _prove(i, batch, _noDelayed(), p, new bytes[](0));
        assertEq(root, _root(), "the empty recipient is created (3.2)");
    }

    function test_proveMessage_withdrawals_apply() public {
        // With a tail: l1Recipient = the tail; 12 zero bytes + 20 non-zero bytes of data.
        _root0 = _root();
        SlotTx memory t = _tx(2, 3, PASSER, 1, 18);
        t.withTail = true;
        t.tail = carol;
        t.fee = Fee({maxFeePerGas: 2 gwei, maxPriorityFeePerGas: 1 gwei, gasLimit: 30_000});
        Fee[] memory fees = new Fee[](1);
        fees[0] = t.fee;
        t.feeIndex = 0;
        bytes[] memory slots = new bytes[](1);
        slots[0] = _slotBytes(t);
        bytes memory batch = _oneBlockBatch(0, 0, new address[](0), fees, slots);
        inbox.push(batch, 0, 1);
        uint256 gasUsed = _intrinsic(abi.encodePacked(bytes12(0), carol));
        (bytes[][] memory p, bytes[] memory sp) = _modelWithdrawal(alice, carol, 1 ether, gasUsed * 2 gwei);
        (bytes32 root, uint8 reason) = _prove(0, batch, _noDelayed(), p, sp);
        assertEq(reason, Reason.APPLIED);
        assertEq(root, _root());

        // Without data: l1Recipient = the sender; the passer's storage already holds one slot.
        _root0 = _root();
        (uint256 i, bytes memory batch2) = _postSlot(_slotBytes(_tx(2, 4, PASSER, 3, 17)));
        (p, sp) = _modelWithdrawal(alice, alice, 0.3 ether, 21_000 * 2 gwei);
        (root, reason) = _prove(i, batch2, _noDelayed(), p, sp);
        assertEq(reason, Reason.APPLIED);
        assertEq(root, _root());
    }

    function test_proveMessage_deposit_applies() public {
        _root0 = _root();
        bytes memory payload = abi.encodePacked(carol, uint256(2 ether));
        portal.add(0, address(0x1111), 1234, payload);
        bytes memory batch = _header(0, 1, 0); // a forced-inclusion batch
        inbox.push(batch, 1, 0);
        bytes[][] memory p = new bytes[][](1);
        p[0] = _proof(carol);
        _credit(carol, 2 ether);
        DelayedMessage memory d =
            DelayedMessage({kind: 0, l1Sender: address(0x1111), l1Timestamp: 1234, payload: payload});
        (bytes32 root, uint8 reason) = _prove(0, batch, d, p, new bytes[](0));
        assertEq(reason, Reason.APPLIED);
        assertEq(root, _root());
    }

    function test_proveMessage_delayedInsideSequencerBatch_applies() public {
        // Batch 0: one slot (message 0). Batch 1: a block with 1 delayed message, then a slot.
        (, bytes memory b0) = _postSlot(hex"00");
        bytes memory payload = abi.encodePacked(bob, uint256(5));
        portal.add(0, address(this), 9, payload);
        bytes[] memory slots = new bytes[](1);
        slots[0] = hex"";
        bytes memory b1 = _oneBlockBatch(1, 1, new address[](0), _defaultFees(), slots);
        inbox.push(b1, 1, 1);
        b0;
        _root0 = _root();
        bytes[][] memory p = new bytes[][](1);
        p[0] = _proof(bob);
        _credit(bob, 5);
        DelayedMessage memory d = DelayedMessage({kind: 0, l1Sender: address(this), l1Timestamp: 9, payload: payload});
        (bytes32 root, uint8 reason) = _prove(1, b1, d, p, new bytes[](0));
        assertEq(reason, Reason.APPLIED);
        assertEq(root, _root());
        // Message 2 is the empty slot: a no-op.
        (root, reason) = _prove(2, b1, _noDelayed(), _noProofs(), new bytes[](0));
        assertEq(reason, Reason.SLOT_DECODE);
        assertEq(root, _root0);
    }

    // ------------------------------------------------------------------ forced transactions

    function _forced(NetTx memory _t, uint256 _vOverride)
        internal
        returns (uint256 i_, bytes memory batch_, DelayedMessage memory d_)
    {
        bytes memory raw = _netEncode(_t, _vOverride);
        return _forcedRaw(raw);
    }

    function _forcedRaw(bytes memory _raw)
        internal
        returns (uint256 i_, bytes memory batch_, DelayedMessage memory d_)
    {
        uint256 d = portal.add(1, alice, 77, _raw);
        batch_ = _header(0, uint64(d + 1), 0);
        i_ = _messageCountSoFar();
        inbox.push(batch_, d + 1, 0);
        d_ = DelayedMessage({kind: 1, l1Sender: alice, l1Timestamp: 77, payload: _raw});
    }

    function _net(uint8 _type) internal view returns (NetTx memory t_) {
        t_.txType = _type;
        t_.chainId = CHAIN_ID;
        t_.nonce = 3;
        t_.maxPriorityFeePerGas = 1 gwei;
        t_.maxFeePerGas = 2 gwei;
        t_.gasLimit = 21_000;
        t_.to = abi.encodePacked(bob);
        t_.value = 1 ether;
        t_.key = aliceKey;
    }

    function test_proveMessage_forcedTransactions_apply() public {
        for (uint8 ty; ty < 3; ++ty) {
            _root0 = _root();
            NetTx memory t = _net(ty);
            t.nonce = _nonce[alice];
            (uint256 i, bytes memory batch, DelayedMessage memory d) = _forced(t, 0);
            uint256 price = ty == 2 ? 2 gwei : 2 gwei; // type 2: min(2, 1 + 1); 0/1: gasPrice
            bytes[][] memory p = _modelTransfer(alice, bob, 1 ether, 21_000 * price);
            (bytes32 root, uint8 reason) = _prove(i, batch, d, p, new bytes[](0));
            assertEq(reason, Reason.APPLIED, "forced tx applies");
            assertEq(root, _root());
        }
    }

    function test_proveMessage_forcedWithdrawal_applies() public {
        _root0 = _root();
        NetTx memory t = _net(2);
        t.to = abi.encodePacked(PASSER);
        t.data = abi.encodePacked(bytes12(0), carol);
        t.gasLimit = 30_000;
        (uint256 i, bytes memory batch, DelayedMessage memory d) = _forced(t, 0);
        (bytes[][] memory p, bytes[] memory sp) = _modelWithdrawal(alice, carol, 1 ether, _intrinsic(t.data) * 2 gwei);
        (bytes32 root, uint8 reason) = _prove(i, batch, d, p, sp);
        assertEq(reason, Reason.APPLIED);
        assertEq(root, _root());
    }

    function _assertForcedNoOp(bytes memory _raw, uint8 _reason, bool _needsSender) internal {
        _root0 = _root();
        (uint256 i, bytes memory batch, DelayedMessage memory d) = _forcedRaw(_raw);
        bytes[][] memory proofs = new bytes[][](_needsSender ? 1 : 0);
        if (_needsSender) proofs[0] = _proof(alice);
        (bytes32 root, uint8 reason) = _prove(i, batch, d, proofs, new bytes[](0));
        assertEq(reason, _reason, "reason");
        assertEq(root, _root0, "a no-op leaves the root");
    }

    function test_proveMessage_forcedNoOps_leaveRoot() public {
        NetTx memory t = _net(0);
        _assertForcedNoOp(_netEncode(t, 27 + 1), Reason.PRE_EIP155, false);
        _assertForcedNoOp(_netEncode(t, 2 * 5 + 35 + 1), Reason.WRONG_CHAIN_ID, false);
        _assertForcedNoOp(_netEncode(t, 30 + 1), Reason.WRONG_CHAIN_ID, false); // v names no chain
        t = _net(2);
        t.chainId = 5;
        _assertForcedNoOp(_netEncode(t, 0), Reason.WRONG_CHAIN_ID, false);
        t = _net(2);
        _assertForcedNoOp(_netEncode(t, 2 + 1), Reason.INVALID_Y_PARITY, false);
        t.to = "";
        _assertForcedNoOp(_netEncode(t, 0), Reason.CONTRACT_CREATION, false);
        t = _net(1);
        t.accessList =
            hex"f838f7940000000000000000000000000000000000000001e1a00000000000000000000000000000000000000000000000000000000000000002";
        _assertForcedNoOp(_netEncode(t, 0), Reason.ACCESS_LIST_NOT_EMPTY, false);
        t = _net(2);
        t.data = hex"01";
        _assertForcedNoOp(_netEncode(t, 0), Reason.INVALID_DATA, false);
        t = _net(2);
        t.nonce = 7;
        _assertForcedNoOp(_netEncode(t, 0), Reason.NONCE_MISMATCH, true);
        // Strict decoding: a trailing byte, a non-canonical integer, a wrong field count, type 3, empty.
        bytes memory good = _netEncode(_net(2), 0);
        _assertForcedNoOp(bytes.concat(good, hex"00"), Reason.FORCED_DECODE, false);
        _assertForcedNoOp(hex"02c0", Reason.FORCED_DECODE, false);
        _assertForcedNoOp(hex"02c6820001808080", Reason.FORCED_DECODE, false);
        _assertForcedNoOp(bytes.concat(hex"03", good), Reason.FORCED_DECODE, false); // unknown type
        _assertForcedNoOp(bytes.concat(hex"7f", good), Reason.FORCED_DECODE, false);
        _assertForcedNoOp(hex"81", Reason.FORCED_DECODE, false);
        // A non-canonical nonce (leading zero) in an otherwise valid transaction.
        bytes memory raw = _netEncode(_net(2), 0);
        // 0x02 ‖ list header (f8 xx) ‖ chainId (82 0385) ‖ nonce (03) → replace the nonce 03 by 8103
        // which is non-canonical (a single byte < 0x80 must encode itself).
        bytes memory bad = new bytes(raw.length + 1);
        for (uint256 k; k < 6; ++k) {
            bad[k] = raw[k];
        }
        bad[2] = bytes1(uint8(raw[2]) + 1);
        bad[6] = 0x81;
        for (uint256 k = 6; k < raw.length; ++k) {
            bad[k + 1] = raw[k];
        }
        _assertForcedNoOp(bad, Reason.FORCED_DECODE, false);
    }

    function test_proveMessage_malformedDeposit_isNoOp() public {
        // The Portal never records it; the transition stays total all the same.
        _root0 = _root();
        (bytes32 root, uint8 reason) = prover.applyDelayedMessage(
            _root0,
            DelayedMessage({kind: 0, l1Sender: alice, l1Timestamp: 1, payload: hex"01"}),
            StateProofs(new bytes[][](0), new bytes[](0))
        );
        assertEq(reason, Reason.DEPOSIT_MALFORMED);
        assertEq(root, _root0);
    }

    // ------------------------------------------------------------------ no-ops of batch slots

    function test_proveMessage_slotDecodeFailures_leaveRoot() public {
        bytes memory good = _slotBytes(_tx(2, 3, bob, 5, 16));
        _assertNoOp(hex"", Reason.SLOT_DECODE, false);
        bytes memory type3 = bytes.concat(good);
        type3[0] = bytes1(uint8(type3[0]) | 0x06);
        _assertNoOp(type3, Reason.SLOT_DECODE, false);
        _assertNoOp(bytes.concat(good, hex"00"), Reason.SLOT_DECODE, false); // leftover byte
        bytes memory short = new bytes(good.length - 1);
        for (uint256 k; k < short.length; ++k) {
            short[k] = good[k];
        }
        _assertNoOp(short, Reason.SLOT_DECODE, false);
        // exponent > 77, and 12e77 ≥ 2^256 (never signed: decoding fails first)
        SlotTx memory t = _tx(2, 3, bob, 1, 78);
        _assertNoOp(_slotBytesWithSig(t, 0, bytes32(uint256(1)), bytes32(uint256(1))), Reason.SLOT_DECODE, false);
        t = _tx(2, 3, bob, 12, 77);
        _assertNoOp(_slotBytesWithSig(t, 0, bytes32(uint256(1)), bytes32(uint256(1))), Reason.SLOT_DECODE, false);
        // 1e77 < 2^256 (≈ 1.158e77) decodes, and then fails a later rule: the balance
        t = _tx(2, 3, bob, 1, 77);
        _assertNoOp(_slotBytes(t), Reason.INSUFFICIENT_BALANCE, true);
        t = _tx(2, 3, bob, 5, 16);
        t.inline_ = false;
        t.toIndex = 0; // empty dictionary
        _assertNoOp(_slotBytes(t), Reason.SLOT_DECODE, false);
        t = _tx(2, 3, bob, 5, 16);
        t.feeIndex = 2; // two fee entries
        _assertNoOp(_slotBytes(t), Reason.SLOT_DECODE, false);
        // non-canonical nonce varint: 0x83 0x00 for 3
        bytes memory nc = bytes.concat(good[0], hex"8300");
        for (uint256 k = 2; k < good.length; ++k) {
            nc = bytes.concat(nc, good[k]);
        }
        _assertNoOp(nc, Reason.SLOT_DECODE, false);
    }

    function test_proveMessage_signatureNoOps_leaveRoot() public {
        SlotTx memory t = _tx(2, 3, bob, 5, 16);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, keccak256(_payload(t)));
        _assertNoOp(_slotBytesWithSig(t, v - 27, bytes32(0), s), Reason.R_OUT_OF_RANGE, false);
        _assertNoOp(_slotBytesWithSig(t, v - 27, bytes32(N), s), Reason.R_OUT_OF_RANGE, false);
        _assertNoOp(_slotBytesWithSig(t, v - 27, r, bytes32(0)), Reason.S_OUT_OF_RANGE, false);
        _assertNoOp(_slotBytesWithSig(t, v - 27, r, bytes32(N)), Reason.S_OUT_OF_RANGE, false);
        // The malleable twin (n − s, flipped parity) recovers the same key but is refused (EIP-2).
        _assertNoOp(_slotBytesWithSig(t, 28 - v, r, bytes32(N - uint256(s))), Reason.HIGH_S, false);
        // An r that is not the x-coordinate of a curve point: nothing is recovered.
        uint256 badR = 1;
        while (ecrecover(bytes32(uint256(1)), 27, bytes32(badR), bytes32(uint256(1))) != address(0)) {
            ++badR;
        }
        _assertNoOp(_slotBytesWithSig(t, 0, bytes32(badR), bytes32(uint256(1))), Reason.RECOVERY_FAILED, false);
    }

    function test_proveMessage_ruleNoOps_leaveRoot() public {
        SlotTx memory t = _tx(2, 3, bob, 5, 16);
        t.withTail = true; // data to someone other than the passer
        t.tail = carol;
        _assertNoOp(_slotBytes(t), Reason.INVALID_DATA, false);
        t = _tx(2, type(uint64).max, bob, 5, 16);
        _assertNoOp(_slotBytes(t), Reason.NONCE_MAX, false);
        t = _tx(2, 3, bob, 5, 16);
        t.fee = Fee({maxFeePerGas: 2 gwei, maxPriorityFeePerGas: 3 gwei, gasLimit: 21_000});
        _assertNoOpWithFee(t, Reason.PRIORITY_FEE_ABOVE_MAX_FEE);
        t.fee = Fee({maxFeePerGas: 1 gwei - 1, maxPriorityFeePerGas: 0, gasLimit: 21_000});
        _assertNoOpWithFee(t, Reason.MAX_FEE_BELOW_BASE_FEE);
        t.fee = Fee({maxFeePerGas: 2 gwei, maxPriorityFeePerGas: 0, gasLimit: 20_999});
        _assertNoOpWithFee(t, Reason.INTRINSIC_GAS_TOO_LOW);
        t = _tx(2, 4, bob, 5, 16);
        _assertNoOp(_slotBytes(t), Reason.NONCE_MISMATCH, true);
        t = _tx(2, 3, bob, 10, 18); // 10 ether + fee > 10 ether
        _assertNoOp(_slotBytes(t), Reason.INSUFFICIENT_BALANCE, true);
        // gasLimit × maxFee overflows uint256: insufficient, no revert.
        t = _tx(2, 3, bob, 0, 0);
        t.fee = Fee({maxFeePerGas: type(uint128).max, maxPriorityFeePerGas: 0, gasLimit: type(uint64).max});
        _assertNoOpWithFee(t, Reason.INSUFFICIENT_BALANCE);
    }

    function _assertNoOpWithFee(SlotTx memory _t, uint8 _reason) internal {
        _root0 = _root();
        Fee[] memory fees = new Fee[](1);
        fees[0] = _t.fee;
        _t.feeIndex = 0;
        bytes[] memory slots = new bytes[](1);
        slots[0] = _slotBytes(_t);
        bytes memory batch = _oneBlockBatch(uint64(portal.delayedMessageCount()), 0, new address[](0), fees, slots);
        uint256 i = _messageCountSoFar();
        inbox.push(batch, portal.delayedMessageCount(), 1);
        bool needsSender = _reason == Reason.INSUFFICIENT_BALANCE || _reason == Reason.NONCE_MISMATCH;
        bytes[][] memory proofs = new bytes[][](needsSender ? 1 : 0);
        if (needsSender) proofs[0] = _proof(alice);
        (bytes32 root, uint8 reason) = _prove(i, batch, _noDelayed(), proofs, new bytes[](0));
        assertEq(reason, _reason, "reason");
        assertEq(root, _root0);
    }

    // ------------------------------------------------------------------ proof checks

    function test_proveMessage_wrongBatchHint_reverts() public {
        (, bytes memory batch) = _postSlot(hex"00");
        _postSlot(hex"01");
        bytes memory proof = _encodeProof(0, batch, _noDelayed(), _noProofs(), new bytes[](0));
        vm.expectRevert(abi.encodeWithSelector(OneStepProver.MessageNotInBatch.selector, 1, 0));
        prover.proveMessage(1, bytes32(0), proof);
        proof = _encodeProof(2, batch, _noDelayed(), _noProofs(), new bytes[](0));
        vm.expectRevert(abi.encodeWithSelector(OneStepProver.UnknownBatch.selector, 2, 2));
        prover.proveMessage(1, bytes32(0), proof);
    }

    function test_proveMessage_wrongBatchBytes_reverts() public {
        _postSlot(hex"00");
        bytes memory proof = _encodeProof(0, _header(1, 0, 1), _noDelayed(), _noProofs(), new bytes[](0));
        vm.expectRevert(abi.encodeWithSelector(OneStepProver.BatchHashMismatch.selector, 0));
        prover.proveMessage(0, bytes32(0), proof);
    }

    function test_proveMessage_wrongDelayedMessage_reverts() public {
        bytes memory payload = abi.encodePacked(carol, uint256(2 ether));
        portal.add(0, address(0x1111), 1234, payload);
        bytes memory batch = _header(0, 1, 0);
        inbox.push(batch, 1, 0);
        DelayedMessage memory d =
            DelayedMessage({kind: 0, l1Sender: address(0x1111), l1Timestamp: 1234, payload: payload});
        d.payload = abi.encodePacked(carol, uint256(3 ether));
        bytes memory proof = _encodeProof(0, batch, d, _noProofs(), new bytes[](0));
        vm.expectRevert(abi.encodeWithSelector(OneStepProver.DelayedMessageMismatch.selector, 0));
        prover.proveMessage(0, bytes32(0), proof);
    }

    function test_proveMessage_proofAgainstWrongRoot_reverts() public {
        _root0 = _root();
        (uint256 i, bytes memory batch) = _postSlot(_slotBytes(_tx(2, 3, bob, 5, 16)));
        bytes[][] memory p = _modelTransfer(alice, bob, 0.05 ether, 21_000 * 2 gwei);
        bytes memory proof = _encodeProof(0, batch, _noDelayed(), p, new bytes[](0));
        vm.expectRevert();
        prover.proveMessage(i, bytes32(uint256(_root0) ^ 1), proof);
        // Too few account proofs.
        bytes[][] memory two = new bytes[][](2);
        two[0] = p[0];
        two[1] = p[1];
        proof = _encodeProof(0, batch, _noDelayed(), two, new bytes[](0));
        vm.expectRevert();
        prover.proveMessage(i, _root0, proof);
    }

    function test_applyBatchMessage_matchesProveMessage_succeeds() public {
        _root0 = _root();
        (uint256 i, bytes memory batch) = _postSlot(_slotBytes(_tx(2, 3, bob, 5, 16)));
        bytes[][] memory p = _modelTransfer(alice, bob, 0.05 ether, 21_000 * 2 gwei);
        (bytes32 a,) = _prove(i, batch, _noDelayed(), p, new bytes[](0));
        (bytes32 b, uint8 reason,) = prover.applyBatchMessage(
            _root0, OneStepProverHarness.BatchMessage(batch, 0, 0, 0, 1), _noDelayed(), StateProofs(p, new bytes[](0))
        );
        assertEq(a, b);
        assertEq(reason, Reason.APPLIED);
        assertEq(b, _root());
    }
}
