// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { ValidConfig } from "../setup/ValidConfig.sol";
import { Test } from "../base/Test.sol";
import { Portal } from "../../src/L1/Portal.sol";
import { IClaimManager } from "../../src/interfaces/IClaimManager.sol";
import { Constants } from "../../src/libraries/Constants.sol";
import { ClaimHashMismatch } from "../../src/libraries/DisputeErrors.sol";
import "../../src/libraries/PortalErrors.sol";
import { RollupConfig } from "../../src/libraries/RollupConfig.sol";
import { Types } from "../../src/libraries/Types.sol";
import { RLPWriter } from "../../src/libraries/rlp/RLPWriter.sol";
import { MerkleTrie } from "../../src/libraries/trie/MerkleTrie.sol";
import { MockClaimManager } from "../setup/MockClaimManager.sol";
import { WithdrawalTrie } from "../setup/WithdrawalTrie.sol";

/// @notice Refuses ETH, to test a failed withdrawal payment.
contract RefusingRecipient {
    bool public refuse = true;

    function setRefuse(bool _refuse) external {
        refuse = _refuse;
    }

    receive() external payable {
        require(!refuse, "refused");
    }
}

/// @notice Re-enters `finalizeWithdrawal` with the same withdrawal when paid.
contract ReentrantRecipient {
    Portal internal portal;
    Types.Withdrawal internal w;
    uint256 internal claimId;
    bytes[] internal accountProof;
    bytes[] internal storageProof;
    bool public reentryFailed;

    function arm(Portal _p, Types.Withdrawal memory _w, uint256 _c, bytes[] memory _a, bytes[] memory _s) external {
        portal = _p;
        w = _w;
        claimId = _c;
        accountProof = _a;
        storageProof = _s;
    }

    receive() external payable {
        bytes32 h = IClaimManager(portal.claimManager()).getClaim(claimId).claimHash;
        try portal.finalizeWithdrawal(w, claimId, h, accountProof, storageProof) { }
        catch {
            reentryFailed = true;
        }
    }
}

contract Portal_Test is Test {
    event DelayedMessage(
        uint256 indexed index, uint8 indexed kind, address indexed l1Sender, uint64 l1Timestamp, bytes payload
    );
    event WithdrawalFinalized(
        bytes32 indexed withdrawalHash, address indexed l1Recipient, uint256 value, uint256 indexed claimId
    );

    Types.RollupConfig internal cfg;
    Portal internal portal;
    MockClaimManager internal claims;
    address internal alice;

    function setUp() public {
        alice = makeAddr("alice");
        cfg = ValidConfig.get();
        cfg.minDeposit = 0.01 ether;
        cfg.maxForcedTxBytes = 256; // the smallest a config may set (protocol.md §2)
        cfg.chainId = 7;
        claims = new MockClaimManager();
        portal = new Portal(cfg, IClaimManager(address(claims)));
        vm.warp(1_000_000);
        vm.deal(alice, 100 ether);
    }

    /// @dev The hash the mock gives claim `_claimId` (computed here: a call would meet `expectRevert`).
    function _claimHash(uint256 _claimId) internal pure returns (bytes32) {
        return keccak256(abi.encode("sluice.mock.claim", _claimId));
    }

    function _withdrawal(address _to, uint256 _value) internal pure returns (Types.Withdrawal memory) {
        return Types.Withdrawal({ nonce: 0, sender: address(0xabc), l1Recipient: _to, value: _value });
    }

    /// @dev Funds the Portal, sets claim 1 finalized over a state holding `_w`, returns the proofs.
    function _prepare(Types.Withdrawal memory _w) internal returns (bytes[] memory acc_, bytes[] memory sto_) {
        bytes32 h = WithdrawalTrie.hash(_w);
        bytes32 root;
        (root, acc_, sto_) = WithdrawalTrie.build(h, h);
        claims.setClaim(1, root, Types.ClaimStatus.Finalized);
        vm.prank(alice);
        portal.depositETH{ value: 10 ether }(alice);
    }

    // ------------------------------------------------------------------ constructor

    function test_constructor_storesConfig_succeeds() public view {
        assertEq(portal.configHash(), RollupConfig.hash(cfg));
        assertEq(portal.configHash(), keccak256(abi.encode(cfg)));
        assertEq(portal.minDeposit(), cfg.minDeposit);
        assertEq(portal.maxForcedTxBytes(), cfg.maxForcedTxBytes);
        assertEq(address(portal.claimManager()), address(claims));
        assertEq(portal.delayedMessageCount(), 0);
    }

    function test_configHash_equalsEncodingOfTheEighteenFields_succeeds() public pure {
        Types.RollupConfig memory c = Types.RollupConfig({
            chainId: 1,
            sequencer: address(2),
            feeVault: address(3),
            baseFeePerGas: 4,
            l2BlockGasLimit: 5,
            l2GenesisTimestamp: 6,
            genesisStateRoot: bytes32(uint256(7)),
            minDeposit: 8,
            maxForcedTxBytes: 9,
            maxBatchBytes: 10,
            maxSequencerDrift: 11,
            forceInclusionDelay: 12,
            l1Confirmations: 13,
            proposerBond: 14,
            challengerBond: 15,
            challengePeriod: 16,
            gameClock: 17,
            bondBurnBps: 18
        });
        bytes memory fields = abi.encode(
            uint64(1), address(2), address(3), uint256(4), uint64(5), uint64(6), bytes32(uint256(7)), uint256(8)
        );
        fields = bytes.concat(
            fields,
            abi.encode(uint32(9), uint32(10), uint64(11), uint64(12), uint64(13), uint256(14), uint256(15)),
            abi.encode(uint64(16), uint64(17), uint16(18))
        );
        assertEq(fields.length, 18 * 32);
        for (uint256 i; i < 18; ++i) assertEq(uint8(fields[i * 32 + 31]), i + 1);
        assertEq(RollupConfig.hash(c), keccak256(fields));
    }

    // ------------------------------------------------------------------ depositETH

    function test_depositETH_recordsMessage_succeeds() public {
        address to = makeAddr("l2");
        bytes memory payload = abi.encodePacked(to, uint256(1 ether));
        vm.expectEmit(address(portal));
        emit DelayedMessage(0, 0, alice, uint64(block.timestamp), payload);
        vm.prank(alice);
        uint256 index = portal.depositETH{ value: 1 ether }(to);
        assertEq(index, 0);
        assertEq(payload.length, 52);
        assertEq(portal.delayedMessageCount(), 1);
        assertEq(portal.delayedMessageTimestamp(0), uint64(block.timestamp));
        assertEq(
            portal.delayedMessageHash(0),
            keccak256(abi.encode(uint8(0), uint256(0), alice, uint64(block.timestamp), keccak256(payload)))
        );
        assertEq(address(portal).balance, 1 ether);
    }

    function test_depositETH_numbersSequentially_succeeds() public {
        vm.startPrank(alice);
        assertEq(portal.depositETH{ value: cfg.minDeposit }(alice), 0);
        vm.warp(block.timestamp + 5);
        assertEq(portal.forceTransaction(hex"01"), 1);
        assertEq(portal.depositETH{ value: cfg.minDeposit }(alice), 2);
        vm.stopPrank();
        assertEq(portal.delayedMessageCount(), 3);
        assertEq(portal.delayedMessageTimestamp(1), uint64(block.timestamp));
        assertEq(portal.delayedMessageTimestamp(0), uint64(block.timestamp - 5));
    }

    function test_depositETH_exactMinimum_succeeds() public {
        vm.prank(alice);
        portal.depositETH{ value: cfg.minDeposit }(alice);
        assertEq(portal.delayedMessageCount(), 1);
    }

    function test_depositETH_belowMinimum_reverts() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(DepositTooSmall.selector, cfg.minDeposit - 1, cfg.minDeposit));
        portal.depositETH{ value: cfg.minDeposit - 1 }(alice);
    }

    function test_depositETH_toMessagePasser_reverts() public {
        vm.prank(alice);
        vm.expectRevert(DepositToMessagePasser.selector);
        portal.depositETH{ value: 1 ether }(Constants.MESSAGE_PASSER);
    }

    function testFuzz_depositETH_hashMatchesSpec_succeeds(address _sender, address _to, uint96 _amount) public {
        vm.assume(_to != Constants.MESSAGE_PASSER && _amount >= cfg.minDeposit);
        vm.deal(_sender, _amount);
        vm.prank(_sender);
        portal.depositETH{ value: _amount }(_to);
        bytes32 expected = keccak256(
            abi.encode(
                uint8(0), uint256(0), _sender, uint64(block.timestamp), keccak256(abi.encodePacked(_to, uint256(_amount)))
            )
        );
        assertEq(portal.delayedMessageHash(0), expected);
    }

    // ------------------------------------------------------------------ forceTransaction

    function test_forceTransaction_recordsMessage_succeeds() public {
        bytes memory tx_ = hex"02f86b0701";
        vm.expectEmit(address(portal));
        emit DelayedMessage(0, 1, alice, uint64(block.timestamp), tx_);
        vm.prank(alice);
        portal.forceTransaction(tx_);
        assertEq(
            portal.delayedMessageHash(0),
            keccak256(abi.encode(uint8(1), uint256(0), alice, uint64(block.timestamp), keccak256(tx_)))
        );
    }

    function test_forceTransaction_maxLength_succeeds() public {
        portal.forceTransaction(new bytes(cfg.maxForcedTxBytes));
        assertEq(portal.delayedMessageCount(), 1);
    }

    function test_forceTransaction_empty_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(ForcedTxLength.selector, 0, cfg.maxForcedTxBytes));
        portal.forceTransaction("");
    }

    function test_forceTransaction_tooLong_reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(ForcedTxLength.selector, cfg.maxForcedTxBytes + 1, cfg.maxForcedTxBytes)
        );
        portal.forceTransaction(new bytes(cfg.maxForcedTxBytes + 1));
    }

    // ------------------------------------------------------------------ views

    function test_delayedMessageHash_outOfRange_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(DelayedMessageNotFound.selector, 0));
        portal.delayedMessageHash(0);
    }

    function test_delayedMessageTimestamp_outOfRange_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(DelayedMessageNotFound.selector, 3));
        portal.delayedMessageTimestamp(3);
    }

    // ------------------------------------------------------------------ finalizeWithdrawal

    function test_finalizeWithdrawal_pays_succeeds() public {
        address bob = makeAddr("bob");
        Types.Withdrawal memory w = _withdrawal(bob, 3 ether);
        (bytes[] memory a, bytes[] memory s) = _prepare(w);
        bytes32 h = WithdrawalTrie.hash(w);
        assertEq(portal.hashWithdrawal(w), h);
        vm.expectEmit(address(portal));
        emit WithdrawalFinalized(h, bob, 3 ether, 1);
        portal.finalizeWithdrawal(w, 1, _claimHash(1), a, s);
        assertEq(bob.balance, 3 ether);
        assertTrue(portal.paid(h));
        assertEq(address(portal).balance, 7 ether);
    }

    function test_finalizeWithdrawal_hashWithLeadingZeroByte_succeeds() public {
        // Find a withdrawal whose hash starts with a zero byte: its storage value is 31 bytes.
        Types.Withdrawal memory w = _withdrawal(makeAddr("bob"), 1 ether);
        while (uint256(WithdrawalTrie.hash(w)) >> 248 != 0) w.nonce++;
        (bytes[] memory a, bytes[] memory s) = _prepare(w);
        portal.finalizeWithdrawal(w, 1, _claimHash(1), a, s);
        assertTrue(portal.paid(WithdrawalTrie.hash(w)));
    }

    function test_finalizeWithdrawal_twice_reverts() public {
        Types.Withdrawal memory w = _withdrawal(makeAddr("bob"), 1 ether);
        (bytes[] memory a, bytes[] memory s) = _prepare(w);
        portal.finalizeWithdrawal(w, 1, _claimHash(1), a, s);
        vm.expectRevert(abi.encodeWithSelector(WithdrawalAlreadyPaid.selector, WithdrawalTrie.hash(w)));
        portal.finalizeWithdrawal(w, 1, _claimHash(1), a, s);
    }

    function test_finalizeWithdrawal_claimNotFinalized_reverts() public {
        Types.Withdrawal memory w = _withdrawal(makeAddr("bob"), 1 ether);
        (bytes[] memory a, bytes[] memory s) = _prepare(w);
        claims.setClaim(1, claims.getClaim(1).stateRoot, Types.ClaimStatus.Pending);
        vm.expectRevert(abi.encodeWithSelector(ClaimNotFinalized.selector, 1));
        portal.finalizeWithdrawal(w, 1, _claimHash(1), a, s);
        claims.setClaim(1, claims.getClaim(1).stateRoot, Types.ClaimStatus.Deleted);
        vm.expectRevert(abi.encodeWithSelector(ClaimNotFinalized.selector, 1));
        portal.finalizeWithdrawal(w, 1, _claimHash(1), a, s);
        vm.expectRevert(abi.encodeWithSelector(ClaimNotFinalized.selector, 2));
        portal.finalizeWithdrawal(w, 2, bytes32(0), a, s);
    }

    /// @notice After an L1 reorg put another finalized claim at the same id, a withdrawal that names the
    ///         claim it saw reverts (protocol.md §8.5), even when the proofs would pass.
    function test_finalizeWithdrawal_replacedClaim_reverts() public {
        Types.Withdrawal memory w = _withdrawal(makeAddr("bob"), 1 ether);
        (bytes[] memory a, bytes[] memory s) = _prepare(w);
        bytes32 other = keccak256("the claim now at id 1");
        claims.setClaimHash(1, other);
        vm.expectRevert(abi.encodeWithSelector(ClaimHashMismatch.selector, 1, _claimHash(1), other));
        portal.finalizeWithdrawal(w, 1, _claimHash(1), a, s);
        assertFalse(portal.paid(WithdrawalTrie.hash(w)));
    }

    function test_finalizeWithdrawal_wrongValue_reverts() public {
        Types.Withdrawal memory w = _withdrawal(makeAddr("bob"), 1 ether);
        (bytes[] memory a, bytes[] memory s) = _prepare(w);
        w.value = 2 ether;
        vm.expectRevert(abi.encodeWithSelector(WithdrawalNotFound.selector, WithdrawalTrie.hash(w)));
        portal.finalizeWithdrawal(w, 1, _claimHash(1), a, s);
    }

    function test_finalizeWithdrawal_slotHoldsOtherValue_reverts() public {
        Types.Withdrawal memory w = _withdrawal(makeAddr("bob"), 1 ether);
        bytes32 h = WithdrawalTrie.hash(w);
        (bytes32 root, bytes[] memory a, bytes[] memory s) = WithdrawalTrie.build(h, bytes32(uint256(1)));
        claims.setClaim(1, root, Types.ClaimStatus.Finalized);
        vm.deal(address(portal), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(WithdrawalNotFound.selector, h));
        portal.finalizeWithdrawal(w, 1, _claimHash(1), a, s);
    }

    function test_finalizeWithdrawal_accountProofForOtherRoot_reverts() public {
        Types.Withdrawal memory w = _withdrawal(makeAddr("bob"), 1 ether);
        (bytes[] memory a, bytes[] memory s) = _prepare(w);
        claims.setClaim(1, keccak256("other root"), Types.ClaimStatus.Finalized);
        vm.expectRevert(abi.encodeWithSelector(MerkleTrie.MerkleTrieInvalidNodeHash.selector, 0));
        portal.finalizeWithdrawal(w, 1, _claimHash(1), a, s);
    }

    function test_finalizeWithdrawal_passerAbsent_reverts() public {
        // A state whose only account is another address: a valid exclusion proof for the passer.
        bytes memory leafNode = WithdrawalTrie.leaf(abi.encodePacked(address(0x1234)), WithdrawalTrie.account(0, 0));
        claims.setClaim(1, keccak256(leafNode), Types.ClaimStatus.Finalized);
        bytes[] memory a = new bytes[](1);
        a[0] = leafNode;
        vm.expectRevert(MessagePasserNotFound.selector);
        portal.finalizeWithdrawal(_withdrawal(alice, 1), 1, _claimHash(1), a, new bytes[](0));
    }

    function test_finalizeWithdrawal_passerAccountMalformed_reverts() public {
        // The passer's leaf holds a 3-item list instead of [nonce, balance, storageRoot, codeHash].
        bytes[] memory items = new bytes[](3);
        items[0] = hex"80";
        items[1] = hex"80";
        items[2] = hex"80";
        bytes memory leafNode =
            WithdrawalTrie.leaf(abi.encodePacked(Constants.MESSAGE_PASSER), RLPWriter.writeList(items));
        claims.setClaim(1, keccak256(leafNode), Types.ClaimStatus.Finalized);
        bytes[] memory a = new bytes[](1);
        a[0] = leafNode;
        vm.expectRevert(MessagePasserNotFound.selector);
        portal.finalizeWithdrawal(_withdrawal(alice, 1), 1, _claimHash(1), a, new bytes[](0));
    }

    function test_finalizeWithdrawal_paymentFails_reverts() public {
        RefusingRecipient r = new RefusingRecipient();
        Types.Withdrawal memory w = _withdrawal(address(r), 1 ether);
        (bytes[] memory a, bytes[] memory s) = _prepare(w);
        bytes32 h = WithdrawalTrie.hash(w);
        vm.expectRevert(abi.encodeWithSelector(WithdrawalPaymentFailed.selector, h));
        portal.finalizeWithdrawal(w, 1, _claimHash(1), a, s);
        assertFalse(portal.paid(h));
        // Retry once the recipient accepts.
        r.setRefuse(false);
        portal.finalizeWithdrawal(w, 1, _claimHash(1), a, s);
        assertTrue(portal.paid(h));
        assertEq(address(r).balance, 1 ether);
    }

    function test_finalizeWithdrawal_reentry_paysOnce_succeeds() public {
        ReentrantRecipient r = new ReentrantRecipient();
        Types.Withdrawal memory w = _withdrawal(address(r), 1 ether);
        (bytes[] memory a, bytes[] memory s) = _prepare(w);
        r.arm(portal, w, 1, a, s);
        portal.finalizeWithdrawal(w, 1, _claimHash(1), a, s);
        assertTrue(r.reentryFailed());
        assertEq(address(r).balance, 1 ether);
        assertEq(address(portal).balance, 9 ether);
    }
}
