// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Types } from "../libraries/Types.sol";

/// @title IClaimManager
/// @notice What the Portal and the DisputeGame call on the ClaimManager (protocol.md §8.1).
interface IClaimManager {
    /// @notice The claim `_claimId` (all-zero with status `None` when it does not exist).
    function getClaim(uint256 _claimId) external view returns (Types.Claim memory claim_);

    /// @notice Whether claim `_claimId` is finalized.
    function isFinalized(uint256 _claimId) external view returns (bool finalized_);

    /// @notice Called by the DisputeGame when game `_gameId` opens against `_staker` of `_claimId`, which
    ///         the challenger named by `_claimHash`. Returns the game's range: the anchor `(a, root_a)`
    ///         (or genesis when the anchor is above the claim) and the claim `(n, stateRoot)`.
    function openGame(uint256 _gameId, uint256 _claimId, bytes32 _claimHash, address _staker)
        external
        returns (uint256 anchorCount_, bytes32 anchorRoot_, uint256 claimCount_, bytes32 claimRoot_);

    /// @notice Called by the DisputeGame when game `_gameId` against `_staker` of `_claimId` ends with a
    ///         winner. When the staker lost, it is slashed, its other open games are cut short (they stop
    ///         counting against the claim), its bond is sent to the DisputeGame, and the number of games
    ///         cut short is returned (0 when the staker won).
    function closeGame(uint256 _gameId, uint256 _claimId, address _staker, bool _stakerWon)
        external
        returns (uint256 cutShort_);
}
