// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice A deposit carried less than `minDeposit`.
error DepositTooSmall(uint256 amount, uint256 minDeposit);
/// @notice A deposit named the L2 message passer as recipient.
error DepositToMessagePasser();
/// @notice A forced transaction was empty or longer than `maxForcedTxBytes`.
error ForcedTxLength(uint256 length, uint256 maxForcedTxBytes);
/// @notice The claim a withdrawal is proven against is not finalized.
error ClaimNotFinalized(uint256 claimId);
/// @notice The withdrawal was already paid.
error WithdrawalAlreadyPaid(bytes32 withdrawalHash);
/// @notice The account proof does not show the message passer in the claim's state root.
error MessagePasserNotFound();
/// @notice The storage proof does not show `withdrawalHash` stored in the message passer.
error WithdrawalNotFound(bytes32 withdrawalHash);
/// @notice The call paying the withdrawal failed; nothing changed and it can be retried.
error WithdrawalPaymentFailed(bytes32 withdrawalHash);
/// @notice A delayed message index past the Portal's count.
error DelayedMessageNotFound(uint256 index);
