// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Test } from "./Test.sol";

contract Counter {
    uint256 public count;
    address public lastCaller;

    error TooLarge(uint256 value);

    function add(uint256 value) external {
        if (value > 1000) revert TooLarge(value);
        count += value;
        lastCaller = msg.sender;
    }
}

/// @notice Checks the test base itself: cheatcodes reach forge, assertions fail when they should.
contract TestBase_Test is Test {
    Counter internal counter;

    function setUp() public {
        counter = new Counter();
    }

    function test_prank_setsCaller_succeeds() public {
        address alice = makeAddr("alice");
        vm.prank(alice);
        counter.add(1);
        assertEq(counter.lastCaller(), alice);
        assertEq(counter.count(), 1);
    }

    function test_expectRevert_customError_succeeds() public {
        vm.expectRevert(abi.encodeWithSelector(Counter.TooLarge.selector, 1001));
        counter.add(1001);
    }

    function test_assertEq_mismatch_reverts() public {
        vm.expectRevert(bytes("assertion failed: 1 != 2"));
        this.externalAssertEq(1, 2);
    }

    function externalAssertEq(uint256 a, uint256 b) external pure {
        assertEq(a, b);
    }

    function test_signAndRecover_succeeds() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        bytes32 digest = keccak256("hello");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        assertEq(ecrecover(digest, v, r, s), signer);
    }

    function testFuzz_bound_staysInRange(uint256 x, uint256 lo, uint256 span) public pure {
        lo = bound(lo, 0, type(uint128).max);
        span = bound(span, 0, type(uint64).max);
        uint256 y = bound(x, lo, lo + span);
        assertGe(y, lo);
        assertLe(y, lo + span);
    }
}
