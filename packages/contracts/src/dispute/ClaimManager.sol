// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { IClaimManager } from "../interfaces/IClaimManager.sol";
import { ISequencerInbox } from "../interfaces/ISequencerInbox.sol";
import "../libraries/DisputeErrors.sol";
import { RollupConfig } from "../libraries/RollupConfig.sol";
import { Types } from "../libraries/Types.sol";

/// @title ClaimManager
/// @notice Permissionless state-root claims with stakers and bonds (protocol.md §8.1). A claim says
///         `root_n = stateRoot` for `n = messageCount[batchIndex]`. Any number of challengers may play any
///         staker at once, each in its own game (DisputeGame); the first game a staker loses slashes it.
///         A claim finalizes once its challenge deadline has passed, no game against an unslashed staker
///         is open, an unslashed staker remains and no claim at the same `n` with another root is pending
///         or finalized; it is deleted when no unslashed staker remains. Every call that names a claim
///         also names its `claimHash`, so that after an L1 reorg it cannot land on another claim.
///         Immutable: no owner, no proxy, no pause.
contract ClaimManager is IClaimManager {
    /// @notice The hash of the rollup config this ClaimManager was deployed with.
    bytes32 public immutable configHash;
    /// @notice Wei a proposer or staker locks per claim.
    uint256 public immutable proposerBond;
    /// @notice Seconds a claim stays open to stakes, and each staker to challenges.
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
    /// @dev Open games against each unslashed staker (zeroed when it is slashed: its other games are
    ///      void and no longer make the claim wait).
    mapping(uint256 claimId => mapping(address staker => uint256)) internal _openGamesAgainst;
    /// @dev Pending claims at each message count, in all and by root (conflict detection, §8.1).
    mapping(uint256 messageCount => uint256) internal _pendingAt;
    mapping(uint256 messageCount => mapping(bytes32 stateRoot => uint256)) internal _pendingWithRootAt;
    /// @dev The first claim finalized at each message count (0: none).
    mapping(uint256 messageCount => uint256 claimId) internal _finalizedAt;

    /// @notice A claim was proposed; `proposer` is its first staker.
    /// @param claimId The claim's id.
    /// @param batchIndex The batch the claim is made at.
    /// @param messageCount `n = messageCount[batchIndex]`.
    /// @param stateRoot The claimed `root_n`.
    /// @param proposer The proposer.
    /// @param accumulator The inbox accumulator at `batchIndex` the proposer named.
    /// @param claimHash `keccak256(abi.encode(batchIndex, accumulator, stateRoot))`: what later calls name.
    event ClaimProposed(
        uint256 indexed claimId,
        uint256 indexed batchIndex,
        uint256 messageCount,
        bytes32 stateRoot,
        address indexed proposer,
        bytes32 accumulator,
        bytes32 claimHash
    );

    /// @notice `staker` staked `proposerBond` on `claimId`.
    event Staked(uint256 indexed claimId, address indexed staker);

    /// @notice Game `gameId` opened against `staker` of `claimId`.
    event StakerChallenged(uint256 indexed claimId, address indexed staker, uint256 indexed gameId);

    /// @notice `staker` of `claimId` won game `gameId`.
    event StakerDefended(uint256 indexed claimId, address indexed staker, uint256 indexed gameId);

    /// @notice `staker` lost game `gameId` on `claimId`: it is removed, its bond went to the
    ///         DisputeGame, and its other open games are void.
    event StakerSlashed(uint256 indexed claimId, address indexed staker, uint256 indexed gameId);

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

    /// @notice Deploys the ClaimManager for `_config`; reverts with `InvalidRollupConfig` on a config
    ///         that breaks a rule of protocol.md §2.
    /// @param _config The rollup config.
    /// @param _sequencerInbox The inbox of the same deployment.
    /// @param _disputeGame The DisputeGame of the same deployment.
    constructor(Types.RollupConfig memory _config, ISequencerInbox _sequencerInbox, address _disputeGame) {
        RollupConfig.validate(_config);
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

        bytes32 claimHash = hashClaim(_batchIndex, _accumulator, _stateRoot);
        claimId_ = ++claimCount;
        _claims[claimId_] = Types.Claim({
            stateRoot: _stateRoot,
            batchIndex: uint64(_batchIndex),
            messageCount: uint64(n),
            proposedAt: uint64(block.timestamp),
            finalizedAt: 0,
            liveStakers: 1,
            openGames: 0,
            status: Types.ClaimStatus.Pending,
            challengeDeadline: uint64(block.timestamp + challengePeriod),
            claimHash: claimHash
        });
        _stakers[claimId_][msg.sender] = Types.StakerStatus.Active;
        _pendingAt[n] += 1;
        _pendingWithRootAt[n][_stateRoot] += 1;
        emit ClaimProposed(claimId_, _batchIndex, n, _stateRoot, msg.sender, _accumulator, claimHash);
        emit Staked(claimId_, msg.sender);
    }

    /// @notice Adds the caller as a staker of `_claimId`, with exactly `proposerBond`, while the claim
    ///         is pending and within `challengePeriod` of its proposal. The claim's challenge deadline
    ///         becomes at least `now + challengePeriod`, so a late staker can be challenged as long as
    ///         the first one.
    /// @param _claimId The claim.
    /// @param _claimHash The claim the caller means (`hashClaim(batchIndex, accumulator, stateRoot)`).
    function stake(uint256 _claimId, bytes32 _claimHash) external payable {
        if (msg.value != proposerBond) revert IncorrectBond(msg.value, proposerBond);
        Types.Claim storage claim = _pendingClaim(_claimId, _claimHash);
        if (block.timestamp >= uint256(claim.proposedAt) + challengePeriod) revert StakingClosed(_claimId);
        if (_stakers[_claimId][msg.sender] != Types.StakerStatus.None) revert AlreadyStaked(_claimId, msg.sender);
        _stakers[_claimId][msg.sender] = Types.StakerStatus.Active;
        claim.liveStakers += 1;
        uint64 deadline = uint64(block.timestamp + challengePeriod);
        if (deadline > claim.challengeDeadline) claim.challengeDeadline = deadline;
        emit Staked(_claimId, msg.sender);
    }

    /// @notice Finalizes `_claimId` once its challenge deadline has passed, no game against an unslashed
    ///         staker is open, an unslashed staker remains, and no other claim at the same message count
    ///         with a different root is pending or finalized. Anyone may call it. It becomes the anchor
    ///         when its message count is larger than the anchor's.
    /// @param _claimId The claim.
    function finalizeClaim(uint256 _claimId) external {
        Types.Claim storage claim = _claims[_claimId];
        if (claim.status == Types.ClaimStatus.None) revert ClaimNotFound(_claimId);
        if (claim.status != Types.ClaimStatus.Pending) revert ClaimNotPending(_claimId);
        if (!_finalizable(claim)) revert ClaimNotFinalizable(_claimId);
        uint256 n = claim.messageCount;
        if (_conflicts(n, claim.stateRoot)) revert ClaimConflict(_claimId, n);
        claim.status = Types.ClaimStatus.Finalized;
        claim.finalizedAt = uint64(block.timestamp);
        _unpend(n, claim.stateRoot);
        if (_finalizedAt[n] == 0) _finalizedAt[n] = _claimId;
        (uint256 anchorCount,) = anchor();
        bool isAnchor = anchorClaimId == 0 || n > anchorCount;
        if (isAnchor) anchorClaimId = _claimId;
        emit ClaimFinalized(_claimId, n, claim.stateRoot, isAnchor);
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
    ///      genesis `(0, genesisStateRoot)` (protocol.md §8.2). A staker may be in any number of games.
    function openGame(uint256 _gameId, uint256 _claimId, bytes32 _claimHash, address _staker)
        external
        onlyDisputeGame
        returns (uint256 anchorCount_, bytes32 anchorRoot_, uint256 claimCount_, bytes32 claimRoot_)
    {
        Types.Claim storage claim = _pendingClaim(_claimId, _claimHash);
        if (block.timestamp >= claim.challengeDeadline) revert ChallengePeriodOver(_claimId);
        if (_stakers[_claimId][_staker] != Types.StakerStatus.Active) revert NotActiveStaker(_claimId, _staker);
        _openGamesAgainst[_claimId][_staker] += 1;
        claim.openGames += 1;
        claimCount_ = claim.messageCount;
        claimRoot_ = claim.stateRoot;
        (anchorCount_, anchorRoot_) = anchor();
        if (anchorCount_ > claimCount_) (anchorCount_, anchorRoot_) = (0, genesisStateRoot);
        emit StakerChallenged(_claimId, _staker, _gameId);
    }

    /// @inheritdoc IClaimManager
    function closeGame(uint256 _gameId, uint256 _claimId, address _staker, bool _stakerWon)
        external
        onlyDisputeGame
    {
        Types.Claim storage claim = _claims[_claimId];
        if (_stakers[_claimId][_staker] != Types.StakerStatus.Active || _openGamesAgainst[_claimId][_staker] == 0) {
            revert NotActiveStaker(_claimId, _staker);
        }
        if (_stakerWon) {
            _openGamesAgainst[_claimId][_staker] -= 1;
            claim.openGames -= 1;
            emit StakerDefended(_claimId, _staker, _gameId);
            return;
        }
        // The first lost game slashes the staker. Its other open games are void (the DisputeGame returns
        // their challengers' bonds): they stop making the claim wait, all at once.
        claim.openGames -= uint32(_openGamesAgainst[_claimId][_staker]);
        _openGamesAgainst[_claimId][_staker] = 0;
        _stakers[_claimId][_staker] = Types.StakerStatus.Slashed;
        claim.liveStakers -= 1;
        emit StakerSlashed(_claimId, _staker, _gameId);
        if (claim.liveStakers == 0) {
            claim.status = Types.ClaimStatus.Deleted;
            _unpend(claim.messageCount, claim.stateRoot);
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

    /// @notice `keccak256(abi.encode(_batchIndex, _accumulator, _stateRoot))`: the hash that names a
    ///         claim made by `propose(_batchIndex, _accumulator, _stateRoot)` (protocol.md §8.5).
    /// @param _batchIndex The claim's batch.
    /// @param _accumulator The inbox accumulator at that batch.
    /// @param _stateRoot The claimed root.
    /// @return claimHash_ The claim hash.
    function hashClaim(uint256 _batchIndex, bytes32 _accumulator, bytes32 _stateRoot)
        public
        pure
        returns (bytes32 claimHash_)
    {
        claimHash_ = keccak256(abi.encode(_batchIndex, _accumulator, _stateRoot));
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
    /// @return finalizable_ True when pending, past its deadline, with no counted game open, a staker
    ///         left and no conflicting claim.
    function isFinalizable(uint256 _claimId) external view returns (bool finalizable_) {
        Types.Claim storage claim = _claims[_claimId];
        finalizable_ = claim.status == Types.ClaimStatus.Pending && _finalizable(claim)
            && !_conflicts(claim.messageCount, claim.stateRoot);
    }

    /// @notice Where `_staker` stands on `_claimId`.
    /// @param _claimId The claim.
    /// @param _staker The address.
    /// @return status_ None, Active, Slashed or Withdrawn.
    function stakerStatus(uint256 _claimId, address _staker) external view returns (Types.StakerStatus status_) {
        status_ = _stakers[_claimId][_staker];
    }

    /// @notice The open games against `_staker` of `_claimId` that make the claim wait (0 once slashed).
    /// @param _claimId The claim.
    /// @param _staker The staker.
    /// @return count_ The number of such games.
    function openGamesAgainst(uint256 _claimId, address _staker) external view returns (uint256 count_) {
        count_ = _openGamesAgainst[_claimId][_staker];
    }

    /// @dev A pending claim whose hash is `_claimHash`, or a revert.
    function _pendingClaim(uint256 _claimId, bytes32 _claimHash) internal view returns (Types.Claim storage claim_) {
        claim_ = _claims[_claimId];
        if (claim_.status == Types.ClaimStatus.None) revert ClaimNotFound(_claimId);
        if (claim_.claimHash != _claimHash) revert ClaimHashMismatch(_claimId, _claimHash, claim_.claimHash);
        if (claim_.status != Types.ClaimStatus.Pending) revert ClaimNotPending(_claimId);
    }

    /// @dev Whether a pending claim meets the time, game and staker conditions of finalization.
    function _finalizable(Types.Claim storage _claim) internal view returns (bool) {
        return block.timestamp >= _claim.challengeDeadline && _claim.openGames == 0 && _claim.liveStakers > 0;
    }

    /// @dev Whether a claim at `_n` with root `_root` conflicts: another pending claim at `_n` has a
    ///      different root, or a claim at `_n` with a different root is finalized.
    function _conflicts(uint256 _n, bytes32 _root) internal view returns (bool) {
        if (_pendingAt[_n] != _pendingWithRootAt[_n][_root]) return true;
        uint256 finalized = _finalizedAt[_n];
        return finalized != 0 && _claims[finalized].stateRoot != _root;
    }

    /// @dev Removes a claim that stops pending (finalized or deleted) from the conflict counters.
    function _unpend(uint256 _n, bytes32 _root) internal {
        _pendingAt[_n] -= 1;
        _pendingWithRootAt[_n][_root] -= 1;
    }

    /// @dev Sends `_amount` wei to `_to`, reverting when the call fails.
    function _send(address _to, uint256 _amount) internal {
        (bool ok,) = _to.call{ value: _amount }("");
        if (!ok) revert TransferFailed(_to, _amount);
    }
}
