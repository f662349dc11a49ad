// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { IClaimManager } from "../../src/interfaces/IClaimManager.sol";
import { Types } from "../../src/libraries/Types.sol";

/// @title MockClaimManager
/// @notice A ClaimManager stand-in for Portal tests: claims are set directly.
contract MockClaimManager is IClaimManager {
    mapping(uint256 => Types.Claim) internal _claims;

    /// @notice Sets claim `_claimId` to `_stateRoot` with status `_status`; its claim hash is
    ///         `claimHashOf(_claimId)`, unless overridden with `setClaimHash`.
    function setClaim(uint256 _claimId, bytes32 _stateRoot, Types.ClaimStatus _status) external {
        _claims[_claimId].stateRoot = _stateRoot;
        _claims[_claimId].status = _status;
        _claims[_claimId].claimHash = claimHashOf(_claimId);
    }

    /// @notice Overrides the claim hash of `_claimId` (a claim replaced by a reorg).
    function setClaimHash(uint256 _claimId, bytes32 _claimHash) external {
        _claims[_claimId].claimHash = _claimHash;
    }

    /// @notice The hash `setClaim` gives claim `_claimId` (tests compute it without a call).
    function claimHashOf(uint256 _claimId) public pure returns (bytes32) {
        return keccak256(abi.encode("sluice.mock.claim", _claimId));
    }

    /// @inheritdoc IClaimManager
    function getClaim(uint256 _claimId) external view returns (Types.Claim memory claim_) {
        claim_ = _claims[_claimId];
    }

    /// @inheritdoc IClaimManager
    function isFinalized(uint256 _claimId) external view returns (bool finalized_) {
        finalized_ = _claims[_claimId].status == Types.ClaimStatus.Finalized;
    }

    /// @inheritdoc IClaimManager
    function openGame(uint256, uint256, bytes32, address) external pure returns (uint256, bytes32, uint256, bytes32) {
        revert("MockClaimManager: openGame");
    }

    /// @inheritdoc IClaimManager
    function closeGame(uint256, uint256, address, bool) external pure returns (uint256) {
        revert("MockClaimManager: closeGame");
    }
}
