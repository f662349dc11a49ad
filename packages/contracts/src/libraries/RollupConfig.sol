// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Constants } from "./Constants.sol";
import { Types } from "./Types.sol";

/// @notice The rollup config breaks a rule of protocol.md §2; `field` is the field's number in that
///         table (1 `chainId` … 18 `bondBurnBps`).
error InvalidRollupConfig(uint256 field);

/// @title RollupConfig
/// @notice The hash and the validity rules of a rollup config (protocol.md §2).
library RollupConfig {
    /// @notice `keccak256(abi.encode(field1, …, field18))`, each field in the order of protocol.md §2.
    /// @dev    Every field is static, so `abi.encode` of the struct is exactly the 18 words in order.
    /// @param _config The rollup config.
    /// @return hash_ The config hash every L1 contract stores.
    function hash(Types.RollupConfig memory _config) internal pure returns (bytes32 hash_) {
        hash_ = keccak256(abi.encode(_config));
    }

    /// @notice Reverts with `InvalidRollupConfig(field)` unless `_config` meets every rule of
    ///         protocol.md §2 — the same rules as `parseRollupConfig` in packages/core, so that no
    ///         deployment can hold a config a node refuses. When several fields break a rule, `field` is
    ///         the lowest-numbered of them (the checks run in field order).
    /// @param _config The rollup config.
    function validate(Types.RollupConfig memory _config) internal pure {
        if (_config.chainId == 0) revert InvalidRollupConfig(1);
        if (_config.feeVault == Constants.MESSAGE_PASSER) revert InvalidRollupConfig(3);
        if (_config.genesisStateRoot != Constants.GENESIS_STATE_ROOT) revert InvalidRollupConfig(7);
        if (
            _config.maxForcedTxBytes < Constants.MIN_FORCED_TX_BYTES
                || _config.maxForcedTxBytes > Constants.MAX_FORCED_TX_BYTES_LIMIT
        ) revert InvalidRollupConfig(9);
        if (
            _config.maxBatchBytes < Constants.BATCH_HEADER_BYTES
                || _config.maxBatchBytes > Constants.MAX_BATCH_BYTES_LIMIT
        ) revert InvalidRollupConfig(10);
        if (_config.maxSequencerDrift > Constants.MAX_DURATION) revert InvalidRollupConfig(11);
        if (_config.forceInclusionDelay > Constants.MAX_DURATION) revert InvalidRollupConfig(12);
        if (_config.proposerBond == 0 || _config.proposerBond > Constants.MAX_BOND) revert InvalidRollupConfig(14);
        if (_config.challengerBond == 0 || _config.challengerBond > Constants.MAX_BOND) {
            revert InvalidRollupConfig(15);
        }
        if (_config.challengePeriod == 0 || _config.challengePeriod > Constants.MAX_DURATION) {
            revert InvalidRollupConfig(16);
        }
        if (_config.gameClock == 0 || _config.gameClock > Constants.MAX_DURATION) revert InvalidRollupConfig(17);
        if (_config.bondBurnBps < Constants.MIN_BOND_BURN_BPS || _config.bondBurnBps > Constants.BPS) {
            revert InvalidRollupConfig(18);
        }
    }
}
