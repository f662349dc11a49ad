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
    /// @notice The most blobs one blob batch may carry (protocol.md §5.7): EIP-7594's per-transaction cap.
    uint256 internal constant MAX_BLOBS_PER_BATCH = 6;
    /// @notice Payload bytes one blob carries: 4,096 field elements of 31 payload bytes (protocol.md §5.7).
    uint256 internal constant PAYLOAD_BYTES_PER_BLOB = 126_976;
    /// @notice The DA tag that starts the preimage of a blob batch's hash (protocol.md §5.7).
    uint8 internal constant BATCH_DA_BLOBS = 2;
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
    /// @notice The smallest `bondBurnBps` a config may set (protocol.md §2): losing a game to oneself, even
    ///         one that deletes nothing, burns at least a tenth of the loser's bond.
    uint256 internal constant MIN_BOND_BURN_BPS = 1_000;
    /// @notice The largest bond a config may set (protocol.md §2): `2 × proposerBond` (a proposal) and a
    ///         bond plus a prize (a credit) can never overflow.
    uint256 internal constant MAX_BOND = 2 ** 128;
    /// @notice The largest duration a config may set (protocol.md §2), 90 days: every timestamp plus every
    ///         sum of durations the contracts compute (at most `2 × challengePeriod + 2 × gameClock`) stays
    ///         far inside 64 bits, and every window stays short enough to mean something.
    uint256 internal constant MAX_DURATION = 90 days;
    /// @notice The smallest `maxForcedTxBytes` a config may set (protocol.md §2): the longest transaction
    ///         that can pass rules 1–15 of §7.3 (a type-2 envelope with every field at its widest).
    uint256 internal constant MIN_FORCED_TX_BYTES = 256;
    /// @notice The largest `maxForcedTxBytes` a config may set (protocol.md §8.4): a forced message's proof
    ///         carries its payload beside the whole batch, and must still fit the 131,072-byte bound.
    uint256 internal constant MAX_FORCED_TX_BYTES_LIMIT = 32_768;
    /// @notice `root_0`, the root of the genesis state of §3.3; `genesisStateRoot` must equal it
    ///         (packages/core's `genesisStateRoot()`, checked by test/L1/ConfigValidation.t.sol's vector).
    bytes32 internal constant GENESIS_STATE_ROOT = 0xc073202d77f8a682a619b3335c12fc45885cfe95245d8dfd683434e85a993e06;
}
