// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Reason} from "./Reason.sol";
import {Transaction} from "./Transaction.sol";

/// @title TransactionRules
/// @notice The stateless rules 1–15 of protocol.md §7.3, in order, with signer recovery (rule 8),
///         intrinsic gas and the fee arithmetic. Rules 16–17 read the sender and live in
///         StateTransition.
library TransactionRules {
    /// @notice The message passer (protocol constant, §1).
    address internal constant MESSAGE_PASSER = 0x5100000000000000000000000000000000000000;
    /// @notice secp256k1's group order n.
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    /// @notice floor(n / 2): the largest `s` allowed (EIP-2).
    uint256 internal constant SECP256K1_HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    /// @notice The intrinsic gas of any transaction.
    uint256 internal constant TX_GAS = 21_000;

    /// @notice Checks rules 1–15 in order.
    /// @param _tx The decoded transaction (with `signingHash`).
    /// @param _chainId The config's L2 chain id.
    /// @param _baseFeePerGas The config's base fee.
    /// @return reason_ `Reason.APPLIED` when all hold, otherwise the first failing rule's reason.
    /// @return sender_ The recovered signer (once rule 8 holds).
    /// @return intrinsicGas_ The intrinsic gas (once rule 15 is reached).
    function check(Transaction memory _tx, uint256 _chainId, uint256 _baseFeePerGas)
        internal
        pure
        returns (uint8 reason_, address sender_, uint256 intrinsicGas_)
    {
        // 1. type
        if (_tx.txType > 2) return (Reason.UNSUPPORTED_TYPE, address(0), 0);
        uint256 yParity;
        if (_tx.txType == 0) {
            // 2. EIP-155
            if (_tx.v == 27 || _tx.v == 28) return (Reason.PRE_EIP155, address(0), 0);
            // 3. chain id through v (2·chainId + 35 cannot overflow: chainId is a uint64)
            uint256 v0 = 2 * _chainId + 35;
            if (_tx.v != v0 && _tx.v != v0 + 1) return (Reason.WRONG_CHAIN_ID, address(0), 0);
            yParity = _tx.v - v0;
        } else {
            // 3. chain id
            if (_tx.chainId != _chainId) return (Reason.WRONG_CHAIN_ID, address(0), 0);
            // 4. yParity
            if (_tx.v > 1) return (Reason.INVALID_Y_PARITY, address(0), 0);
            yParity = _tx.v;
        }
        // 5–7. signature ranges
        if (_tx.r == 0 || _tx.r >= SECP256K1_N) return (Reason.R_OUT_OF_RANGE, address(0), 0);
        if (_tx.s == 0 || _tx.s >= SECP256K1_N) return (Reason.S_OUT_OF_RANGE, address(0), 0);
        if (_tx.s > SECP256K1_HALF_N) return (Reason.HIGH_S, address(0), 0);
        // 8. recovery
        sender_ = ecrecover(_tx.signingHash, uint8(27 + yParity), bytes32(_tx.r), bytes32(_tx.s));
        if (sender_ == address(0)) return (Reason.RECOVERY_FAILED, address(0), 0);
        // 9. to
        if (!_tx.hasTo) return (Reason.CONTRACT_CREATION, sender_, 0);
        // 10. data
        if (!dataValid(_tx.to, _tx.data)) return (Reason.INVALID_DATA, sender_, 0);
        // 11. access list
        if (!_tx.accessListEmpty) return (Reason.ACCESS_LIST_NOT_EMPTY, sender_, 0);
        // 12. nonce
        if (_tx.nonce >= type(uint64).max) return (Reason.NONCE_MAX, sender_, 0);
        // 13–14. fees
        if (_tx.maxPriorityFeePerGas > _tx.maxFeePerGas) return (Reason.PRIORITY_FEE_ABOVE_MAX_FEE, sender_, 0);
        if (_tx.maxFeePerGas < _baseFeePerGas) return (Reason.MAX_FEE_BELOW_BASE_FEE, sender_, 0);
        // 15. intrinsic gas
        intrinsicGas_ = intrinsicGas(_tx.data);
        if (_tx.gasLimit < intrinsicGas_) return (Reason.INTRINSIC_GAS_TOO_LOW, sender_, intrinsicGas_);
        reason_ = Reason.APPLIED;
    }

    /// @notice Rule 10: to anyone but the passer, data is empty; to the passer, data is empty or one
    ///         word whose first 12 bytes are zero.
    function dataValid(address _to, bytes memory _data) internal pure returns (bool) {
        if (_data.length == 0) return true;
        if (_to != MESSAGE_PASSER || _data.length != 32) return false;
        return uint256(bytes32(_data)) >> 160 == 0;
    }

    /// @notice 21000 + 4 per zero byte + 16 per non-zero byte of `_data` (EIP-2028).
    function intrinsicGas(bytes memory _data) internal pure returns (uint256 gas_) {
        gas_ = TX_GAS;
        for (uint256 i; i < _data.length; ++i) {
            gas_ += _data[i] == 0 ? 4 : 16;
        }
    }

    /// @notice `min(maxFeePerGas, baseFeePerGas + maxPriorityFeePerGas)`, without overflow (needs
    ///         rule 14: `maxFeePerGas ≥ baseFeePerGas`).
    function effectiveGasPrice(Transaction memory _tx, uint256 _baseFeePerGas) internal pure returns (uint256) {
        if (_tx.maxPriorityFeePerGas >= _tx.maxFeePerGas - _baseFeePerGas) return _tx.maxFeePerGas;
        return _baseFeePerGas + _tx.maxPriorityFeePerGas;
    }

    /// @notice Rule 17: `balance ≥ value + gasLimit × maxFeePerGas`, false on any overflow.
    function canPay(uint256 _balance, Transaction memory _tx) internal pure returns (bool) {
        uint256 maxFee = _tx.maxFeePerGas;
        if (maxFee != 0 && _tx.gasLimit > type(uint256).max / maxFee) return false;
        uint256 cost = _tx.gasLimit * maxFee;
        if (_tx.value > type(uint256).max - cost) return false;
        return _balance >= _tx.value + cost;
    }
}
