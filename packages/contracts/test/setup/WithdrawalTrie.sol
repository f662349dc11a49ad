// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Constants } from "../../src/libraries/Constants.sol";
import { Types } from "../../src/libraries/Types.sol";
import { RLPWriter } from "../../src/libraries/rlp/RLPWriter.sol";

/// @title WithdrawalTrie
/// @notice Builds an L2 state with one account, the message passer, whose storage holds one withdrawal,
///         and the EIP-1186 proofs for it (each trie is a single leaf, so each proof is that leaf).
library WithdrawalTrie {
    bytes32 internal constant EMPTY_CODE_HASH = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470;

    /// @notice The withdrawal's hash, as the message passer and the Portal compute it.
    function hash(Types.Withdrawal memory _w) internal pure returns (bytes32) {
        return keccak256(abi.encode(_w.nonce, _w.sender, _w.l1Recipient, _w.value));
    }

    /// @notice A single-leaf secure-trie node for `_key` holding `_value` (the raw value bytes).
    function leaf(bytes memory _key, bytes memory _value) internal pure returns (bytes memory) {
        bytes[] memory items = new bytes[](2);
        // Hex-prefix of an even-length (64-nibble) leaf path: 0x20 then the path bytes.
        items[0] = RLPWriter.writeBytes(abi.encodePacked(bytes1(0x20), keccak256(_key)));
        items[1] = RLPWriter.writeBytes(_value);
        return RLPWriter.writeList(items);
    }

    /// @notice rlp(`_word` without leading zero bytes), the storage value of slot `_word`.
    function storageValue(bytes32 _word) internal pure returns (bytes memory) {
        return RLPWriter.writeUint(uint256(_word));
    }

    /// @notice The passer account's RLP with storage root `_storageRoot` and nonce `_nonce`.
    function account(uint256 _nonce, bytes32 _storageRoot) internal pure returns (bytes memory) {
        bytes[] memory items = new bytes[](4);
        items[0] = RLPWriter.writeUint(_nonce);
        items[1] = RLPWriter.writeUint(0);
        items[2] = RLPWriter.writeBytes(abi.encodePacked(_storageRoot));
        items[3] = RLPWriter.writeBytes(abi.encodePacked(EMPTY_CODE_HASH));
        return RLPWriter.writeList(items);
    }

    /// @notice The state root holding withdrawal hash `_slot` (stored value `_stored`) and the proofs.
    function build(bytes32 _slot, bytes32 _stored)
        internal
        pure
        returns (bytes32 stateRoot_, bytes[] memory accountProof_, bytes[] memory storageProof_)
    {
        bytes memory storageLeaf = leaf(abi.encodePacked(_slot), storageValue(_stored));
        bytes memory accountLeaf =
            leaf(abi.encodePacked(Constants.MESSAGE_PASSER), account(1, keccak256(storageLeaf)));
        stateRoot_ = keccak256(accountLeaf);
        accountProof_ = new bytes[](1);
        accountProof_[0] = accountLeaf;
        storageProof_ = new bytes[](1);
        storageProof_[0] = storageLeaf;
    }
}
