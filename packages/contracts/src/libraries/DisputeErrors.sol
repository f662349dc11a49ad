// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice The ETH sent is not exactly the bond required.
error IncorrectBond(uint256 sent, uint256 required);
/// @notice The accumulator given to `propose` differs from the inbox's.
error AccumulatorMismatch(bytes32 given, bytes32 inbox);
/// @notice No claim has this id.
error ClaimNotFound(uint256 claimId);
/// @notice The claim is finalized or deleted.
error ClaimNotPending(uint256 claimId);
/// @notice The claim's challenge period is over.
error ChallengePeriodOver(uint256 claimId);
/// @notice The claim cannot finalize yet (period running, game open, or no staker left).
error ClaimNotFinalizable(uint256 claimId);
/// @notice The address already stakes on the claim.
error AlreadyStaked(uint256 claimId, address staker);
/// @notice The address is not an active staker of the claim (none, slashed or withdrawn).
error NotActiveStaker(uint256 claimId, address staker);
/// @notice The claim at this id is not the one the caller named (protocol.md §8.5): after an L1 reorg the
///         id may hold another claim. Re-read the claim and decide again.
error ClaimHashMismatch(uint256 claimId, bytes32 expected, bytes32 actual);
/// @notice The game is not in the position the caller named (protocol.md §8.5): another move landed
///         first, or after an L1 reorg the id holds another game. Re-read the game and decide again.
error PositionMismatch(uint256 gameId, bytes32 expected, bytes32 actual);
/// @notice The claim's staking window (`proposedAt + challengePeriod`) is over.
error StakingClosed(uint256 claimId);
/// @notice Another claim at the same message count with a different root is pending or finalized, so
///         this claim waits (or, when the other one finalized, never finalizes) (protocol.md §8.1).
error ClaimConflict(uint256 claimId, uint256 messageCount);
/// @notice A stake can be withdrawn only from a finalized claim, by an unslashed staker, once.
error StakeNotWithdrawable(uint256 claimId, address staker);
/// @notice Only the DisputeGame may call this.
error NotDisputeGame();
/// @notice Only the ClaimManager may send ETH to the DisputeGame.
error NotClaimManager();
/// @notice A transfer of ETH failed.
error TransferFailed(address to, uint256 amount);
/// @notice The claim's message count does not fit in 64 bits.
error MessageCountOverflow(uint256 messageCount);
/// @notice No open game has this id.
error GameNotOpen(uint256 gameId);
/// @notice The caller is not the side whose move it is.
error NotYourTurn(uint256 gameId);
/// @notice The move does not fit the game's state (bisecting a one-message range, proving a longer one).
error WrongMove(uint256 gameId);
/// @notice The mover's clock ran out; call `timeout` instead.
error ClockExpired(uint256 gameId);
/// @notice The side to move still has time on its clock.
error ClockNotExpired(uint256 gameId);
/// @notice The game's staker already lost another game: this one can only be voided (`voidGame`).
error GameVoid(uint256 gameId);
/// @notice `voidGame` on a game whose staker has not lost a game.
error GameNotVoid(uint256 gameId);
/// @notice There is nothing to withdraw.
error NothingToWithdraw(address account);
