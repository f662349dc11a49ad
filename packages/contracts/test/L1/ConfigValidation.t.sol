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
        Types.RollupConfig memory c = ValidConfig.get();
        c.bondBurnBps = 10_000; // the whole bond burned is allowed
        c.maxBatchBytes = uint32(Constants.MAX_BATCH_BYTES_LIMIT);
        _deployAll(c, 0);
        c.maxBatchBytes = 13;
        _deployAll(c, 0);
    }

    function test_constructors_chainIdZero_reverts() public {
        Types.RollupConfig memory c = ValidConfig.get();
        c.chainId = 0;
        _deployAll(c, 1);
    }

    function test_constructors_feeVaultIsMessagePasser_reverts() public {
        Types.RollupConfig memory c = ValidConfig.get();
        c.feeVault = Constants.MESSAGE_PASSER;
        _deployAll(c, 3);
    }

    function test_constructors_maxBatchBytesOutOfRange_reverts() public {
        Types.RollupConfig memory c = ValidConfig.get();
        c.maxBatchBytes = 12;
        _deployAll(c, 10);
        c.maxBatchBytes = uint32(Constants.MAX_BATCH_BYTES_LIMIT + 1);
        _deployAll(c, 10);
    }

    function test_constructors_zeroBonds_reverts() public {
        Types.RollupConfig memory c = ValidConfig.get();
        c.proposerBond = 0;
        _deployAll(c, 14);
        c = ValidConfig.get();
        c.challengerBond = 0;
        _deployAll(c, 15);
    }

    function test_constructors_zeroDurations_reverts() public {
        Types.RollupConfig memory c = ValidConfig.get();
        c.challengePeriod = 0;
        _deployAll(c, 16);
        c = ValidConfig.get();
        c.gameClock = 0;
        _deployAll(c, 17);
    }

    /// @notice A burn share above the whole bond would make every resolution underflow and lock bonds.
    function test_constructors_bondBurnAboveWhole_reverts() public {
        Types.RollupConfig memory c = ValidConfig.get();
        c.bondBurnBps = 10_001;
        _deployAll(c, 18);
    }
}
