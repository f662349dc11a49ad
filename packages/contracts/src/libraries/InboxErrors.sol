// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice `appendBatch` was called by an address other than the config's sequencer.
error NotSequencer();
/// @notice `appendBatch` was not the top-level call of a plain account.
error NotTopLevelEOA();
/// @notice `expectedIndex` differs from the number of batches so far.
error UnexpectedBatchIndex(uint256 expected, uint256 actual);
/// @notice The batch is shorter than its 13-byte header or longer than `maxBatchBytes`.
error BatchLength(uint256 length);
/// @notice The header's version is not 1.
error BadBatchVersion(uint8 version);
/// @notice `delayedCountAfter` is below the previous batch's delayed count.
error DelayedCountDecreases(uint256 delayedCountAfter, uint256 previous);
/// @notice `delayedCountAfter` is above the Portal's delayed message count.
error DelayedCountAbovePortal(uint256 delayedCountAfter, uint256 portalCount);
/// @notice `slotCount × 64` is larger than the body's length (a calldata batch) or than the blobs'
///         payload capacity, 126,976 bytes per blob (a blob batch); `bodyLength` is that bound.
error TooManySlots(uint256 slotCount, uint256 bodyLength);
/// @notice `appendBlobBatch` was called by a transaction that carries no blob.
error NoBlobs();
/// @notice `appendBlobBatch` was called by a transaction that carries more than `MAX_BLOBS_PER_BATCH` blobs.
error TooManyBlobs();
/// @notice `forceInclude` would take no new delayed message.
error NothingToForce(uint256 upToDelayedCount, uint256 previous);
/// @notice The last delayed message `forceInclude` would take is younger than `forceInclusionDelay`.
error ForceInclusionTooEarly(uint256 availableAt);
/// @notice A batch index past the number of batches.
error BatchNotFound(uint256 index);
