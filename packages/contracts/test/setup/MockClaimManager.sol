// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { IClaimManager } from "../../src/interfaces/IClaimManager.sol";
import { Types } from "../../src/libraries/Types.sol";

/// @title MockClaimManager
/// @notice A ClaimManager stand-in for Portal tests: claims are set directly.
contract MockClaimManager is IClaimManager {
    mapping(uint256 => Types.Claim) internal _claims;

    /// @notice Sets claim `_claimId` to `_stateRoot` with status `_status`.
    function setClaim(uint256 _claimId, bytes32 _stateRoot, Types.ClaimStatus _status) external {
        _claims[_claimId].stateRoot = _stateRoot;
        _claims[_claimId].status = _status;
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
    function openGame(uint256, address) external pure returns (uint256, bytes32, uint256, bytes32) {
        revert("MockClaimManager: openGame");
    }

    /// @inheritdoc IClaimManager
    function closeGame(uint256, address, bool) external pure {
        revert("MockClaimManager: closeGame");
    }
}
