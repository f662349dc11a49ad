// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice The fixed-width dictionaries of a version-1 batch body (protocol.md §5.4), as offsets into
///         the batch bytes. Only meaningful when `complete` is true.
struct Prelude {
    /// @notice Whether the whole prelude lies inside the batch (otherwise the body has no blocks).
    bool complete;
    /// @notice Offset of the first 20-byte address of the address dictionary.
    uint256 addressesOffset;
    /// @notice Number of entries of the address dictionary.
    uint256 addressCount;
    /// @notice Offset of the first 40-byte fee entry.
    uint256 feesOffset;
    /// @notice Number of fee entries.
    uint256 feeCount;
    /// @notice Offset of the first block header (the end of the prelude).
    uint256 blocksOffset;
}

/// @notice Where message `j` of a batch comes from (protocol.md §5.6).
struct LocatedMessage {
    /// @notice True: a delayed message (`delayedIndex`); false: a transaction slot.
    bool isDelayed;
    /// @notice Index of the delayed message in the Portal's numbering (when `isDelayed`).
    uint256 delayedIndex;
    /// @notice Slot number within the batch (when not `isDelayed`).
    uint256 slotNumber;
    /// @notice Whether the slot's bytes are complete inside the batch; false: an empty slot.
    bool slotPresent;
    /// @notice Offset of the slot's first byte (after its length byte) in the batch.
    uint256 slotOffset;
    /// @notice Length of the slot's bytes.
    uint256 slotLength;
}

/// @title BatchWalker
/// @notice Total walk of a Sluice batch (protocol.md §5.2–§5.6): header, prelude, block headers and
///         slot lengths, to locate message `j` of the batch. Any bytes give an answer; nothing here
///         reverts on batch content.
/// @dev    The batch is in memory. Every read is bounds-checked against `batch.length` first. The
///         block/slot loop is written in assembly because a hostile batch of 100,000 bytes can hold
///         ~100,000 one-byte slots or ~33,000 three-byte blocks: runs of empty slots are skipped a
///         word (32 slots) at a time, other slots four at a time, runs of empty blocks ten at a
///         time (measured: ≈ 6 gas per empty slot, ≈ 3 gas per byte of empty blocks, ≈ 32 gas per
///         byte of two-byte slots). A block header that is not part of such a run costs ≈ 300–420
///         gas, and one with multi-byte varints ≈ 1,300–3,900 gas: a body made only of such blocks
///         exceeds the hard bound of §8.4 (see OneStepProverGas_Test), which needs a protocol cap
///         on the number of blocks read per batch.
library BatchWalker {
    /// @notice Length of the batch header: version (1), delayedCountAfter (8), slotCount (4).
    uint256 internal constant HEADER_LENGTH = 13;
    /// @notice At most this many block headers are read from a body (protocol.md §5.6 step 3); with
    ///         the inbox's one slot per 64 body bytes it bounds the walk, and so the proof's gas (§8.4).
    uint256 internal constant MAX_BLOCKS_PER_BATCH = 512;
    /// @notice Version byte of a sequencer batch (a body follows the header).
    uint8 internal constant VERSION_SEQUENCER = 1;

    /// @notice Reads the 13-byte header. `ok` is false when the batch is shorter than 13 bytes.
    function readHeader(bytes memory _batch)
        internal
        pure
        returns (bool ok_, uint8 version_, uint64 delayedCountAfter_, uint32 slotCount_)
    {
        if (_batch.length < HEADER_LENGTH) return (false, 0, 0, 0);
        uint256 word;
        assembly ("memory-safe") {
            word := mload(add(_batch, 0x20))
        }
        ok_ = true;
        version_ = uint8(word >> 248);
        delayedCountAfter_ = uint64(word >> 184);
        slotCount_ = uint32(word >> 152);
    }

    /// @notice Reads the prelude (§5.4). Incomplete when the batch is not a version-1 batch or its
    ///         body ends inside the prelude (§5.6 step 2: then the body has no blocks).
    function readPrelude(bytes memory _batch) internal pure returns (Prelude memory prelude_) {
        if (_batch.length < HEADER_LENGTH) return prelude_;
        if (uint8(_batch[0]) != VERSION_SEQUENCER) return prelude_;
        return readPreludeAt(_batch, HEADER_LENGTH);
    }

    /// @notice Reads a prelude (§5.4) that starts at `_pos` of `_data` and must end by `_data.length`
    ///         (a version-1 batch: after the header; a version-2 blob body: at 0, protocol.md §5.7).
    ///         Incomplete when `_data` ends inside it.
    function readPreludeAt(bytes memory _data, uint256 _pos) internal pure returns (Prelude memory prelude_) {
        uint256 len = _data.length;
        // baseTimestamp (8) and addressCount (2)
        uint256 pos = _pos;
        if (len < pos + 10) return prelude_;
        uint256 addressCount = (uint256(uint8(_data[pos + 8])) << 8) | uint256(uint8(_data[pos + 9]));
        uint256 addressesOffset = pos + 10;
        pos = addressesOffset + 20 * addressCount;
        if (len < pos + 1) return prelude_;
        uint256 feeCount = uint8(_data[pos]);
        uint256 feesOffset = pos + 1;
        pos = feesOffset + 40 * feeCount;
        if (len < pos) return prelude_;
        prelude_ = Prelude({
            complete: true,
            addressesOffset: addressesOffset,
            addressCount: addressCount,
            feesOffset: feesOffset,
            feeCount: feeCount,
            blocksOffset: pos
        });
    }

    /// @notice Locates message `_j` (0 ≤ `_j` < `_delayedCount` + `_slotCount`) of a batch that holds
    ///         `_delayedCount` delayed messages (D_b) and `_slotCount` slots (S_b), whose first delayed
    ///         message is `_delayedBefore` (delayedCount[b−1]). Follows §5.6 steps 1–4 exactly.
    /// @dev    The caller guarantees `_j < _delayedCount + _slotCount`; a larger `_j` would be read as
    ///         an empty slot of the implicit last block.
    function locate(bytes memory _batch, uint256 _j, uint256 _delayedBefore, uint256 _delayedCount, uint256 _slotCount)
        internal
        pure
        returns (LocatedMessage memory loc_)
    {
        Prelude memory prelude = readPrelude(_batch);
        // w = [found, a, slotPos, slotLen, dLeft, sLeft]; found 0: not in a block read from the
        // body, 1: delayed (a = index within the batch), 2: slot present, 3: slot empty (a = slot
        // number). Inputs: w[0] = _j, w[4] = D_b, w[5] = S_b.
        uint256[6] memory w;
        w[0] = _j;
        w[4] = _delayedCount;
        w[5] = _slotCount;
        if (prelude.complete) {
            _walk(_batch, prelude.blocksOffset, w);
        } else {
            w[0] = 0;
        }
        uint256 dTaken = _delayedCount - w[4];
        uint256 sTaken = _slotCount - w[5];
        if (w[0] == 1) {
            loc_.isDelayed = true;
            loc_.delayedIndex = _delayedBefore + dTaken + w[1];
            return loc_;
        }
        if (w[0] >= 2) {
            loc_.slotNumber = sTaken + w[1];
            if (w[0] == 2) {
                loc_.slotPresent = true;
                loc_.slotOffset = w[2];
                loc_.slotLength = w[3];
            }
            return loc_;
        }
        // §5.6 step 4: the implicit last block takes the remaining delayed messages, then empty slots.
        uint256 rest = _j - dTaken - sTaken;
        if (rest < w[4]) {
            loc_.isDelayed = true;
            loc_.delayedIndex = _delayedBefore + dTaken + rest;
        } else {
            loc_.slotNumber = sTaken + (rest - w[4]);
        }
    }

    /// @dev §5.6 step 3 from the first block header at `_pos`, until message j (= w[0] on entry) is
    ///      found or reading stops. On exit: w[0] = found (see `locate`); w[1] = the message's index
    ///      among the delayed messages / slots of its block; w[2], w[3] = slot offset and length;
    ///      w[4], w[5] = delayed messages and slots left (dLeft, sLeft) before message j's place
    ///      (after its block's delayed messages when j is a slot of that block).
    function _walk(bytes memory _batch, uint256 _pos, uint256[6] memory _w) private pure {
        assembly ("memory-safe") {
            // Canonical varint at p (§1): ≤ 10 bytes, value < 2^64, no trailing 0x00 group.
            function varint(b, p, e) -> ok, v, np {
                np := p
                let shift := 0
                for {} 1 {} {
                    if iszero(lt(np, e)) { leave } // ended early: ok = 0
                    let c := byte(0, mload(add(b, np)))
                    np := add(np, 1)
                    v := or(v, shl(shift, and(c, 0x7f)))
                    if iszero(and(c, 0x80)) {
                        // last byte: not 0x00 unless it is the only byte; value < 2^64
                        if iszero(or(and(iszero(c), gt(shift, 0)), shr(64, v))) { ok := 1 }
                        leave
                    }
                    shift := add(shift, 7)
                    if eq(shift, 70) { leave } // more than 10 bytes
                }
            }
            // A block header the slow way: timestampDelta (ignored), delayedDelta, slotCount.
            function header(b, p, e) -> ok, dd, sc, np {
                ok, dd, np := varint(b, p, e)
                if iszero(ok) { leave }
                ok, dd, np := varint(b, np, e)
                if iszero(ok) { leave }
                ok, sc, np := varint(b, np, e)
            }

            // Skips n slots from p. Returns the position after them and how many could not be skipped
            // (the body ended first); np > e when the last one skipped runs past the end.
            function skip(b, p, e, n) -> np, left {
                np := p
                left := n
                if gt(left, 3) {
                    // 32 empty slots at a time while the next word is all zero length bytes.
                    for {} gt(left, 31) {} {
                        if gt(add(np, 32), e) { break }
                        if mload(add(b, np)) { break }
                        np := add(np, 32)
                        left := sub(left, 32)
                    }
                    // Four slots at a time while they cannot reach the end (each ≤ 256 bytes).
                    for {} and(gt(left, 3), lt(add(np, 1024), e)) {} {
                        np := add(add(np, 1), byte(0, mload(add(b, np))))
                        np := add(add(np, 1), byte(0, mload(add(b, np))))
                        np := add(add(np, 1), byte(0, mload(add(b, np))))
                        np := add(add(np, 1), byte(0, mload(add(b, np))))
                        left := sub(left, 4)
                    }
                }
                for {} left { left := sub(left, 1) } {
                    if iszero(lt(np, e)) { break }
                    np := add(add(np, 1), byte(0, mload(add(b, np))))
                }
            }

            let end := mload(_batch)
            let base := add(_batch, 0x20)
            let rel := mload(_w) // j − messages taken so far
            mstore(_w, 0)
            let dLeft := mload(add(_w, 0x80))
            let sLeft := mload(add(_w, 0xa0))
            let state := 0 // 0: j not in a block read from the body; 1: j is delayed; 2: j is a slot
            // Block headers read, at most MAX_BLOCKS_PER_BATCH (§5.6 step 3). Kept in scratch memory
            // (0x00) rather than a local: the walk is at the stack limit.
            mstore(0, 0)
            for {} lt(_pos, end) {} {
                if eq(mload(0), MAX_BLOCKS_PER_BATCH) { break }
                mstore(0, add(mload(0), 1))
                let dd
                let sc
                {
                    // Fast path: three one-byte varints, all inside the batch.
                    let h := mload(add(base, _pos))
                    switch or(
                        and(h, 0x8080800000000000000000000000000000000000000000000000000000000000),
                        gt(add(_pos, 3), end)
                    )
                    case 0 {
                        dd := byte(1, h)
                        sc := byte(2, h)
                        _pos := add(_pos, 3)
                    }
                    default {
                        let ok
                        ok, dd, sc, _pos := header(base, _pos, end)
                        if iszero(ok) { break }
                    }
                }
                if iszero(or(dd, sc)) {
                    // An empty block: skip the run of empty blocks after it (timestampDelta < 0x80,
                    // delayedDelta 0, slotCount 0), ten at a time, then one at a time.
                    for {} 1 {} {
                        if gt(add(mload(0), 10), MAX_BLOCKS_PER_BATCH) { break }
                        if gt(add(_pos, 30), end) { break }
                        if and(
                            mload(add(base, _pos)),
                            0x80ffff80ffff80ffff80ffff80ffff80ffff80ffff80ffff80ffff80ffff0000
                        ) { break }
                        _pos := add(_pos, 30)
                        mstore(0, add(mload(0), 10))
                    }
                    for {} 1 {} {
                        if eq(mload(0), MAX_BLOCKS_PER_BATCH) { break }
                        if gt(add(_pos, 3), end) { break }
                        if and(
                            mload(add(base, _pos)),
                            0x80ffff0000000000000000000000000000000000000000000000000000000000
                        ) {
                            break
                        }
                        _pos := add(_pos, 3)
                        mstore(0, add(mload(0), 1))
                    }
                    continue
                }
                if dd {
                    // nd = min(delayedDelta, dLeft): the block's delayed messages come first.
                    if gt(dd, dLeft) { dd := dLeft }
                    if lt(rel, dd) {
                        state := 1
                        break
                    }
                    rel := sub(rel, dd)
                    dLeft := sub(dLeft, dd)
                }
                if sc {
                    // ns = min(slotCount, sLeft).
                    let ns := sc
                    if gt(ns, sLeft) { ns := sLeft }
                    if lt(rel, ns) {
                        state := 2 // j's slot is in this block; _pos is at its first slot
                        break
                    }
                    rel := sub(rel, ns)
                    sLeft := sub(sLeft, ns)
                    // A block announcing more slots than remain ends the body (§5.6 step 3): the
                    // walk never skips slots that are not messages.
                    if gt(sc, ns) { break }
                    // Skip the block's slots; stop when truncated (a slot runs past the end).
                    switch sc
                    case 1 {
                        if iszero(lt(_pos, end)) { break }
                        _pos := add(add(_pos, 1), byte(0, mload(add(base, _pos))))
                        if gt(_pos, end) { break }
                    }
                    default {
                        _pos, sc := skip(base, _pos, end, sc)
                        if or(sc, gt(_pos, end)) { break }
                    }
                }
            }
            switch state
            case 1 {
                mstore(_w, 1)
                mstore(add(_w, 0x20), rel)
            }
            case 2 {
                // Skip the rel slots before j's, then read j's length byte.
                let k
                _pos, k := skip(base, _pos, end, rel)
                mstore(_w, 3)
                mstore(add(_w, 0x20), rel)
                if iszero(or(or(k, gt(_pos, end)), iszero(lt(_pos, end)))) {
                    let l := byte(0, mload(add(base, _pos)))
                    if iszero(gt(add(add(_pos, 1), l), end)) {
                        mstore(_w, 2)
                        mstore(add(_w, 0x40), add(_pos, 1))
                        mstore(add(_w, 0x60), l)
                    }
                }
            }
            mstore(add(_w, 0x80), dLeft)
            mstore(add(_w, 0xa0), sLeft)
        }
    }

    /// @notice Reads a canonical varint (§1: at most 10 bytes, value < 2^64) at `_pos`, not past
    ///         `_end`. Total: `ok_` false on failure.
    function readVarint(bytes memory _data, uint256 _pos, uint256 _end)
        internal
        pure
        returns (bool ok_, uint256 value_, uint256 next_)
    {
        return _readLeb128(_data, _pos, _end, 64);
    }

    /// @notice Reads a canonical wide varint (§1: up to 37 bytes, value < 2^256; a value's mantissa)
    ///         at `_pos`, not past `_end`. Total: `ok_` false on failure.
    function readWideVarint(bytes memory _data, uint256 _pos, uint256 _end)
        internal
        pure
        returns (bool ok_, uint256 value_, uint256 next_)
    {
        return _readLeb128(_data, _pos, _end, 256);
    }

    /// @dev Canonical LEB128 below 2^`_bits`: no bit at or above 2^`_bits` (so at most ⌈_bits/7⌉
    ///      bytes), and no trailing 0x00 group unless it is the only byte.
    function _readLeb128(bytes memory _data, uint256 _pos, uint256 _end, uint256 _bits)
        private
        pure
        returns (bool ok_, uint256 value_, uint256 next_)
    {
        if (_end > _data.length) _end = _data.length;
        next_ = _pos;
        uint256 shift;
        while (true) {
            if (next_ >= _end) return (false, 0, next_);
            uint256 c = uint8(_data[next_]);
            ++next_;
            uint256 group = c & 0x7f;
            // Only the last possible byte can carry bits at or above 2^_bits; they must be zero.
            if (shift + 7 > _bits && group >> (_bits - shift) != 0) return (false, 0, next_);
            value_ |= group << shift;
            if (c & 0x80 == 0) {
                if (c == 0 && shift > 0) return (false, 0, next_);
                return (true, value_, next_);
            }
            shift += 7;
            if (shift >= _bits) return (false, 0, next_);
        }
    }
}
