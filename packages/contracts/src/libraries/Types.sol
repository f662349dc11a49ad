// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Types
/// @notice Structs shared by the Sluice L1 contracts (protocol.md §2, §9).
library Types {
    /// @notice The rollup config (protocol.md §2): every value that nodes and L1 must agree on, in the
    ///         order of the specification's table. Its hash is `RollupConfig.hash`.
    struct RollupConfig {
        uint64 chainId;
        address sequencer;
        address feeVault;
        uint256 baseFeePerGas;
        uint64 l2BlockGasLimit;
        uint64 l2GenesisTimestamp;
        bytes32 genesisStateRoot;
        uint256 minDeposit;
        uint32 maxForcedTxBytes;
        uint32 maxBatchBytes;
        uint64 maxSequencerDrift;
        uint64 forceInclusionDelay;
        uint64 l1Confirmations;
        uint256 proposerBond;
        uint256 challengerBond;
        uint64 challengePeriod;
        uint64 gameClock;
        uint16 bondBurnBps;
    }

    /// @notice A withdrawal as the L2 message passer records it (protocol.md §7.3, §9).
    struct Withdrawal {
        uint256 nonce;
        address sender;
        address l1Recipient;
        uint256 value;
    }

    /// @notice Where a claim stands (protocol.md §8.1).
    enum ClaimStatus {
        None,
        Pending,
        Finalized,
        Deleted
    }

    /// @notice Where one staker of a claim stands. A staker stays `Active` through any number of open
    ///         games; the first game it loses makes it `Slashed` (protocol.md §8.2).
    enum StakerStatus {
        None,
        Active,
        Slashed,
        Withdrawn
    }

    /// @notice A claim: `root_n = stateRoot` for `n = messageCount` (protocol.md §8.1).
    /// @dev    `openGames` counts the open games against unslashed stakers (the games that make the
    ///         claim wait). `challengeDeadline` is when games can no longer be opened and the claim can
    ///         start to finalize: `proposedAt + challengePeriod`, raised by each later stake to
    ///         `stakedAt + challengePeriod`. `claimHash` is `keccak256(abi.encode(batchIndex,
    ///         accumulator, stateRoot))`, the value every call naming the claim must repeat.
    struct Claim {
        bytes32 stateRoot;
        uint64 batchIndex;
        uint64 messageCount;
        uint64 proposedAt;
        uint64 finalizedAt;
        uint32 liveStakers;
        uint32 openGames;
        ClaimStatus status;
        uint64 challengeDeadline;
        bytes32 claimHash;
    }

    /// @notice Whose move it is in a bisection game.
    enum Turn {
        Staker,
        Challenger
    }

    /// @notice Where a bisection game stands. `Voided`: its staker lost another game first, so this
    ///         one ended without a winner and the challenger's bond was returned (protocol.md §8.2).
    enum GameStatus {
        None,
        Open,
        StakerWon,
        ChallengerWon,
        Voided
    }

    /// @notice A two-party bisection game over the messages `[lo, hi]` (protocol.md §8.2). The agreed
    ///         root at `lo` is `rootLo`; the staker's root at `hi` is `rootHi`; `midRoot` is the
    ///         staker's last posted root at `lo + (hi - lo) / 2` while the challenger is to answer it.
    struct Game {
        uint64 lo;
        uint64 hi;
        uint64 stakerClock;
        uint64 challengerClock;
        address staker;
        uint64 lastMoveAt;
        Turn turn;
        GameStatus status;
        address challenger;
        uint64 claimId;
        bytes32 rootLo;
        bytes32 rootHi;
        bytes32 midRoot;
    }
}
