// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { IClaimManager } from "../interfaces/IClaimManager.sol";
import { ISequencerInbox } from "../interfaces/ISequencerInbox.sol";
import "../libraries/DisputeErrors.sol";
import { RollupConfig } from "../libraries/RollupConfig.sol";
import { Types } from "../libraries/Types.sol";

/// @title ClaimManager
/// @notice Permissionless state-root claims with stakers and bonds (protocol.md §8.1). A claim says
///         `root_n = stateRoot` for `n = messageCount[batchIndex]`; it finalizes once its challenge
///         period has passed, no game on it is open and an unslashed staker remains, and it is deleted
///         when no unslashed staker remains. Games are played in the DisputeGame, which reports their
///         ends here. Immutable: no owner, no proxy, no pause.
contract ClaimManager is IClaimManager {
    /// @notice The hash of the rollup config this ClaimManager was deployed with.
    bytes32 public immutable configHash;
    /// @notice Wei a proposer or staker locks per claim.
    uint256 public immutable proposerBond;
    /// @notice Seconds a claim stays open to stakes and challenges.
    uint256 public immutable challengePeriod;
    /// @notice `root_0`, the anchor before any claim finalizes.
    bytes32 public immutable genesisStateRoot;
    /// @notice The inbox claims are checked against.
    ISequencerInbox public immutable sequencerInbox;
    /// @notice The only contract that opens and closes games.
    address public immutable disputeGame;

    /// @notice The number of claims so far; claim ids are `1..claimCount`.
    uint256 public claimCount;
    /// @notice The anchor: the finalized claim with the largest message count (ties: the earliest
    ///         finalized), 0 before any claim finalizes (then the anchor is `(0, genesisStateRoot)`).
    uint256 public anchorClaimId;

    /// @dev Claims by id.
    mapping(uint256 claimId => Types.Claim) internal _claims;
    /// @dev Stakers by claim.
    mapping(uint256 claimId => mapping(address staker => Types.StakerStatus)) internal _stakers;

    /// @notice A claim was proposed; `proposer` is its first staker.
    /// @param claimId The claim's id.
    /// @param batchIndex The batch the claim is made at.
    /// @param messageCount `n = messageCount[batchIndex]`.
    /// @param stateRoot The claimed `root_n`.
    /// @param proposer The proposer.
    event ClaimProposed(
        uint256 indexed claimId,
        uint256 indexed batchIndex,
        uint256 messageCount,
        bytes32 stateRoot,
        address indexed proposer
    );

    /// @notice `staker` staked `proposerBond` on `claimId`.
    event Staked(uint256 indexed claimId, address indexed staker);

    /// @notice A game opened against `staker` of `claimId`: the staker's bond is locked in it.
    event StakerChallenged(uint256 indexed claimId, address indexed staker);

    /// @notice `staker` of `claimId` won its game and is free again.
    event StakerDefended(uint256 indexed claimId, address indexed staker);

    /// @notice `staker` lost a game on `claimId`: it is removed and its bond went to the DisputeGame.
    event StakerSlashed(uint256 indexed claimId, address indexed staker);

    /// @notice `claimId` lost its last unslashed staker and is deleted.
    event ClaimDeleted(uint256 indexed claimId);

    /// @notice `claimId` finalized.
    /// @param claimId The claim.
    /// @param messageCount Its `n`.
    /// @param stateRoot Its `root_n`.
    /// @param isAnchor Whether it became the anchor.
    event ClaimFinalized(uint256 indexed claimId, uint256 messageCount, bytes32 stateRoot, bool isAnchor);

    /// @notice `staker` withdrew its bond from finalized `claimId`.
    event StakeWithdrawn(uint256 indexed claimId, address indexed staker, uint256 amount);

    /// @notice Deploys the ClaimManager for `_config`.
    /// @param _config The rollup config.
    /// @param _sequencerInbox The inbox of the same deployment.
    /// @param _disputeGame The DisputeGame of the same deployment.
    constructor(Types.RollupConfig memory _config, ISequencerInbox _sequencerInbox, address _disputeGame) {
        configHash = RollupConfig.hash(_config);
        proposerBond = _config.proposerBond;
        challengePeriod = _config.challengePeriod;
        genesisStateRoot = _config.genesisStateRoot;
        sequencerInbox = _sequencerInbox;
        disputeGame = _disputeGame;
    }

    /// @notice Only the DisputeGame.
    modifier onlyDisputeGame() {
        if (msg.sender != disputeGame) revert NotDisputeGame();
        _;
    }

    /// @notice Claims `root_n = _stateRoot` for `n = messageCount[_batchIndex]`, with exactly
    ///         `proposerBond`. The caller becomes the claim's first staker.
    /// @param _batchIndex The batch the claim is made at.
    /// @param _accumulator The inbox's accumulator at `_batchIndex` (reverts after a reorg removed it).
    /// @param _stateRoot The claimed state root.
    /// @return claimId_ The new claim's id.
    function propose(uint256 _batchIndex, bytes32 _accumulator, bytes32 _stateRoot)
        external
        payable
        returns (uint256 claimId_)
    {
        if (msg.value != proposerBond) revert IncorrectBond(msg.value, proposerBond);
        bytes32 inboxAccumulator = sequencerInbox.accumulator(_batchIndex);
        if (_accumulator != inboxAccumulator) revert AccumulatorMismatch(_accumulator, inboxAccumulator);
        uint256 n = sequencerInbox.messageCount(_batchIndex);
        if (n > type(uint64).max) revert MessageCountOverflow(n);

        claimId_ = ++claimCount;
        _claims[claimId_] = Types.Claim({
            stateRoot: _stateRoot,
            batchIndex: uint64(_batchIndex),
            messageCount: uint64(n),
            proposedAt: uint64(block.timestamp),
            finalizedAt: 0,
            liveStakers: 1,
            openGames: 0,
            status: Types.ClaimStatus.Pending
        });
        _stakers[claimId_][msg.sender] = Types.StakerStatus.Active;
        emit ClaimProposed(claimId_, _batchIndex, n, _stateRoot, msg.sender);
        emit Staked(claimId_, msg.sender);
    }

    /// @notice Adds the caller as a staker of `_claimId`, with exactly `proposerBond`, while the claim
    ///         is pending and within its challenge period.
    /// @param _claimId The claim.
    function stake(uint256 _claimId) external payable {
        if (msg.value != proposerBond) revert IncorrectBond(msg.value, proposerBond);
        Types.Claim storage claim = _openClaim(_claimId);
        if (_stakers[_claimId][msg.sender] != Types.StakerStatus.None) revert AlreadyStaked(_claimId, msg.sender);
        _stakers[_claimId][msg.sender] = Types.StakerStatus.Active;
        claim.liveStakers += 1;
        emit Staked(_claimId, msg.sender);
    }

    /// @notice Finalizes `_claimId` once `challengePeriod` has passed since it was proposed, no game on
    ///         it is open and an unslashed staker remains. Anyone may call it. It becomes the anchor
    ///         when its message count is larger than the anchor's.
    /// @param _claimId The claim.
    function finalizeClaim(uint256 _claimId) external {
        Types.Claim storage claim = _claims[_claimId];
        if (claim.status == Types.ClaimStatus.None) revert ClaimNotFound(_claimId);
        if (claim.status != Types.ClaimStatus.Pending) revert ClaimNotPending(_claimId);
        if (!_finalizable(claim)) revert ClaimNotFinalizable(_claimId);
        claim.status = Types.ClaimStatus.Finalized;
        claim.finalizedAt = uint64(block.timestamp);
        (uint256 anchorCount,) = anchor();
        bool isAnchor = anchorClaimId == 0 || claim.messageCount > anchorCount;
        if (isAnchor) anchorClaimId = _claimId;
        emit ClaimFinalized(_claimId, claim.messageCount, claim.stateRoot, isAnchor);
    }

    /// @notice Pays the caller's bond back from finalized `_claimId` (unslashed stakers only, once).
    /// @param _claimId The claim.
    function withdrawStake(uint256 _claimId) external {
        if (
            _claims[_claimId].status != Types.ClaimStatus.Finalized
                || _stakers[_claimId][msg.sender] != Types.StakerStatus.Active
        ) revert StakeNotWithdrawable(_claimId, msg.sender);
        _stakers[_claimId][msg.sender] = Types.StakerStatus.Withdrawn;
        emit StakeWithdrawn(_claimId, msg.sender, proposerBond);
        _send(msg.sender, proposerBond);
    }

    /// @inheritdoc IClaimManager
    /// @dev The range starts at the anchor when its message count is at most the claim's, otherwise at
    ///      genesis `(0, genesisStateRoot)` (see the report: protocol.md §8.2 assumes `a ≤ n`).
    function openGame(uint256 _claimId, address _staker)
        external
        onlyDisputeGame
        returns (uint256 anchorCount_, bytes32 anchorRoot_, uint256 claimCount_, bytes32 claimRoot_)
    {
        Types.Claim storage claim = _openClaim(_claimId);
        if (_stakers[_claimId][_staker] != Types.StakerStatus.Active) revert NotActiveStaker(_claimId, _staker);
        _stakers[_claimId][_staker] = Types.StakerStatus.InGame;
        claim.openGames += 1;
        claimCount_ = claim.messageCount;
        claimRoot_ = claim.stateRoot;
        (anchorCount_, anchorRoot_) = anchor();
        if (anchorCount_ > claimCount_) (anchorCount_, anchorRoot_) = (0, genesisStateRoot);
        emit StakerChallenged(_claimId, _staker);
    }

    /// @inheritdoc IClaimManager
    function closeGame(uint256 _claimId, address _staker, bool _stakerWon) external onlyDisputeGame {
        Types.Claim storage claim = _claims[_claimId];
        if (_stakers[_claimId][_staker] != Types.StakerStatus.InGame) revert NotActiveStaker(_claimId, _staker);
        claim.openGames -= 1;
        if (_stakerWon) {
            _stakers[_claimId][_staker] = Types.StakerStatus.Active;
            emit StakerDefended(_claimId, _staker);
            return;
        }
        _stakers[_claimId][_staker] = Types.StakerStatus.Slashed;
        claim.liveStakers -= 1;
        emit StakerSlashed(_claimId, _staker);
        if (claim.liveStakers == 0) {
            claim.status = Types.ClaimStatus.Deleted;
            emit ClaimDeleted(_claimId);
        }
        _send(disputeGame, proposerBond);
    }

    /// @notice The anchor's message count and state root: the finalized claim with the largest message
    ///         count (ties: the earliest finalized), or `(0, genesisStateRoot)` before any.
    /// @return messageCount_ The anchor's `n`.
    /// @return stateRoot_ The anchor's `root_n`.
    function anchor() public view returns (uint256 messageCount_, bytes32 stateRoot_) {
        uint256 id = anchorClaimId;
        if (id == 0) return (0, genesisStateRoot);
        Types.Claim storage claim = _claims[id];
        (messageCount_, stateRoot_) = (claim.messageCount, claim.stateRoot);
    }

    /// @inheritdoc IClaimManager
    function getClaim(uint256 _claimId) external view returns (Types.Claim memory claim_) {
        claim_ = _claims[_claimId];
    }

    /// @inheritdoc IClaimManager
    function isFinalized(uint256 _claimId) external view returns (bool finalized_) {
        finalized_ = _claims[_claimId].status == Types.ClaimStatus.Finalized;
    }

    /// @notice Whether `finalizeClaim(_claimId)` would succeed now.
    /// @param _claimId The claim.
    /// @return finalizable_ True when pending, past its period, with no open game and a staker left.
    function isFinalizable(uint256 _claimId) external view returns (bool finalizable_) {
        Types.Claim storage claim = _claims[_claimId];
        finalizable_ = claim.status == Types.ClaimStatus.Pending && _finalizable(claim);
    }

    /// @notice Where `_staker` stands on `_claimId`.
    /// @param _claimId The claim.
    /// @param _staker The address.
    /// @return status_ None, Active, InGame, Slashed or Withdrawn.
    function stakerStatus(uint256 _claimId, address _staker) external view returns (Types.StakerStatus status_) {
        status_ = _stakers[_claimId][_staker];
    }

    /// @dev A pending claim within its challenge period, or a revert.
    function _openClaim(uint256 _claimId) internal view returns (Types.Claim storage claim_) {
        claim_ = _claims[_claimId];
        if (claim_.status == Types.ClaimStatus.None) revert ClaimNotFound(_claimId);
        if (claim_.status != Types.ClaimStatus.Pending) revert ClaimNotPending(_claimId);
        if (block.timestamp >= uint256(claim_.proposedAt) + challengePeriod) revert ChallengePeriodOver(_claimId);
    }

    /// @dev Whether a pending claim meets the finalization conditions.
    function _finalizable(Types.Claim storage _claim) internal view returns (bool) {
        return block.timestamp >= uint256(_claim.proposedAt) + challengePeriod && _claim.openGames == 0
            && _claim.liveStakers > 0;
    }

    /// @dev Sends `_amount` wei to `_to`, reverting when the call fails.
    function _send(address _to, uint256 _amount) internal {
        (bool ok,) = _to.call{ value: _amount }("");
        if (!ok) revert TransferFailed(_to, _amount);
    }
}
