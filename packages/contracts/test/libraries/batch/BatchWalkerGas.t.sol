// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BatchWalker, LocatedMessage} from "../../../src/libraries/batch/BatchWalker.sol";
import {StfTestBase} from "../stf/StfTestBase.sol";

/// @title BatchWalkerGas_Test
/// @notice The cost of the §5.6 walk per block and per slot for several body shapes, printed with
///         `-vv` (figures for sizing a protocol bound on the walk; see the prover's gas tests). Each
///         case checks that the last slot is found where it is.
contract BatchWalkerGas_Test is StfTestBase {
    /// @dev `_reps` copies of `_unit`: whole blocks, or (`_slotsPerUnit` = 1 and `_slotUnits`) slots of
    ///      one block announced first. Then a last block with one one-byte slot.
    function _perUnit(string memory _name, bytes memory _unit, uint256 _reps, uint256 _slotsPerUnit, bool _slotUnits)
        internal
    {
        bytes memory body = new bytes(_unit.length * _reps);
        for (uint256 k; k < _reps; ++k) {
            for (uint256 m; m < _unit.length; ++m) {
                body[k * _unit.length + m] = _unit[m];
            }
        }
        bytes memory batch = bytes.concat(_header(1, 0, 0), _prelude(0, new address[](0), _defaultFees()));
        if (_slotUnits) batch = bytes.concat(batch, _blockHeader(0, 0, _reps));
        batch = bytes.concat(batch, body);
        batch = bytes.concat(batch, _blockHeader(0, 0, 1), hex"0101");
        uint256 slots = _reps * _slotsPerUnit + 1;
        uint256 g = gasleft();
        LocatedMessage memory l = BatchWalker.locate(batch, slots - 1, 0, 0, slots);
        g -= gasleft();
        emit log_named_uint(string.concat(_name, ": gas per unit"), g / _reps);
        emit log_named_uint(string.concat(_name, ": gas per byte"), g / (_reps * _unit.length));
        assertTrue(l.slotPresent, "the last slot is found");
        assertEq(l.slotNumber, slots - 1);
        assertEq(l.slotLength, 1);
        assertEq(l.slotOffset, batch.length - 1);
    }

    /// @dev Block shapes use 500 repetitions: the walk reads at most 512 block headers (§5.6).
    function test_walkCost_shapes() public {
        _perUnit("empty block 00 00 00", hex"000000", 500, 0, false);
        _perUnit("empty slot", hex"00", 2000, 1, true);
        _perUnit("one-byte slot 01 xx", hex"01ff", 2000, 1, true);
        _perUnit("block with one empty slot 00 00 01 00", hex"00000100", 500, 1, false);
        _perUnit("block with two empty slots", hex"0000020000", 500, 2, false);
        _perUnit("block, two-byte timestampDelta 80 01 00 00", hex"80010000", 500, 0, false);
        _perUnit(
            "block, two 10-byte varints and a zero", hex"ffffffffffffffffff018080808080808080800100", 200, 0, false
        );
    }
}
