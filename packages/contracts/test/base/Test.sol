// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Vm
/// @notice The subset of forge's cheatcodes that Sluice's tests use. forge-std from npm is an old,
///         broken copy, so we declare what we need ourselves (signatures as in forge-std's Vm.sol).
interface Vm {
    // Environment
    function warp(uint256 newTimestamp) external;
    function roll(uint256 newHeight) external;
    function fee(uint256 newBasefee) external;
    function chainId(uint256 newChainId) external;
    function deal(address account, uint256 newBalance) external;
    function etch(address target, bytes calldata newRuntimeBytecode) external;
    function store(address target, bytes32 slot, bytes32 value) external;
    function load(address target, bytes32 slot) external view returns (bytes32 data);
    function setNonce(address account, uint64 newNonce) external;
    function getNonce(address account) external view returns (uint64 nonce);
    function blobhashes(bytes32[] calldata hashes) external;
    function blobBaseFee(uint256 newBlobBaseFee) external;
    function txGasPrice(uint256 newGasPrice) external;

    // Callers
    function prank(address msgSender) external;
    function prank(address msgSender, address txOrigin) external;
    function startPrank(address msgSender) external;
    function startPrank(address msgSender, address txOrigin) external;
    function stopPrank() external;

    // Expectations
    function expectRevert() external;
    function expectRevert(bytes calldata revertData) external;
    function expectRevert(bytes4 revertData) external;
    function expectEmit() external;
    function expectEmit(address emitter) external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData) external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData, address emitter)
        external;
    function expectCall(address callee, bytes calldata data) external;
    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory logs);

    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    // Keys and signing
    function addr(uint256 privateKey) external pure returns (address keyAddr);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function label(address account, string calldata newLabel) external;

    // Snapshots
    function snapshotState() external returns (uint256 snapshotId);
    function revertToState(uint256 snapshotId) external returns (bool success);

    // Gas
    function pauseGasMetering() external;
    function resumeGasMetering() external;

    // Fuzzing
    function assume(bool condition) external pure;

    // Files and JSON
    function readFile(string calldata path) external view returns (string memory data);
    function projectRoot() external view returns (string memory path);
    function ffi(string[] calldata commandInput) external returns (bytes memory result);
    function parseJson(string calldata json, string calldata key) external pure returns (bytes memory abiEncodedData);
    function parseJsonBytes(string calldata json, string calldata key) external pure returns (bytes memory);
    function parseJsonBytesArray(string calldata json, string calldata key) external pure returns (bytes[] memory);
    function parseJsonBytes32(string calldata json, string calldata key) external pure returns (bytes32);
    function parseJsonBytes32Array(string calldata json, string calldata key)
        external
        pure
        returns (bytes32[] memory);
    function parseJsonUint(string calldata json, string calldata key) external pure returns (uint256);
    function parseJsonUintArray(string calldata json, string calldata key) external pure returns (uint256[] memory);
    function parseJsonInt(string calldata json, string calldata key) external pure returns (int256);
    function parseJsonBool(string calldata json, string calldata key) external pure returns (bool);
    function parseJsonAddress(string calldata json, string calldata key) external pure returns (address);
    function parseJsonString(string calldata json, string calldata key) external pure returns (string memory);
    function parseJsonKeys(string calldata json, string calldata key) external pure returns (string[] memory keys);
    function parseJsonType(string calldata json, string calldata key, string calldata typeDescription)
        external
        pure
        returns (bytes memory);
    function parseJsonTypeArray(string calldata json, string calldata key, string calldata typeDescription)
        external
        pure
        returns (bytes memory);
    function keyExistsJson(string calldata json, string calldata key) external view returns (bool);

    // Strings
    function toString(uint256 value) external pure returns (string memory);
    function toString(int256 value) external pure returns (string memory);
    function toString(address value) external pure returns (string memory);
    function toString(bytes32 value) external pure returns (string memory);
    function toString(bytes calldata value) external pure returns (string memory);
    function toString(bool value) external pure returns (string memory);
}

/// @title Test
/// @notice A small test base for forge: cheatcodes, assertions, fuzz helpers and invariant targets.
abstract contract Test {
    /// @notice The cheatcode address: address(uint160(uint256(keccak256("hevm cheat code")))).
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @notice forge reads this to recognise a test contract.
    bool public IS_TEST = true;

    address[] private _targetedContracts;

    /// @notice forge prints these events in traces and with -vv (DSTest-style logging).
    event log(string message);
    event log_named_uint(string key, uint256 val);
    event log_named_bytes32(string key, bytes32 val);
    event log_named_bytes(string key, bytes val);
    event log_named_address(string key, address val);
    event log_named_string(string key, string val);

    /// @dev Failure in this framework is a revert with a message (forge reports it).
    function fail(string memory message) internal pure {
        revert(message);
    }

    // ------------------------------------------------------------------ assertions

    function assertTrue(bool condition) internal pure {
        if (!condition) fail("assertion failed: expected true");
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) fail(message);
    }

    function assertFalse(bool condition) internal pure {
        if (condition) fail("assertion failed: expected false");
    }

    function assertFalse(bool condition, string memory message) internal pure {
        if (condition) fail(message);
    }

    function assertEq(bool a, bool b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(bool a, bool b, string memory message) internal pure {
        if (a != b) fail(_msg(message, string.concat(_s(a), " != ", _s(b))));
    }

    function assertEq(uint256 a, uint256 b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(uint256 a, uint256 b, string memory message) internal pure {
        if (a != b) fail(_msg(message, string.concat(vm.toString(a), " != ", vm.toString(b))));
    }

    function assertEq(int256 a, int256 b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(int256 a, int256 b, string memory message) internal pure {
        if (a != b) fail(_msg(message, string.concat(vm.toString(a), " != ", vm.toString(b))));
    }

    function assertEq(address a, address b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(address a, address b, string memory message) internal pure {
        if (a != b) fail(_msg(message, string.concat(vm.toString(a), " != ", vm.toString(b))));
    }

    function assertEq(bytes32 a, bytes32 b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(bytes32 a, bytes32 b, string memory message) internal pure {
        if (a != b) fail(_msg(message, string.concat(vm.toString(a), " != ", vm.toString(b))));
    }

    function assertEq(bytes memory a, bytes memory b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(bytes memory a, bytes memory b, string memory message) internal pure {
        if (keccak256(a) != keccak256(b)) fail(_msg(message, string.concat(vm.toString(a), " != ", vm.toString(b))));
    }

    function assertEq(string memory a, string memory b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(string memory a, string memory b, string memory message) internal pure {
        if (keccak256(bytes(a)) != keccak256(bytes(b))) fail(_msg(message, string.concat('"', a, '" != "', b, '"')));
    }

    function assertNotEq(uint256 a, uint256 b) internal pure {
        if (a == b) fail(string.concat("assertion failed: both ", vm.toString(a)));
    }

    function assertNotEq(bytes32 a, bytes32 b) internal pure {
        if (a == b) fail(string.concat("assertion failed: both ", vm.toString(a)));
    }

    function assertNotEq(address a, address b) internal pure {
        if (a == b) fail(string.concat("assertion failed: both ", vm.toString(a)));
    }

    function assertGt(uint256 a, uint256 b) internal pure {
        if (a <= b) fail(string.concat("assertion failed: ", vm.toString(a), " <= ", vm.toString(b)));
    }

    function assertGe(uint256 a, uint256 b) internal pure {
        if (a < b) fail(string.concat("assertion failed: ", vm.toString(a), " < ", vm.toString(b)));
    }

    function assertLt(uint256 a, uint256 b) internal pure {
        if (a >= b) fail(string.concat("assertion failed: ", vm.toString(a), " >= ", vm.toString(b)));
    }

    function assertLe(uint256 a, uint256 b) internal pure {
        if (a > b) fail(string.concat("assertion failed: ", vm.toString(a), " > ", vm.toString(b)));
    }

    function assertGt(uint256 a, uint256 b, string memory message) internal pure {
        if (a <= b) fail(_msg(message, string.concat(vm.toString(a), " <= ", vm.toString(b))));
    }

    function assertGe(uint256 a, uint256 b, string memory message) internal pure {
        if (a < b) fail(_msg(message, string.concat(vm.toString(a), " < ", vm.toString(b))));
    }

    function assertLt(uint256 a, uint256 b, string memory message) internal pure {
        if (a >= b) fail(_msg(message, string.concat(vm.toString(a), " >= ", vm.toString(b))));
    }

    function assertLe(uint256 a, uint256 b, string memory message) internal pure {
        if (a > b) fail(_msg(message, string.concat(vm.toString(a), " > ", vm.toString(b))));
    }

    // ------------------------------------------------------------------ helpers

    /// @notice An address derived from `name`, labelled with it in traces.
    function makeAddr(string memory name) internal returns (address account) {
        account = vm.addr(uint256(keccak256(bytes(name))));
        vm.label(account, name);
    }

    /// @notice An address and its private key derived from `name`, labelled with it in traces.
    function makeAddrAndKey(string memory name) internal returns (address account, uint256 privateKey) {
        privateKey = uint256(keccak256(bytes(name)));
        account = vm.addr(privateKey);
        vm.label(account, name);
    }

    /// @notice Sets the ether balance of `account`.
    function deal(address account, uint256 balance) internal {
        vm.deal(account, balance);
    }

    /// @notice Deploys `code` (creation bytecode) with CREATE and returns the address; reverts on failure.
    function deployCode(bytes memory code) internal returns (address deployed) {
        assembly ("memory-safe") {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        if (deployed == address(0)) fail("deployCode: deployment failed");
    }

    /// @notice Maps a fuzzed `x` into [min, max] (inclusive), uniformly enough for fuzzing; keeps
    ///         values already inside the range unchanged.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (min > max) fail("bound: min > max");
        if (x >= min && x <= max) return x;
        uint256 size = max - min + 1;
        if (size == 0) return x; // the full uint256 range
        return min + (x % size);
    }

    // ------------------------------------------------------------------ invariants

    /// @notice Adds `target` to the contracts that invariant tests call at random.
    function targetContract(address target) internal {
        _targetedContracts.push(target);
    }

    /// @notice forge reads this to find the invariant targets.
    function targetContracts() public view returns (address[] memory) {
        return _targetedContracts;
    }

    // ------------------------------------------------------------------ private

    function _msg(string memory message, string memory detail) private pure returns (string memory) {
        if (bytes(message).length == 0) return string.concat("assertion failed: ", detail);
        return string.concat(message, ": ", detail);
    }

    function _s(bool b) private pure returns (string memory) {
        return b ? "true" : "false";
    }
}
