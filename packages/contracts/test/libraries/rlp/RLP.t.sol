// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Test } from "../../base/Test.sol";
import { RLPCalldataItem, RLPItem, RLPReader } from "../../../src/libraries/rlp/RLPReader.sol";
import { RLPWriter } from "../../../src/libraries/rlp/RLPWriter.sol";

/// @notice External entry points for RLPReader, in memory and in calldata.
contract RLPHarness {
    function readBytes(bytes memory data) external pure returns (bytes memory) {
        return RLPReader.readBytes(data);
    }

    function readBytesCalldata(bytes calldata data) external pure returns (bytes memory) {
        return RLPReader.readBytesCalldata(data);
    }

    function readUint(bytes memory data) external pure returns (uint256) {
        return RLPReader.readUint256(RLPReader.toRLPItem(data));
    }

    function readUintCalldata(bytes calldata data) external pure returns (uint256) {
        return RLPReader.readUint256(RLPReader.toCalldataItem(data));
    }

    function readAddress(bytes memory data) external pure returns (address) {
        return RLPReader.readAddress(RLPReader.toRLPItem(data));
    }

    /// @dev The payloads of a flat list's elements.
    function readList(bytes memory data) external pure returns (bytes[] memory out) {
        RLPItem[] memory items = RLPReader.readList(data);
        out = new bytes[](items.length);
        for (uint256 i; i < items.length; ++i) {
            out[i] = RLPReader.readBytes(items[i]);
        }
    }

    function readListCalldata(bytes calldata data) external pure returns (bytes[] memory out) {
        RLPCalldataItem[] memory items = RLPReader.readListCalldata(data);
        out = new bytes[](items.length);
        for (uint256 i; i < items.length; ++i) {
            out[i] = RLPReader.readBytes(items[i]);
        }
    }

    /// @dev The raw encodings of a list's elements.
    function readRawList(bytes memory data) external pure returns (bytes[] memory out) {
        RLPItem[] memory items = RLPReader.readList(data);
        out = new bytes[](items.length);
        for (uint256 i; i < items.length; ++i) {
            out[i] = RLPReader.readRawBytes(items[i]);
        }
    }

    function readRawListCalldata(bytes calldata data) external pure returns (bytes[] memory out) {
        RLPCalldataItem[] memory items = RLPReader.readListCalldata(data);
        out = new bytes[](items.length);
        for (uint256 i; i < items.length; ++i) {
            out[i] = RLPReader.readRawBytes(items[i]);
        }
    }

    function isList(bytes memory data) external pure returns (bool) {
        return RLPReader.isList(RLPReader.toRLPItem(data));
    }
}

contract RLPWriter_Test is Test {
    function test_writeBytes_knownEncodings_succeeds() public pure {
        assertEq(RLPWriter.writeBytes(""), hex"80");
        assertEq(RLPWriter.writeBytes(hex"00"), hex"00");
        assertEq(RLPWriter.writeBytes(hex"7f"), hex"7f");
        assertEq(RLPWriter.writeBytes(hex"80"), hex"8180");
        assertEq(RLPWriter.writeBytes("dog"), hex"83646f67");
        bytes memory s55 = new bytes(55);
        assertEq(RLPWriter.writeBytes(s55), bytes.concat(hex"b7", s55));
        bytes memory s56 = new bytes(56);
        assertEq(RLPWriter.writeBytes(s56), bytes.concat(hex"b838", s56));
        bytes memory s1024 = new bytes(1024);
        assertEq(RLPWriter.writeBytes(s1024), bytes.concat(hex"b90400", s1024));
    }

    function test_writeUint_knownEncodings_succeeds() public pure {
        assertEq(RLPWriter.writeUint(0), hex"80");
        assertEq(RLPWriter.writeUint(15), hex"0f");
        assertEq(RLPWriter.writeUint(0x7f), hex"7f");
        assertEq(RLPWriter.writeUint(0x80), hex"8180");
        assertEq(RLPWriter.writeUint(1024), hex"820400");
        assertEq(
            RLPWriter.writeUint(type(uint256).max),
            hex"a0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
        );
    }

    function test_writeList_knownEncodings_succeeds() public pure {
        assertEq(RLPWriter.writeList(new bytes[](0)), hex"c0");
        bytes[] memory items = new bytes[](2);
        items[0] = RLPWriter.writeBytes("cat");
        items[1] = RLPWriter.writeBytes("dog");
        assertEq(RLPWriter.writeList(items), hex"c88363617483646f67");
        // The set-theoretical representation of three: [ [], [[]], [ [], [[]] ] ].
        bytes[] memory three = new bytes[](3);
        three[0] = hex"c0";
        three[1] = hex"c1c0";
        three[2] = hex"c3c0c1c0";
        assertEq(RLPWriter.writeList(three), hex"c7c0c1c0c3c0c1c0");
        // A long list: header 0xf8 + length.
        bytes[] memory long = new bytes[](1);
        long[0] = RLPWriter.writeBytes(new bytes(60));
        assertEq(RLPWriter.writeList(long)[0], bytes1(0xf8));
        assertEq(uint8(RLPWriter.writeList(long)[1]), 62);
    }

    function test_writeAddressAndBool_succeeds() public pure {
        assertEq(
            RLPWriter.writeAddress(address(0xaa)),
            hex"94" hex"00000000000000000000000000000000000000aa"
        );
        assertEq(RLPWriter.writeBool(true), hex"01");
        assertEq(RLPWriter.writeBool(false), hex"80");
    }

    function test_writeBytes_singleByte_returnsCopy() public pure {
        bytes memory input = hex"05";
        bytes memory out = RLPWriter.writeBytes(input);
        out[0] = 0x06;
        assertEq(input, hex"05");
    }
}

contract RLPReader_Test is Test {
    RLPHarness internal rlp;

    function setUp() public {
        rlp = new RLPHarness();
    }

    function test_readBytes_knownEncodings_succeeds() public view {
        assertEq(rlp.readBytes(hex"80"), "");
        assertEq(rlp.readBytes(hex"00"), hex"00");
        assertEq(rlp.readBytes(hex"7f"), hex"7f");
        assertEq(rlp.readBytes(hex"8180"), hex"80");
        assertEq(rlp.readBytes(hex"83646f67"), "dog");
        assertEq(rlp.readBytesCalldata(hex"83646f67"), "dog");
        bytes memory s56 = new bytes(56);
        s56[55] = 0x01;
        assertEq(rlp.readBytes(bytes.concat(hex"b838", s56)), s56);
        assertEq(rlp.readBytesCalldata(bytes.concat(hex"b838", s56)), s56);
    }

    function test_readUint_knownEncodings_succeeds() public view {
        assertEq(rlp.readUint(hex"80"), 0);
        assertEq(rlp.readUint(hex"0f"), 15);
        assertEq(rlp.readUint(hex"820400"), 1024);
        assertEq(rlp.readUintCalldata(hex"820400"), 1024);
        assertEq(
            rlp.readUint(hex"a0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"), type(uint256).max
        );
    }

    function test_readList_knownEncodings_succeeds() public view {
        bytes[] memory items = rlp.readList(hex"c88363617483646f67");
        assertEq(items.length, 2);
        assertEq(items[0], "cat");
        assertEq(items[1], "dog");
        items = rlp.readListCalldata(hex"c88363617483646f67");
        assertEq(items.length, 2);
        assertEq(items[1], "dog");
        assertEq(rlp.readList(hex"c0").length, 0);
        bytes[] memory raw = rlp.readRawList(hex"c7c0c1c0c3c0c1c0");
        assertEq(raw.length, 3);
        assertEq(raw[2], hex"c3c0c1c0");
        raw = rlp.readRawListCalldata(hex"c7c0c1c0c3c0c1c0");
        assertEq(raw[1], hex"c1c0");
        assertTrue(rlp.isList(hex"c0"));
        assertFalse(rlp.isList(hex"80"));
    }

    function test_readAddress_succeeds() public {
        assertEq(rlp.readAddress(hex"94" hex"00000000000000000000000000000000000000aa"), address(0xaa));
        vm.expectRevert(RLPReader.RLPInvalidAddress.selector);
        rlp.readAddress(hex"8200aa");
    }

    // ------------------------------------------------------------------ strictness

    function test_readBytes_empty_reverts() public {
        vm.expectRevert(RLPReader.RLPEmptyItem.selector);
        rlp.readBytes("");
        vm.expectRevert(RLPReader.RLPEmptyItem.selector);
        rlp.readBytesCalldata("");
    }

    function test_readBytes_singleByteBelow0x80WithHeader_reverts() public {
        vm.expectRevert(RLPReader.RLPNonCanonical.selector);
        rlp.readBytes(hex"8100");
        vm.expectRevert(RLPReader.RLPNonCanonical.selector);
        rlp.readBytesCalldata(hex"817f");
    }

    function test_readBytes_longFormForShortString_reverts() public {
        // 55 bytes must use the short form 0xb7.
        vm.expectRevert(RLPReader.RLPNonCanonical.selector);
        rlp.readBytes(bytes.concat(hex"b837", new bytes(55)));
    }

    function test_readBytes_lengthWithLeadingZero_reverts() public {
        vm.expectRevert(RLPReader.RLPNonCanonical.selector);
        rlp.readBytes(bytes.concat(hex"b90038", new bytes(56)));
    }

    function test_readList_longFormForShortList_reverts() public {
        vm.expectRevert(RLPReader.RLPNonCanonical.selector);
        rlp.readList(hex"f80180");
    }

    function test_readBytes_truncated_reverts() public {
        vm.expectRevert(RLPReader.RLPItemOutOfBounds.selector);
        rlp.readBytes(hex"83646f");
        vm.expectRevert(RLPReader.RLPItemOutOfBounds.selector);
        rlp.readBytesCalldata(hex"83646f");
        vm.expectRevert(RLPReader.RLPItemOutOfBounds.selector);
        rlp.readBytes(hex"b9");
    }

    function test_readBytes_trailingBytes_reverts() public {
        vm.expectRevert(RLPReader.RLPLengthMismatch.selector);
        rlp.readBytes(hex"83646f6700");
        vm.expectRevert(RLPReader.RLPLengthMismatch.selector);
        rlp.readList(hex"c0c0");
    }

    function test_readList_elementOverrunsList_reverts() public {
        // The list's 3 payload bytes hold an element that needs 4.
        vm.expectRevert(RLPReader.RLPItemOutOfBounds.selector);
        rlp.readList(hex"c383646f");
    }

    function test_readList_nonCanonicalElements_reverts() public {
        // Memory (Yul fast path) and calldata (shared header decoder) must agree on every case.
        bytes[4] memory bad = [
            bytes(hex"c28100"), // a single byte below 0x80 with a header
            hex"c3b80161", // long form for a 1-byte string
            bytes.concat(hex"f83b", hex"b90038", new bytes(56)), // length with a leading zero
            hex"c3f80180" // long form for a short list
        ];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(RLPReader.RLPNonCanonical.selector);
            rlp.readRawList(bad[i]);
            vm.expectRevert(RLPReader.RLPNonCanonical.selector);
            rlp.readRawListCalldata(bad[i]);
        }
    }

    function test_readList_elementHeaderOverrunsList_reverts() public {
        vm.expectRevert(RLPReader.RLPItemOutOfBounds.selector);
        rlp.readRawList(hex"c2b901");
        vm.expectRevert(RLPReader.RLPItemOutOfBounds.selector);
        rlp.readRawListCalldata(hex"c2b901");
    }

    function test_readList_ofBytes_reverts() public {
        vm.expectRevert(RLPReader.RLPNotAList.selector);
        rlp.readList(hex"83646f67");
    }

    function test_readBytes_ofList_reverts() public {
        vm.expectRevert(RLPReader.RLPNotBytes.selector);
        rlp.readBytes(hex"c0");
    }

    function test_readUint_leadingZero_reverts() public {
        vm.expectRevert(RLPReader.RLPInvalidUint.selector);
        rlp.readUint(hex"820001");
        vm.expectRevert(RLPReader.RLPInvalidUint.selector);
        rlp.readUintCalldata(hex"820001");
    }

    function test_readUint_tooLong_reverts() public {
        vm.expectRevert(RLPReader.RLPInvalidUint.selector);
        rlp.readUint(bytes.concat(hex"a1", new bytes(33)));
    }

    // ------------------------------------------------------------------ round trips

    function testFuzz_writeBytes_readBytes_roundTrips(bytes memory data) public view {
        bytes memory encoded = RLPWriter.writeBytes(data);
        assertEq(rlp.readBytes(encoded), data);
        assertEq(rlp.readBytesCalldata(encoded), data);
    }

    function testFuzz_writeUint_readUint_roundTrips(uint256 value) public view {
        bytes memory encoded = RLPWriter.writeUint(value);
        assertEq(rlp.readUint(encoded), value);
        assertEq(rlp.readUintCalldata(encoded), value);
    }

    function testFuzz_writeList_readList_roundTrips(bytes memory a, bytes memory b, uint256 c) public view {
        bytes[] memory items = new bytes[](3);
        items[0] = RLPWriter.writeBytes(a);
        items[1] = RLPWriter.writeBytes(b);
        items[2] = RLPWriter.writeUint(c);
        bytes memory encoded = RLPWriter.writeList(items);
        bytes[] memory decoded = rlp.readList(encoded);
        assertEq(decoded.length, 3);
        assertEq(decoded[0], a);
        assertEq(decoded[1], b);
        bytes[] memory raw = rlp.readRawListCalldata(encoded);
        assertEq(raw[2], items[2]);
    }

    /// @dev Any input the reader accepts re-encodes to itself (only canonical encodings decode).
    function testFuzz_readBytes_acceptedInputIsCanonical(bytes memory data) public view {
        try rlp.readBytes(data) returns (bytes memory payload) {
            assertEq(RLPWriter.writeBytes(payload), data);
        } catch { }
    }

    /// @dev Lists: memory and calldata decoding accept the same inputs, and accepted ones re-encode to themselves.
    function testFuzz_readList_acceptedInputIsCanonical(bytes1 prefix, bytes memory tail) public view {
        // A list header that fits the tail when it can, so that the elements are what gets tested.
        bytes memory data =
            tail.length < 56 ? bytes.concat(bytes1(uint8(0xc0 + tail.length)), tail) : bytes.concat(prefix, tail);
        bool memoryOk;
        bytes[] memory raw;
        try rlp.readRawList(data) returns (bytes[] memory r) {
            memoryOk = true;
            raw = r;
            assertEq(RLPWriter.writeList(r), data);
        } catch { }
        try rlp.readRawListCalldata(data) returns (bytes[] memory r) {
            assertTrue(memoryOk, "calldata accepted what memory refused");
            assertEq(r.length, raw.length);
        } catch {
            assertFalse(memoryOk, "memory accepted what calldata refused");
        }
    }

    function testFuzz_readList_ofEncodedItems_acceptsAndMatches(bytes memory a, bytes memory b) public view {
        bytes[] memory items = new bytes[](2);
        items[0] = RLPWriter.writeBytes(a);
        items[1] = RLPWriter.writeList(items); // nested: [a]
        bytes memory data = RLPWriter.writeList(items);
        bytes[] memory raw = rlp.readRawList(data);
        assertEq(raw[0], items[0]);
        assertEq(raw[1], items[1]);
        assertEq(rlp.readRawListCalldata(data)[1], items[1]);
        assertEq(rlp.readBytes(RLPWriter.writeBytes(b)), b);
    }

    function testFuzz_readBytes_acceptedShortInputIsCanonical(bytes4 prefix, bytes memory tail) public view {
        bytes memory data = bytes.concat(prefix, tail);
        try rlp.readBytes(data) returns (bytes memory payload) {
            assertEq(RLPWriter.writeBytes(payload), data);
        } catch { }
    }
}
