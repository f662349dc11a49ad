// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Reason
/// @notice Why a message was a no-op (protocol.md §7.1, §7.3), or `APPLIED`. The reason is not part of
///         any hash; the prover reports it so tests can compare it with the TypeScript STF. Names in
///         the vectors (§11) are given beside each code.
library Reason {
    uint8 internal constant APPLIED = 0; // "applied"
    uint8 internal constant SLOT_DECODE = 1; // "slotDecode"
    uint8 internal constant FORCED_DECODE = 2; // "forcedDecode"
    uint8 internal constant UNSUPPORTED_TYPE = 3; // "unsupportedType"   rule 1
    uint8 internal constant PRE_EIP155 = 4; // "preEip155"               rule 2
    uint8 internal constant WRONG_CHAIN_ID = 5; // "wrongChainId"        rule 3
    uint8 internal constant INVALID_Y_PARITY = 6; // "invalidYParity"    rule 4
    uint8 internal constant R_OUT_OF_RANGE = 7; // "rOutOfRange"         rule 5
    uint8 internal constant S_OUT_OF_RANGE = 8; // "sOutOfRange"         rule 6
    uint8 internal constant HIGH_S = 9; // "highS"                       rule 7
    uint8 internal constant RECOVERY_FAILED = 10; // "recoveryFailed"    rule 8
    uint8 internal constant CONTRACT_CREATION = 11; // "contractCreation" rule 9
    uint8 internal constant INVALID_DATA = 12; // "invalidData"          rule 10
    uint8 internal constant ACCESS_LIST_NOT_EMPTY = 13; // "accessListNotEmpty" rule 11
    uint8 internal constant NONCE_MAX = 14; // "nonceMax"                rule 12
    uint8 internal constant PRIORITY_FEE_ABOVE_MAX_FEE = 15; // "priorityFeeAboveMaxFee" rule 13
    uint8 internal constant MAX_FEE_BELOW_BASE_FEE = 16; // "maxFeeBelowBaseFee" rule 14
    uint8 internal constant INTRINSIC_GAS_TOO_LOW = 17; // "intrinsicGasTooLow" rule 15
    uint8 internal constant NONCE_MISMATCH = 18; // "nonceMismatch"      rule 16
    uint8 internal constant INSUFFICIENT_BALANCE = 19; // "insufficientBalance" rule 17
    /// @notice A deposit whose payload is not 52 bytes (the Portal never records one; kept so that the
    ///         transition stays total, as in the TypeScript STF).
    uint8 internal constant DEPOSIT_MALFORMED = 20; // "depositMalformed"
}
