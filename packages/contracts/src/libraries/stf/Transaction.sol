// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice A decoded signed transaction, from a batch slot (protocol.md §5.5) or a forced transaction
///         (§7.3), with the fields the rules of §7.3 read and the hash its signer signed.
struct Transaction {
    /// @notice 0 legacy (EIP-155), 1 EIP-2930, 2 EIP-1559.
    uint8 txType;
    /// @notice Typed: the chain id as encoded. Legacy: unused (see `v`).
    uint256 chainId;
    uint256 nonce;
    /// @notice Types 0 and 1: the gas price (equal to `maxFeePerGas`).
    uint256 maxPriorityFeePerGas;
    /// @notice Types 0 and 1: the gas price.
    uint256 maxFeePerGas;
    uint256 gasLimit;
    /// @notice False for a contract creation (`to` empty).
    bool hasTo;
    address to;
    uint256 value;
    bytes data;
    /// @notice Whether the access list is empty (always true for legacy and for slots).
    bool accessListEmpty;
    /// @notice Legacy: the raw `v`. Typed: `yParity`.
    uint256 v;
    uint256 r;
    uint256 s;
    /// @notice keccak256 of the signing payload (for legacy, the EIP-155 payload with the config's
    ///         chain id, which is only meaningful once rule 3 holds).
    bytes32 signingHash;
}
