// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { BatchWalker, LocatedMessage } from "../../../src/libraries/batch/BatchWalker.sol";
import { StfTestBase } from "../stf/StfTestBase.sol";

contract WalkGasProbe_Test is StfTestBase {
    function test_probe() public {
        bytes memory pre = bytes.concat(_header(1, 0, 0), _prelude(0, new address[](0), _defaultFees()));
        // empty slots
        uint256 n = 99_000;
        bytes memory b = bytes.concat(pre, _blockHeader(0, 0, n), new bytes(n));
        uint256 g = gasleft();
        LocatedMessage memory l = BatchWalker.locate(b, n - 1, 0, 0, n);
        emit log_named_uint("empty slots walk gas", g - gasleft());
        assertTrue(l.slotPresent);
        // empty blocks
        b = bytes.concat(pre, new bytes(99_000), _blockHeader(0, 0, 1), hex"00");
        g = gasleft();
        l = BatchWalker.locate(b, 0, 0, 0, 1);
        emit log_named_uint("empty blocks walk gas", g - gasleft());
        assertTrue(l.slotPresent);
    }
}
