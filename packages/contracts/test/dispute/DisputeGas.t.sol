// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { CommonTest } from "../setup/CommonTest.sol";
import { Types } from "../../src/libraries/Types.sol";

/// @notice forge's `cool` cheatcode: marks an account's storage cold, as at the start of a transaction.
interface VmCool {
    function cool(address target) external;
}

/// @title DisputeGas_Test
/// @notice The gas of each claim and game call in one fixed scenario (printed with `-vv`; compare with
///         `forge test --match-path test/dispute/DisputeGas.t.sol --gas-report`): a claim over 100
///         messages, a second staker, a game played to the one-step proof, a game timed out, and the
///         bonds withdrawn. The bounds asserted are loose ceilings so a regression is visible.
contract DisputeGas_Test is CommonTest {
    address internal alice;
    address internal bob;
    address internal carol;
    uint256 internal bisectGas;
    uint256 internal agreeGas;
    uint256 internal disagreeGas;
    uint256 internal bisects;
    uint256 internal agrees;
    uint256 internal disagrees;

    function setUp() public override {
        super.setUp();
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        carol = makeAddr("carol");
        deposit(3);
        appendBatch(3, 97); // batch 0: 100 messages
        appendBatch(3, 1); // batch 1: 101 messages
    }

    /// @dev Every measured call is its own L1 transaction: storage and accounts start cold.
    function _cold() internal {
        VmCool(address(vm)).cool(address(game));
        VmCool(address(vm)).cool(address(claims));
        VmCool(address(vm)).cool(address(inbox));
        VmCool(address(vm)).cool(address(prover));
    }

    function _log(string memory _name, uint256 _gas, uint256 _ceiling) internal {
        emit log_named_uint(string.concat("gas: ", _name), _gas);
        assertLe(_gas, _ceiling, _name);
    }

    function test_gas_eachCall() public {
        vm.deal(alice, 10 ether);
        vm.deal(bob, 10 ether);
        vm.deal(carol, 10 ether);
        bytes32 acc = inbox.accumulator(0);
        bytes32 wrong = keccak256("wrong");

        _cold();
        vm.prank(alice);
        uint256 g0 = gasleft();
        uint256 id = claims.propose{ value: 2 * cfg.proposerBond }(0, acc, wrong);
        _log("propose", g0 - gasleft(), 400_000);

        bytes32 h = claims.getClaim(id).claimHash;
        _cold();
        vm.prank(carol);
        g0 = gasleft();
        claims.stake{ value: cfg.proposerBond }(id, h);
        _log("stake", g0 - gasleft(), 150_000);
        _cold();
        vm.prank(bob);
        g0 = gasleft();
        uint256 g = game.challenge{ value: cfg.challengerBond }(id, h, alice);
        _log("challenge", g0 - gasleft(), 300_000);

        _play(g);
        _rest(acc);
        id;
    }

    /// @dev bisect / disagree / agree until one message is left, then prove.
    function _play(uint256 g) internal {
        while (true) {
            Types.Game memory s = game.getGame(g);
            if (s.turn == Types.Turn.Staker) {
                uint256 mid = game.midpoint(g);
                bytes32 root = mid < 60 ? trueRoot(mid) : keccak256(abi.encode("lie", mid));
                bytes32 p = game.position(g);
                _cold();
                vm.prank(alice);
                uint256 before = gasleft();
                game.bisect(g, p, root);
                uint256 used = before - gasleft();
                bisectGas += used;
                ++bisects;
            } else if (s.hi - s.lo > 1) {
                uint256 mid = game.midpoint(g);
                bool agreeMove = s.midRoot == trueRoot(mid);
                bytes32 p = game.position(g);
                _cold();
                vm.prank(bob);
                uint256 before = gasleft();
                if (agreeMove) game.agree(g, p);
                else game.disagree(g, p);
                uint256 used = before - gasleft();
                if (agreeMove) {
                    agreeGas += used;
                    ++agrees;
                } else {
                    disagreeGas += used;
                    ++disagrees;
                }
            } else {
                bytes32 p = game.position(g);
                _cold();
                vm.prank(bob);
                uint256 before = gasleft();
                game.proveStep(g, p, "");
                uint256 used = before - gasleft();
                _log("proveStep (mock prover)", used, 200_000);
                break;
            }
        }
        _log("bisect (mean)", bisectGas / bisects, 100_000);
        if (agrees > 0) _log("agree (mean)", agreeGas / agrees, 100_000);
        if (disagrees > 0) _log("disagree (mean)", disagreeGas / disagrees, 100_000);
    }

    /// @dev A second claim whose game times out, then a finalization and the withdrawals.
    function _rest(bytes32 acc) internal {
        uint256 g0;

        // A second claim, a game timed out by the staker's silence.
        vm.prank(carol);
        uint256 id2 = claims.propose{ value: 2 * cfg.proposerBond }(0, acc, trueRoot(100));
        bytes32 h2 = claims.getClaim(id2).claimHash;
        vm.prank(bob);
        uint256 gt = game.challenge{ value: cfg.challengerBond }(id2, h2, carol);
        vm.warp(block.timestamp + cfg.gameClock + 1);
        bytes32 pt = game.position(gt);
        _cold();
        g0 = gasleft();
        game.timeout(gt, pt);
        _log("timeout", g0 - gasleft(), 200_000);

        vm.warp(block.timestamp + 2 * cfg.challengePeriod);
        bytes32 acc1 = inbox.accumulator(1);
        vm.prank(carol);
        uint256 id3 = claims.propose{ value: 2 * cfg.proposerBond }(1, acc1, trueRoot(101));
        vm.warp(block.timestamp + 2 * cfg.challengePeriod);
        _cold();
        g0 = gasleft();
        claims.finalizeClaim(id3);
        _log("finalizeClaim", g0 - gasleft(), 150_000);
        _cold();
        vm.prank(carol);
        g0 = gasleft();
        claims.withdrawStake(id3);
        _log("withdrawStake", g0 - gasleft(), 100_000);
        _cold();
        vm.prank(bob);
        g0 = gasleft();
        game.withdraw();
        _log("withdraw", g0 - gasleft(), 100_000);
        id2;
    }
}
