// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Constants } from "../../src/libraries/Constants.sol";
import { Types } from "../../src/libraries/Types.sol";

/// @title ValidConfig
/// @notice A rollup config that meets every rule of protocol.md §2 (`RollupConfig.validate`), for tests
///         that care about a few fields only and override those.
library ValidConfig {
    function get() internal pure returns (Types.RollupConfig memory cfg_) {
        cfg_ = Types.RollupConfig({
            chainId: 424242,
            sequencer: address(0x5E0),
            feeVault: address(0xFEE),
            baseFeePerGas: 1 gwei,
            l2BlockGasLimit: 30_000_000,
            l2GenesisTimestamp: 1_700_000_000,
            genesisStateRoot: Constants.GENESIS_STATE_ROOT,
            minDeposit: 0.001 ether,
            maxForcedTxBytes: 1024,
            maxBatchBytes: 90_000,
            maxSequencerDrift: 600,
            forceInclusionDelay: 1 days,
            l1Confirmations: 6,
            proposerBond: 1 ether,
            challengerBond: 0.5 ether,
            challengePeriod: 7 days,
            gameClock: 1 days,
            bondBurnBps: 1000
        });
    }
}
