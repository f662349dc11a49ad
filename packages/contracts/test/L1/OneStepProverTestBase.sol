// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { ValidConfig } from "../setup/ValidConfig.sol";
import {Types} from "../../src/libraries/Types.sol";
import {OneStepProver} from "../../src/L1/OneStepProver.sol";
import {OneStepProverHarness} from "./OneStepProverHarness.sol";
import {BlobOpening} from "../../src/libraries/batch/BlobBody.sol";
import {IPortal} from "../../src/interfaces/IPortal.sol";
import {ISequencerInbox} from "../../src/interfaces/ISequencerInbox.sol";
import {RLPWriter} from "../../src/libraries/rlp/RLPWriter.sol";
import {DelayedMessage} from "../../src/libraries/stf/StateTransition.sol";
import {StfTestBase} from "../libraries/stf/StfTestBase.sol";

/// @notice An inbox that records batches with the bookkeeping of protocol.md §5.1 and no other check.
contract MockInbox is ISequencerInbox {
    bytes32[] internal _hashes;
    uint256[] internal _messageCounts;
    uint256[] internal _delayedCounts;
    mapping(uint256 => bytes32[]) internal _blobHashes;

    function push(bytes memory _batch, uint256 _delayedCountAfter, uint256 _slotCount) external {
        _push(keccak256(_batch), _delayedCountAfter, _slotCount);
    }

    /// @notice Records a blob batch with the given versioned hashes (the hash as SequencerInbox makes it).
    function pushBlob(bytes32[] memory _versionedHashes, uint64 _delayedCountAfter, uint32 _slotCount)
        external
        returns (uint256 b_)
    {
        b_ = _hashes.length;
        _blobHashes[b_] = _versionedHashes;
        _push(
            keccak256(abi.encodePacked(uint8(2), _delayedCountAfter, _slotCount, _versionedHashes)),
            _delayedCountAfter,
            _slotCount
        );
    }

    function _push(bytes32 _hash, uint256 _delayedCountAfter, uint256 _slotCount) internal {
        uint256 b = _hashes.length;
        uint256 prevMessages = b == 0 ? 0 : _messageCounts[b - 1];
        uint256 prevDelayed = b == 0 ? 0 : _delayedCounts[b - 1];
        _hashes.push(_hash);
        _delayedCounts.push(_delayedCountAfter);
        _messageCounts.push(prevMessages + (_delayedCountAfter - prevDelayed) + _slotCount);
    }

    function batchBlobHashes(uint256 _index) external view returns (bytes32[] memory) {
        return _blobHashes[_index];
    }

    function batchCount() external view returns (uint256) {
        return _hashes.length;
    }

    function batchHash(uint256 _index) external view returns (bytes32) {
        return _hashes[_index];
    }

    function messageCount(uint256 _index) external view returns (uint256) {
        return _messageCounts[_index];
    }

    function delayedCount(uint256 _index) external view returns (uint256) {
        return _delayedCounts[_index];
    }

    function accumulator(uint256) external pure returns (bytes32) {
        return bytes32(0);
    }
}

/// @notice A Portal that records delayed-message hashes as §4.1 defines them.
contract MockPortal is IPortal {
    bytes32[] internal _hashes;

    function add(uint8 _kind, address _l1Sender, uint64 _l1Timestamp, bytes memory _payload)
        external
        returns (uint256 d_)
    {
        d_ = _hashes.length;
        _hashes.push(keccak256(abi.encode(_kind, d_, _l1Sender, _l1Timestamp, keccak256(_payload))));
    }

    function delayedMessageCount() external view returns (uint256) {
        return _hashes.length;
    }

    function delayedMessageHash(uint256 _index) external view returns (bytes32) {
        return _hashes[_index];
    }

    function delayedMessageTimestamp(uint256) external pure returns (uint64) {
        return 0;
    }
}

/// @title OneStepProverTestBase
/// @notice Deploys the prover against mock inbox and Portal and encodes proofs and forced transactions.
abstract contract OneStepProverTestBase is StfTestBase {
    MockInbox internal inbox;
    MockPortal internal portal;
    OneStepProverHarness internal prover;

    function setUp() public virtual {
        inbox = new MockInbox();
        portal = new MockPortal();
        Types.RollupConfig memory config = ValidConfig.get();
        config.chainId = uint64(CHAIN_ID);
        config.baseFeePerGas = BASE_FEE;
        config.feeVault = FEE_VAULT;
        prover = new OneStepProverHarness(inbox, portal, config);
        _genesis();
    }

    function _encodeProof(
        uint256 _batchIndex,
        bytes memory _batch,
        DelayedMessage memory _delayed,
        bytes[][] memory _accountProofs,
        bytes[] memory _storageProof
    ) internal pure returns (bytes memory) {
        return abi.encode(
            OneStepProver.OneStepProof(_batchIndex, _batch, new BlobOpening[](0), _delayed, _accountProofs, _storageProof)
        );
    }

    /// @dev Applies a transfer in the model, collecting proofs against the running root (§7.4).
    function _modelTransfer(address _from, address _to, uint256 _value, uint256 _fee)
        internal
        returns (bytes[][] memory p_)
    {
        p_ = new bytes[][](3);
        p_[0] = _proof(_from);
        _nonce[_from] += 1;
        _balance[_from] -= _value + _fee;
        p_[1] = _proof(_to);
        _credit(_to, _value);
        p_[2] = _proof(FEE_VAULT);
        _credit(FEE_VAULT, _fee);
    }

    function _modelWithdrawal(address _from, address _l1Recipient, uint256 _value, uint256 _fee)
        internal
        returns (bytes[][] memory p_, bytes[] memory sp_)
    {
        p_ = new bytes[][](3);
        p_[0] = _proof(_from);
        _nonce[_from] += 1;
        _balance[_from] -= _value + _fee;
        p_[1] = _proof(FEE_VAULT);
        _credit(FEE_VAULT, _fee);
        p_[2] = _proof(PASSER);
        bytes32 wh = _withdrawalHash(_nonce[PASSER], _from, _l1Recipient, _value);
        sp_ = _storageProof(wh);
        _withdrawals.push(wh);
        _nonce[PASSER] += 1;
    }

    /// @notice Intrinsic gas of a slot transaction with `_data` (§7.3).
    function _intrinsic(bytes memory _data) internal pure returns (uint256 gas_) {
        gas_ = 21_000;
        for (uint256 k; k < _data.length; ++k) {
            gas_ += _data[k] == 0 ? 4 : 16;
        }
    }

    function _noDelayed() internal pure returns (DelayedMessage memory d_) {}

    function _noProofs() internal pure returns (bytes[][] memory) {
        return new bytes[][](0);
    }

    // ------------------------------------------------------------------ forced transactions (network form)

    struct NetTx {
        uint8 txType;
        uint256 chainId;
        uint256 nonce;
        uint256 maxPriorityFeePerGas;
        uint256 maxFeePerGas; // legacy / 2930: gasPrice
        uint256 gasLimit;
        bytes to; // empty: creation
        uint256 value;
        bytes data;
        bytes accessList; // raw RLP list (typed only)
        uint256 key;
    }

    function _netFields(NetTx memory _t) internal pure returns (bytes[] memory f_) {
        if (_t.txType == 0) {
            f_ = new bytes[](6);
            f_[0] = RLPWriter.writeUint(_t.nonce);
            f_[1] = RLPWriter.writeUint(_t.maxFeePerGas);
            f_[2] = RLPWriter.writeUint(_t.gasLimit);
            f_[3] = RLPWriter.writeBytes(_t.to);
            f_[4] = RLPWriter.writeUint(_t.value);
            f_[5] = RLPWriter.writeBytes(_t.data);
            return f_;
        }
        f_ = new bytes[](_t.txType == 1 ? 8 : 9);
        uint256 i;
        f_[i++] = RLPWriter.writeUint(_t.chainId);
        f_[i++] = RLPWriter.writeUint(_t.nonce);
        if (_t.txType == 2) f_[i++] = RLPWriter.writeUint(_t.maxPriorityFeePerGas);
        f_[i++] = RLPWriter.writeUint(_t.maxFeePerGas);
        f_[i++] = RLPWriter.writeUint(_t.gasLimit);
        f_[i++] = RLPWriter.writeBytes(_t.to);
        f_[i++] = RLPWriter.writeUint(_t.value);
        f_[i++] = RLPWriter.writeBytes(_t.data);
        f_[i] = _t.accessList.length == 0 ? bytes(hex"c0") : _t.accessList;
    }

    function _netSigningHash(NetTx memory _t) internal pure returns (bytes32) {
        bytes[] memory f = _netFields(_t);
        if (_t.txType == 0) {
            bytes[] memory l = new bytes[](9);
            for (uint256 i; i < 6; ++i) {
                l[i] = f[i];
            }
            l[6] = RLPWriter.writeUint(_t.chainId);
            l[7] = hex"80";
            l[8] = hex"80";
            return keccak256(RLPWriter.writeList(l));
        }
        return keccak256(bytes.concat(bytes1(_t.txType), RLPWriter.writeList(f)));
    }

    /// @notice Signs `_t`; `_vOverride` replaces the encoded v / yParity when non-zero (minus one).
    function _netEncode(NetTx memory _t, uint256 _vOverride) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_t.key, _netSigningHash(_t));
        uint256 yParity = v - 27;
        uint256 encodedV = _t.txType == 0 ? _t.chainId * 2 + 35 + yParity : yParity;
        if (_vOverride != 0) encodedV = _vOverride - 1;
        return _netEncodeWithSig(_t, encodedV, uint256(r), uint256(s));
    }

    function _netEncodeWithSig(NetTx memory _t, uint256 _v, uint256 _r, uint256 _s)
        internal
        pure
        returns (bytes memory)
    {
        bytes[] memory f = _netFields(_t);
        bytes[] memory all = new bytes[](f.length + 3);
        for (uint256 i; i < f.length; ++i) {
            all[i] = f[i];
        }
        all[f.length] = RLPWriter.writeUint(_v);
        all[f.length + 1] = RLPWriter.writeUint(_r);
        all[f.length + 2] = RLPWriter.writeUint(_s);
        bytes memory list = RLPWriter.writeList(all);
        return _t.txType == 0 ? list : bytes.concat(bytes1(_t.txType), list);
    }
}
