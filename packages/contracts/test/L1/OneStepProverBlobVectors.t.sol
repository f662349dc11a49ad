// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {OneStepProver} from "../../src/L1/OneStepProver.sol";
import {OneStepProverHarness} from "./OneStepProverHarness.sol";
import {BlobBody, BlobOpening} from "../../src/libraries/batch/BlobBody.sol";
import {LocatedMessage} from "../../src/libraries/batch/BatchWalker.sol";
import {DelayedMessage, StateProofs} from "../../src/libraries/stf/StateTransition.sol";
import {VectorsTestBase} from "./VectorsTestBase.sol";

/// @title OneStepProverBlobVectors_Test
/// @notice Replays every case of `test/vectors/blob.json` (written by `npm run vectors` from the
///         TypeScript side with real blobs and real KZG proofs, protocol.md §11) through the Solidity
///         prover against the real point-evaluation precompile: the same post-state root and reason,
///         and each of the case's openings (core's `blobOpeningsForMessage`, the minimal set) needed.
contract OneStepProverBlobVectors_Test is VectorsTestBase {
    function _read() internal view returns (string memory) {
        return vm.readFile(string.concat(vm.projectRoot(), "/test/vectors/blob.json"));
    }

    function setUp() public {
        _deployProver(_read());
    }

    function test_blobVectors_allCases_matchTypeScript() public view {
        string memory json = _read();
        uint256 count = _length(json, ".cases");
        assertGt(count, 0, "blob.json has cases");
        for (uint256 i; i < count; ++i) {
            string memory c = string.concat(".cases[", vm.toString(i), "]");
            string memory name = vm.parseJsonString(json, string.concat(c, ".name"));
            (bytes32 post, uint8 reason, LocatedMessage memory loc) = _apply(json, c, _message(json, c));
            assertEq(post, vm.parseJsonBytes32(json, string.concat(c, ".postRoot")), string.concat(name, ": post root"));
            string memory expectedReason = vm.parseJsonString(json, string.concat(c, ".reason"));
            assertEq(uint256(reason), uint256(_reasonCode(expectedReason)), string.concat(name, ": reason"));
            assertEq(loc.isDelayed, vm.parseJsonBool(json, string.concat(c, ".isDelayed")), string.concat(name, ": kind"));
        }
    }

    /// @notice The openings of each case are the minimal set: without any one of them the prover
    ///         reverts naming its element; a wrong value is refused.
    function test_blobVectors_everyOpeningNeeded() public {
        string memory json = _read();
        uint256 count = _length(json, ".cases");
        for (uint256 i; i < count; ++i) {
            string memory c = string.concat(".cases[", vm.toString(i), "]");
            OneStepProverHarness.BlobBatchMessage memory m = _message(json, c);
            BlobOpening[] memory all = m.openings;
            for (uint256 k; k < all.length; ++k) {
                m.openings = new BlobOpening[](all.length - 1);
                uint256 n;
                for (uint256 q; q < all.length; ++q) {
                    if (q != k) m.openings[n++] = all[q];
                }
                vm.expectRevert(
                    abi.encodeWithSelector(BlobBody.MissingOpening.selector, all[k].blobIndex, all[k].element)
                );
                this.applyExternally(json, c, m);
            }
            if (all.length > 0) {
                m.openings = all;
                all[0].y = bytes32(uint256(all[0].y) ^ 1);
                vm.expectRevert(abi.encodeWithSelector(BlobBody.BadOpening.selector, 0));
                // A failing precompile call consumes all the gas it is given: bound it, so that the
                // cases after this one keep enough.
                this.applyExternally{gas: 20_000_000}(json, c, m);
            }
        }
    }

    /// @notice The shapes protocol.md §11 asks the blob vectors to cover are there.
    function test_blobVectors_coverTheRequiredShapes() public view {
        string memory json = _read();
        uint256 count = _length(json, ".cases");
        string[9] memory required = [
            "blob/transfer",
            "blob/withdrawal",
            "blob/dictionary-address-and-fee-entry-in-elements-1-2",
            "blob/slot-straddles-blob-boundary",
            "blob/absent-slot-truncated-body",
            "blob/delayed-deposit",
            "blob/hostile-group-offset-outside-body",
            "blob/body-length-beyond-capacity",
            "blob/hostile-group-offset-overlaps-slot-0"
        ];
        for (uint256 r; r < required.length; ++r) {
            bool found;
            for (uint256 i; i < count && !found; ++i) {
                string memory name = vm.parseJsonString(json, string.concat(".cases[", vm.toString(i), "].name"));
                found = keccak256(bytes(name)) == keccak256(bytes(required[r]));
            }
            assertTrue(found, string.concat("a case named ", required[r]));
        }
    }

    /// @dev External so that `vm.expectRevert` sees the revert one call below the test.
    function applyExternally(string memory json, string memory _c, OneStepProverHarness.BlobBatchMessage memory _m)
        external
        view
        returns (bytes32 post_)
    {
        (post_,,) = _apply(json, _c, _m);
    }

    function _apply(string memory json, string memory _c, OneStepProverHarness.BlobBatchMessage memory _m)
        internal
        view
        returns (bytes32, uint8, LocatedMessage memory)
    {
        return prover.applyBlobBatchMessage(
            vm.parseJsonBytes32(json, string.concat(_c, ".preRoot")), _m, _delayed(json, _c), _proofs(json, _c)
        );
    }

    function _message(string memory json, string memory _c)
        internal
        view
        returns (OneStepProverHarness.BlobBatchMessage memory m_)
    {
        m_.versionedHashes = vm.parseJsonBytes32Array(json, string.concat(_c, ".versionedHashes"));
        m_.j = vm.parseJsonUint(json, string.concat(_c, ".messageIndex"));
        m_.delayedBefore = vm.parseJsonUint(json, string.concat(_c, ".delayedBefore"));
        m_.delayedCount = vm.parseJsonUint(json, string.concat(_c, ".delayedCount"));
        m_.slotCount = vm.parseJsonUint(json, string.concat(_c, ".slotCount"));
        uint256[] memory blobIndex = _uintArray(json, string.concat(_c, ".openingBlobIndex"));
        uint256[] memory element = _uintArray(json, string.concat(_c, ".openingElement"));
        m_.openings = new BlobOpening[](blobIndex.length);
        if (blobIndex.length == 0) return m_;
        bytes32[] memory y = vm.parseJsonBytes32Array(json, string.concat(_c, ".openingY"));
        bytes[] memory commitment = vm.parseJsonBytesArray(json, string.concat(_c, ".openingCommitment"));
        bytes[] memory proof = vm.parseJsonBytesArray(json, string.concat(_c, ".openingProof"));
        for (uint256 k; k < blobIndex.length; ++k) {
            m_.openings[k] = BlobOpening(blobIndex[k], element[k], y[k], commitment[k], proof[k]);
        }
    }

    function _delayed(string memory json, string memory _c) internal pure returns (DelayedMessage memory d_) {
        d_.kind = uint8(vm.parseJsonUint(json, string.concat(_c, ".delayedKind")));
        d_.l1Sender = vm.parseJsonAddress(json, string.concat(_c, ".l1Sender"));
        d_.l1Timestamp = uint64(vm.parseJsonUint(json, string.concat(_c, ".l1Timestamp")));
        d_.payload = vm.parseJsonBytes(json, string.concat(_c, ".delayedPayload"));
    }
}
