// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Test } from "../base/Test.sol";
import { ValidConfig } from "../setup/ValidConfig.sol";
import { OneStepProver } from "../../src/L1/OneStepProver.sol";
import { Portal } from "../../src/L1/Portal.sol";
import { SequencerInbox } from "../../src/L1/SequencerInbox.sol";
import { ClaimManager } from "../../src/dispute/ClaimManager.sol";
import { DisputeGame } from "../../src/dispute/DisputeGame.sol";
import { IClaimManager } from "../../src/interfaces/IClaimManager.sol";
import { IOneStepProver } from "../../src/interfaces/IOneStepProver.sol";
import { IPortal } from "../../src/interfaces/IPortal.sol";
import { ISequencerInbox } from "../../src/interfaces/ISequencerInbox.sol";
import { Constants } from "../../src/libraries/Constants.sol";
import { InvalidRollupConfig } from "../../src/libraries/RollupConfig.sol";
import { Types } from "../../src/libraries/Types.sol";

/// @title ConfigValidation_Test
/// @notice Every constructor refuses a config that breaks a rule of protocol.md §2 — the rules
///         `parseRollupConfig` in packages/core applies — with `InvalidRollupConfig(field number)`, so that
///         no deployment can hold a config a node refuses or one that locks bonds.
contract ConfigValidation_Test is Test {
    /// @dev Deploys all five contracts from `_cfg`, expecting each to revert with `_field` (0: succeed).
    function _deployAll(Types.RollupConfig memory _cfg, uint256 _field) internal {
        bytes memory err = abi.encodeWithSelector(InvalidRollupConfig.selector, _field);
        if (_field != 0) vm.expectRevert(err);
        new Portal(_cfg, IClaimManager(address(1)));
        if (_field != 0) vm.expectRevert(err);
        new SequencerInbox(_cfg, IPortal(address(1)));
        if (_field != 0) vm.expectRevert(err);
        new ClaimManager(_cfg, ISequencerInbox(address(1)), address(1));
        if (_field != 0) vm.expectRevert(err);
        new DisputeGame(_cfg, IClaimManager(address(1)), IOneStepProver(address(1)));
        if (_field != 0) vm.expectRevert(err);
        new OneStepProver(ISequencerInbox(address(1)), IPortal(address(1)), _cfg);
    }

    function test_constructors_validConfig_succeeds() public {
        _deployAll(ValidConfig.get(), 0);
    }

    /// @notice Every bound of §2, at the bound (accepted) and one past it (refused with the field's number).
    function test_constructors_eachBoundPlusMinusOne() public {
        Types.RollupConfig memory c;
        uint256 day = 86_400;
        uint256 maxDuration = Constants.MAX_DURATION;
        assertEq(maxDuration, 90 * day);

        // 1 chainId ≥ 1
        c = ValidConfig.get();
        c.chainId = 1;
        _deployAll(c, 0);
        c.chainId = 0;
        _deployAll(c, 1);
        // 3 feeVault ≠ MESSAGE_PASSER
        c = ValidConfig.get();
        c.feeVault = address(uint160(Constants.MESSAGE_PASSER) + 1);
        _deployAll(c, 0);
        c.feeVault = Constants.MESSAGE_PASSER;
        _deployAll(c, 3);
        // 7 genesisStateRoot = root_0
        c = ValidConfig.get();
        c.genesisStateRoot = bytes32(uint256(Constants.GENESIS_STATE_ROOT) + 1);
        _deployAll(c, 7);
        c.genesisStateRoot = bytes32(0);
        _deployAll(c, 7);
        // 9 MIN_FORCED_TX_BYTES ≤ maxForcedTxBytes ≤ MAX_FORCED_TX_BYTES_LIMIT (0 would turn forced inclusion off)
        c = ValidConfig.get();
        c.maxForcedTxBytes = uint32(Constants.MIN_FORCED_TX_BYTES);
        _deployAll(c, 0);
        c.maxForcedTxBytes = uint32(Constants.MAX_FORCED_TX_BYTES_LIMIT);
        _deployAll(c, 0);
        c.maxForcedTxBytes = uint32(Constants.MIN_FORCED_TX_BYTES - 1);
        _deployAll(c, 9);
        c.maxForcedTxBytes = 0;
        _deployAll(c, 9);
        c.maxForcedTxBytes = uint32(Constants.MAX_FORCED_TX_BYTES_LIMIT + 1);
        _deployAll(c, 9);
        // 10 13 ≤ maxBatchBytes ≤ MAX_BATCH_BYTES_LIMIT
        c = ValidConfig.get();
        c.maxBatchBytes = 13;
        _deployAll(c, 0);
        c.maxBatchBytes = uint32(Constants.MAX_BATCH_BYTES_LIMIT);
        _deployAll(c, 0);
        c.maxBatchBytes = 12;
        _deployAll(c, 10);
        c.maxBatchBytes = uint32(Constants.MAX_BATCH_BYTES_LIMIT + 1);
        _deployAll(c, 10);
        // 11, 12: maxSequencerDrift and forceInclusionDelay in [0, MAX_DURATION]
        c = ValidConfig.get();
        c.maxSequencerDrift = uint64(maxDuration);
        c.forceInclusionDelay = uint64(maxDuration);
        _deployAll(c, 0);
        c.maxSequencerDrift = 0;
        c.forceInclusionDelay = 0;
        _deployAll(c, 0);
        c.maxSequencerDrift = uint64(maxDuration + 1);
        _deployAll(c, 11);
        c = ValidConfig.get();
        c.forceInclusionDelay = uint64(maxDuration + 1);
        _deployAll(c, 12);
        c.forceInclusionDelay = type(uint64).max;
        _deployAll(c, 12);
        // 14, 15: bonds in [1, MAX_BOND]
        c = ValidConfig.get();
        c.proposerBond = Constants.MAX_BOND;
        c.challengerBond = Constants.MAX_BOND;
        _deployAll(c, 0);
        c.proposerBond = 1;
        c.challengerBond = 1;
        _deployAll(c, 0);
        c.proposerBond = 0;
        _deployAll(c, 14);
        c.proposerBond = Constants.MAX_BOND + 1;
        _deployAll(c, 14);
        c = ValidConfig.get();
        c.challengerBond = 0;
        _deployAll(c, 15);
        c.challengerBond = Constants.MAX_BOND + 1;
        _deployAll(c, 15);
        // 16, 17: challengePeriod and gameClock in [1, MAX_DURATION] (type(uint64).max wrapped the deadline)
        c = ValidConfig.get();
        c.challengePeriod = uint64(maxDuration);
        c.gameClock = uint64(maxDuration);
        _deployAll(c, 0);
        c.challengePeriod = 1;
        c.gameClock = 1;
        _deployAll(c, 0);
        c.challengePeriod = 0;
        _deployAll(c, 16);
        c.challengePeriod = uint64(maxDuration + 1);
        _deployAll(c, 16);
        c.challengePeriod = type(uint64).max;
        _deployAll(c, 16);
        c = ValidConfig.get();
        c.gameClock = 0;
        _deployAll(c, 17);
        c.gameClock = uint64(maxDuration + 1);
        _deployAll(c, 17);
        c.gameClock = type(uint64).max;
        _deployAll(c, 17);
        // 18: MIN_BOND_BURN_BPS ≤ bondBurnBps ≤ 10,000
        c = ValidConfig.get();
        c.bondBurnBps = uint16(Constants.MIN_BOND_BURN_BPS);
        _deployAll(c, 0);
        c.bondBurnBps = 10_000;
        _deployAll(c, 0);
        c.bondBurnBps = uint16(Constants.MIN_BOND_BURN_BPS - 1);
        _deployAll(c, 18);
        c.bondBurnBps = 0;
        _deployAll(c, 18);
        c.bondBurnBps = 10_001;
        _deployAll(c, 18);
    }

    /// @notice When several fields break a rule, the revert names the lowest-numbered one (§2): the same
    ///         cases as packages/contracts/test/configRules.test.ts.
    function test_constructors_severalBroken_namesLowestField() public {
        Types.RollupConfig memory c = ValidConfig.get();
        c.bondBurnBps = 0;
        c.gameClock = 0;
        _deployAll(c, 17);
        c.maxForcedTxBytes = 0;
        _deployAll(c, 9);
        c.genesisStateRoot = bytes32(0);
        _deployAll(c, 7);
        c.chainId = 0;
        _deployAll(c, 1);
    }
}
