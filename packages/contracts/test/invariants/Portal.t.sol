// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { ValidConfig } from "../setup/ValidConfig.sol";
import { Test, Vm } from "../base/Test.sol";
import { Portal } from "../../src/L1/Portal.sol";
import { IClaimManager } from "../../src/interfaces/IClaimManager.sol";
import { Types } from "../../src/libraries/Types.sol";
import { MockClaimManager } from "../setup/MockClaimManager.sol";
import { WithdrawalTrie } from "../setup/WithdrawalTrie.sol";

/// @notice Actor: deposits, proves and finalizes withdrawals (new ones and repeats of paid ones).
contract PortalActor {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    Portal public portal;
    MockClaimManager public claims;
    uint256 public deposited;
    uint256 public paidOut;
    uint256 public nextClaimId = 1;
    Types.Withdrawal[] internal _made;
    mapping(bytes32 => uint256) public timesPaid;
    bytes32[] public paidHashes;

    constructor(Portal _portal, MockClaimManager _claims) {
        portal = _portal;
        claims = _claims;
    }

    function deposit(uint256 _amount, address _to) external {
        _amount = 0.01 ether + (_amount % 100 ether);
        if (_to == 0x5100000000000000000000000000000000000000) _to = address(1);
        vm.deal(address(this), _amount);
        portal.depositETH{ value: _amount }(_to);
        deposited += _amount;
    }

    /// @dev A new withdrawal of up to the Portal's balance, proven against a fresh finalized claim.
    function withdrawNew(uint256 _value, uint256 _nonce, address _to) external {
        if (_to.code.length != 0 || uint160(_to) < 0x10000) _to = address(0xBEEF);
        uint256 balance = address(portal).balance;
        if (balance == 0) return;
        Types.Withdrawal memory w = Types.Withdrawal({
            nonce: _nonce, sender: address(this), l1Recipient: _to, value: _value % (balance + 1)
        });
        _finalize(w);
        _made.push(w);
    }

    /// @dev Tries to pay an earlier withdrawal again (with its proofs against a new claim).
    function withdrawAgain(uint256 _which) external {
        if (_made.length == 0) return;
        _finalize(_made[_which % _made.length]);
    }

    function _finalize(Types.Withdrawal memory _w) internal {
        bytes32 h = WithdrawalTrie.hash(_w);
        (bytes32 root, bytes[] memory a, bytes[] memory s) = WithdrawalTrie.build(h, h);
        uint256 id = nextClaimId++;
        claims.setClaim(id, root, Types.ClaimStatus.Finalized);
        try portal.finalizeWithdrawal(_w, id, claims.claimHashOf(id), a, s) {
            timesPaid[h] += 1;
            paidOut += _w.value;
            paidHashes.push(h);
        } catch { }
    }

    function paidCount() external view returns (uint256) {
        return paidHashes.length;
    }
}

contract Portal_Invariant is Test {
    Portal internal portal;
    PortalActor internal actor;

    function setUp() public {
        Types.RollupConfig memory cfg = ValidConfig.get();
        cfg.minDeposit = 0.01 ether;
        cfg.maxForcedTxBytes = 256; // the smallest a config may set (protocol.md §2)
        MockClaimManager claims = new MockClaimManager();
        portal = new Portal(cfg, IClaimManager(address(claims)));
        actor = new PortalActor(portal, claims);
        targetContract(address(actor));
    }

    /// @notice The actor really pays withdrawals (the invariants are not vacuous) and repeats fail.
    function test_actor_paysOnce_succeeds() public {
        actor.deposit(5 ether, address(this));
        actor.withdrawNew(1 ether, 0, address(0xBEEF));
        actor.withdrawAgain(0);
        assertEq(actor.paidCount(), 1);
        assertEq(address(0xBEEF).balance, 1 ether);
    }

    /// @custom:invariant The Portal never pays a withdrawal twice.
    function invariant_neverPaysTwice() public view {
        uint256 n = actor.paidCount();
        for (uint256 i; i < n; ++i) {
            bytes32 h = actor.paidHashes(i);
            assertEq(actor.timesPaid(h), 1, "withdrawal paid twice");
            assertTrue(portal.paid(h));
        }
    }

    /// @custom:invariant The Portal never holds less ETH than deposits minus paid withdrawals.
    function invariant_solvent() public view {
        assertGe(actor.deposited(), actor.paidOut());
        assertGe(address(portal).balance, actor.deposited() - actor.paidOut(), "portal under-collateralised");
    }
}
