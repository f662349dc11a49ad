// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import "../libraries/DisputeErrors.sol";

/// @title CreditLedger
/// @notice What the dispute contracts owe, by account, and the pull payment that settles it: amounts are
///         credited, never pushed, so an account that cannot receive ETH cannot block the call that owes
///         it (a resolution, a finalization).
abstract contract CreditLedger {
    /// @notice Wei each address may withdraw with `withdraw`.
    mapping(address account => uint256) public credit;

    /// @notice `account` withdrew `amount` wei of credit.
    event CreditWithdrawn(address indexed account, uint256 amount);

    /// @notice Pays the caller all of its credit.
    function withdraw() external {
        uint256 amount = credit[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        credit[msg.sender] = 0;
        emit CreditWithdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @dev Sends `_amount` wei to `_to`, reverting when the call fails.
    function _send(address _to, uint256 _amount) internal {
        (bool ok,) = _to.call{ value: _amount }("");
        if (!ok) revert TransferFailed(_to, _amount);
    }
}
