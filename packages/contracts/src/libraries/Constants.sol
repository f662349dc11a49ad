// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Constants
/// @notice Protocol constants (protocol.md §1, §5.2, §8.2).
library Constants {
    /// @notice The L2 message passer predeploy; deposits to it are refused.
    address internal constant MESSAGE_PASSER = 0x5100000000000000000000000000000000000000;
    /// @notice Where the burned share of a lost bond goes.
    address internal constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;
    /// @notice Length of a batch header: version (1) ‖ delayedCountAfter (8) ‖ slotCount (4).
    uint256 internal constant BATCH_HEADER_BYTES = 13;
    /// @notice At most one slot per this many body bytes (protocol.md §5.1): every slot that can
    ///         decode carries a 64-byte signature, and the bound caps the one-step prover's walk.
    uint256 internal constant MIN_SLOT_BYTES = 64;
    /// @notice Header version of a sequencer batch.
    uint8 internal constant BATCH_VERSION_SEQUENCER = 1;
    /// @notice Header version of a forced-inclusion batch.
    uint8 internal constant BATCH_VERSION_FORCED = 0;
    /// @notice Delayed message kind of a deposit.
    uint8 internal constant KIND_DEPOSIT = 0;
    /// @notice Delayed message kind of a forced transaction.
    uint8 internal constant KIND_FORCED_TX = 1;
    /// @notice The largest `maxBatchBytes` a config may set (protocol.md §8.4): the largest batch whose
    ///         worst one-step proof (the disputed withdrawal its last slot, four proofs of 16 full branch
    ///         levels each) still fits in one 131,072-byte L1 transaction.
    uint256 internal constant MAX_BATCH_BYTES_LIMIT = 90_000;
    /// @notice Basis points in one whole.
    uint256 internal constant BPS = 10_000;
}
