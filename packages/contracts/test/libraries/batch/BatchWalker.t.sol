// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BatchWalker, LocatedMessage, Prelude} from "../../../src/libraries/batch/BatchWalker.sol";
import {StfTestBase} from "../stf/StfTestBase.sol";

/// @title BatchWalker_Test
/// @notice The walk of protocol.md §5.6: locating message j of a batch, for well-formed and broken
///         bodies, against hand-computed answers and against a plain reference walk (fuzzed).
contract BatchWalker_Test is StfTestBase {
    function _noDict() internal pure returns (address[] memory) {
        return new address[](0);
    }

    function _locate(bytes memory _batch, uint256 _j, uint256 _before, uint256 _d, uint256 _s)
        internal
        pure
        returns (LocatedMessage memory)
    {
        return BatchWalker.locate(_batch, _j, _before, _d, _s);
    }

    function _assertDelayed(LocatedMessage memory _l, uint256 _index) internal pure {
        assertTrue(_l.isDelayed, "expected a delayed message");
        assertEq(_l.delayedIndex, _index, "delayed index");
    }

    function _assertSlot(LocatedMessage memory _l, uint256 _number, bool _present) internal pure {
        assertFalse(_l.isDelayed, "expected a slot");
        assertEq(_l.slotNumber, _number, "slot number");
        assertEq(_l.slotPresent, _present, "slot present");
    }

    function test_readHeader_fields_succeeds() public pure {
        (bool ok, uint8 version, uint64 after_, uint32 count) =
            BatchWalker.readHeader(_header(1, 0x0102030405060708, 0x0a0b0c0d));
        assertTrue(ok);
        assertEq(version, 1);
        assertEq(after_, 0x0102030405060708);
        assertEq(count, 0x0a0b0c0d);
        (ok,,,) = BatchWalker.readHeader(hex"01000000");
        assertFalse(ok);
    }

    function test_readPrelude_skipsDictionaries_succeeds() public pure {
        address[] memory dict = new address[](3);
        dict[1] = address(0xBEEF);
        bytes memory batch = bytes.concat(_header(1, 0, 0), _prelude(7, dict, _defaultFees()));
        Prelude memory p = BatchWalker.readPrelude(batch);
        assertTrue(p.complete);
        assertEq(p.addressCount, 3);
        assertEq(p.addressesOffset, 13 + 10);
        assertEq(p.feeCount, 2);
        assertEq(p.feesOffset, 13 + 10 + 60 + 1);
        assertEq(p.blocksOffset, batch.length);
        // One byte short: the body ends inside the prelude.
        bytes memory short = new bytes(batch.length - 1);
        for (uint256 i; i < short.length; ++i) {
            short[i] = batch[i];
        }
        assertFalse(BatchWalker.readPrelude(short).complete);
    }

    function test_locate_delayedThenSlots_succeeds() public pure {
        bytes[] memory slots = new bytes[](3);
        slots[0] = hex"aa";
        slots[1] = hex"bbbb";
        slots[2] = hex"";
        bytes memory batch = _oneBlockBatch(12, 2, _noDict(), _defaultFees(), slots);
        _assertDelayed(_locate(batch, 0, 10, 2, 3), 10);
        _assertDelayed(_locate(batch, 1, 10, 2, 3), 11);
        LocatedMessage memory l = _locate(batch, 2, 10, 2, 3);
        _assertSlot(l, 0, true);
        assertEq(l.slotLength, 1);
        assertEq(uint8(batch[l.slotOffset]), 0xaa);
        l = _locate(batch, 3, 10, 2, 3);
        _assertSlot(l, 1, true);
        assertEq(l.slotLength, 2);
        assertEq(uint8(batch[l.slotOffset]), 0xbb);
        l = _locate(batch, 4, 10, 2, 3);
        _assertSlot(l, 2, true);
        assertEq(l.slotLength, 0);
    }

    function test_locate_forcedBatch_allDelayed_succeeds() public pure {
        bytes memory batch = _header(0, 8, 0);
        for (uint256 j; j < 3; ++j) {
            _assertDelayed(_locate(batch, j, 5, 3, 0), 5 + j);
        }
    }

    function test_locate_truncatedPrelude_implicitBlock_succeeds() public pure {
        bytes memory batch = bytes.concat(_header(1, 1, 2), hex"00000000000000070005");
        _assertDelayed(_locate(batch, 0, 0, 1, 2), 0);
        _assertSlot(_locate(batch, 1, 0, 1, 2), 0, false);
        _assertSlot(_locate(batch, 2, 0, 1, 2), 1, false);
    }

    function test_locate_failedBlockHeader_stopsReading_succeeds() public pure {
        // Block 1: 1 delayed, 1 slot. Then a non-canonical varint (0x80 0x00): reading stops.
        bytes memory batch = bytes.concat(
            _header(1, 3, 3), _prelude(0, _noDict(), _defaultFees()), _blockHeader(0, 1, 1), _slot(hex"01")
        );
        // timestampDelta non-canonical, then what would be a block with one slot
        batch = bytes.concat(batch, hex"8000", hex"0001", _slot(hex"02"));
        _assertDelayed(_locate(batch, 0, 0, 3, 3), 0);
        _assertSlot(_locate(batch, 1, 0, 3, 3), 0, true);
        // The implicit last block: the 2 remaining delayed messages, then 2 empty slots.
        _assertDelayed(_locate(batch, 2, 0, 3, 3), 1);
        _assertDelayed(_locate(batch, 3, 0, 3, 3), 2);
        _assertSlot(_locate(batch, 4, 0, 3, 3), 1, false);
        _assertSlot(_locate(batch, 5, 0, 3, 3), 2, false);
    }

    function test_locate_truncatedSlot_laterSlotsEmpty_succeeds() public pure {
        // One block announcing 3 slots: the first complete, the second announces 50 bytes but has 3.
        bytes memory batch = bytes.concat(
            _header(1, 1, 3), _prelude(0, _noDict(), _defaultFees()), _blockHeader(0, 0, 3), _slot(hex"01")
        );
        batch = bytes.concat(batch, hex"32010203");
        _assertSlot(_locate(batch, 0, 0, 1, 3), 0, true);
        _assertSlot(_locate(batch, 1, 0, 1, 3), 1, false);
        _assertSlot(_locate(batch, 2, 0, 1, 3), 2, false);
        // The delayed message the block did not take goes to the implicit last block, after the slots.
        _assertDelayed(_locate(batch, 3, 0, 1, 3), 0);
    }

    function test_locate_slotsBeyondSLeft_skipped_succeeds() public pure {
        // S_b = 1 but block 1 announces 3 slots: slots 2 and 3 belong to no message and are skipped,
        // so block 2's header (1 delayed) is found after them.
        bytes memory batch = bytes.concat(
            _header(1, 1, 1), _prelude(0, _noDict(), _defaultFees()), _blockHeader(0, 0, 3), _slot(hex"11")
        );
        batch = bytes.concat(batch, _slot(hex"2222"), _slot(hex"333333"), _blockHeader(0, 5, 0));
        LocatedMessage memory l = _locate(batch, 0, 4, 1, 1);
        _assertSlot(l, 0, true);
        assertEq(uint8(batch[l.slotOffset]), 0x11);
        _assertDelayed(_locate(batch, 1, 4, 1, 1), 4);
    }

    function test_locate_multiByteVarints_succeeds() public pure {
        // timestampDelta 300 (2 bytes), delayedDelta 2, slotCount 130 (2 bytes) capped by S_b = 2.
        bytes memory batch =
            bytes.concat(_header(1, 2, 2), _prelude(0, _noDict(), _defaultFees()), _blockHeader(300, 2, 130));
        batch = bytes.concat(batch, _slot(hex"01"), _slot(hex"0202"));
        _assertDelayed(_locate(batch, 1, 0, 2, 2), 1);
        LocatedMessage memory l = _locate(batch, 3, 0, 2, 2);
        _assertSlot(l, 1, true);
        assertEq(l.slotLength, 2);
    }

    function test_readVarint_canonical_succeeds() public pure {
        _assertVarint(hex"00", true, 0);
        _assertVarint(hex"7f", true, 127);
        _assertVarint(hex"8001", true, 128);
        _assertVarint(hex"ffffffffffffffffff01", true, type(uint64).max);
        _assertVarint(hex"8000", false, 0); // trailing zero group
        _assertVarint(hex"80", false, 0); // ends early
        _assertVarint(hex"ffffffffffffffffff02", false, 0); // 2^64
        _assertVarint(hex"8080808080808080808001", false, 0); // 11 bytes
        _assertVarint(hex"", false, 0);
    }

    function test_readWideVarint_canonical_succeeds() public pure {
        _assertWide(hex"00", true, 0);
        _assertWide(hex"80808080808080808002", true, 1 << 64); // beyond a narrow varint
        // 2^256 − 1: 36 bytes of 0xff then 0x0f
        bytes memory max = new bytes(37);
        for (uint256 k; k < 36; ++k) {
            max[k] = 0xff;
        }
        max[36] = 0x0f;
        _assertWide(max, true, type(uint256).max);
        max[36] = 0x10; // 2^256
        _assertWide(max, false, 0);
        max[36] = 0x80; // a 38th byte would follow
        _assertWide(bytes.concat(max, hex"01"), false, 0);
        _assertWide(hex"8000", false, 0); // trailing zero group
        _assertWide(hex"ff", false, 0); // ends early
    }

    function _assertWide(bytes memory _b, bool _ok, uint256 _v) internal pure {
        (bool ok, uint256 v,) = BatchWalker.readWideVarint(_b, 0, _b.length);
        assertEq(ok, _ok, "wide varint ok");
        if (_ok) assertEq(v, _v, "wide varint value");
    }

    function _assertVarint(bytes memory _b, bool _ok, uint256 _v) internal pure {
        (bool ok, uint256 v,) = BatchWalker.readVarint(_b, 0, _b.length);
        assertEq(ok, _ok, "varint ok");
        if (_ok) assertEq(v, _v, "varint value");
    }

    /// @notice Any bytes: locate never reverts and agrees with the plain reference walk below.
    function testFuzz_locate_matchesReference_succeeds(bytes memory _body, uint256 _counts) public pure {
        uint256 d = _counts & 0xff;
        uint256 s = (_counts >> 8) & 0xff;
        bytes memory batch = bytes.concat(_header(1, uint64(d), uint32(s)), hex"00000000000000000001", bytes20(0));
        batch = bytes.concat(batch, hex"01", new bytes(40), _body);
        _checkAgainstReference(batch, d, s, _counts >> 16);
    }

    /// @notice Bodies made of small block headers and short slots, where the interesting cases live.
    function testFuzz_locate_structuredBodies_matchesReference_succeeds(uint256 _seed, uint256 _counts) public pure {
        uint256 d = _counts % 6;
        uint256 s = (_counts >> 8) % 6;
        bytes memory body;
        uint256 seed = _seed;
        for (uint256 k; k < 12; ++k) {
            uint256 r = uint256(keccak256(abi.encode(seed, k)));
            if (r % 3 == 0) body = bytes.concat(body, _blockHeader(r >> 8 & 3, r >> 16 & 3, r >> 24 & 3));
            else if (r % 3 == 1) body = bytes.concat(body, bytes1(uint8(r >> 8 & 3)), bytes1(uint8(r >> 16)));
            else body = bytes.concat(body, bytes1(uint8(r >> 8)));
        }
        bytes memory batch =
            bytes.concat(_header(1, uint64(d), uint32(s)), _prelude(0, _noDict(), _defaultFees()), body);
        _checkAgainstReference(batch, d, s, _counts >> 16);
    }

    /// @notice Large bodies (several KB) of blocks with up to 40 slots, long runs of empty slots and
    ///         some long slots, so that the walker's word-at-a-time and four-at-a-time paths run.
    function testFuzz_locate_largeBodies_matchesReference_succeeds(uint256 _seed, uint256 _counts) public pure {
        bytes memory body = new bytes(12_000);
        uint256 len;
        uint256 announced;
        for (uint256 k; len < 8_000; ++k) {
            uint256 r = uint256(keccak256(abi.encode(_seed, k)));
            uint256 sc = r % 41;
            bytes memory h = _blockHeader(r >> 8 & 1, r >> 9 & 1, sc);
            for (uint256 m; m < h.length; ++m) {
                body[len++] = h[m];
            }
            announced += sc;
            for (uint256 q; q < sc; ++q) {
                uint256 pick = uint256(keccak256(abi.encode(r, q))) % 16;
                uint256 l = pick < 10 ? 0 : pick < 14 ? pick - 9 : pick == 14 ? 200 : 255;
                if (r >> 10 & 3 == 0) l = 0; // a block of empty slots: runs of zero length bytes
                body[len++] = bytes1(uint8(l));
                len += l; // slot bytes stay zero
            }
        }
        // Sometimes cut the body so that the last slots are truncated.
        if (_seed & 1 == 1) len -= (_seed >> 1) % 300;
        assembly ("memory-safe") {
            mstore(body, len)
        }
        uint256 d = _counts % 6;
        uint256 sCount = (announced * ((_counts >> 8) % 120)) / 100 + 1; // some beyond, some short
        bytes memory batch =
            bytes.concat(_header(1, uint64(d), uint32(sCount)), _prelude(0, _noDict(), _defaultFees()), body);
        _checkAgainstReference(batch, d, sCount, _counts >> 16);
        _checkAgainstReference(batch, d, sCount, d + sCount - 1); // the last message
    }

    function _checkAgainstReference(bytes memory _batch, uint256 _d, uint256 _s, uint256 _j) internal pure {
        if (_d + _s == 0) return;
        uint256 j = _j % (_d + _s);
        LocatedMessage memory a = BatchWalker.locate(_batch, j, 100, _d, _s);
        LocatedMessage memory b = _reference(_batch, j, 100, _d, _s);
        assertEq(a.isDelayed, b.isDelayed, "isDelayed");
        assertEq(a.delayedIndex, b.delayedIndex, "delayedIndex");
        assertEq(a.slotNumber, b.slotNumber, "slotNumber");
        assertEq(a.slotPresent, b.slotPresent, "slotPresent");
        assertEq(a.slotOffset, b.slotOffset, "slotOffset");
        assertEq(a.slotLength, b.slotLength, "slotLength");
    }

    struct Ref {
        LocatedMessage[] msgs;
        uint256 m;
        uint256 dLeft;
        uint256 sLeft;
        uint256 dNext;
        uint256 sNext;
        uint256 pos;
        uint256 blocks;
        bool stop;
    }

    /// @dev §5.6 read literally: list every message of the batch, then pick message j.
    function _reference(bytes memory _batch, uint256 _j, uint256 _before, uint256 _d, uint256 _s)
        internal
        pure
        returns (LocatedMessage memory)
    {
        Ref memory r;
        r.msgs = new LocatedMessage[](_d + _s);
        r.dLeft = _d;
        r.sLeft = _s;
        r.dNext = _before;
        Prelude memory p = BatchWalker.readPrelude(_batch);
        if (p.complete) {
            r.pos = p.blocksOffset;
            while (r.pos < _batch.length && !r.stop && r.blocks < BatchWalker.MAX_BLOCKS_PER_BATCH) {
                if (!_refBlock(_batch, r)) break;
            }
        }
        for (; r.dLeft > 0; --r.dLeft) {
            r.msgs[r.m].isDelayed = true;
            r.msgs[r.m++].delayedIndex = r.dNext++;
        }
        for (; r.sLeft > 0; --r.sLeft) {
            r.msgs[r.m++].slotNumber = r.sNext++;
        }
        return r.msgs[_j];
    }

    function _refBlock(bytes memory _batch, Ref memory _r) internal pure returns (bool) {
        uint256 len = _batch.length;
        bool ok;
        uint256 dd;
        uint256 sc;
        (ok,, _r.pos) = BatchWalker.readVarint(_batch, _r.pos, len);
        if (ok) (ok, dd, _r.pos) = BatchWalker.readVarint(_batch, _r.pos, len);
        if (ok) (ok, sc, _r.pos) = BatchWalker.readVarint(_batch, _r.pos, len);
        if (!ok) return false;
        ++_r.blocks;
        uint256 nd = dd < _r.dLeft ? dd : _r.dLeft;
        uint256 ns = sc < _r.sLeft ? sc : _r.sLeft;
        _r.dLeft -= nd;
        _r.sLeft -= ns;
        for (uint256 k; k < nd; ++k) {
            _r.msgs[_r.m].isDelayed = true;
            _r.msgs[_r.m++].delayedIndex = _r.dNext++;
        }
        for (uint256 k; k < sc; ++k) {
            uint256 pos = _r.pos;
            bool complete = !_r.stop && pos < len && pos + 1 + uint8(_batch[pos]) <= len;
            if (k < ns) {
                LocatedMessage memory l = _r.msgs[_r.m++];
                l.slotNumber = _r.sNext++;
                if (complete) {
                    l.slotPresent = true;
                    l.slotOffset = pos + 1;
                    l.slotLength = uint8(_batch[pos]);
                }
            } else {
                // A block announcing more slots than remain ends the body (§5.6 step 3).
                _r.stop = true;
                break;
            }
            if (!complete) _r.stop = true;
            else _r.pos = pos + 1 + uint8(_batch[pos]);
        }
        return true;
    }
}
