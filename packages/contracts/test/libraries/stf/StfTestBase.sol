// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "../../base/Test.sol";
import {RLPWriter} from "../../../src/libraries/rlp/RLPWriter.sol";
import {Account, StateTransition} from "../../../src/libraries/stf/StateTransition.sol";
import {TrieBuilder} from "./TrieBuilder.sol";

/// @title StfTestBase
/// @notice Test helpers for the Solidity state transition: a model of the L2 state (accounts and the
///         message passer's withdrawals) whose roots and proofs TrieBuilder computes from scratch,
///         batch and slot encoders written from protocol.md §5, and signing with `vm.sign`.
abstract contract StfTestBase is Test {
    address internal constant PASSER = 0x5100000000000000000000000000000000000000;
    uint256 internal constant CHAIN_ID = 901;
    uint256 internal constant BASE_FEE = 1 gwei;
    address internal constant FEE_VAULT = address(0xFEE);
    uint256 internal constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    // ------------------------------------------------------------------ state model

    address[] internal _addrs;
    mapping(address => bool) internal _known;
    mapping(address => uint256) internal _nonce;
    mapping(address => uint256) internal _balance;
    bytes32[] internal _withdrawals;
    /// @notice Full-branch depth emulating a large trie (0: a plain trie of the model's accounts).
    uint256 internal _fillDepth;
    /// @notice Paths kept free of filler (accounts and slots that a test will insert).
    bytes32[] internal _reservedAccounts;
    bytes32[] internal _reservedSlots;

    /// @notice Genesis: the message passer alone (§3.3).
    function _genesis() internal {
        _touch(PASSER);
    }

    function _touch(address _a) internal {
        if (!_known[_a]) {
            _known[_a] = true;
            _addrs.push(_a);
        }
    }

    function _set(address _a, uint256 nonce_, uint256 balance_) internal {
        _touch(_a);
        _nonce[_a] = nonce_;
        _balance[_a] = balance_;
    }

    function _credit(address _a, uint256 _amount) internal {
        _touch(_a);
        _balance[_a] += _amount;
    }

    function _storageRoot() internal view returns (bytes32 root_) {
        (root_,) = TrieBuilder.build(_storageEntries(), _reservedSlots, _fillDepth, bytes32(0));
    }

    function _storageEntries() internal view returns (TrieBuilder.Entry[] memory e_) {
        e_ = new TrieBuilder.Entry[](_withdrawals.length);
        for (uint256 i; i < e_.length; ++i) {
            e_[i] = TrieBuilder.Entry({
                path: keccak256(abi.encodePacked(_withdrawals[i])), value: RLPWriter.writeUint(uint256(_withdrawals[i]))
            });
        }
    }

    function _accountEntries() internal view returns (TrieBuilder.Entry[] memory e_) {
        bytes32 storageRoot = _storageRoot();
        e_ = new TrieBuilder.Entry[](_addrs.length);
        for (uint256 i; i < e_.length; ++i) {
            address a = _addrs[i];
            e_[i] = TrieBuilder.Entry({
                path: keccak256(abi.encodePacked(a)),
                value: StateTransition.encodeAccount(
                    Account({
                        nonce: _nonce[a],
                        balance: _balance[a],
                        storageRoot: a == PASSER ? storageRoot : StateTransition.EMPTY_TRIE_ROOT,
                        codeHash: StateTransition.EMPTY_CODE_HASH
                    })
                )
            });
        }
    }

    function _root() internal view returns (bytes32 root_) {
        (root_,) = TrieBuilder.build(_accountEntries(), _reservedAccounts, _fillDepth, bytes32(0));
    }

    function _proof(address _a) internal view returns (bytes[] memory proof_) {
        (, proof_) =
            TrieBuilder.build(_accountEntries(), _reservedAccounts, _fillDepth, keccak256(abi.encodePacked(_a)));
    }

    function _storageProof(bytes32 _slot) internal view returns (bytes[] memory proof_) {
        (, proof_) =
            TrieBuilder.build(_storageEntries(), _reservedSlots, _fillDepth, keccak256(abi.encodePacked(_slot)));
    }

    function _withdrawalHash(uint256 _passerNonce, address _sender, address _l1Recipient, uint256 _value)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(_passerNonce, _sender, _l1Recipient, _value));
    }

    // ------------------------------------------------------------------ batch encoding (§5)

    struct Fee {
        uint128 maxFeePerGas;
        uint128 maxPriorityFeePerGas;
        uint64 gasLimit;
    }

    function _varint(uint256 _v) internal pure returns (bytes memory out_) {
        while (true) {
            uint256 b = _v & 0x7f;
            _v >>= 7;
            if (_v == 0) return bytes.concat(out_, bytes1(uint8(b)));
            out_ = bytes.concat(out_, bytes1(uint8(b | 0x80)));
        }
    }

    function _header(uint8 _version, uint64 _delayedCountAfter, uint32 _slotCount)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(_version, _delayedCountAfter, _slotCount);
    }

    function _prelude(uint64 _baseTimestamp, address[] memory _dict, Fee[] memory _fees)
        internal
        pure
        returns (bytes memory out_)
    {
        out_ = abi.encodePacked(_baseTimestamp, uint16(_dict.length));
        for (uint256 i; i < _dict.length; ++i) {
            out_ = bytes.concat(out_, abi.encodePacked(_dict[i]));
        }
        out_ = bytes.concat(out_, abi.encodePacked(uint8(_fees.length)));
        for (uint256 i; i < _fees.length; ++i) {
            out_ = bytes.concat(
                out_, abi.encodePacked(_fees[i].maxFeePerGas, _fees[i].maxPriorityFeePerGas, _fees[i].gasLimit)
            );
        }
    }

    function _blockHeader(uint256 _tsDelta, uint256 _delayedDelta, uint256 _slotCount)
        internal
        pure
        returns (bytes memory)
    {
        return bytes.concat(_varint(_tsDelta), _varint(_delayedDelta), _varint(_slotCount));
    }

    /// @notice `length:uint8 ‖ slotBytes`.
    function _slot(bytes memory _slotBytes) internal pure returns (bytes memory) {
        require(_slotBytes.length < 256, "slot too long");
        return bytes.concat(bytes1(uint8(_slotBytes.length)), _slotBytes);
    }

    /// @notice A slot transaction to encode (§5.5).
    struct SlotTx {
        uint8 txType;
        uint256 nonce;
        uint256 feeIndex;
        Fee fee; // the entry at feeIndex (for the signing payload)
        bool inline_;
        address to;
        uint256 toIndex; // dictionary index when not inline
        uint8 exponent;
        uint256 mantissa;
        bool withTail;
        address tail;
        uint256 key; // signer's private key
    }

    function _value(SlotTx memory _t) internal pure returns (uint256) {
        return _t.mantissa * 10 ** _t.exponent;
    }

    function _data(SlotTx memory _t) internal pure returns (bytes memory) {
        return _t.withTail ? abi.encodePacked(bytes12(0), _t.tail) : bytes("");
    }

    /// @notice The signing payload of §5.5, written from the spec's text.
    function _payload(SlotTx memory _t) internal pure returns (bytes memory) {
        uint256 gasPrice = _t.fee.maxFeePerGas;
        bytes memory data = _data(_t);
        if (_t.txType == 0) {
            bytes[] memory l = new bytes[](9);
            l[0] = RLPWriter.writeUint(_t.nonce);
            l[1] = RLPWriter.writeUint(gasPrice);
            l[2] = RLPWriter.writeUint(_t.fee.gasLimit);
            l[3] = RLPWriter.writeAddress(_t.to);
            l[4] = RLPWriter.writeUint(_value(_t));
            l[5] = RLPWriter.writeBytes(data);
            l[6] = RLPWriter.writeUint(CHAIN_ID);
            l[7] = hex"80";
            l[8] = hex"80";
            return RLPWriter.writeList(l);
        }
        if (_t.txType == 1) {
            bytes[] memory l = new bytes[](8);
            l[0] = RLPWriter.writeUint(CHAIN_ID);
            l[1] = RLPWriter.writeUint(_t.nonce);
            l[2] = RLPWriter.writeUint(gasPrice);
            l[3] = RLPWriter.writeUint(_t.fee.gasLimit);
            l[4] = RLPWriter.writeAddress(_t.to);
            l[5] = RLPWriter.writeUint(_value(_t));
            l[6] = RLPWriter.writeBytes(data);
            l[7] = hex"c0";
            return bytes.concat(hex"01", RLPWriter.writeList(l));
        }
        bytes[] memory m = new bytes[](9);
        m[0] = RLPWriter.writeUint(CHAIN_ID);
        m[1] = RLPWriter.writeUint(_t.nonce);
        m[2] = RLPWriter.writeUint(_t.fee.maxPriorityFeePerGas);
        m[3] = RLPWriter.writeUint(_t.fee.maxFeePerGas);
        m[4] = RLPWriter.writeUint(_t.fee.gasLimit);
        m[5] = RLPWriter.writeAddress(_t.to);
        m[6] = RLPWriter.writeUint(_value(_t));
        m[7] = RLPWriter.writeBytes(data);
        m[8] = hex"c0";
        return bytes.concat(hex"02", RLPWriter.writeList(m));
    }

    /// @notice Signs `_t` and returns its slot bytes (without the length byte).
    function _slotBytes(SlotTx memory _t) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_t.key, keccak256(_payload(_t)));
        return _slotBytesWithSig(_t, v - 27, r, s);
    }

    function _slotBytesWithSig(SlotTx memory _t, uint256 _yParity, bytes32 _r, bytes32 _s)
        internal
        pure
        returns (bytes memory out_)
    {
        uint256 flags = _yParity | (uint256(_t.txType) << 1) | (_t.inline_ ? 0x08 : 0) | (_t.withTail ? 0x10 : 0);
        flags |= (_t.feeIndex < 7 ? _t.feeIndex : 7) << 5;
        out_ = bytes.concat(bytes1(uint8(flags)), _varint(_t.nonce));
        if (_t.feeIndex >= 7) out_ = bytes.concat(out_, _varint(_t.feeIndex));
        out_ = bytes.concat(out_, _t.inline_ ? abi.encodePacked(_t.to) : _varint(_t.toIndex));
        out_ = bytes.concat(out_, bytes1(_t.exponent), _varint(_t.mantissa));
        if (_t.withTail) out_ = bytes.concat(out_, abi.encodePacked(_t.tail));
        out_ = bytes.concat(out_, _r, _s);
    }

    /// @notice A batch of one block holding `_slots` (already framed), `_delayed` delayed messages first.
    function _oneBlockBatch(
        uint64 _delayedCountAfter,
        uint256 _delayed,
        address[] memory _dict,
        Fee[] memory _fees,
        bytes[] memory _slotBytesList
    ) internal pure returns (bytes memory out_) {
        out_ = bytes.concat(
            _header(1, _delayedCountAfter, uint32(_slotBytesList.length)),
            _prelude(1_700_000_000, _dict, _fees),
            _blockHeader(1, _delayed, _slotBytesList.length)
        );
        for (uint256 i; i < _slotBytesList.length; ++i) {
            out_ = bytes.concat(out_, _slot(_slotBytesList[i]));
        }
    }

    function _defaultFees() internal pure returns (Fee[] memory fees_) {
        fees_ = new Fee[](2);
        fees_[0] = Fee({maxFeePerGas: 2 gwei, maxPriorityFeePerGas: 1 gwei, gasLimit: 21_000});
        fees_[1] = Fee({maxFeePerGas: 3 gwei, maxPriorityFeePerGas: 3 gwei, gasLimit: 30_000});
    }
}
