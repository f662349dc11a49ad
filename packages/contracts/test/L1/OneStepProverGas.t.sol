// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Constants} from "../../src/libraries/Constants.sol";
import {Reason} from "../../src/libraries/stf/Reason.sol";
import {DelayedMessage} from "../../src/libraries/stf/StateTransition.sol";
import {OneStepProver} from "../../src/L1/OneStepProver.sol";
import {BlobOpening} from "../../src/libraries/batch/BlobBody.sol";
import {BlobProverTestBase} from "./BlobProverTestBase.sol";

/// @notice Calls a target the way a contract forwarding a proof would (the DisputeGame): copies its
///         calldata into fresh memory and calls. The figure includes that copy and the call; a test
///         contract's own large memory would otherwise inflate it.
contract GasMeter {
    function measure(address _target, bytes calldata _data) external view returns (uint256 used_, bytes memory ret_) {
        uint256 g = gasleft();
        bytes memory data = _data;
        bool ok;
        (ok, ret_) = _target.staticcall(data);
        used_ = g - gasleft();
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret_, 0x20), mload(ret_))
            }
        }
    }
}

/// @title OneStepProverGas_Test
/// @notice The hard bound of protocol.md §8.4: the worst one-step-proof transaction — a batch of
///         `maxBatchBytes` = `MAX_BATCH_BYTES_LIMIT` (90,000) bytes whose disputed message is its last
///         slot, a withdrawal (four proofs) — fits in 131,072 bytes and 8,000,000 gas with calldata
///         priced by EIP-7623. Several batch shapes are tried, including hostile ones that maximise
///         the walk (two-byte slots, 511 blocks of ten-byte varints).
/// @dev    The proofs have the depth §8.4 budgets for, beyond any address grinding: every branch
///         above depth 16 is full (16 hashed children, 532 bytes), so each of the three account
///         proofs is 16 full branches and a leaf and the storage proof 16 full branches and a leaf.
///         A real trie has ~6 full levels at a million accounts; grinding adds only short 2-child
///         branches. Figures are printed with `-vv` (log_named_uint).
///         Blob batches (§8.4 restated, §8.3): the proof carries KZG openings instead of the batch; the
///         worst shapes open the most elements a message can need from the largest body (six blobs,
///         761,852 bytes, so the prover's body buffer is as large as it gets).
contract OneStepProverGas_Test is BlobProverTestBase {
    uint256 internal constant MAX_BATCH_BYTES = Constants.MAX_BATCH_BYTES_LIMIT;
    /// @notice Full branch levels in every proof (protocol.md §8.4).
    uint256 internal constant FULL_LEVELS = 16;
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

    GasMeter internal meter;

    function setUp() public override {
        super.setUp();
        meter = new GasMeter();
        alice = vm.addr(aliceKey);
        _fillDepth = FULL_LEVELS;
        _set(alice, 1_234, 100 ether);
        _set(FEE_VAULT, 0, 5 ether);
        _set(PASSER, 40_000, 0);
        _withdrawals.push(keccak256("an earlier withdrawal"));
        fees.push(Fee({maxFeePerGas: 2 gwei, maxPriorityFeePerGas: 1 gwei, gasLimit: 30_000}));

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

    /// @dev Appends `_b` to `_buf` at `_len` (the buffer is preallocated: concatenating 100 KB a
    ///      thousand times would run the test out of memory).
    function _put(bytes memory _buf, uint256 _len, bytes memory _b) internal pure returns (uint256) {
        assembly ("memory-safe") {
            mcopy(add(add(_buf, 0x20), _len), add(_b, 0x20), mload(_b))
        }
        return _len + _b.length;
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
        slots_ = n + 1 + (rest > 0 ? 1 : 0);
        batch_ = new bytes(MAX_BATCH_BYTES);
        uint256 len = _put(batch_, 0, _prefix(uint32(slots_)));
        bytes memory filler = _slot(_filler(89, 7));
        for (uint256 k; k < n; ++k) {
            if (k % 100 == 0) len = _put(batch_, len, _blockHeader(1, 0, n - k < 100 ? n - k : 100));
            filler[1] = bytes1(uint8(k)); // vary the slots a little
            len = _put(batch_, len, filler);
        }
        if (rest > 0) {
            len = _put(batch_, len, _blockHeader(1, 0, 2));
            len = _put(batch_, len, _slot(_filler(rest - 1, 1e9)));
        } else {
            len = _put(batch_, len, _blockHeader(1, 0, 1));
        }
        len = _put(batch_, len, _slot(withdrawalSlot));
        assembly ("memory-safe") {
            mstore(batch_, len)
        }
    }

    /// @notice The most slots the inbox accepts in a full batch: one slot per 64 body bytes (§5.1).
    function _maxSlots() internal pure returns (uint256) {
        return (MAX_BATCH_BYTES - 13) / 64;
    }

    /// @notice Hostile under the walk bounds of §5.6: `_blocks` copies of `_unitBlock` (each a whole
    ///         block announcing `_slotsPerBlock` slots), then one block holding as many two-byte
    ///         `01 ff` slots as the inbox's slot bound still allows and the withdrawal last; the rest
    ///         of the batch is 0x80 bytes after the withdrawal (a block-header varint that never ends,
    ///         so nothing after the withdrawal is read).
    function _boundedHostileBatch(bytes memory _unitBlock, uint256 _blocks, uint256 _slotsPerBlock)
        internal
        view
        returns (bytes memory batch_, uint256 slots_)
    {
        slots_ = _maxSlots();
        uint256 filler = slots_ - 1 - _blocks * _slotsPerBlock;
        batch_ = new bytes(MAX_BATCH_BYTES);
        uint256 len = _put(batch_, 0, _prefix(uint32(slots_)));
        for (uint256 k; k < _blocks; ++k) {
            len = _put(batch_, len, _unitBlock);
        }
        len = _put(batch_, len, _blockHeader(0, 0, filler + 1));
        for (uint256 k; k < filler; ++k) {
            len = _put(batch_, len, hex"01ff");
        }
        len = _put(batch_, len, _slot(withdrawalSlot));
        for (; len < MAX_BATCH_BYTES; ++len) {
            batch_[len] = 0x80;
        }
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
        for (uint256 k; k < p.length; ++k) assertGe(p[k].length, FULL_LEVELS + 1, "account proof depth");
        assertGe(sp.length, FULL_LEVELS, "storage proof depth (an exclusion proof: the slot is new)");
        proof_ = _encodeProof(0, _batch, _noDelayed(), p, sp);
    }

    function _measure(string memory _name, bytes memory _batch, uint256 _slotCount)
        internal
        returns (Figures memory f_)
    {
        assertLe(_batch.length, MAX_BATCH_BYTES, "batch within maxBatchBytes");
        inbox.push(_batch, 0, _slotCount);
        uint256 i = _slotCount - 1; // the last slot is the last message
        bytes32 pre = _root();
        (bytes memory proof, bytes32 expected) = _withdrawalProof(_batch);

        // Measured from a small forwarding contract (GasMeter), so that the figure is the prover's
        // execution plus the forwarder's copy and call, not the test contract's memory.
        bytes memory cd = abi.encodeCall(prover.proveMessageWithReason, (i, pre, proof));
        (uint256 used, bytes memory ret) = meter.measure(address(prover), cd);
        (bytes32 post, uint8 reason) = abi.decode(ret, (bytes32, uint8));
        assertEq(reason, Reason.APPLIED, "the withdrawal applies");
        assertEq(post, expected, "post root");

        f_ = _figures(cd, used);
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

    /// @notice The most slots, all two-byte `01 ff`, before the withdrawal.
    function test_hardBound_maxSlotsTwoByte_withinLimits() public {
        (bytes memory batch, uint256 slots) = _boundedHostileBatch(hex"", 0, 0);
        _measure("max slots, two-byte", batch, slots);
    }

    /// @notice 511 blocks of one empty slot each (`00 00 01 00`), then the most slots.
    function test_hardBound_oneEmptySlotPerBlock_withinLimits() public {
        (bytes memory batch, uint256 slots) = _boundedHostileBatch(hex"00000100", 511, 1);
        _measure("511 one-slot blocks", batch, slots);
    }

    /// @notice 511 empty blocks with two-byte timestampDelta varints, then the most slots.
    function test_hardBound_twoByteVarintBlocks_withinLimits() public {
        (bytes memory batch, uint256 slots) = _boundedHostileBatch(hex"80010000", 511, 0);
        _measure("511 two-byte-varint blocks", batch, slots);
    }

    /// @notice 511 empty blocks whose varints are 10 bytes long (the costliest header to read).
    function test_hardBound_tenByteVarintBlocks_withinLimits() public {
        (bytes memory batch, uint256 slots) =
            _boundedHostileBatch(hex"ffffffffffffffffff018080808080808080800100", 511, 0);
        _measure("511 ten-byte-varint blocks", batch, slots);
    }

    // ------------------------------------------------------------------ forced messages (§8.4)

    /// @notice The longest payload that can pass rules 1–15 of §7.3 (and so carry account proofs): a
    ///         type-2 envelope with every field at its widest (protocol.md §2, `MIN_FORCED_TX_BYTES`).
    uint256 internal constant MAX_PROVEN_FORCED_PAYLOAD = 251;

    /// @notice A full batch whose last message is a delayed one: `_unitBlock` × `_blocks`, then a block
    ///         of as many two-byte slots as the slot bound allows, then a block taking one delayed message
    ///         and no slot; 0x80 padding to `maxBatchBytes` (never read).
    function _forcedLastBatch(bytes memory _unitBlock, uint256 _blocks, uint256 _slotsPerBlock)
        internal
        view
        returns (bytes memory batch_, uint256 slots_)
    {
        slots_ = _maxSlots();
        uint256 filler = slots_ - _blocks * _slotsPerBlock;
        batch_ = new bytes(MAX_BATCH_BYTES);
        Fee[] memory f = fees;
        uint256 len = _put(batch_, 0, bytes.concat(_header(1, 1, uint32(slots_)), _prelude(1_700_000_000, new address[](0), f)));
        for (uint256 k; k < _blocks; ++k) {
            len = _put(batch_, len, _unitBlock);
        }
        len = _put(batch_, len, _blockHeader(0, 0, filler));
        for (uint256 k; k < filler; ++k) {
            len = _put(batch_, len, hex"01ff");
        }
        len = _put(batch_, len, _blockHeader(0, 1, 0));
        for (; len < MAX_BATCH_BYTES; ++len) {
            batch_[len] = 0x80;
        }
    }

    /// @dev Measures the proof of the batch's last message, the delayed message `_payload` (forced), whose
    ///      outcome must be `_reason`; `_withdrawal` says whether it is the forced withdrawal (four proofs).
    function _measureForced(
        string memory _name,
        bytes memory _batch,
        uint256 _slots,
        bytes memory _payload,
        bool _withdrawal,
        uint8 _reason
    ) internal returns (Figures memory f_) {
        inbox.push(_batch, 1, _slots);
        assertEq(portal.add(1, alice, 77, _payload), 0);
        bytes32 pre = _root();
        (bytes memory proof, bytes32 expected) = _forcedProof(_batch, _payload, _withdrawal);
        bytes memory cd = abi.encodeCall(prover.proveMessageWithReason, (_slots, pre, proof));
        (uint256 used, bytes memory ret) = meter.measure(address(prover), cd);
        (bytes32 post, uint8 reason) = abi.decode(ret, (bytes32, uint8));
        assertEq(reason, _reason, "outcome");
        assertEq(post, expected, "post root");
        f_ = _figures(cd, used);
        _log(_name, _batch.length, f_);
        emit log_named_uint(string.concat(_name, ": forced payload bytes"), _payload.length);
        assertLe(f_.calldataBytes + TX_ENVELOPE_BYTES, MAX_TX_BYTES, "transaction within 128 KiB");
        assertLe(f_.txGas, MAX_TX_GAS, "transaction within 8,000,000 gas");
    }

    function _forcedProof(bytes memory _batch, bytes memory _payload, bool _withdrawal)
        internal
        returns (bytes memory proof_, bytes32 expected_)
    {
        DelayedMessage memory dm = DelayedMessage({ kind: 1, l1Sender: alice, l1Timestamp: 77, payload: _payload });
        if (!_withdrawal) return (_encodeProof(0, _batch, dm, new bytes[][](0), new bytes[](0)), _root());
        bytes memory viaSlot;
        (viaSlot, expected_) = _withdrawalProof(_batch);
        OneStepProver.OneStepProof memory p = abi.decode(viaSlot, (OneStepProver.OneStepProof));
        proof_ = _encodeProof(0, _batch, dm, p.accountProofs, p.storageProof);
    }

    function _figures(bytes memory _cd, uint256 _used) internal pure returns (Figures memory f_) {
        f_.execution = _used;
        f_.calldataBytes = _cd.length;
        f_.zeros = _zeros(_cd);
        f_.nonZeros = _cd.length - f_.zeros;
        f_.standard = 21_000 + 16 * f_.nonZeros + 4 * f_.zeros + f_.execution;
        f_.floor = 21_000 + 40 * f_.nonZeros + 10 * f_.zeros;
        f_.txGas = f_.standard > f_.floor ? f_.standard : f_.floor;
    }

    /// @dev The forced withdrawal (network form) that `_withdrawalProof` applies: alice → carol, 1.5 ETH.
    function _forcedWithdrawal() internal view returns (bytes memory) {
        NetTx memory t;
        t.txType = 2;
        t.chainId = CHAIN_ID;
        t.nonce = 1_234;
        t.maxPriorityFeePerGas = 1 gwei;
        t.maxFeePerGas = 2 gwei;
        t.gasLimit = 30_000;
        t.to = abi.encodePacked(PASSER);
        t.value = 1.5 ether;
        t.data = abi.encodePacked(bytes12(0), carol);
        t.key = aliceKey;
        return _netEncode(t, 0);
    }

    /// @notice 511 empty blocks with a ten-byte timestamp varint (a ten-byte delayed varint would take
    ///         the delayed message into the first block: it must stay 0 here).
    bytes internal constant TEN_BYTE_TIMESTAMP_BLOCK = hex"ffffffffffffffffff010000";

    /// @notice The forced withdrawal as the last message of a full batch (511 blocks with ten-byte varints
    ///         and the most slots before it): four 16-level proofs beside the whole batch and the payload.
    ///         It fits, and so does the widest payload that can carry proofs (251 bytes).
    function test_hardBound_forcedWithdrawalLast_withinLimits() public {
        (bytes memory batch, uint256 slots) = _forcedLastBatch(TEN_BYTE_TIMESTAMP_BLOCK, 511, 0);
        bytes memory payload = _forcedWithdrawal();
        Figures memory f = _measureForced("forced withdrawal last", batch, slots, payload, true, Reason.APPLIED);
        uint256 widest = f.calldataBytes + MAX_PROVEN_FORCED_PAYLOAD - payload.length;
        emit log_named_uint("forced withdrawal last: widest proven payload, calldata bytes", widest);
        assertLe(widest + TX_ENVELOPE_BYTES, MAX_TX_BYTES, "the widest proven payload fits too");
    }

    /// @notice The largest forced payload a config may allow (`MAX_FORCED_TX_BYTES_LIMIT`), undecodable, as
    ///         the last message of a full batch: no account proof, the payload beside the whole batch.
    function test_hardBound_forcedMaxPayloadLast_withinLimits() public {
        (bytes memory batch, uint256 slots) = _forcedLastBatch(TEN_BYTE_TIMESTAMP_BLOCK, 511, 0);
        bytes memory payload = _filler(Constants.MAX_FORCED_TX_BYTES_LIMIT, 99);
        payload[0] = 0x05; // an unknown type byte: forcedDecode
        _measureForced("forced max payload last", batch, slots, payload, false, Reason.FORCED_DECODE);
    }

    /// @notice A body that announces far more blocks than 512: reading stops at the bound, and the
    ///         withdrawal placed after them is an empty slot of the implicit block (a no-op), so a
    ///         hostile sequencer cannot push a message past what a proof can reach.
    function test_walk_blockBound_stopsReading_succeeds() public {
        bytes memory batch = new bytes(MAX_BATCH_BYTES);
        uint256 len = _put(batch, 0, _prefix(1));
        for (uint256 k; k < 600; ++k) {
            len = _put(batch, len, hex"000000");
        }
        len = _put(batch, len, _blockHeader(0, 0, 1));
        len = _put(batch, len, _slot(withdrawalSlot));
        assembly ("memory-safe") {
            mstore(batch, len)
        }
        inbox.push(batch, 0, 1);
        bytes32 pre = _root();
        bytes memory proof = _encodeProof(0, batch, _noDelayed(), new bytes[][](0), new bytes[](0));
        (bytes32 post, uint8 reason) = prover.proveMessageWithReason(0, pre, proof);
        assertEq(reason, Reason.SLOT_DECODE, "an empty slot of the implicit block");
        assertEq(post, pre);
    }

    // ------------------------------------------------------------------ blob batches (§8.4 restated)

    /// @notice The largest blob body: six blobs' payload less the length prefix (§5.7).
    uint256 internal constant MAX_BLOB_BODY = 6 * 126_976 - 4;
    /// @notice The most slots a six-blob batch may announce (one per 64 payload bytes, §5.1).
    uint256 internal constant MAX_BLOB_SLOTS = 6 * 126_976 / 64;

    /// @dev A six-blob body whose prefix says `MAX_BLOB_BODY`, announcing `MAX_BLOB_SLOTS` slots, all
    ///      empty but the last, `_slot`, placed as late as the body allows with its first byte the last
    ///      payload byte of an element (so it touches the most elements).
    function _maxBlobBody(address[] memory _dict, Fee[] memory _fees, bytes memory _slot)
        internal
        pure
        returns (Body2 memory b_)
    {
        bytes[] memory slots = new bytes[](MAX_BLOB_SLOTS);
        slots[MAX_BLOB_SLOTS - 1] = _slot;
        uint256 slotsStart = _body2(_dict, _fees, new bytes[](MAX_BLOB_SLOTS), 0, "").tailAt;
        uint256 start = MAX_BLOB_BODY - _slot.length;
        while ((start + 4) % 31 != 30) --start;
        b_ = _body2(_dict, _fees, slots, start - slotsStart, "");
        b_.length = MAX_BLOB_BODY;
    }

    /// @dev Posts `_b` as a six-blob batch, proves its last slot with the openings of `_set`, checks
    ///      the outcome and the bounds, and logs the figures.
    function _measureBlob(
        string memory _name,
        Body2 memory _b,
        ElementSet memory _set,
        bytes[][] memory _p,
        bytes[] memory _sp,
        Expected memory _e
    ) internal returns (Figures memory f_) {
        bytes memory cd;
        uint256 openings;
        {
            (bytes32[] memory hashes, BlobOpening[] memory o) = _openBlobs(6, _b, _set);
            inbox.pushBlob(hashes, 0, uint32(_b.slotCount));
            bytes memory proof = _encodeBlobProof(0, o, _noDelayed(), _p, _sp);
            cd = abi.encodeCall(prover.proveMessageWithReason, (_b.slotCount - 1, _e.pre, proof));
            openings = o.length;
        }
        (uint256 used, bytes memory ret) = meter.measure(address(prover), cd);
        (bytes32 post, uint8 reason) = abi.decode(ret, (bytes32, uint8));
        assertEq(reason, _e.reason, "outcome");
        assertEq(post, _e.post, "post root");
        f_ = _figures(cd, used);
        _log(_name, _b.length, f_);
        emit log_named_uint(string.concat(_name, ": openings"), openings);
        assertLe(f_.calldataBytes + TX_ENVELOPE_BYTES, MAX_TX_BYTES, "transaction within 128 KiB");
        assertLe(f_.txGas, MAX_TX_GAS, "transaction within 8,000,000 gas");
    }

    /// @dev The pre-state root, and the post-state root and reason the proof must give.
    struct Expected {
        bytes32 pre;
        bytes32 post;
        uint8 reason;
    }

    /// @dev A prelude of 4 addresses and 7 fee entries: with the most slots, feeCount (element 3),
    ///      address 2 (= PASSER, elements 1–2), fee entry 3 (= `fees[0]`, elements 6–8), the last
    ///      slot's lengths run and its group offset (2 elements each) lie in distinct elements.
    function _straddlingPrelude() internal view returns (address[] memory dict_, Fee[] memory fees_) {
        dict_ = new address[](4);
        (dict_[0], dict_[1], dict_[2], dict_[3]) = (address(0xD1), carol, PASSER, address(0xD3));
        fees_ = new Fee[](7);
        for (uint256 k; k < 7; ++k) {
            fees_[k] = Fee({maxFeePerGas: uint128(3 gwei + k), maxPriorityFeePerGas: 2 gwei, gasLimit: 50_000});
        }
        fees_[3] = fees[0];
    }

    /// @notice The worst slot that decodes (protocol.md §8.4: 17 openings): a withdrawal (four proofs
    ///         of 16 full levels) as wide as a decodable slot gets here (a 10-byte nonce varint, a
    ///         37-byte mantissa: 134 bytes over 6 elements), whose dictionary recipient and fee entry
    ///         straddle elements (2 and 3, none shared), its lengths run and group offset straddling
    ///         too, in the largest body.
    function test_hardBound_blobWithdrawalMaxBody_withinLimits() public {
        (address[] memory dict, Fee[] memory blobFees) = _straddlingPrelude();
        SlotTx memory t;
        t.txType = 2;
        t.nonce = 2 ** 63; // a 10-byte varint
        t.feeIndex = 3;
        t.fee = fees[0];
        t.to = PASSER;
        t.toIndex = 2;
        t.mantissa = 2 ** 252 + 1; // exponent 0: a 37-byte wide varint
        t.withTail = true;
        t.tail = carol;
        t.key = aliceKey;
        bytes memory slot = _slotBytes(t);
        assertEq(slot.length, 134, "the widest slot this recipient and fee entry allow");
        Body2 memory b = _maxBlobBody(dict, blobFees, slot);
        ElementSet memory set = _slotNeeds(b, b.slotCount - 1, 3, 2);
        assertEq(set.count, 17, "the most openings a message needs (protocol.md 8.4)");

        _set(alice, 2 ** 63, 2 ** 255);
        uint256 value = 2 ** 252 + 1;
        _reservedSlots.push(keccak256(abi.encodePacked(_withdrawalHash(40_000, alice, carol, value))));
        bytes32 pre = _root();
        (bytes[][] memory p, bytes[] memory sp) =
            _modelWithdrawal(alice, carol, value, _intrinsic(abi.encodePacked(bytes12(0), carol)) * 2 gwei);
        for (uint256 k; k < p.length; ++k) assertGe(p[k].length, FULL_LEVELS + 1, "account proof depth");
        assertGe(sp.length, FULL_LEVELS, "storage proof depth");
        _measureBlob("blob withdrawal, max body", b, set, p, sp, Expected(pre, _root(), Reason.APPLIED));
    }

    /// @notice The widest slot (255 bytes, starting on an element's last byte: 10 elements) in the
    ///         largest body; it fails to decode, so no dictionary entry and no account proof.
    function test_hardBound_blobWidestSlotMaxBody_withinLimits() public {
        bytes memory slot = _filler(255, 3);
        slot[0] = 0x06; // type 3: slotDecode at the first byte, after every byte of it was required
        (address[] memory dict, Fee[] memory blobFees) = _straddlingPrelude();
        Body2 memory b = _maxBlobBody(dict, blobFees, slot);
        ElementSet memory set = _locateNeeds(b, b.slotCount - 1);
        _addBytes(set, b.slotStarts[b.slotCount - 1], 255);
        bytes32 pre = _root();
        _measureBlob(
            "blob widest slot, max body", b, set, new bytes[][](0), new bytes[](0), Expected(pre, pre, Reason.SLOT_DECODE)
        );
        assertEq(set.count, 10 + 6, "ten slot elements and the six locating ones");
    }
}
