// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { IClaimManager } from "../interfaces/IClaimManager.sol";
import { ISequencerInbox } from "../interfaces/ISequencerInbox.sol";
import { Constants } from "../libraries/Constants.sol";
import "../libraries/DisputeErrors.sol";
import { CreditLedger } from "./CreditLedger.sol";
import { RollupConfig } from "../libraries/RollupConfig.sol";
import { Types } from "../libraries/Types.sol";

/// @title ClaimManager
/// @notice Permissionless state-root claims with stakers and bonds (protocol.md §8.1). A claim says
///         `root_n = stateRoot` for `n = messageCount[batchIndex]`; its proposer pays `2 × proposerBond`:
///         its stake and the claim's deposit, credited back when the claim finalizes and burned when it
///         is deleted. Any number of challengers may play any staker at once, each in its own game
///         (DisputeGame); the first game a staker loses slashes it. A claim finalizes once its challenge
///         deadline has passed, no game against an unslashed staker is open, an unslashed staker remains,
///         no claim at the same `n` with another root is finalized and none proposed before its challenge
///         deadline is pending; it is deleted when no unslashed staker remains. Every call that names a
///         claim also names its `claimHash`, so that after an L1 reorg it cannot land on another claim.
///         Immutable: no owner, no proxy, no pause.
contract ClaimManager is IClaimManager, CreditLedger {
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
    /// @dev A Fenwick tree over a sequence of claims (1-based positions), each 1 while pending and 0 once
    ///      finalized or deleted: `prefix(k)` counts the pending claims among the first `k` in O(log k).
    struct PendingTree {
        mapping(uint256 position => uint256) node;
    }

    /// @dev Conflict detection (§8.1): the claims at each message count in proposal order, with their
    ///      proposal times (sorted, so "proposed before T" is a prefix) and which of them are pending.
    mapping(uint256 messageCount => uint64[] proposedAt) internal _proposedAtN;
    mapping(uint256 messageCount => PendingTree) internal _pendingAtN;
    /// @dev The same per root: the position at `n` of each claim with that root, and which are pending.
    mapping(uint256 messageCount => mapping(bytes32 stateRoot => uint256[])) internal _positionsWithRoot;
    mapping(uint256 messageCount => mapping(bytes32 stateRoot => PendingTree)) internal _pendingWithRoot;
    /// @dev Each claim's position among the claims at its `n` and among those with its root (1-based).
    struct Positions {
        uint128 atN;
        uint128 inRoot;
    }

    mapping(uint256 claimId => Positions) internal _positions;
    /// @dev The first claim finalized at each message count (0: none).
    mapping(uint256 messageCount => uint256 claimId) internal _finalizedAt;
    /// @dev Each claim's proposer, to whom its deposit is credited when it finalizes.
    mapping(uint256 claimId => address) internal _proposerOf;

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

    /// @notice The deposit of `claimId` was credited to its proposer (the claim finalized).
    event DepositReturned(uint256 indexed claimId, address indexed proposer, uint256 amount);

    /// @notice The deposit of `claimId` was burned (the claim was deleted).
    event DepositBurned(uint256 indexed claimId, uint256 amount);


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
    ///         `2 × proposerBond`: the caller's stake (it becomes the claim's first staker) and the claim's
    ///         deposit (credited back when the claim finalizes, burned when it is deleted).
    /// @param _batchIndex The batch the claim is made at.
    /// @param _accumulator The inbox's accumulator at `_batchIndex` (reverts after a reorg removed it).
    /// @param _stateRoot The claimed state root.
    /// @return claimId_ The new claim's id.
    function propose(uint256 _batchIndex, bytes32 _accumulator, bytes32 _stateRoot)
        external
        payable
        returns (uint256 claimId_)
    {
        if (msg.value != 2 * proposerBond) revert IncorrectBond(msg.value, 2 * proposerBond);
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
        _proposerOf[claimId_] = msg.sender;
        uint64[] storage times = _proposedAtN[n];
        times.push(uint64(block.timestamp));
        _append(_pendingAtN[n], times.length);
        uint256[] storage positions = _positionsWithRoot[n][_stateRoot];
        positions.push(times.length);
        _append(_pendingWithRoot[n][_stateRoot], positions.length);
        _positions[claimId_] = Positions({ atN: uint128(times.length), inRoot: uint128(positions.length) });
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
    ///         staker is open, an unslashed staker remains, no other claim at the same message count with
    ///         a different root is finalized, and none proposed before this claim's challenge deadline is
    ///         pending. Anyone may call it. It credits the claim's deposit to its proposer and becomes the
    ///         anchor when its message count is larger than the anchor's.
    /// @param _claimId The claim.
    function finalizeClaim(uint256 _claimId) external {
        Types.Claim storage claim = _claims[_claimId];
        if (claim.status == Types.ClaimStatus.None) revert ClaimNotFound(_claimId);
        if (claim.status != Types.ClaimStatus.Pending) revert ClaimNotPending(_claimId);
        if (!_finalizable(claim)) revert ClaimNotFinalizable(_claimId);
        uint256 n = claim.messageCount;
        if (_conflicts(claim)) revert ClaimConflict(_claimId, n);
        claim.status = Types.ClaimStatus.Finalized;
        claim.finalizedAt = uint64(block.timestamp);
        _unpend(_claimId, claim);
        if (_finalizedAt[n] == 0) _finalizedAt[n] = _claimId;
        (uint256 anchorCount,) = anchor();
        bool isAnchor = anchorClaimId == 0 || n > anchorCount;
        if (isAnchor) anchorClaimId = _claimId;
        address proposer = _proposerOf[_claimId];
        credit[proposer] += proposerBond;
        emit ClaimFinalized(_claimId, n, claim.stateRoot, isAnchor);
        emit DepositReturned(_claimId, proposer, proposerBond);
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
        returns (uint256 cutShort_)
    {
        Types.Claim storage claim = _claims[_claimId];
        if (_stakers[_claimId][_staker] != Types.StakerStatus.Active || _openGamesAgainst[_claimId][_staker] == 0) {
            revert NotActiveStaker(_claimId, _staker);
        }
        if (_stakerWon) {
            _openGamesAgainst[_claimId][_staker] -= 1;
            claim.openGames -= 1;
            emit StakerDefended(_claimId, _staker, _gameId);
            return 0;
        }
        // The first lost game slashes the staker. Its other open games are cut short (the DisputeGame
        // pays their challengers a share of the prize): they stop making the claim wait, all at once.
        uint256 open = _openGamesAgainst[_claimId][_staker];
        cutShort_ = open - 1;
        claim.openGames -= uint32(open);
        _openGamesAgainst[_claimId][_staker] = 0;
        _stakers[_claimId][_staker] = Types.StakerStatus.Slashed;
        claim.liveStakers -= 1;
        emit StakerSlashed(_claimId, _staker, _gameId);
        _send(disputeGame, proposerBond);
        if (claim.liveStakers == 0) {
            claim.status = Types.ClaimStatus.Deleted;
            _unpend(_claimId, claim);
            emit ClaimDeleted(_claimId);
            // The deposit is burned, never paid to anyone: a sybil challenger cannot take it back.
            emit DepositBurned(_claimId, proposerBond);
            _send(Constants.BURN_ADDRESS, proposerBond);
        }
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
    ///         left and no conflicting claim that blocks it.
    function isFinalizable(uint256 _claimId) external view returns (bool finalizable_) {
        Types.Claim storage claim = _claims[_claimId];
        finalizable_ = claim.status == Types.ClaimStatus.Pending && _finalizable(claim) && !_conflicts(claim);
    }

    /// @notice The proposer of `_claimId` (who paid its deposit).
    /// @param _claimId The claim.
    /// @return proposer_ The proposer, or zero when the claim does not exist.
    function proposerOf(uint256 _claimId) external view returns (address proposer_) {
        proposer_ = _proposerOf[_claimId];
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

    /// @dev Whether a pending claim is blocked by a conflict (§8.1): a claim at its `n` with a different
    ///      root is finalized, or one proposed before its challenge deadline is pending. Claims at `n` are
    ///      recorded in proposal order, so those proposed before the deadline are the first `k`; the
    ///      pending ones among them with a different root are all pending ones less those with this root.
    function _conflicts(Types.Claim storage _claim) internal view returns (bool) {
        uint256 n = _claim.messageCount;
        bytes32 root = _claim.stateRoot;
        uint256 finalized = _finalizedAt[n];
        if (finalized != 0 && _claims[finalized].stateRoot != root) return true;
        uint256 k = _countBelow(_proposedAtN[n], _claim.challengeDeadline);
        uint256 kRoot = _countAtMost(_positionsWithRoot[n][root], k);
        return _prefix(_pendingAtN[n], k) != _prefix(_pendingWithRoot[n][root], kRoot);
    }

    /// @dev Removes a claim that stops pending (finalized or deleted) from the conflict trees.
    function _unpend(uint256 _claimId, Types.Claim storage _claim) internal {
        uint256 n = _claim.messageCount;
        bytes32 root = _claim.stateRoot;
        Positions memory p = _positions[_claimId];
        _remove(_pendingAtN[n], p.atN, _proposedAtN[n].length);
        _remove(_pendingWithRoot[n][root], p.inRoot, _positionsWithRoot[n][root].length);
    }

    /// @dev Adds position `_size` (the new last one) as pending: its node covers `(size − lowbit, size]`.
    function _append(PendingTree storage _tree, uint256 _size) internal {
        _tree.node[_size] = 1 + _prefix(_tree, _size - 1) - _prefix(_tree, _size - (_size & (~_size + 1)));
    }

    /// @dev Marks position `_i` (of `_size`) no longer pending.
    function _remove(PendingTree storage _tree, uint256 _i, uint256 _size) internal {
        for (; _i <= _size; _i += _i & (~_i + 1)) {
            _tree.node[_i] -= 1;
        }
    }

    /// @dev The number of pending positions among `1..k`.
    function _prefix(PendingTree storage _tree, uint256 _k) internal view returns (uint256 sum_) {
        for (; _k > 0; _k &= _k - 1) {
            sum_ += _tree.node[_k];
        }
    }

    /// @dev The number of entries of the sorted `_times` below `_t`.
    function _countBelow(uint64[] storage _times, uint256 _t) internal view returns (uint256 lo_) {
        uint256 hi = _times.length;
        while (lo_ < hi) {
            uint256 mid = (lo_ + hi) / 2;
            if (_times[mid] < _t) lo_ = mid + 1;
            else hi = mid;
        }
    }

    /// @dev The number of entries of the sorted `_values` at most `_v`.
    function _countAtMost(uint256[] storage _values, uint256 _v) internal view returns (uint256 lo_) {
        uint256 hi = _values.length;
        while (lo_ < hi) {
            uint256 mid = (lo_ + hi) / 2;
            if (_values[mid] <= _v) lo_ = mid + 1;
            else hi = mid;
        }
    }
}
