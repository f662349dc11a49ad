// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Reason } from "../../src/libraries/stf/Reason.sol";
import { OneStepProverTestBase } from "./OneStepProverTestBase.sol";

/// @title OneStepProverGas_Test
/// @notice The hard bound of protocol.md §8.4: the worst one-step-proof transaction — a batch of
///         `maxBatchBytes` = 100,000 bytes whose disputed message is its last slot, a withdrawal
///         (four proofs) in a large state — fits in 131,072 bytes and 8,000,000 gas with calldata
///         priced by EIP-7623. Several batch shapes are tried, including hostile ones that maximise
///         the walk (one-byte empty slots, three-byte empty blocks).
/// @dev    The state emulates a trie of millions of accounts: every branch above depth 7 is full
///         (16 hashed children, 532 bytes), so each account proof is 7 full branches and a leaf and
///         the storage proof 7 full branches — more than the ~6 levels of a 1M-account trie.
///         Figures are printed with `-vv` (log_named_uint).
contract OneStepProverGas_Test is OneStepProverTestBase {
    uint256 internal constant MAX_BATCH_BYTES = 100_000;
    uint256 internal constant MAX_TX_BYTES = 131_072;
    uint256 internal constant MAX_TX_GAS = 8_000_000;
    /// @notice Room for the rest of a signed L1 transaction around its calldata (envelope, signature,
    ///         fees, addresses): well under 200 bytes.
    uint256 internal constant TX_ENVELOPE_BYTES = 200;

    uint256 internal aliceKey = 0xA11CE;
    address internal alice;
    address internal carol = address(0xCA201);
    bytes internal withdrawalSlot;
    Fee[] internal fees;

    function setUp() public override {
        super.setUp();
        alice = vm.addr(aliceKey);
        _fillDepth = 7;
        _set(alice, 1_234, 100 ether);
        _set(FEE_VAULT, 0, 5 ether);
        _set(PASSER, 40_000, 0);
        _withdrawals.push(keccak256("an earlier withdrawal"));
        fees.push(Fee({ maxFeePerGas: 2 gwei, maxPriorityFeePerGas: 1 gwei, gasLimit: 30_000 }));

        SlotTx memory t;
        t.txType = 2;
        t.nonce = 1_234;
        t.fee = fees[0];
        t.inline_ = true;
        t.to = PASSER;
        t.mantissa = 15;
        t.exponent = 17;
        t.withTail = true;
        t.tail = carol;
        t.key = aliceKey;
        withdrawalSlot = _slotBytes(t);
        bytes32 wh = _withdrawalHash(40_000, alice, carol, 1.5 ether);
        _reservedSlots.push(keccak256(abi.encodePacked(wh)));
    }

    /// @dev A filler slot of `_length` bytes (pseudo-random, mostly non-zero like real signatures).
    function _filler(uint256 _length, uint256 _seed) internal pure returns (bytes memory out_) {
        out_ = new bytes(_length);
        for (uint256 k; k < _length; k += 32) {
            bytes32 w = keccak256(abi.encode(_seed, k));
            for (uint256 m; m < 32 && k + m < _length; ++m) {
                out_[k + m] = w[m];
            }
        }
    }

    function _prefix(uint32 _slotCount) internal view returns (bytes memory) {
        Fee[] memory f = fees;
        return bytes.concat(_header(1, 0, _slotCount), _prelude(1_700_000_000, new address[](0), f));
    }

    /// @notice Realistic: blocks of 100 transfer-sized slots (90 bytes with the length byte), then a
    ///         final block with (at most one) padding slot and the withdrawal, ending the batch exactly.
    function _realisticBatch() internal view returns (bytes memory batch_, uint256 slots_) {
        uint256 w = 1 + withdrawalSlot.length;
        uint256 budget = MAX_BATCH_BYTES - _prefix(0).length - 3 - w;
        uint256 n;
        uint256 used;
        while (true) {
            uint256 add = 90 + (n % 100 == 0 ? 3 : 0);
            if (used + add > budget) break;
            used += add;
            ++n;
        }
        uint256 rest = budget - used; // < 93: one padding slot of `rest` bytes, or none
        bytes memory body;
        for (uint256 k; k < n; ++k) {
            if (k % 100 == 0) body = bytes.concat(body, _blockHeader(1, 0, n - k < 100 ? n - k : 100));
            body = bytes.concat(body, _slot(_filler(89, k)));
        }
        slots_ = n + 1;
        if (rest > 0) {
            body = bytes.concat(body, _blockHeader(1, 0, 2), _slot(_filler(rest - 1, 1e9)));
            ++slots_;
        } else {
            body = bytes.concat(body, _blockHeader(1, 0, 1));
        }
        body = bytes.concat(body, _slot(withdrawalSlot));
        batch_ = bytes.concat(_prefix(uint32(slots_)), body);
    }

    /// @notice Hostile: one block of one-byte empty slots, the withdrawal last.
    function _emptySlotsBatch() internal view returns (bytes memory batch_, uint256 slots_) {
        // block header: 0, 0 and a 3-byte slotCount varint (5 bytes)
        slots_ = MAX_BATCH_BYTES - _prefix(0).length - 5 - (1 + withdrawalSlot.length) + 1;
        bytes memory body = bytes.concat(_blockHeader(0, 0, slots_), new bytes(slots_ - 1), _slot(withdrawalSlot));
        batch_ = bytes.concat(_prefix(uint32(slots_)), body);
        assertEq(_blockHeader(0, 0, slots_).length, 5);
    }

    /// @notice Hostile: three-byte empty blocks, then a block holding the withdrawal.
    function _emptyBlocksBatch() internal view returns (bytes memory batch_, uint256 slots_) {
        uint256 room = MAX_BATCH_BYTES - _prefix(0).length - 3 - (1 + withdrawalSlot.length);
        bytes memory body = new bytes(room); // zeros: empty blocks `00 00 00`
        // room % 3 extra bytes: a longer timestampDelta in the first block (0x80 0x01, 0x80 0x80 0x01).
        if (room % 3 == 1) {
            body[0] = 0x80;
            body[1] = 0x01;
        } else if (room % 3 == 2) {
            body[0] = 0x80;
            body[1] = 0x80;
            body[2] = 0x01;
        }
        body = bytes.concat(body, _blockHeader(0, 0, 1), _slot(withdrawalSlot));
        slots_ = 1;
        batch_ = bytes.concat(_prefix(1), body);
    }

    /// @notice Hostile: blocks of one empty slot each (`00 00 01 00`), then the withdrawal's block.
    function _oneEmptySlotBlocksBatch() internal view returns (bytes memory batch_, uint256 slots_) {
        uint256 room = MAX_BATCH_BYTES - _prefix(0).length - 3 - (1 + withdrawalSlot.length);
        uint256 blocks = room / 4;
        uint256 rest = room % 4;
        bytes memory body = new bytes(blocks * 4);
        for (uint256 k; k < blocks; ++k) {
            body[4 * k + 2] = 0x01;
        }
        slots_ = blocks + 1;
        if (rest > 0) {
            body = bytes.concat(body, _blockHeader(0, 0, 2), _slot(new bytes(rest - 1)));
            ++slots_;
        } else {
            body = bytes.concat(body, _blockHeader(0, 0, 1));
        }
        body = bytes.concat(body, _slot(withdrawalSlot));
        batch_ = bytes.concat(_prefix(uint32(slots_)), body);
    }

    struct Figures {
        uint256 execution;
        uint256 calldataBytes;
        uint256 zeros;
        uint256 nonZeros;
        uint256 standard;
        uint256 floor;
        uint256 txGas;
    }

    /// @dev Applies the withdrawal in the model; returns the encoded proof and the expected post root.
    function _withdrawalProof(bytes memory _batch) internal returns (bytes memory proof_, bytes32 expected_) {
        bytes memory data = abi.encodePacked(bytes12(0), carol);
        uint256 fee = (21_000 + 4 * _zeros(data) + 16 * (32 - _zeros(data))) * 2 gwei;
        bytes[][] memory p = new bytes[][](3);
        p[0] = _proof(alice);
        _nonce[alice] += 1;
        _balance[alice] -= 1.5 ether + fee;
        p[1] = _proof(FEE_VAULT);
        _credit(FEE_VAULT, fee);
        p[2] = _proof(PASSER);
        bytes32 wh = _withdrawalHash(_nonce[PASSER], alice, carol, 1.5 ether);
        bytes[] memory sp = _storageProof(wh);
        _withdrawals.push(wh);
        _nonce[PASSER] += 1;
        expected_ = _root();
        emit log_named_uint("proof nodes: total bytes", _proofBytes(p, sp));
        emit log_named_uint("proof nodes: sender proof nodes", p[0].length);
        emit log_named_uint("proof nodes: storage proof nodes", sp.length);
        proof_ = _encodeProof(0, _batch, _noDelayed(), p, sp);
    }

    function _measure(string memory _name, bytes memory _batch, uint256 _slotCount) internal returns (Figures memory f_) {
        assertLe(_batch.length, MAX_BATCH_BYTES, "batch within maxBatchBytes");
        inbox.push(_batch, 0, _slotCount);
        uint256 i = _slotCount - 1; // the last slot is the last message
        bytes32 pre = _root();
        (bytes memory proof, bytes32 expected) = _withdrawalProof(_batch);

        // Measured through a low-level call with the calldata built beforehand, so the figure is the
        // prover's execution (and the CALL), not the test contract's encoding of the arguments.
        bytes memory cd = abi.encodeCall(prover.proveMessageWithReason, (i, pre, proof));
        address target = address(prover);
        uint256 g = gasleft();
        (bool ok, bytes memory ret) = target.staticcall(cd);
        f_.execution = g - gasleft();
        assertTrue(ok, "proveMessage succeeds");
        (bytes32 post, uint8 reason) = abi.decode(ret, (bytes32, uint8));
        assertEq(reason, Reason.APPLIED, "the withdrawal applies");
        assertEq(post, expected, "post root");

        f_.calldataBytes = cd.length;
        f_.zeros = _zeros(cd);
        f_.nonZeros = cd.length - f_.zeros;
        f_.standard = 21_000 + 16 * f_.nonZeros + 4 * f_.zeros + f_.execution;
        f_.floor = 21_000 + 40 * f_.nonZeros + 10 * f_.zeros;
        f_.txGas = f_.standard > f_.floor ? f_.standard : f_.floor;
        _log(_name, _batch.length, f_);
        assertLe(f_.calldataBytes + TX_ENVELOPE_BYTES, MAX_TX_BYTES, "transaction within 128 KiB");
        assertLe(f_.txGas, MAX_TX_GAS, "transaction within 8,000,000 gas");
    }

    function _log(string memory _name, uint256 _batchBytes, Figures memory _f) internal {
        emit log_named_uint(string.concat(_name, ": batch bytes"), _batchBytes);
        emit log_named_uint(string.concat(_name, ": execution gas"), _f.execution);
        emit log_named_uint(string.concat(_name, ": calldata bytes"), _f.calldataBytes);
        emit log_named_uint(string.concat(_name, ": calldata non-zero bytes"), _f.nonZeros);
        emit log_named_uint(string.concat(_name, ": tx gas (standard)"), _f.standard);
        emit log_named_uint(string.concat(_name, ": tx gas (EIP-7623 floor)"), _f.floor);
        emit log_named_uint(string.concat(_name, ": tx gas"), _f.txGas);
    }

    function _zeros(bytes memory _b) internal pure returns (uint256 z_) {
        for (uint256 k; k < _b.length; ++k) {
            if (_b[k] == 0) ++z_;
        }
    }

    function _proofBytes(bytes[][] memory _p, bytes[] memory _sp) internal pure returns (uint256 n_) {
        for (uint256 a; a < _p.length; ++a) {
            for (uint256 k; k < _p[a].length; ++k) {
                n_ += _p[a][k].length;
            }
        }
        for (uint256 k; k < _sp.length; ++k) {
            n_ += _sp[k].length;
        }
    }

    function test_hardBound_realisticMaxBatch_withinLimits() public {
        (bytes memory batch, uint256 slots) = _realisticBatch();
        assertEq(batch.length, MAX_BATCH_BYTES, "a full batch");
        _measure("realistic", batch, slots);
    }

    function test_hardBound_emptySlots_withinLimits() public {
        (bytes memory batch, uint256 slots) = _emptySlotsBatch();
        assertEq(batch.length, MAX_BATCH_BYTES, "a full batch");
        _measure("empty slots", batch, slots);
    }

    function test_hardBound_emptyBlocks_withinLimits() public {
        (bytes memory batch, uint256 slots) = _emptyBlocksBatch();
        assertEq(batch.length, MAX_BATCH_BYTES, "a full batch");
        _measure("empty blocks", batch, slots);
    }

    function test_hardBound_oneEmptySlotPerBlock_withinLimits() public {
        (bytes memory batch, uint256 slots) = _oneEmptySlotBlocksBatch();
        assertEq(batch.length, MAX_BATCH_BYTES, "a full batch");
        _measure("one empty slot per block", batch, slots);
    }
}

contract OneStepProverGasProbe_Test is OneStepProverGas_Test {
    function test_probe_smallBatch() public {
        bytes memory batch = bytes.concat(_prefix(1), _blockHeader(0, 0, 1), _slot(withdrawalSlot));
        inbox.push(batch, 0, 1);
        bytes32 pre = _root();
        (bytes memory proof,) = _withdrawalProof(batch);
        bytes memory cd = abi.encodeCall(prover.proveMessageWithReason, (0, pre, proof));
        address target = address(prover);
        uint256 g = gasleft();
        (bool ok,) = target.staticcall(cd);
        emit log_named_uint("small batch execution", g - gasleft());
        assertTrue(ok);
    }
}
