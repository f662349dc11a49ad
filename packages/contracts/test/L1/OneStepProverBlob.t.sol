// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {OneStepProver} from "../../src/L1/OneStepProver.sol";
import {OneStepProverHarness} from "./OneStepProverHarness.sol";
import {BlobBody, BlobOpening} from "../../src/libraries/batch/BlobBody.sol";
import {LocatedMessage} from "../../src/libraries/batch/BatchWalker.sol";
import {Reason} from "../../src/libraries/stf/Reason.sol";
import {DelayedMessage, StateProofs} from "../../src/libraries/stf/StateTransition.sol";
import {BlobProverTestBase} from "./BlobProverTestBase.sol";
import {Portal} from "../../src/L1/Portal.sol";
import {SequencerInbox} from "../../src/L1/SequencerInbox.sol";
import {IClaimManager} from "../../src/interfaces/IClaimManager.sol";
import {IPortal} from "../../src/interfaces/IPortal.sol";
import {Types} from "../../src/libraries/Types.sol";
import {ValidConfig} from "../setup/ValidConfig.sol";

/// @title OneStepProverBlob_Test
/// @notice The one-step prover over blob batches (protocol.md §5.7, §8.3) with real blobs and real
///         KZG proofs checked by the real point-evaluation precompile: each test builds a version-2
///         body, opens exactly the elements the spec says the message needs, proves the message
///         through `proveMessage` against the (mock) inbox, compares the root with the test's own
///         state model, and checks that leaving out any one of those openings reverts
///         `MissingOpening` naming it.
contract OneStepProverBlob_Test is BlobProverTestBase {
    uint256 internal aliceKey = 0xA11CE;
    address internal alice;
    address internal bob = address(0xB0B);
    address internal carol = address(0xCA201);

    function setUp() public override {
        super.setUp();
        alice = vm.addr(aliceKey);
        _set(alice, 3, 10 ether);
        _set(bob, 0, 1 ether);
    }

    // ------------------------------------------------------------------ helpers

    function _transfer(uint256 _nonce, address _to, uint256 _feeIndex, Fee memory _fee)
        internal
        view
        returns (SlotTx memory t_)
    {
        t_.txType = 2;
        t_.nonce = _nonce;
        t_.feeIndex = _feeIndex;
        t_.fee = _fee;
        t_.inline_ = true;
        t_.to = _to;
        t_.mantissa = 5;
        t_.exponent = 16; // 0.05 ether
        t_.key = aliceKey;
    }

    function _one(bytes memory _slotBytes) internal pure returns (bytes[] memory slots_) {
        slots_ = new bytes[](1);
        slots_[0] = _slotBytes;
    }

    /// @dev Proves message `_i` of the last batch; also asserts proveMessage agrees.
    function _prove(uint256 _i, bytes32 _pre, bytes memory _proof) internal view returns (bytes32 root_, uint8 reason_) {
        (root_, reason_) = prover.proveMessageWithReason(_i, _pre, _proof);
        assertEq(prover.proveMessage(_i, _pre, _proof), root_, "proveMessage = proveMessageWithReason");
    }

    /// @dev Every opening of `_openings` is needed: without it the proof reverts naming its element.
    function _assertEachNeeded(
        uint256 _i,
        bytes32 _pre,
        BlobOpening[] memory _openings,
        DelayedMessage memory _d,
        bytes[][] memory _p,
        bytes[] memory _sp
    ) internal {
        uint256 b = inbox.batchCount() - 1;
        for (uint256 k; k < _openings.length; ++k) {
            bytes memory proof = _encodeBlobProof(b, _without(_openings, k), _d, _p, _sp);
            vm.expectRevert(
                abi.encodeWithSelector(BlobBody.MissingOpening.selector, _openings[k].blobIndex, _openings[k].element)
            );
            prover.proveMessage(_i, _pre, proof);
        }
    }

    /// @dev The one-blob batch of body `_b` (no delayed messages) with openings of `_set`.
    function _postBlob(uint256 _blobCount, Body2 memory _b, ElementSet memory _set)
        internal
        returns (uint256 firstMessage_, BlobOpening[] memory openings_)
    {
        bytes32[] memory hashes;
        (hashes, openings_) = _openBlobs(_blobCount, _b, _set);
        uint256 batches = inbox.batchCount();
        firstMessage_ = batches == 0 ? 0 : inbox.messageCount(batches - 1);
        uint256 delayedBefore = batches == 0 ? 0 : inbox.delayedCount(batches - 1);
        inbox.pushBlob(hashes, uint64(delayedBefore), uint32(_b.slotCount));
    }

    // ------------------------------------------------------------------ the precompile and the domain

    /// @notice forge's EVM runs the real point-evaluation precompile: a real opening passes, the same
    ///         opening with another y fails, and the prover refuses it with `BadOpening`.
    function test_pointEvaluation_realProofPasses_wrongValueFails() public {
        Body2 memory b = _body2(new address[](0), _defaultFees(), _one(_slotBytes(_transfer(3, bob, 0, _defaultFees()[0]))), 0, "");
        ElementSet memory set = _newSet();
        _addElement(set, 1);
        (bytes32[] memory hashes, BlobOpening[] memory o) = _openBlobs(1, b, set);
        bytes memory input = abi.encodePacked(hashes[0], BlobBody.evaluationPoint(1), o[0].y, o[0].commitment, o[0].proof);
        (bool ok, bytes memory out) = address(0x0a).staticcall{gas: 100_000}(input);
        assertTrue(ok, "a real opening passes");
        assertEq(out, abi.encode(uint256(4096), BlobBody.BLS_MODULUS));
        // y is the element itself: 0x00 then body bytes 27..57 (element 1 = payload bytes 31..61).
        assertEq(uint8(o[0].y[0]), 0);
        assertEq(o[0].y[1], b.head[27]);

        bytes32 wrongY = bytes32(uint256(o[0].y) ^ 1);
        (ok,) = address(0x0a).staticcall{gas: 100_000}(
            abi.encodePacked(hashes[0], BlobBody.evaluationPoint(1), wrongY, o[0].commitment, o[0].proof)
        );
        assertFalse(ok, "a wrong y fails");
        // The right y at another element's point fails too.
        (ok,) = address(0x0a).staticcall{gas: 100_000}(
            abi.encodePacked(hashes[0], BlobBody.evaluationPoint(2), o[0].y, o[0].commitment, o[0].proof)
        );
        assertFalse(ok, "the element's point is bit-reversed-domain exact");

        inbox.pushBlob(hashes, 0, 1);
        o[0].y = wrongY;
        vm.expectRevert(abi.encodeWithSelector(BlobBody.BadOpening.selector, 0));
        prover.proveMessage(0, _root(), _encodeBlobProof(0, o, _noDelayed(), _noProofs(), new bytes[](0)));
    }

    /// @notice ROOT_OF_UNITY is 7^((r−1)/4096) and evaluationPoint(i) is ω^bitrev12(i), both checked
    ///         with the modexp precompile.
    function test_evaluationPoint_matchesModexp() public view {
        uint256 r = BlobBody.BLS_MODULUS;
        assertEq(BlobBody.ROOT_OF_UNITY, _modexp(7, (r - 1) / 4096, r), "omega");
        assertTrue(_modexp(BlobBody.ROOT_OF_UNITY, 2048, r) != 1, "omega is a primitive 4096th root");
        uint256[6] memory elements = [uint256(0), 1, 2, 1000, 2048, 4095];
        uint256[6] memory reversed = [uint256(0), 2048, 1024, 0x17c, 1, 4095];
        for (uint256 k; k < elements.length; ++k) {
            assertEq(BlobBody.evaluationPoint(elements[k]), _modexp(BlobBody.ROOT_OF_UNITY, reversed[k], r));
        }
    }

    function _modexp(uint256 _base, uint256 _exponent, uint256 _modulus) internal view returns (uint256) {
        (bool ok, bytes memory out) =
            address(0x05).staticcall(abi.encode(uint256(32), uint256(32), uint256(32), _base, _exponent, _modulus));
        assertTrue(ok);
        return abi.decode(out, (uint256));
    }

    // ------------------------------------------------------------------ applied messages

    function test_proveBlob_transfer_appliesWithExactlyTheNeededOpenings() public {
        bytes32 pre = _root();
        Fee[] memory fees = _defaultFees();
        Body2 memory b = _body2(new address[](0), fees, _one(_slotBytes(_transfer(3, bob, 0, fees[0]))), 0, hex"010001");
        ElementSet memory set = _slotNeeds(b, 0, 0, type(uint256).max);
        (uint256 i, BlobOpening[] memory o) = _postBlob(1, b, set);
        bytes[][] memory p = _modelTransfer(alice, bob, 0.05 ether, 21_000 * 2 gwei);
        (bytes32 root, uint8 reason) = _prove(i, pre, _encodeBlobProof(0, o, _noDelayed(), p, new bytes[](0)));
        assertEq(reason, Reason.APPLIED);
        assertEq(root, _root());
        assertGt(o.length, 3, "a transfer slot spans several elements");
        _assertEachNeeded(i, pre, o, _noDelayed(), p, new bytes[](0));

        // Duplicated and extra openings change nothing.
        BlobOpening[] memory more = new BlobOpening[](o.length + 2);
        for (uint256 k; k < o.length; ++k) more[k] = o[k];
        more[o.length] = o[0];
        more[o.length + 1] = o[o.length - 1];
        (bytes32 root2,) = _prove(i, pre, _encodeBlobProof(0, more, _noDelayed(), p, new bytes[](0)));
        assertEq(root2, root);
    }

    /// @notice A slot whose fee entry and dictionary recipient lie in later elements than the slot's
    ///         (and straddle element boundaries): those elements are needed too, and a fee index varint.
    function test_proveBlob_dictionaryAndFeeEntryInLaterElements_needed() public {
        bytes32 pre = _root();
        address[] memory dict = new address[](3);
        dict[0] = bob;
        dict[1] = address(0xD1C7);
        dict[2] = carol; // body bytes 50..69: elements 1 and 2 (payload 54..73)
        Fee[] memory fees = new Fee[](9);
        for (uint256 k; k < 9; ++k) {
            fees[k] = Fee({maxFeePerGas: uint128(1 gwei + k), maxPriorityFeePerGas: 0, gasLimit: 50_000});
        }
        SlotTx memory t = _transfer(3, carol, 8, fees[8]); // fee entry 8: body 391..430, elements 12..14
        t.inline_ = false;
        t.toIndex = 2;
        Body2 memory b = _body2(dict, fees, _one(_slotBytes(t)), 0, "");
        ElementSet memory set = _slotNeeds(b, 0, 8, 2);
        (uint256 i, BlobOpening[] memory o) = _postBlob(1, b, set);
        bytes[][] memory p = _modelTransfer(alice, carol, 0.05 ether, 21_000 * 1 gwei);
        (bytes32 root, uint8 reason) = _prove(i, pre, _encodeBlobProof(0, o, _noDelayed(), p, new bytes[](0)));
        assertEq(reason, Reason.APPLIED);
        assertEq(root, _root());
        assertTrue(_has(o, 0, 2) && _has(o, 0, 13) && _has(o, 0, 14), "dictionary and fee entry elements");
        _assertEachNeeded(i, pre, o, _noDelayed(), p, new bytes[](0));
    }

    /// @notice A withdrawal slot straddling the boundary between blob 0 and blob 1 (the gap before the
    ///         slots puts it there), in a 2-blob batch.
    function test_proveBlob_withdrawalAcrossBlobBoundary_applies() public {
        bytes32 pre = _root();
        Fee[] memory fees = new Fee[](1);
        fees[0] = Fee({maxFeePerGas: 2 gwei, maxPriorityFeePerGas: 1 gwei, gasLimit: 30_000});
        SlotTx memory t = _transfer(3, PASSER, 0, fees[0]);
        t.mantissa = 1;
        t.exponent = 18;
        t.withTail = true;
        t.tail = carol;
        bytes memory slot = _slotBytes(t);
        // Body byte 126,972 is payload byte 126,976: the first of blob 1. Start the slot 50 bytes before.
        Body2 memory probe = _body2(new address[](0), fees, _one(slot), 0, "");
        Body2 memory b = _body2(new address[](0), fees, _one(slot), 126_972 - 50 - probe.tailAt, "");
        assertEq(b.slotStarts[0], 126_922);
        ElementSet memory set = _slotNeeds(b, 0, 0, type(uint256).max);
        (uint256 i, BlobOpening[] memory o) = _postBlob(2, b, set);
        assertTrue(_has(o, 0, 4095) && _has(o, 1, 0), "both sides of the boundary");
        uint256 gasUsed = _intrinsic(abi.encodePacked(bytes12(0), carol));
        (bytes[][] memory p, bytes[] memory sp) = _modelWithdrawal(alice, carol, 1 ether, gasUsed * 2 gwei);
        (bytes32 root, uint8 reason) = _prove(i, pre, _encodeBlobProof(0, o, _noDelayed(), p, sp));
        assertEq(reason, Reason.APPLIED);
        assertEq(root, _root());
        _assertEachNeeded(i, pre, o, _noDelayed(), p, sp);
    }

    /// @notice A blob batch's delayed messages come first and need no opening; the delayed message is
    ///         still checked against the Portal. Its slot after them needs the usual openings.
    function test_proveBlob_delayedFirst_needsNoOpening() public {
        bytes32 pre = _root();
        portal.add(0, address(0x1111), 1234, abi.encodePacked(carol, uint256(2 ether)));
        Fee[] memory fees = _defaultFees();
        Body2 memory b = _body2(new address[](0), fees, _one(_slotBytes(_transfer(3, bob, 0, fees[0]))), 0, "");
        ElementSet memory set = _slotNeeds(b, 0, 0, type(uint256).max);
        (bytes32[] memory hashes, BlobOpening[] memory o) = _openBlobs(1, b, set);
        inbox.pushBlob(hashes, 1, 1); // D_b = 1, S_b = 1: message 0 is delayed message 0, message 1 slot 0

        DelayedMessage memory d =
            DelayedMessage({kind: 0, l1Sender: address(0x1111), l1Timestamp: 1234, payload: abi.encodePacked(carol, uint256(2 ether))});
        bytes[][] memory p = new bytes[][](1);
        p[0] = _proof(carol);
        _credit(carol, 2 ether);
        (bytes32 root, uint8 reason) = _prove(0, pre, _encodeBlobProof(0, new BlobOpening[](0), d, p, new bytes[](0)));
        assertEq(reason, Reason.APPLIED);
        assertEq(root, _root());

        d.l1Timestamp = 1235;
        vm.expectRevert(abi.encodeWithSelector(OneStepProver.DelayedMessageMismatch.selector, 0));
        prover.proveMessage(0, pre, _encodeBlobProof(0, new BlobOpening[](0), d, p, new bytes[](0)));

        bytes32 mid = _root();
        p = _modelTransfer(alice, bob, 0.05 ether, 21_000 * 2 gwei);
        (root, reason) = _prove(1, mid, _encodeBlobProof(0, o, _noDelayed(), p, new bytes[](0)));
        assertEq(reason, Reason.APPLIED);
        assertEq(root, _root());
    }

    /// @notice applyBlobBatchMessage (for vector replay) takes the versioned hashes directly and gives
    ///         the same root and location as proveMessage.
    function test_applyBlobBatchMessage_matchesProveMessage() public {
        bytes32 pre = _root();
        Fee[] memory fees = _defaultFees();
        bytes[] memory slots = new bytes[](2);
        slots[0] = hex"00"; // a one-byte slot that fails to decode
        slots[1] = _slotBytes(_transfer(3, bob, 0, fees[0]));
        Body2 memory b = _body2(new address[](0), fees, slots, 0, "");
        ElementSet memory set = _slotNeeds(b, 1, 0, type(uint256).max);
        (bytes32[] memory hashes, BlobOpening[] memory o) = _openBlobs(1, b, set);
        bytes[][] memory p = _modelTransfer(alice, bob, 0.05 ether, 21_000 * 2 gwei);
        (bytes32 root, uint8 reason, LocatedMessage memory loc) = prover.applyBlobBatchMessage(
            pre,
            OneStepProverHarness.BlobBatchMessage({
                versionedHashes: hashes, openings: o, j: 1, delayedBefore: 0, delayedCount: 0, slotCount: 2
            }),
            _noDelayed(),
            StateProofs({accountProofs: p, storageProof: new bytes[](0)})
        );
        assertEq(reason, Reason.APPLIED);
        assertEq(root, _root());
        assertTrue(loc.slotPresent);
        assertEq(loc.slotNumber, 1);
        assertEq(loc.slotOffset, b.slotStarts[1]);
        inbox.pushBlob(hashes, 0, 2);
        (bytes32 root2,) = _prove(1, pre, _encodeBlobProof(0, o, _noDelayed(), p, new bytes[](0)));
        assertEq(root2, root);
    }

    // ------------------------------------------------------------------ absent and undecodable slots

    /// @notice A body truncated by its length prefix before the slot's end: the slot is absent (a
    ///         slotDecode no-op), and only the locating bytes are needed, not the slot's.
    function test_proveBlob_truncatedBody_absentSlotNeedsNoSlotBytes() public {
        bytes32 pre = _root();
        Fee[] memory fees = _defaultFees();
        Body2 memory b = _body2(new address[](0), fees, _one(_slotBytes(_transfer(3, bob, 0, fees[0]))), 0, "");
        b.length = b.slotStarts[0] + b.slotLengths[0] - 1;
        ElementSet memory set = _locateNeeds(b, 0);
        (uint256 i, BlobOpening[] memory o) = _postBlob(1, b, set);
        (bytes32 root, uint8 reason) = _prove(i, pre, _encodeBlobProof(0, o, _noDelayed(), _noProofs(), new bytes[](0)));
        assertEq(reason, Reason.SLOT_DECODE);
        assertEq(root, pre);
        _assertEachNeeded(i, pre, o, _noDelayed(), _noProofs(), new bytes[](0));
    }

    /// @notice A hostile groups value (the slot would start past any body): absent, no slot bytes.
    function test_proveBlob_hostileGroupOffset_absentSlot() public {
        bytes32 pre = _root();
        Fee[] memory fees = _defaultFees();
        Body2 memory b = _body2(new address[](0), fees, _one(_slotBytes(_transfer(3, bob, 0, fees[0]))), 0, "");
        uint256 groupAt = b.preludeEnd + 1;
        for (uint256 m; m < 4; ++m) b.head[groupAt + m] = 0xff;
        (uint256 i, BlobOpening[] memory o) = _postBlob(1, b, _locateNeeds(b, 0));
        (bytes32 root, uint8 reason) = _prove(i, pre, _encodeBlobProof(0, o, _noDelayed(), _noProofs(), new bytes[](0)));
        assertEq(reason, Reason.SLOT_DECODE);
        assertEq(root, pre);
        _assertEachNeeded(i, pre, o, _noDelayed(), _noProofs(), new bytes[](0));
    }

    /// @notice A prefix above the blobs' capacity: the body is the whole capacity (§5.7), so a slot
    ///         inside it is present and applies.
    function test_proveBlob_lengthAboveCapacity_bodyIsCapacity() public {
        bytes32 pre = _root();
        Fee[] memory fees = _defaultFees();
        Body2 memory b = _body2(new address[](0), fees, _one(_slotBytes(_transfer(3, bob, 0, fees[0]))), 0, "");
        b.length = type(uint32).max;
        ElementSet memory set = _slotNeeds(b, 0, 0, type(uint256).max);
        (uint256 i, BlobOpening[] memory o) = _postBlob(1, b, set);
        bytes[][] memory p = _modelTransfer(alice, bob, 0.05 ether, 21_000 * 2 gwei);
        (bytes32 root, uint8 reason) = _prove(i, pre, _encodeBlobProof(0, o, _noDelayed(), p, new bytes[](0)));
        assertEq(reason, Reason.APPLIED);
        assertEq(root, _root());

    }

    /// @notice With a prefix above the capacity, a slot that ends one byte past the capacity (126,972
    ///         body bytes for one blob) is absent.
    function test_proveBlob_slotEndingPastCapacity_absent() public {
        bytes32 pre = _root();
        Fee[] memory fees = _defaultFees();
        bytes[] memory slots = _one(_slotBytes(_transfer(3, bob, 0, fees[0])));
        uint256 gap = 126_972 - _body2(new address[](0), fees, slots, 0, "").tailAt - slots[0].length + 1;
        Body2 memory far = _body2(new address[](0), fees, slots, gap, "");
        assertEq(far.slotStarts[0] + far.slotLengths[0], 126_973);
        far.tail = "";
        far.length = type(uint32).max;
        (uint256 i, BlobOpening[] memory o) = _postBlob(1, far, _locateNeeds(far, 0));
        (bytes32 root, uint8 reason) = _prove(i, pre, _encodeBlobProof(0, o, _noDelayed(), _noProofs(), new bytes[](0)));
        assertEq(reason, Reason.SLOT_DECODE);
        assertEq(root, pre);
    }

    /// @notice A slot that fails to decode needs its bytes but not the dictionary entries it names;
    ///         a zero-length slot needs no slot byte.
    function test_proveBlob_undecodableAndEmptySlots_needLess() public {
        bytes32 pre = _root();
        address[] memory dict = new address[](1);
        dict[0] = carol;
        Fee[] memory fees = _defaultFees();
        SlotTx memory t = _transfer(3, carol, 1, fees[1]);
        t.inline_ = false;
        bytes[] memory slots = new bytes[](2);
        slots[0] = bytes.concat(_slotBytes(t), hex"00"); // a byte left over after s: slotDecode
        slots[1] = "";
        Body2 memory b = _body2(dict, fees, slots, 0, "");
        ElementSet memory set = _locateNeeds(b, 0);
        _addBytes(set, b.slotStarts[0], b.slotLengths[0]);
        (bytes32[] memory hashes, BlobOpening[] memory o) = _openBlobs(1, b, set);
        inbox.pushBlob(hashes, 0, 2);
        (bytes32 root, uint8 reason) = _prove(0, pre, _encodeBlobProof(0, o, _noDelayed(), _noProofs(), new bytes[](0)));
        assertEq(reason, Reason.SLOT_DECODE);
        assertEq(root, pre);
        _assertEachNeeded(0, pre, o, _noDelayed(), _noProofs(), new bytes[](0));

        // Slot 1 has length 0 (present and empty): only the locating bytes, already in `o`.
        (root, reason) = _prove(1, pre, _encodeBlobProof(0, o, _noDelayed(), _noProofs(), new bytes[](0)));
        assertEq(reason, Reason.SLOT_DECODE);
        assertEq(root, pre);
    }

    // ------------------------------------------------------------------ proof data refused

    function test_proveBlob_badOpenings_revert() public {
        Fee[] memory fees = _defaultFees();
        Body2 memory b = _body2(new address[](0), fees, _one(_slotBytes(_transfer(3, bob, 0, fees[0]))), 0, "");
        ElementSet memory set = _newSet();
        _addElement(set, 0);
        _addElement(set, ELEMENTS_PER_BLOB + 5); // an element of blob 1
        (bytes32[] memory hashes, BlobOpening[] memory o) = _openBlobs(2, b, set);
        inbox.pushBlob(hashes, 0, 1);
        bytes32 pre = _root();
        bytes[][] memory none = _noProofs();

        // Blob 1's opening presented as blob 0's: the commitment's versioned hash is not blob 0's.
        BlobOpening[] memory one = new BlobOpening[](1);
        one[0] = _copy(o[1]);
        one[0].blobIndex = 0;
        vm.expectRevert(abi.encodeWithSelector(BlobBody.BadOpening.selector, 0));
        prover.proveMessage(0, pre, _encodeBlobProof(0, one, _noDelayed(), none, new bytes[](0)));
        // A blob the batch does not have.
        one[0].blobIndex = 2;
        vm.expectRevert(abi.encodeWithSelector(BlobBody.BadOpening.selector, 0));
        prover.proveMessage(0, pre, _encodeBlobProof(0, one, _noDelayed(), none, new bytes[](0)));
        // An element past the blob.
        one[0] = _copy(o[0]);
        one[0].element = 4096;
        vm.expectRevert(abi.encodeWithSelector(BlobBody.BadOpening.selector, 0));
        prover.proveMessage(0, pre, _encodeBlobProof(0, one, _noDelayed(), none, new bytes[](0)));
        // A short commitment, as the second opening.
        BlobOpening[] memory two = new BlobOpening[](2);
        (two[0], two[1]) = (o[0], _copy(o[1]));
        two[1].commitment = hex"c0";
        vm.expectRevert(abi.encodeWithSelector(BlobBody.BadOpening.selector, 1));
        prover.proveMessage(0, pre, _encodeBlobProof(0, two, _noDelayed(), none, new bytes[](0)));
        // Batch bytes with a blob batch.
        vm.expectRevert(abi.encodeWithSelector(OneStepProver.UnexpectedBatchBytes.selector, 0));
        prover.proveMessage(
            0, pre, abi.encode(OneStepProver.OneStepProof(0, hex"01", o, _noDelayed(), none, new bytes[](0)))
        );
        // Openings with a calldata batch.
        bytes memory batch = _oneBlockBatch(0, 0, new address[](0), fees, _one(hex"00"));
        inbox.push(batch, 0, 1);
        vm.expectRevert(abi.encodeWithSelector(OneStepProver.UnexpectedOpenings.selector, 1));
        prover.proveMessage(
            1, pre, abi.encode(OneStepProver.OneStepProof(1, batch, o, _noDelayed(), none, new bytes[](0)))
        );
        // Without element 0 nothing of the body is known: MissingOpening(0, 0).
        one[0] = o[1];
        vm.expectRevert(abi.encodeWithSelector(BlobBody.MissingOpening.selector, 0, 0));
        prover.proveMessage(0, pre, _encodeBlobProof(0, one, _noDelayed(), none, new bytes[](0)));
    }

    function _has(BlobOpening[] memory _o, uint256 _blob, uint256 _element) internal pure returns (bool) {
        for (uint256 k; k < _o.length; ++k) {
            if (_o[k].blobIndex == _blob && _o[k].element == _element) return true;
        }
        return false;
    }

    function _copy(BlobOpening memory _o) internal pure returns (BlobOpening memory) {
        return BlobOpening(_o.blobIndex, _o.element, _o.y, _o.commitment, _o.proof);
    }
}

/// @title OneStepProverBlobRealInbox_Test
/// @notice The prover over a blob batch that the real SequencerInbox recorded from a (forge) blob
///         transaction, with the delayed message from the real Portal: `appendBlobBatch` stores the
///         versioned hashes the prover opens against, and message order is delayed first.
contract OneStepProverBlobRealInbox_Test is BlobProverTestBase {
    SequencerInbox internal realInbox;
    Portal internal realPortal;
    address internal sequencer = address(0x5E0);
    address internal whale = address(0x3A1E);
    uint256 internal aliceKey = 0xA11CE;
    address internal alice;
    address internal bob = address(0xB0B);

    function setUp() public override {
        super.setUp();
        alice = vm.addr(aliceKey);
        _set(alice, 3, 10 ether);
        Types.RollupConfig memory cfg = ValidConfig.get();
        cfg.chainId = uint64(CHAIN_ID);
        cfg.baseFeePerGas = BASE_FEE;
        cfg.feeVault = FEE_VAULT;
        cfg.sequencer = sequencer;
        realPortal = new Portal(cfg, IClaimManager(address(0xC1A1)));
        realInbox = new SequencerInbox(cfg, IPortal(address(realPortal)));
        prover = new OneStepProverHarness(realInbox, realPortal, cfg);
    }

    function test_proveBlob_realInboxAndPortal_depositThenTransfer() public {
        bytes32 pre = _root();
        vm.deal(whale, 2 ether);
        vm.prank(whale);
        realPortal.depositETH{value: 2 ether}(bob);

        Fee[] memory fees = _defaultFees();
        SlotTx memory t;
        t.txType = 2;
        t.nonce = 3;
        t.fee = fees[0];
        t.inline_ = true;
        t.to = bob;
        t.mantissa = 5;
        t.exponent = 16;
        t.key = aliceKey;
        bytes[] memory slots = new bytes[](1);
        slots[0] = _slotBytes(t);
        Body2 memory b = _body2(new address[](0), fees, slots, 0, hex"010101");
        (bytes32[] memory hashes, BlobOpening[] memory o) = _openBlobs(1, b, _slotNeeds(b, 0, 0, type(uint256).max));
        vm.blobhashes(hashes);
        vm.prank(sequencer, sequencer);
        realInbox.appendBlobBatch(0, 1, 1, "");
        assertEq(realInbox.batchBlobHashes(0)[0], hashes[0]);

        // Message 0: the deposit (delayed messages come first), no opening.
        DelayedMessage memory d = DelayedMessage({
            kind: 0, l1Sender: whale, l1Timestamp: uint64(block.timestamp), payload: abi.encodePacked(bob, uint256(2 ether))
        });
        bytes[][] memory p = new bytes[][](1);
        p[0] = _proof(bob);
        _credit(bob, 2 ether);
        assertEq(prover.proveMessage(0, pre, _encodeBlobProof(0, new BlobOpening[](0), d, p, new bytes[](0))), _root());

        // Message 1: the transfer slot, through the openings.
        bytes32 mid = _root();
        p = _modelTransfer(alice, bob, 0.05 ether, 21_000 * 2 gwei);
        assertEq(prover.proveMessage(1, mid, _encodeBlobProof(0, o, _noDelayed(), p, new bytes[](0))), _root());

        // A message past the batch is refused as before.
        vm.expectRevert(abi.encodeWithSelector(OneStepProver.MessageNotInBatch.selector, 2, 0));
        prover.proveMessage(2, mid, _encodeBlobProof(0, o, _noDelayed(), p, new bytes[](0)));
    }
}
