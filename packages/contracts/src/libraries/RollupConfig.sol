// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Types } from "./Types.sol";

/// @title RollupConfig
/// @notice The hash of a rollup config (protocol.md §2).
library RollupConfig {
    /// @notice `keccak256(abi.encode(field1, …, field18))`, each field in the order of protocol.md §2.
    /// @dev    Every field is static, so `abi.encode` of the struct is exactly the 18 words in order.
    /// @param _config The rollup config.
    /// @return hash_ The config hash every L1 contract stores.
    function hash(Types.RollupConfig memory _config) internal pure returns (bytes32 hash_) {
        hash_ = keccak256(abi.encode(_config));
    }
}
